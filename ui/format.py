"""Number formats with units for the pages: the one formatter lives in
``analytics.units`` (the HTML report uses it too); this module gives the pages and the
CSV downloads its shortcuts by metric and by unit."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from analytics.metrics import Metric
from analytics.units import MISSING, UNITS, Change, format_change, format_target, format_value, is_missing

__all__ = [
    "MISSING",
    "UNITS",
    "Change",
    "fmt_delta",
    "fmt_value",
    "format_change",
    "format_series",
    "format_target",
    "format_value",
    "is_missing",
    "names_of",
    "text_or_missing",
]


def fmt_value(metric: Metric, value, lang: str) -> str:
    """A metric's value with its unit; "—" when missing."""
    return metric.format(value, lang)


def fmt_delta(metric: Metric, now, before, lang: str) -> str | None:
    """Change against the previous period as text (percentage points for rates, units
    otherwise); None when either side is missing. Use ``metric.format_change`` for the
    direction too (a zero change is "flat" and drawn neutral)."""
    change = metric.format_change(now, before, lang)
    return change.text if change.known else None


def format_series(values: Iterable, unit: str, lang: str, decimals: int | None = None) -> list[str]:
    """A column as displayed (CSV downloads write numbers as the page shows them)."""
    return [format_value(unit, v, lang, decimals) for v in values]


def names_of(codes: pd.Series, name: Callable[[object], str]) -> pd.Series:
    """``name(code)`` for each row's code, MISSING where there is none. Each distinct code is
    named once: tables of thousands of rows hold a few codes, and naming row by row (a
    translation lookup each) was a fifth of a cached rerun of the scorecards page."""
    # Each row's position among the distinct codes (-1: none): the names are one take.
    positions, distinct = pd.factorize(codes, use_na_sentinel=True)
    named = np.array([name(v) for v in distinct] + [MISSING], dtype=object)  # -1 takes the last
    return pd.Series(named[positions], index=codes.index, dtype="str")


def text_or_missing(values: pd.Series) -> pd.Series:
    """A text column as shown: MISSING for a missing or empty value."""
    text = values.astype("str")
    return text.where(text.notna() & (text != ""), MISSING)
