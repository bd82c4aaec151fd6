"""KPI cards and tables for metrics outside the call registry (complaints, workforce):
the same look as ui/kpi.py, with formats from analytics.report."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import report
from analytics.metrics import rag
from ui import tables
from ui.state import lang, t

_BADGE_COLOURS = {"green": "green", "amber": "orange", "red": "red"}


def cards(keys: list[str], now: dict, before: dict, targets: dict | None = None) -> None:
    targets = targets or {}
    for col, key in zip(st.columns(len(keys)), keys):
        met = report.metric(key)
        value, target = now.get(key), targets.get(key, met.default_target)
        delta = report.fmt_change(key, value, before.get(key), lang())
        with col, st.container(border=True):
            st.metric(report.label(key, lang()), report.fmt(key, value, lang()),
                      delta=None if delta == "—" else delta,
                      delta_color="off" if met.higher_is_better is None
                      else ("normal" if met.higher_is_better else "inverse"),
                      help=report.formula(key, lang()))
            status = rag(met, value, target)
            if target is None:
                st.badge(t("kpi.no_target"), color="gray")
            else:
                text = t("kpi.target", target=f"{'≥' if met.higher_is_better else '≤'} "
                                              f"{report.fmt(key, target, lang())}")
                st.badge(f"{t('rev.rag.' + status)} · {text}" if status else text,
                         color=_BADGE_COLOURS.get(status, "gray"))


def coded(df: pd.DataFrame, kind: str, col: str | None = None) -> pd.DataFrame:
    """Replace codes (level, channel, cause...) by their translated names where known."""
    from i18n import CATALOGUE

    col = col or kind
    out = df.copy()
    out[col] = [t(f"cmp.{kind}.{v}") if f"cmp.{kind}.{v}" in CATALOGUE else str(v) for v in out[col]]
    return out.astype({col: "str"})


def _header(col: str) -> str:
    from i18n import CATALOGUE

    for key in (f"cmp.col.{col}", f"rev.col.{col}", f"col.{col}"):
        if key in CATALOGUE:
            return t(key)
    try:
        return report.label(col, lang())
    except KeyError:
        return col


def table(df: pd.DataFrame, name: str, key: str, height: int | str = "auto") -> None:
    """ui.tables.table with headers and percent formats for the complaint and workforce
    columns that the call-metric header lookup does not know."""
    percent = []
    for col in df.columns:
        try:
            unit = report.metric(col).unit
        except KeyError:
            unit = None
        if unit == "%" or col in ("share", "cumulative_share", "sl_change", "ar_change"):
            percent.append(col)
    tables.table(df, name, key, height, labels={c: _header(c) for c in df.columns}, percent=tuple(percent))
