"""Service level & answer rate: are we answering our calls in time?"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analytics import calls
from analytics.metrics import REGISTRY, SL_FORMULAS
from ui import charts
from ui.filters import sidebar_filters
from ui.kpi import kpi_row, kpi_section
from ui.state import get_lake, lang, scope, settings, t
from ui.tables import header, table

# Queue figures: a team leader sees its centers' queues (calls waiting in a queue are no team's).
lk, sc, cfg = get_lake(), scope().queue_level(), settings()
filters = sidebar_filters(lk, sc, grains=("interval15", "interval30", "hour", "day", "week", "month"), people=False)

st.title(t("sl.title"))
if filters is None:
    st.stop()
st.caption(f"{t('sl.question')} {t('sl.caption', start=filters.start, end=filters.end)}")

MIN_CELL_CALLS = 20  # heatmap cells with fewer calls offered stay blank
MIN_INTERVAL_CALLS = 5  # drill-down intervals with fewer calls show no service level

# The page's call tables (totals now and before, trend, heat map, per queue and per day)
# read together, one statement per rollup; the sections below find them in the lake's cache.
# Every figure here is a queue figure: the agent-day rollup is not read (agent_days=False).
calls.metrics_many(lk, calls.service_level_requests(filters), sc, cfg, agent_days=False)
formula = SL_FORMULAS[cfg.sl_formula]
targets = kpi_section(
    lk,
    filters,
    sc,
    cfg,
    ["offered", "answer_rate", "service_level", "asa_s", "abandon_rate"],
    require="offered",
    caption_suffix=" · "
    + t(
        "how.sl_setting",
        formula=formula.text_zh if lang() == "zh" else formula.text_en,
        T=cfg.answer_within_s,
        S=cfg.short_abandon_s,
    ),
    note=t("def.queue_only"),
    agent_days=False,
)

# Trend ---------------------------------------------------------------------------------
st.subheader(t("sl.trend"))
trend = calls.metrics(lk, filters, sc, (filters.grain,), cfg, agent_days=False)
charts.show(
    charts.rate_trend(
        trend,
        filters.grain,
        {
            "service_level": REGISTRY["service_level"].label(lang()),
            "answer_rate": REGISTRY["answer_rate"].label(lang()),
        },
        {"service_level": targets.get("service_level"), "answer_rate": targets.get("answer_rate")},
        t("target"),
        t("sl.trend.rates"),
    ),
    key="sl_trend",
)

# Heatmap -------------------------------------------------------------------------------
# One below the other: side by side, the queue table's six columns were cut off at 1440 px.
with st.container():
    st.subheader(t("sl.heatmap"))
    hm = calls.metrics(lk, filters, sc, ("weekday", "hour_of_day"), cfg, agent_days=False)
    # A handful of night-time calls would paint whole hours red: leave cells with too few
    # calls blank, and show only the hours that have some.
    hm = hm[hm["offered"] >= MIN_CELL_CALLS]
    if hm.empty:
        st.info(t("empty.chart"))
    else:
        hours = list(range(int(hm["hour_of_day"].min()), int(hm["hour_of_day"].max()) + 1))
        days = list(range(1, 8))
        sl = hm.pivot(index="weekday", columns="hour_of_day", values="service_level").reindex(index=days, columns=hours)
        offered = hm.pivot(index="weekday", columns="hour_of_day", values="offered").reindex(index=days, columns=hours)
        charts.show(
            charts.heatmap(
                hm,
                [str(h) for h in hours],
                [t(f"weekday.{d}") for d in days],
                sl.astype("float64").where(sl.notna(), None).values.tolist(),
                offered.fillna(0).astype("int64").values.tolist(),
                REGISTRY["service_level"].label(lang()),
                REGISTRY["offered"].label(lang()),
            ),
            key="sl_heatmap",
        )
        st.caption(t("sl.heatmap.caption", n=MIN_CELL_CALLS))

# By queue --------------------------------------------------------------------------------
with st.container():
    st.subheader(t("sl.by_queue"))
    per_queue = calls.metrics(lk, filters, sc, ("queue",), cfg, agent_days=False)
    table(
        per_queue[["queue", "offered", "answer_rate", "service_level", "asa_s", "abandon_rate"]],
        f"service_level_by_queue_{filters.start}_{filters.end}",
        "by_queue",
    )

# Worst intervals --------------------------------------------------------------------------
st.subheader(t("sl.worst"))
min_offered = 10
st.caption(t("sl.worst.caption", n=min_offered))
worst = calls.worst_intervals(lk, filters, sc, cfg, n=15, min_offered=min_offered)
picked = table(
    worst[
        [
            "interval15",
            "queue",
            "offered",
            "answered",
            "abandoned",
            "service_level",
            "asa_s",
            "abandon_rate",
            "staffed_agents",
        ]
    ],
    f"worst_intervals_{filters.start}_{filters.end}",
    "worst",
    selectable=True,
)
picked_day = pd.Timestamp(worst.iloc[picked]["interval15"]).date() if picked is not None else None
if picked_day != st.session_state.get("_worst_picked_day"):  # a new click drills into that day
    st.session_state["_worst_picked_day"] = picked_day
    if picked_day is not None:
        st.session_state["drill_day"] = picked_day

# Drill-down ------------------------------------------------------------------------------
st.subheader(t("sl.drill"))
daily = calls.metrics(lk, filters, sc, ("day",), cfg, agent_days=False)
daily = daily[daily["offered"] > 0]
worst_day = daily.sort_values("service_level").iloc[0]["day"] if not daily.empty else filters.end
if not filters.start <= st.session_state.get("drill_day", date.min) <= filters.end:
    st.session_state["drill_day"] = pd.Timestamp(worst_day).date()  # default: the period's worst day
day = st.date_input(
    t("sl.drill.day"), min_value=filters.start, max_value=filters.end, key="drill_day", help=t("sl.drill.help")
)
one_day = calls.metrics(lk, filters.with_(start=day, end=day), sc, ("interval15",), cfg, agent_days=False)
one_day = one_day[(one_day["offered"] > 0) | (one_day["staffed_agents"].fillna(0) > 0)]
chart_day = one_day.assign(service_level=one_day["service_level"].where(one_day["offered"] >= MIN_INTERVAL_CALLS))
if one_day.empty:
    st.info(t("empty.selection"))
else:
    charts.show(
        charts.intervals(
            chart_day,
            "interval15",
            REGISTRY["offered"].label(lang()),
            REGISTRY["service_level"].label(lang()),
            header("staffed_agents"),
            targets.get("service_level"),
        ),
        key="sl_drill",
    )
    st.caption(t("sl.drill.caption", n=MIN_INTERVAL_CALLS))
    table(
        one_day[
            [
                "interval15",
                "offered",
                "answered",
                "abandoned",
                "service_level",
                "asa_s",
                "aht_s",
                "staffed_agents",
                "occupancy",
            ]
        ],
        f"intervals_{day}",
        "drill",
    )

# Short abandons; customer satisfaction and first-contact resolution (issue 17) --------------
st.subheader(t("slx.short.title"))
st.caption(
    t("slx.short.caption", S=cfg.short_abandon_s, formula=formula.text_zh if lang() == "zh" else formula.text_en)
)
_by_queue = calls.metrics(lk, filters, sc.queue_level(), ("queue",), cfg, agent_days=False)
_by_queue = _by_queue[_by_queue["offered"].fillna(0) > 0].copy()
if _by_queue.empty:
    st.info(t("empty.chart"))
else:
    _by_queue["short_share"] = _by_queue["short_abandoned"] / _by_queue["offered"]
    _by_queue["short_of_abandoned"] = _by_queue["short_abandoned"] / _by_queue["abandoned"].where(
        _by_queue["abandoned"] > 0
    )
    _cols = ["queue", "offered", "abandoned", "short_abandoned", "short_share", "short_of_abandoned"]
    table(
        _by_queue[_cols],
        f"short_abandons_{filters.start}_{filters.end}",
        "short_abandons",
        labels={c: t(f"slx.col.{c}") for c in _cols},
        percent=("short_share", "short_of_abandoned"),
    )

st.subheader(t("slx.sat.title"))
st.caption(t("slx.sat.caption"))
_sat = calls.satisfaction_by_queue(lk, filters, sc)
if _sat.empty:
    st.info(t("empty.chart"))
else:
    _rated = _sat["csat_answers"].sum()
    _known = _sat["fcr_known"].sum()
    kpi_row(
        ("csat", "first_contact_resolution", "short_abandoned"),
        {
            "csat": (_sat["csat"] * _sat["csat_answers"]).sum() / _rated if _rated else None,
            "first_contact_resolution": (_sat["fcr"] * _sat["fcr_known"]).sum() / _known if _known else None,
            "short_abandoned": int(_by_queue["short_abandoned"].sum()) if not _by_queue.empty else None,
        },
        settings=cfg,
        targets={k: targets[k] for k in ("csat", "first_contact_resolution") if k in targets},
    )
    _sat["csat"] = _sat["csat"].round(2)
    _cols = ["queue", "answered", "csat", "csat_answers", "fcr"]
    table(
        _sat[_cols],
        f"csat_fcr_{filters.start}_{filters.end}",
        "csat_fcr",
        labels={c: t(f"slx.col.{c}") for c in _cols},
        percent=("fcr",),
    )
