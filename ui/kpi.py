"""KPI cards: value with unit, red / amber / green against the target, change against
the previous period, and the formula one hover away."""

from __future__ import annotations

import streamlit as st

from analytics.metrics import REGISTRY, ServiceSettings, rag
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
