"""KPI cards: value with unit, red / amber / green against the target, change against
the previous period, and the formula one hover away."""

from __future__ import annotations

import streamlit as st

from analytics import calls
from analytics.access import Scope
from analytics.filters import Filters
from analytics.lake import Lake
from analytics.metrics import REGISTRY, ServiceSettings, rag
from analytics.targets import current_targets
from ui.format import fmt_delta, fmt_value
from ui.state import lang, t

_BADGE_COLOURS = {"green": "green", "amber": "orange", "red": "red"}


def target_text(key: str, target) -> str:
    m = REGISTRY[key]
    if target is None:
        return t("kpi.no_target")
    sign = "≥" if m.higher_is_better else "≤"
    return t("kpi.target", target=f"{sign} {fmt_value(m, target, lang())}")


def kpi_row(keys: list[str], now: dict, before: dict, settings: ServiceSettings,
            targets: dict | None = None) -> None:
    targets = targets or {}
    cols = st.columns(len(keys))
    for col, key in zip(cols, keys):
        m = REGISTRY[key]
        value = now.get(key)
        target = targets.get(key, m.default_target)
        with col:
            with st.container(border=True):
                st.metric(m.label(lang()), fmt_value(m, value, lang()),
                          delta=fmt_delta(m, value, before.get(key), lang()),
                          delta_color="off" if m.higher_is_better is None
                          else ("normal" if m.higher_is_better else "inverse"),
                          help=m.formula(lang(), settings))
                status = rag(m, value, target)
                if status:
                    st.badge(f"{t('rag.' + status)} · {target_text(key, target)}", color=_BADGE_COLOURS[status])
                else:
                    st.badge(target_text(key, target), color="gray")


def kpi_section(lk: Lake, filters: Filters, sc: Scope, cfg: ServiceSettings, kpis: list[str], require: str,
                caption_suffix: str = "", note: str = "") -> dict:
    """The KPI row of a call page: totals against targets and the previous period, the
    period compared with, and how each number is computed. Stops the page with an
    explanation when the selection has no ``require`` (e.g. no offered calls)."""
    now = calls.totals(lk, filters, sc, cfg)
    if not now or not now.get(require):
        st.info(t("empty.selection"))
        st.stop()
    prev = calls.previous_period(filters)
    before = calls.totals(lk, prev, sc, cfg)
    targets = current_targets(lk, filters.end)
    kpi_row(kpis, now, before, cfg, targets)
    st.caption(t("kpi.vs_previous", start=prev.start, end=prev.end) + caption_suffix)
    with st.expander(t("how.title"), icon=":material/functions:"):
        for key in kpis:
            st.markdown(f"- **{REGISTRY[key].label(lang())}**: {REGISTRY[key].formula(lang(), cfg)}")
        if note:
            st.caption(note)
    return targets
