"""Staffing: agents required against staffed by interval, a what-if calculator and the
monthly headcount and hiring plan."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import coverage, staffing, units
from analytics.targets import current_targets
from ui import charts
from ui.filters import sidebar_filters
from ui.kpi import kpi_row
from ui.state import get_lake, lang, scope, settings, t
from ui.tables import plain, table

lk, sc, cfg = get_lake(), scope(), settings()
filters = sidebar_filters(lk, sc, grains=("day",), people=False)

st.title(t("stf.title"))
if filters is None:
    st.stop()
targets = current_targets(lk, filters.end)

c1, c2, c3 = st.columns(3)
target_sl = c1.slider(
    t("stf.target"), 0.50, 0.99, float(targets.get("service_level") or 0.8), 0.01, format="%.2f", key="stf_target"
)
shrinkage = c2.slider(t("stf.shrinkage"), 0.0, 0.6, 0.30, 0.01, help=t("stf.shrinkage.help"), key="stf_shrink")
basis = (
    c3.segmented_control(
        t("stf.basis"),
        ["actual", "forecast"],
        default="actual",
        key="stf_basis",
        format_func=lambda b: {"actual": t("stf.basis.actual"), "forecast": t("stf.basis.forecast")}[b],
        help=t("stf.basis.help"),
    )
    or "actual"
)
st.caption(
    f"{t('stf.question')} "
    + t("stf.caption", start=filters.start, end=filters.end, T=cfg.answer_within_s, target=f"{target_sl:.0%}")
)

cov_settings = coverage.CoverageSettings(target_sl=target_sl, shrinkage=shrinkage, basis=basis)
with st.spinner():
    # The plan's base month first: a selection within that month then takes its rows of the
    # month's load instead of a query of its own.
    base_month, base_hours = coverage.base_month_workload(
        lk, filters.end, sc, cfg, coverage.CoverageSettings(target_sl=target_sl, shrinkage=shrinkage)
    )
    cov = coverage.coverage(lk, filters, sc, cfg, cov_settings)
if cov.empty:
    st.info(t("stf.empty"))
    st.stop()

summary = coverage.shortfall_summary(cov)
models = coverage.model_summary(cov)


def _seconds(value) -> str:
    return units.format_value("s", value, lang())


# Which model produced the figures below (Erlang A per queue where its patience is known).
low, high = models["patience_min_s"], models["patience_max_s"]
parts = []
if models["erlang_a_queues"]:
    span = _seconds(low) if round(low) == round(high) else f"{_seconds(low)}–{_seconds(high)}"
    parts.append(t("stf.models.a", a=models["erlang_a_queues"], patience=span))
if models["erlang_c_queues"]:
    parts.append(t("stf.models.c" if parts else "stf.models.c_only", c=models["erlang_c_queues"]))
models_caption = t("stf.models.sep").join(parts) + t("stf.models.end")
# The share goes under the count (a grey note): beside it, a large center's count cut it off.
share = t("stf.kpi.short.share", share=f"{summary['share_short']:.1%}") if summary["share_short"] is not None else None
kpi_row(
    ["intervals_short", "agent_hours_short", "required_agent_hours", "staffed_agent_hours"],
    summary,
    settings=cfg,
    targets=targets,
    notes={"intervals_short": share, "staffed_agent_hours": t("stf.kpi.staffed.help")},
)
st.caption(models_caption)

# Heatmap of the gap ------------------------------------------------------------------------
st.subheader(t("stf.heatmap"))
gaps = coverage.gap_by_weekday_and_time(cov)
grid = gaps.pivot(index="weekday", columns="time", values="gap_agents").reindex(index=range(1, 8))
# Times of day with calls and a known gap (a night interval whose few calls were all
# abandoned has no handle time, so no Erlang estimate: a blank column says nothing).
offered_by_time = gaps.groupby("time")["offered"].sum()
busy_times = [c for c in grid.columns if offered_by_time.get(c, 0) > 0 and grid[c].notna().any()]
grid = grid[busy_times]
z = grid.astype("float64").where(grid.notna(), None).values.tolist()
limit = float(max(1.0, gaps["gap_agents"].abs().quantile(0.95))) if not gaps.empty else 1.0
fig = go.Figure(
    go.Heatmap(
        z=z,
        x=list(grid.columns),
        y=[t(f"weekday.{d}") for d in grid.index],
        colorscale="RdBu",
        zmid=0,
        zmin=-limit,
        zmax=limit,
        colorbar=dict(title=t("stf.col.gap_agents")),
        hovertemplate="%{y} %{x}<br>" + t("stf.col.gap_agents") + " %{z:.1f}<extra></extra>",
    )
)
fig.update_yaxes(autorange="reversed", title_text=t("col.weekday"))
fig.update_xaxes(title_text=t("chart.time_local"))
fig.update_layout(height=330, margin=dict(l=10, r=10, t=20, b=10))
charts.show(fig, key="stf_heatmap")
st.caption(t("stf.heatmap.caption") + " " + models_caption)

# Worst intervals ---------------------------------------------------------------------------
st.subheader(t("stf.worst"))
st.caption(t("stf.worst.caption"))
cols = (
    ["interval15", "queue", "offered"]
    + (["offered_actual"] if basis == "forecast" else [])
    + ["aht_s", "staffed_agents", "required_agents", "gap_agents", "service_level_at_staffed", "model"]
    + ["service_level_actual"]
)
worst = coverage.worst_intervals(cov, 20)
# Each row names the model of its figures, with the caller patience Erlang A used.
worst = worst.assign(
    model=[
        t("stf.model.erlang_a", patience=_seconds(p)) if m == "erlang_a" else t("stf.model.erlang_c")
        for m, p in zip(worst["model"], worst["patience_s"])
    ]
)[cols]
labels = {c: t(f"stf.col.{c}") for c in worst.columns if c not in ("queue", "offered")}  # those come from the registry
table(
    worst,
    f"understaffed_intervals_{filters.start}_{filters.end}",
    "stf_worst",
    labels=labels,
    percent=("service_level_at_staffed", "service_level_actual"),
)

# What-if calculator -------------------------------------------------------------------------
st.subheader(t("stf.whatif"))
st.caption(t("stf.whatif.caption"))
w1, w2, w3, w4 = st.columns(4)
calls_n = w1.number_input(t("stf.whatif.calls"), 0, 100_000, 100, 10, key="wi_calls")
interval_min = w2.selectbox(t("stf.whatif.interval"), [15, 30, 60], index=1, key="wi_interval")
aht = w3.number_input(t("stf.whatif.aht"), 1, 7200, 180, 10, key="wi_aht")
answer_within = w4.number_input(t("stf.whatif.t"), 0, 600, cfg.answer_within_s, 5, key="wi_t")
w5, w6, w7, w8 = st.columns(4)
patience = w5.number_input(t("stf.whatif.patience"), 0, 3600, 0, 10, key="wi_patience")
agents_in = w6.number_input(t("stf.whatif.agents"), 0, 5000, 0, 1, key="wi_agents")
max_occ = w7.number_input(t("stf.whatif.max_occ"), 0.0, 1.0, 0.0, 0.05, key="wi_maxocc")
wi_target = w8.number_input(t("stf.target"), 0.05, 0.99, float(target_sl), 0.01, key="wi_target")

models = [("erlang_c", None)] + ([("erlang_a", float(patience))] if patience > 0 else [])
rows = []
for model, pat in models:
    args = dict(calls=calls_n, aht_s=aht, interval_s=interval_min * 60, answer_within_s=answer_within)
    if agents_in > 0:
        r = (
            staffing.erlang_c(**args, agents=int(agents_in), shrinkage=shrinkage)
            if pat is None
            else staffing.erlang_a(**args, agents=int(agents_in), patience_s=pat, shrinkage=shrinkage)
        )
    else:
        r = staffing.required_agents(
            **args, target_sl=wi_target, shrinkage=shrinkage, max_occupancy=max_occ or None, patience_s=pat
        )
    d = r.as_dict()
    rows.append(
        {
            t("stf.model"): t(f"stf.{model}"),
            t("stf.res.agents"): d["agents"],
            t("stf.res.traffic"): round(d["traffic_erlangs"], 2),
            t("stf.res.p_wait"): f"{d['p_wait']:.1%}",
            t("stf.res.service_level"): f"{d['service_level']:.1%}",
            t("stf.res.asa"): "∞" if d["asa_s"] == float("inf") else f"{d['asa_s']:.1f}",
            t("stf.res.occupancy"): f"{d['occupancy']:.1%}",
            t("stf.res.scheduled"): d["scheduled_agents"],
            t("stf.res.p_abandon"): "—" if d.get("p_abandon") is None else f"{d['p_abandon']:.1%}",
        }
    )
    if not d.get("stable", True):
        st.warning(t("stf.unstable"))
plain(pd.DataFrame(rows), "stf_what_if")

# Monthly plan --------------------------------------------------------------------------------
st.subheader(t("stf.plan"))
headcount = coverage.agent_headcount(lk, filters.end, sc)
observed = coverage.observed_turnover(lk, filters.end, sc)
p1, p2, p3, p4, p5 = st.columns(5)
months = p1.slider(t("stf.plan.months"), 3, 12, 6, key="plan_months")
turnover = p2.number_input(
    t("stf.plan.turnover"),
    0.0,
    3.0,
    round(observed if observed is not None else 0.4, 3),
    0.01,
    key="plan_turnover",
    help=t("stf.plan.turnover.help", observed=f"{observed:.1%}" if observed is not None else "—"),
)
training = p3.number_input(t("stf.plan.training"), 0, 26, 4, key="plan_training")
volume = p4.number_input(t("stf.plan.volume"), -0.5, 2.0, 0.0, 0.05, key="plan_volume", format="%.2f")
hours = p5.number_input(t("stf.plan.hours"), 1.0, 12.0, 8.0, 0.5, key="plan_hours")
st.caption(
    t("stf.plan.caption", base=base_month.strftime("%Y-%m"), weeks=training)
    + " · "
    + f"{t('stf.plan.headcount')}: {headcount}"
)
plan = coverage.monthly_plan(
    base_hours,
    base_month,
    headcount,
    coverage.PlanSettings(
        months=months,
        annual_turnover=turnover,
        training_weeks=int(training),
        volume_change=volume,
        hours_per_fte_day=hours,
        shrinkage=shrinkage,
    ),
    today=filters.end,
)
first = plan[plan["hires_needed"] > 0].head(1)
if first.empty:
    st.success(t("stf.plan.none"))
else:
    r = first.iloc[0]
    if r["late_by_days"] > 0:  # the start date lies before the data's last day: say so
        st.warning(
            t(
                "stf.plan.callout.late",
                month=r["month"].strftime("%Y-%m"),
                hires=int(r["hires_needed"]),
                date=r["start_training_by"].isoformat(),
                days=int(r["late_by_days"]),
            ),
            icon=":material/schedule:",
        )
    else:
        st.info(
            t(
                "stf.plan.callout",
                month=r["month"].strftime("%Y-%m"),
                hires=int(r["hires_needed"]),
                date=r["start_training_by"].isoformat(),
            ),
            icon=":material/person_add:",
        )
unknown = plan.loc[~plan["statutory_calendar"], "month"]
if len(unknown):
    st.warning(t("stf.plan.no_calendar", months=", ".join(m.strftime("%Y-%m") for m in unknown)))
fig = go.Figure()
x = [m.strftime("%Y-%m") for m in plan["month"]]
fig.add_trace(go.Bar(x=x, y=plan["agents_needed"], name=t("stf.plan.needed"), marker_color=charts.PRIMARY))
fig.add_trace(
    go.Scatter(
        x=x,
        y=plan["expected_without_hiring"],
        name=t("stf.plan.expected"),
        mode="lines+markers",
        line=dict(color=charts.TARGET, dash="dash"),
    )
)
fig.update_layout(
    height=300,
    margin=dict(l=10, r=10, t=30, b=10),
    legend=dict(orientation="h", y=1.15),
    xaxis=dict(title=t("stf.col.month")),
    yaxis=dict(title=t("chart.people")),
)
charts.show(fig, key="stf_plan")
plan_view = plan.assign(
    start_training_by=plan["start_training_by"].map(lambda d: d.isoformat() if d else "—"),
    statutory_calendar=plan["statutory_calendar"].map(lambda k: t("stf.yes") if k else t("stf.no")),
    month=plan["month"].map(lambda m: m.strftime("%Y-%m")),
)
table(plan_view, f"staffing_plan_{base_month:%Y-%m}", "stf_plan", labels={c: t(f"stf.col.{c}") for c in plan.columns})

# Attrition → service level ---------------------------------------------------------------------
st.subheader(t("stf.proj"))
st.caption(t("stf.proj.caption"))
q1, q2, q3, q4 = st.columns([2, 2, 2, 3])  # the leaver-model choice needs the room
proj_months = q1.slider(t("stf.plan.months"), 6, 12, 6, key="proj_months")
extra = q2.number_input(t("stf.proj.extra"), 0, 500, 0, 1, key="proj_extra")
cut = q3.slider(t("stf.proj.cut"), 0, 100, 0, 5, key="proj_cut", format="%d%%")
leaver_model = (
    q4.segmented_control(
        t("stf.proj.leavers"),
        list(coverage.LEAVER_MODELS),
        default="survival",
        format_func=lambda m: t(f"stf.proj.leavers.{m}"),
        key="proj_model",
    )
    or "survival"
)
with st.spinner(t("stf.proj.working")):
    proj = coverage.attrition_projection(
        lk,
        filters.end,
        sc,
        cfg,
        coverage.ProjectionSettings(
            months=proj_months,
            training_weeks=int(training),
            extra_hires=int(extra),
            attrition_cut=cut / 100,
            leaver_model=leaver_model,
            annual_turnover=turnover if leaver_model == "turnover" else None,
        ),
    )
if proj.empty:
    st.info(t("stf.empty"))
else:
    totals = coverage.projection_totals(proj)
    exp_t = totals[totals["scenario"] == "expected"]
    wi_t = totals[totals["scenario"] == "what_if"]
    models = sorted(set(proj["model"].dropna()))
    x = [m.strftime("%Y-%m") for m in exp_t["month"]]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=exp_t["service_level_base"],
            name=t("stf.proj.line.base"),
            mode="lines+markers",
            line=dict(color=charts.GREY, dash="dot"),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=exp_t["service_level"],
            name=t("stf.proj.line.expected"),
            mode="lines+markers",
            line=dict(color=charts.TARGET),
        )
    )
    if extra or cut:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=wi_t["service_level"],
                name=t("stf.proj.line.what_if"),
                mode="lines+markers",
                line=dict(color=charts.PRIMARY),
            )
        )
    fig.update_layout(
        height=320,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", y=1.15),
        yaxis=dict(title=t("stf.res.service_level"), tickformat=".0%"),
        xaxis=dict(title=t("stf.col.month")),
    )
    charts.show(fig, key="stf_proj")
    st.caption(
        t(
            "stf.proj.model",
            base=proj.attrs.get("base_month", base_month.isoformat())[:7],
            models=", ".join(t(f"code.erlang_model.{m}") for m in models),
            T=cfg.answer_within_s,
        )
    )
    shown = totals.assign(
        scenario=totals["scenario"].map(lambda s_: t(f"stf.proj.scenario.{s_}")),
        month=totals["month"].map(lambda m: m.strftime("%Y-%m")),
    )
    int_cols = ("agents_start", "expected_leavers", "in_training", "productive")
    # People in whole numbers (expected values rounded); the CSV carries the same.
    shown = shown.assign(
        **{c: shown[c].round().astype("int64") for c in int_cols}, calls=shown["calls"].round().astype("int64")
    )
    table(
        shown,
        f"attrition_service_level_{filters.end}",
        "stf_proj_totals",
        labels={c: t(f"stf.col.{c}") for c in shown.columns},
        percent=("service_level", "service_level_base", "service_level_change"),
    )
    # Lazy expanders (on_change="rerun"): a closed one's table is neither computed nor drawn;
    # the browser's drawing of each element is most of a cached page switch.
    with st.expander(t("stf.check"), icon=":material/fact_check:", key="stf_check_open", on_change="rerun") as box:
        if box.open:
            base_m = pd.Timestamp(proj.attrs.get("base_month", base_month.isoformat())).date()
            check = coverage.model_check(lk, base_m, sc, cfg)
            st.caption(t("stf.check.caption", base=base_m.strftime("%Y-%m"), T=cfg.answer_within_s))
            table(
                check.assign(patience_s=check["patience_s"].round().astype("Int64")),
                f"model_check_{base_m:%Y-%m}",
                "stf_check",
                labels={c: t(f"stf.col.check.{c}") for c in check.columns if c != "queue"},
                percent=("observed", "erlang_a", "erlang_c"),
            )
    with st.expander(
        t("stf.proj.by_queue"), icon=":material/table_rows:", key="stf_proj_queue_open", on_change="rerun"
    ) as box:
        if box.open:
            cols = [
                "scenario",
                "queue",
                "month",
                "agents_start",
                "hires",
                "expected_leavers",
                "in_training",
                "productive",
                "calls",
                "service_level",
                "service_level_base",
                "service_level_change",
                "model",
                "patience_s",
            ]
            per_q = proj[cols].assign(
                scenario=proj["scenario"].map(lambda s_: t(f"stf.proj.scenario.{s_}")),
                month=proj["month"].map(lambda m: m.strftime("%Y-%m")),
                model=proj["model"].map(lambda m: t(f"code.erlang_model.{m}")),
                patience_s=proj["patience_s"].round().astype("Int64"),
                **{c: proj[c].round().astype("int64") for c in int_cols},
                calls=proj["calls"].round().astype("int64"),
            )
            table(
                per_q,
                f"attrition_service_level_by_queue_{filters.end}",
                "stf_proj_queue",
                labels={c: t(f"stf.col.{c}") for c in per_q.columns if c != "queue"},
                percent=("service_level", "service_level_base", "service_level_change"),
            )
