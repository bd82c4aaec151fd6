"""Tables of the complaints page and the monthly review: codes replaced by their names
and headers from the metric registry. (The KPI card is ui/kpi.py, for every page.)"""

from __future__ import annotations

import pandas as pd

from analytics import metrics as m
from ui import tables
from ui.format import names_of
from ui.state import lang, t


def coded(df: pd.DataFrame, kind: str, col: str | None = None) -> pd.DataFrame:
    """Replace codes (level, channel, cause...) by their translated names where known."""
    from i18n import CATALOGUE

    col = col or kind
    out = df.copy()
    out[col] = names_of(out[col], lambda v: t(f"cmp.{kind}.{v}") if f"cmp.{kind}.{v}" in CATALOGUE else str(v))
    return out


def _header(col: str) -> str:
    from i18n import CATALOGUE

    for key in (f"cmp.col.{col}", f"rev.col.{col}", f"col.{col}"):
        if key in CATALOGUE:
            return t(key)
    met = m.REGISTRY.get(col)
    return met.label(lang()) if met is not None else col


def table(df: pd.DataFrame, name: str, key: str, height: int | str = "auto") -> None:
    """ui.tables.table with headers and percent formats for the complaint and workforce
    columns that the call-metric header lookup does not know."""
    percent = []
    for col in df.columns:
        met = m.REGISTRY.get(col)
        unit = met.unit if met is not None else None
        if unit == "%" or col in ("share", "cumulative_share", "sl_change", "ar_change"):
            percent.append(col)
    tables.table(df, name, key, height, labels={c: _header(c) for c in df.columns}, percent=tuple(percent))
