"""The one KPI card: value with unit, red / amber / green against the target (or the
reason no target applies), change against the previous period drawn neutral when it
rounds to zero, and the formula with the dataset's settings one hover away. Every page
and the monthly review draw their cards here, from the registry."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from analytics import calls
from analytics import metrics as m
from analytics.access import Scope
from analytics.filters import Filters
from analytics.lake import Lake
from analytics.targets import current_targets
from ui.state import lang, t

_BADGE_COLOURS = {"green": "green", "amber": "orange", "red": "red"}
_NO_TARGET = object()  # "use the registry's default"


def target_text(key: str, target) -> str:
    met = m.get(key)
    if target is None:
        return t("kpi.no_target")
    return t("kpi.target", target=met.format_target(target, lang(), compact=True))


def _delta_style(met: m.Metric, direction: str) -> tuple[str, str]:
    """(delta_color, delta_arrow) for st.metric: neutral when nothing moved or when
    neither direction is better; otherwise green for the better direction."""
    if direction == "flat":
        return "off", "off"
    if met.higher_is_better is None:
        return "off", "auto"
    return ("normal" if met.higher_is_better else "inverse"), "auto"


def kpi_card(key: str, value, before=None, target=_NO_TARGET, settings=None, note: str | None = None) -> None:
    """One card for registry metric ``key``. ``target`` None means none is set (the card
    says why none applies); left out, the registry's default is used. ``note`` is one
    more grey line (e.g. the change against a year before)."""
    met = m.get(key)
    target = met.default_target if target is _NO_TARGET else target
    change = met.format_change(value, before, lang())
    color, arrow = _delta_style(met, change.direction)
    with st.container(border=True):
        st.metric(
            met.label(lang(), settings),
            met.format(value, lang(), compact=True),
            delta=change.text if change.known else None,
            delta_color=color,
            delta_arrow=arrow,
            help=met.formula(lang(), settings),
        )
        if note:
            st.caption(note)
        status = m.rag(met, value, target)
        if target is None:
            reason = met.no_target_reason(lang(), settings)
            st.badge(t("kpi.no_target"), color="gray", help=reason)
            st.caption(reason)
        elif status:
            st.badge(f"{t('rag.' + status)} · {target_text(key, target)}", color=_BADGE_COLOURS[status])
        else:
            st.badge(target_text(key, target), color="gray")


def kpi_row(
    keys: Sequence[str],
    now: dict,
    before: dict | None = None,
    settings=None,
    targets: dict | None = None,
    notes: dict | None = None,
    per_row: int | None = None,
) -> None:
    """Cards for ``keys`` side by side (``per_row`` to wrap). ``targets``: key -> target
    in force (from ``analytics.targets.current_targets``); a key not in it takes the
    registry's default."""
    targets, before, notes = targets or {}, before or {}, notes or {}
    keys = list(keys)
    per_row = per_row or len(keys)
    for first in range(0, len(keys), per_row):
        chunk = keys[first : first + per_row]
        for col, key in zip(st.columns(per_row), chunk):
            with col:
                kpi_card(key, now.get(key), before.get(key), targets.get(key, _NO_TARGET), settings, notes.get(key))


def kpi_section(
    lk: Lake,
    filters: Filters,
    sc: Scope,
    cfg: m.ServiceSettings,
    kpis: list[str],
    require: str,
    caption_suffix: str = "",
    note: str = "",
    agent_days: bool = True,
) -> dict:
    """The KPI row of a call page: totals against targets and the previous period, the
    period compared with, and how each number is computed. Stops the page with an
    explanation when the selection has no ``require`` (e.g. no offered calls).
    ``agent_days=False`` for a page whose KPIs are all queue figures (calls.metrics)."""
    now = calls.totals(lk, filters, sc, cfg, agent_days)
    if not now or not now.get(require):
        st.info(t("empty.selection"))
        st.stop()
    prev = calls.previous_period(filters)
    before = calls.totals(lk, prev, sc, cfg, agent_days)
    targets = current_targets(lk, filters.end)
    kpi_row(kpis, now, before, cfg, targets)
    st.caption(t("kpi.vs_previous", start=prev.start, end=prev.end) + caption_suffix)
    with st.expander(t("how.title"), icon=":material/functions:"):
        for key in kpis:
            met = m.get(key)
            st.markdown(f"- **{met.label(lang(), cfg)}**: {met.formula(lang(), cfg)}")
        if note:
            st.caption(note)
    return targets
