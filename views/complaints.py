"""Complaints: why do customers complain, and do we handle it fast enough?"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from analytics import calls, complaints
from analytics.targets import current_targets
from ui import charts
from ui.filters import sidebar_filters
from ui.kpi import kpi_row
from ui.review_cards import coded, table
from ui.state import dataset_path, get_lake, lang, per_data, scope, t


def _backlog_figure(age):
    fig = go.Figure()
    for lv, colour in ((1, "#93c5fd"), (2, charts.SECOND), (3, charts.TARGET)):
        fig.add_trace(go.Bar(x=age["age_band"], y=age[f"level{lv}"], name=t(f"cmp.level.{lv}"), marker_color=colour))
    fig.update_layout(
        barmode="stack",
        height=300,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", y=1.15),
        xaxis_title=t("chart.age"),
        yaxis_title=t("chart.complaints"),
    )
    return charts.count_axis(fig, float(age[["level1", "level2", "level3"]].sum(axis=1).max()))


def _unusual_figure(unusual, flag):
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=unusual["month"],
            y=unusual["complaints"],
            name=complaints.metric_label("complaints", lang()),
            marker_color=[charts.TARGET if f else "#93c5fd" for f in flag],
        )
    )
    fig.add_trace(
        go.Scatter(
            x=unusual["month"],
            y=unusual["baseline"],
            name=t("cmp.unusual.baseline"),
            mode="lines",
            line=dict(color=charts.GREY, dash="dash"),
        )
    )
    fig.update_layout(
        height=300,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", y=1.15),
        hovermode="x unified",
        xaxis_title=t("col.month"),
        yaxis_title=t("chart.complaints"),
    )
    charts.date_axis(fig, "month")
    return charts.count_axis(fig, float(unusual[["complaints", "baseline"]].max().max()))


lk, sc = get_lake(), scope()
cset = complaints.load_settings(dataset_path())
filters = sidebar_filters(lk, sc, grains=("day", "week", "month"))

st.title(t("cmp.title"))
if filters is None:
    st.stop()
calendar = t("cmp.calendar.CN") if cset.calendar == "CN" else t("cmp.calendar.other", code=cset.calendar)
st.caption(f"{t('cmp.question')} {t('cmp.caption', start=filters.start, end=filters.end, calendar=calendar)}")

# The period's sums, history and call counts read together (a few statements, not one per
# section); the sections below find them in the lake's cache.
per_data(complaints.prefetch, lk, filters, sc, cset)  # like the sections: skipped when they are cached
now = per_data(complaints.summary, lk, filters, sc, cset)
if not now.get("complaints"):
    st.info(t("cmp.empty"))
    st.stop()
prev_filters = calls.previous_period(filters)
before = per_data(complaints.summary, lk, prev_filters, sc, cset)
# Two rows: seven cards side by side cut their labels short.
kpi_row(complaints.KPI_KEYS, now, before, cset, current_targets(lk, filters.end), per_row=4)
st.caption(t("kpi.vs_previous", start=prev_filters.start, end=prev_filters.end))
with st.expander(t("cmp.rules"), icon=":material/functions:"):
    for key in complaints.KPI_KEYS:
        st.markdown(
            f"- **{complaints.metric_label(key, lang(), cset)}**: {complaints.metric_formula(key, lang(), cset)}"
        )
    st.markdown(f"- {t('cmp.rule.workdays')}")
    st.markdown(f"- {t('cmp.rule.target', D=f'{cset.resolve_within_workdays:g}')}")
    st.markdown(f"- {t('cmp.rule.rate')}")


def _named(df):
    """Levels, channels, categories and causes by name wherever a table has them."""
    for dim in ("level", "channel", "category", "cause"):
        if dim in df.columns:
            df = coded(df, dim)
    return df


# Trend ---------------------------------------------------------------------------------------
st.subheader(t("cmp.trend"))
trend = per_data(complaints.by_period, lk, filters, sc, cset)
grain = filters.grain
fig = charts.bars_and_rate(
    trend[grain],
    [
        (t("cmp.col.level1") + "+" + t("cmp.col.level2"), trend["complaints"] - trend["level3"], "#93c5fd"),
        (t("cmp.col.level3"), trend["level3"], charts.TARGET),
    ],
    trend["complaints_per_10k"],
    complaints.metric_label("complaints_per_10k", lang()),
    charts.PRIMARY,
    grain,
    t("chart.complaints"),
    complaints.metric_label("complaints_per_10k", lang()),
)
charts.show(fig, key="cmp_trend")
st.caption(t("cmp.trend.caption"))

# Breakdowns ----------------------------------------------------------------------------------
cols = ["complaints", "share", "valid_share", "resolution_workdays", "resolved_within_target"]
# Tabs, not three columns: six columns of numbers do not fit a third of the page at 1440 px.
# Only the open tab is computed and drawn (on_change="rerun"): the browser's drawing of every
# table is most of a page switch, and a closed tab's table was drawn unseen.
dims = ("level", "channel", "category")
for box, dim in zip(st.tabs([t(f"cmp.by_{d}") for d in dims], key="cmp_by_kind", on_change="rerun"), dims):
    if box.open:
        with box:
            df = per_data(complaints.breakdown, lk, filters, sc, dim, cset)
            table(coded(df, dim)[[dim, *cols]], f"complaints_by_{dim}_{filters.start}_{filters.end}", f"by_{dim}")

# Tabs again: side by side, the fifth and sixth columns were cut off at 1440 px.
queue_tab, team_tab = st.tabs([t("cmp.by_queue"), t("cmp.by_team")], key="cmp_by_place", on_change="rerun")
if queue_tab.open:
    with queue_tab:
        df = per_data(complaints.breakdown, lk, filters, sc, "queue", cset)
        table(
            df[["queue", "complaints", "complaints_per_10k", "valid_share", "resolved_within_target"]],
            f"complaints_by_queue_{filters.start}_{filters.end}",
            "by_queue",
        )
if team_tab.open:
    with team_tab:
        df = per_data(complaints.breakdown, lk, filters, sc, "team", cset)
        table(df[["team", *cols]], f"complaints_by_team_{filters.start}_{filters.end}", "by_team")
if sc.individuals:
    with st.expander(t("cmp.by_agent"), icon=":material/person:", key="cmp_by_agent", on_change="rerun") as box:
        if box.open:
            df = per_data(complaints.breakdown, lk, filters, sc, "agent", cset)
            table(df[["agent", *cols]], f"complaints_by_agent_{filters.start}_{filters.end}", "by_agent")
else:
    st.caption(t("cmp.no_individuals"))

# Pareto and backlog ----------------------------------------------------------------------------
left, right = st.columns(2)
with left:
    st.subheader(t("cmp.pareto"))
    par = coded(per_data(complaints.pareto, lk, filters, sc, cset), "cause")
    fig = charts.pareto(
        par["cause"],
        par["complaints"],
        par["cumulative_share"],
        par["vital_few"],
        complaints.metric_label("complaints", lang()),
        t("cmp.col.cumulative"),
        t("chart.cause"),
    )
    charts.show(fig, key="cmp_pareto", share=1 / 2)
    st.caption(t("cmp.pareto.caption"))
with right:
    st.subheader(t("cmp.backlog"))
    as_of = complaints.as_of(lk, filters)
    st.caption(t("cmp.backlog.caption", as_of=as_of.strftime("%Y-%m-%d %H:%M")))
    age = per_data(complaints.backlog_by_age, lk, filters, sc, cset)
    if age["open"].sum() == 0:
        st.info(t("cmp.backlog.none"))
    else:
        age = coded(age, "age", "age_band")
        charts.show(charts.once("cmp_backlog", _backlog_figure, age), key="cmp_backlog", share=1 / 2)
if age["open"].sum() > 0:  # the list full width: in half the page its columns were cut off
    st.markdown(f"**{t('cmp.backlog')}**")
    table(
        _named(coded(per_data(complaints.open_backlog, lk, filters, sc, cset), "age", "age_band")),
        f"complaints_open_{filters.end}",
        "backlog",
        height=240,
    )

# Unusual months -----------------------------------------------------------------------------------
st.subheader(t("cmp.unusual"))
st.caption(t("cmp.unusual.rule"))
unusual = per_data(complaints.unusual_months, lk, filters, sc, cset)
flag = unusual["unusual"].fillna(False).astype(bool)
charts.show(charts.once("cmp_unusual", _unusual_figure, unusual, flag), key="cmp_unusual")
flagged = unusual[flag]
st.markdown(
    t("cmp.unusual.list", months=", ".join(m.strftime("%Y-%m") for m in flagged["month"]))
    if len(flagged)
    else t("cmp.unusual.none")
)

# Repeat complainers and the list -------------------------------------------------------------------
if sc.individuals:
    st.subheader(t("cmp.repeat"))
    st.caption(t("cmp.repeat.caption"))
    rep = per_data(complaints.repeat_complainers, lk, filters, sc, cset)
    if rep.empty:
        st.info(t("cmp.repeat.none"))
    else:
        table(rep, f"repeat_complainers_{filters.start}_{filters.end}", "repeat")

st.subheader(t("cmp.list"))
st.caption(t("cmp.list.caption"))
rows = _named(per_data(complaints.complaint_rows, lk, filters, sc, cset))
table(rows, f"complaints_{filters.start}_{filters.end}", "list", height=400)
