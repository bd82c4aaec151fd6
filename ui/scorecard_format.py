"""The scorecards page's tables as shown: codes named in the user's language, whole seconds
and counts, scores to one decimal. Here rather than in the view so the bench's page mirror
(bench/pages.py) counts this work too: ~20 ms a run for 10.8 k agents at 52.5 M calls."""

from __future__ import annotations

import pandas as pd

from analytics import scorecard
from ui.format import names_of, text_or_missing
from ui.state import t

_WHOLE = ("aht_s", "aht_common_s", "aht_complex_s", "answered", "transferred", "valid_complaints", "late_count")
_ONE_DECIMAL = ("answered_per_day", "qa_score", "score", "score_change", *(f"c_{c}" for c in scorecard.COMPONENTS))


def shown(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a scorecard table (agents, components or the team summary) as the page shows it."""
    out = df.copy()
    if "qa_grade" in out:
        out["qa_grade"] = names_of(out["qa_grade"], lambda g: t(f"sc.grade.{g}"))
    if "role" in out:
        out["role"] = names_of(out["role"], lambda r: t(f"car.role.{r}"))
    for col in ("name", "team"):
        if col in out:
            out[col] = text_or_missing(out[col])
    # Whole seconds and whole counts read better than two decimals.
    for col in _WHOLE:
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce").round().astype("Int64")
    for col in _ONE_DECIMAL:
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce").round(1)
    return out
