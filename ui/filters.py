"""The sidebar filters, mirrored in the URL so a view can be shared as a link."""

from __future__ import annotations

from datetime import date

import streamlit as st

from analytics import calls
from analytics.access import Scope
from analytics.filters import Filters
from analytics.lake import Lake
from ui.state import lang, t

_KEYS = {"period": "f_period", "centers": "f_centers", "queues": "f_queues", "grain": "f_grain"}


def _default_period(first: date, last: date) -> tuple[date, date]:
    """The month of the latest data: what a manager looks at first."""
    return max(first, last.replace(day=1)), last


def _from_url(name: str) -> str | None:
    v = st.query_params.get(name)
    return v if v else None


def _parse_day(text: str | None, lo: date, hi: date) -> date | None:
    try:
        d = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return min(max(d, lo), hi) if d else None


def _init_from_url(opts: dict, grains: tuple[str, ...]) -> None:
    if st.session_state.get("_filters_initialised"):
        return
    first, last = opts["first_day"], opts["last_day"]
    start, end = _default_period(first, last)
    start = _parse_day(_from_url("from"), first, last) or start
    end = _parse_day(_from_url("to"), first, last) or end
    if end < start:
        start, end = _default_period(first, last)
    st.session_state[_KEYS["period"]] = (start, end)
    known_centers = set(opts["centers"]["center"])
    known_queues = set(opts["queues"]["queue"])
    st.session_state[_KEYS["centers"]] = [c for c in (_from_url("center") or "").split(",") if c in known_centers]
    st.session_state[_KEYS["queues"]] = [q for q in (_from_url("queue") or "").split(",") if q in known_queues]
    g = _from_url("grain")
    st.session_state[_KEYS["grain"]] = g if g in grains else "day"
    st.session_state["_filters_initialised"] = True


def _name_lookup(df, code_col: str) -> dict[str, str]:
    col = "name_zh" if lang() == "zh" else "name_en"
    return {r[code_col]: f"{r[col]} ({r[code_col]})" if r.get(col) else r[code_col]
            for r in df.to_dict(orient="records")}


def sidebar_filters(lk: Lake, scope: Scope, grains: tuple[str, ...] = ("day", "week", "month")) -> Filters | None:
    """Draw the filters; returns None (after saying why) when the selection is incomplete."""
    opts = calls.filter_options(lk, scope)
    if opts["first_day"] is None:
        return None
    _init_from_url(opts, grains)
    if st.session_state.get(_KEYS["grain"]) not in grains:
        st.session_state[_KEYS["grain"]] = "day"
    with st.sidebar:
        st.header(t("filters.header"))
        period = st.date_input(t("filters.period"), key=_KEYS["period"], min_value=opts["first_day"],
                               max_value=opts["last_day"], help=t("filters.period.help"))
        center_names = _name_lookup(opts["centers"], "center")
        centers = st.multiselect(t("filters.centers"), list(center_names), key=_KEYS["centers"],
                                 format_func=lambda c: center_names.get(c, c), placeholder=t("filters.all"))
        qdf = opts["queues"]
        if centers:
            qdf = qdf[qdf["center"].isin(centers)]
        qdf = qdf[qdf["direction"].fillna("inbound") == "inbound"]
        queue_names = _name_lookup(qdf, "queue")
        st.session_state[_KEYS["queues"]] = [q for q in st.session_state.get(_KEYS["queues"], []) if q in queue_names]
        queues = st.multiselect(t("filters.queues"), list(queue_names), key=_KEYS["queues"],
                                format_func=lambda q: queue_names.get(q, q), placeholder=t("filters.all"))
        grain_names = {g: t(f"grain.{g}") for g in grains}  # resolved now, not when the widget is read
        grain = st.selectbox(t("filters.grain"), grains, key=_KEYS["grain"],
                             format_func=lambda g: grain_names.get(g, g))
        st.caption(t("filters.share"))
    if not isinstance(period, (tuple, list)) or len(period) != 2:
        st.info(t("filters.period_incomplete"))
        return None
    start, end = period
    st.query_params.update({"from": start.isoformat(), "to": end.isoformat(), "grain": grain, "lang": lang()})
    for name, values in (("center", centers), ("queue", queues)):
        if values:
            st.query_params[name] = ",".join(values)
        elif name in st.query_params:
            del st.query_params[name]
    return Filters(start=start, end=end, centers=tuple(centers), queues=tuple(queues), grain=grain)
