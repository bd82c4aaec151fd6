"""The person's filters: period, centers, queues, teams, agents and grain.

They belong to the session, not to a page. Streamlit 1.67 gives a widget drawn inside a
page an id that includes the page's script hash (``elements/lib/utils.py`` adds
``active_script_hash`` to the id) and drops the state of widgets a run did not draw, so a
date picker drawn by every page forgot its value on every page move. Here the values live
in ``st.session_state[_STATE]``, a key no widget owns; each page's widgets are seeded from
it before they are drawn and write back to it in their ``on_change`` callback.

The URL always carries the whole state (``from``, ``to``, ``center``, ``queue``, ``team``,
``agent``, ``grain``), so a copied link reproduces the view. A sidebar page move sends
the new page without a query string; then the session's state wins and is written back
to the URL. When the URL names filters that differ from what this session last wrote
(a link opened in this tab, the back button, an edited address), the URL wins.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from analytics import calls
from analytics.access import Scope
from analytics.filters import Filters
from analytics.lake import Lake
from ui.state import lang, t, want_in_url, write_url

_STATE = "_session_filters"  # the person's filters: no widget owns this key
_WRITTEN = "_session_filters_url"  # the filter part of the URL this session last wrote
# Above this many people in view the agent filter asks for a center or team first. Each
# option costs the browser ~18 us per page switch (11,000 options: ~0.2 s): 2,000 keeps the
# demo's 639 agents and any center's list, and leaves out a 50 M-call group's 10,847.
AGENT_CHOICES_MAX = 2000
_WIDGET = {name: f"fw_{name}" for name in ("period", "centers", "queues", "teams", "agents", "grain")}
# URL parameter -> filter name; lists travel comma-separated.
URL_PARAMS = {
    "from": "start",
    "to": "end",
    "center": "centers",
    "queue": "queues",
    "team": "teams",
    "agent": "agents",
    "grain": "grain",
}
_LISTS = ("centers", "queues", "teams", "agents")
ALL_GRAINS = ("interval15", "interval30", "hour", "day", "week", "month")


def default_period(first: date, last: date) -> tuple[date, date]:
    """The month of the latest data: what a manager looks at first."""
    return max(first, last.replace(day=1)), last


def _parse_day(text: str | None, lo: date, hi: date) -> date | None:
    try:
        d = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return min(max(d, lo), hi) if d else None


def allowed_codes(opts: dict) -> dict[str, set[str]]:
    """Every code the person may pick, per list filter (the scope's own)."""
    # tolist(): iterating an Arrow-backed column value by value is ~5x slower (11 k agents).
    return {
        "centers": set(opts["centers"]["center"].tolist()),
        "queues": set(opts["queues"]["queue"].tolist()),
        "teams": set(opts["teams"]["team"].tolist()),
        "agents": set(opts["agents"]["agent"].tolist()),
    }


def state_from_query(query: dict[str, str], opts: dict) -> dict:
    """The filter state a URL asks for, limited to what the scope offers; anything
    missing, unknown or malformed falls back to the default view."""
    first, last = opts["first_day"], opts["last_day"]
    start, end = default_period(first, last)
    asked_start = _parse_day(query.get("from"), first, last)
    asked_end = _parse_day(query.get("to"), first, last)
    if asked_start and asked_end and asked_start <= asked_end:
        start, end = asked_start, asked_end
    allowed = allowed_codes(opts)
    state = {"start": start, "end": end, "grain": query.get("grain") if query.get("grain") in ALL_GRAINS else "day"}
    for param, name in URL_PARAMS.items():
        if name in _LISTS:
            state[name] = [c for c in dict.fromkeys((query.get(param) or "").split(",")) if c in allowed[name]]
    return state


def query_from_state(state: dict) -> dict[str, str]:
    """The URL parameters for a filter state (empty lists are left out)."""
    out = {"from": state["start"].isoformat(), "to": state["end"].isoformat(), "grain": state["grain"]}
    for param, name in URL_PARAMS.items():
        if name in _LISTS and state[name]:
            out[param] = ",".join(state[name])
    return out


def _url_filters() -> dict[str, str]:
    return {p: st.query_params[p] for p in URL_PARAMS if st.query_params.get(p)}


def _session_state(opts: dict) -> dict:
    """The person's filters, adopting the URL when it names filters this session did not write."""
    in_url = _url_filters()
    state = st.session_state.get(_STATE)
    if state is None or (in_url and in_url != st.session_state.get(_WRITTEN)):
        state = state_from_query(in_url, opts)
    else:  # the scope or the data may have changed since (a demo role switch, an import)
        allowed = allowed_codes(opts)
        for name in _LISTS:
            state[name] = [c for c in state[name] if c in allowed[name]]
        first, last = opts["first_day"], opts["last_day"]
        if not (first <= state["start"] <= state["end"] <= last):
            state["start"], state["end"] = default_period(first, last)
    st.session_state[_STATE] = state
    return state


def _write_url(state: dict) -> None:
    wanted = query_from_state(state)
    want_in_url({**{p: wanted.get(p) for p in URL_PARAMS}, "lang": lang()})
    write_url()
    st.session_state[_WRITTEN] = wanted


def _keep(name: str) -> None:
    """on_change: the widget's new value becomes the session's (a half-picked period waits)."""
    value = st.session_state.get(_WIDGET[name])
    state = st.session_state[_STATE]
    if name == "period":
        if isinstance(value, (tuple, list)) and len(value) == 2:
            state["start"], state["end"] = value
    elif name in _LISTS:
        state[name] = list(value or [])
    elif value:
        state[name] = value


def _seed(name: str, value) -> None:
    """Show the session's value in the widget before it is drawn (never after: Streamlit forbids it)."""
    st.session_state[_WIDGET[name]] = value


def _labels(df, code_col: str) -> dict[str, str]:
    """{code: "name (code)"} in the user's language, the code alone where a name is missing.
    From plain lists: at 50 M calls the agent list is ~11 k people, and a dict built from
    row records was a sixth of every cached rerun of every page."""
    name_col = "name_zh" if lang() == "zh" else "name_en"
    if name_col not in df.columns:
        name_col = "name"
    codes = df[code_col].tolist()
    if name_col not in df.columns:
        return dict(zip(codes, codes))
    return {c: f"{n} ({c})" if isinstance(n, str) and n else c for c, n in zip(codes, df[name_col].tolist())}


def _choice(name: str, label_key: str, labels: dict[str, str], state: dict, every_code: bool = True) -> list[str]:
    """A multiselect over ``labels``; when the scope offers a single code it is stated, not
    offered as a choice (the control would only ever say 'all' of one). ``every_code=False``:
    ``labels`` are only some of the codes in scope (the chosen ones), so one is a choice."""
    state[name] = [c for c in state[name] if c in labels]
    if len(labels) == 1 and every_code:
        only = next(iter(labels))
        st.markdown(f"**{t(label_key)}**: {labels[only]}")
        return []
    _seed(name, state[name])
    st.multiselect(
        t(label_key),
        list(labels),
        key=_WIDGET[name],
        format_func=lambda c: labels.get(c, c),
        placeholder=t("filters.all"),
        on_change=_keep,
        args=(name,),
    )
    return list(state[name])


def _agent_choice(people, state: dict) -> list[str]:
    """The agent filter. Above AGENT_CHOICES_MAX people (a whole 50 M-call group is ~11 k
    agents) the list is not offered: its options travel to the browser and are drawn again
    on every page switch, ~0.2 s of the browser's time (measured on a bare app). A center
    or a team narrows it; agents already chosen (e.g. by a shared link) stay shown."""
    if len(people) <= AGENT_CHOICES_MAX:
        return _choice("agents", "nav.filters.agents", _labels(people, "agent"), state)
    st.caption(t("nav.filters.agents_many", n=f"{len(people):,}"))
    chosen = people[people["agent"].isin(state["agents"])]
    if chosen.empty:
        state["agents"] = []
        return []
    return _choice("agents", "nav.filters.agents", _labels(chosen, "agent"), state, every_code=False)


def keep_in_url(lk: Lake, scope: Scope) -> None:
    """Run by app.py before every page: the URL carries the session's filters on pages that
    draw none too (Definitions, Data...), so a reload or a link of any page keeps them."""
    opts = calls.filter_options(lk, scope)
    if opts["first_day"] is not None:
        _write_url(_session_state(opts))
    else:
        write_url()  # what others noted (the demo role) still goes out


def sidebar_filters(
    lk: Lake, scope: Scope, grains: tuple[str, ...] = ("day", "week", "month"), people: bool = True
) -> Filters | None:
    """Draw the person's filters in the sidebar and return them for this page, or None
    (after saying why) when there is no data or the period is half-picked.

    ``grains`` are the time grains this page can draw (another grain chosen elsewhere
    shows as 'day' here and is kept for the pages that have it). ``people=False`` for
    pages of queue figures: the team and agent filters are not drawn and not applied,
    and stay in the session for the other pages.
    """
    opts = calls.filter_options(lk, scope)
    if opts["first_day"] is None:
        st.info(t("empty.selection"))
        return None
    state = _session_state(opts)
    with st.sidebar:
        st.header(t("filters.header"))
        period_widget = st.session_state.get(_WIDGET["period"])
        half_picked = isinstance(period_widget, (tuple, list)) and len(period_widget) == 1
        if not half_picked:
            _seed("period", (state["start"], state["end"]))
        period = st.date_input(
            t("filters.period"),
            key=_WIDGET["period"],
            min_value=opts["first_day"],
            max_value=opts["last_day"],
            help=t("filters.period.help"),
            on_change=_keep,
            args=("period",),
        )
        centers = _choice("centers", "filters.centers", _labels(opts["centers"], "center"), state)
        qdf = opts["queues"]
        if centers:
            qdf = qdf[qdf["center"].isin(centers)]
        qdf = qdf[qdf["direction"].fillna("inbound") == "inbound"]
        queues = _choice("queues", "filters.queues", _labels(qdf, "queue"), state)
        teams: list[str] = []
        agents: list[str] = []
        if people:
            tdf = opts["teams"]
            if centers:
                tdf = tdf[tdf["center"].isin(centers)]
            teams = _choice("teams", "filters.teams", {c: c for c in tdf["team"]}, state)
            adf = opts["agents"]
            if centers:
                adf = adf[adf["center"].isin(centers)]
            if teams:
                adf = adf[adf["team"].isin(teams)]
            if scope.individuals and len(adf):
                agents = _agent_choice(adf, state)
        else:
            st.caption(t("nav.filters.no_people"))
        grain = state["grain"] if state["grain"] in grains else ("day" if "day" in grains else grains[0])
        if len(grains) > 1:  # a page of one grain has nothing to choose
            grain_names = {g: t(f"grain.{g}") for g in grains}  # resolved now, not when the widget is read
            _seed("grain", grain)
            st.selectbox(
                t("filters.grain"),
                grains,
                key=_WIDGET["grain"],
                format_func=lambda g: grain_names.get(g, g),
                on_change=_keep,
                args=("grain",),
            )
        st.caption(t("filters.share"))
    _write_url(state)
    if not isinstance(period, (tuple, list)) or len(period) != 2:
        st.info(t("filters.period_incomplete"))
        return None
    return Filters(
        start=state["start"],
        end=state["end"],
        centers=tuple(centers),
        queues=tuple(queues),
        teams=tuple(teams),
        agents=tuple(agents),
        grain=grain,
    )
