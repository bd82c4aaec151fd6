"""Career paths: progression, flows between roles, where careers stall, the succession
bench and next year's headcount by role (HR and managers, within their scope)."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import careers
from analytics.filters import Filters
from ui import charts
from ui.kpi import kpi_row
from ui.state import get_lake, scope, t
from ui.tables import table

lk, sc = get_lake(), scope()
st.title(t("car.title"))
if not sc.hr:
    st.warning(t("car.no_hr"))
    st.stop()
first, last = careers.event_range(lk, sc)
if last is None:
    st.info(t("car.no_data"))
    st.stop()


def role_name(r: str) -> str:
    return t(f"car.role.{r}") if r in careers.ROLE_LEVEL else t(f"car.node.{r}")


def months_text(v) -> str:
    return t("car.none") if v is None or pd.isna(v) else t("car.months", n=v)


def pct(v) -> str:
    return t("car.none") if v is None or pd.isna(v) else f"{v:.1%}"


default_start = max(first, (pd.Timestamp(last) - pd.DateOffset(months=12)).date() + timedelta(days=1))
with st.sidebar:
    period = st.date_input(
        t("car.period"),
        value=(default_start, last),
        min_value=first,
        max_value=last,
        key="car_period",
        help=t("car.period.help"),
    )
if not isinstance(period, (tuple, list)) or len(period) != 2:
    st.info(t("empty.selection"))
    st.stop()
start, end = period
st.caption(t("car.caption", start=start, end=end))

with st.spinner():
    data = careers.load(lk, Filters(start=start, end=end), sc)
    summary = careers.period_summary(data)
    ttp = careers.time_to_promotion(data)
    stalled_n = int(careers.stalled_by_team(data, sc)["stalled"].sum())

kpi_row(
    [
        "promotion_rate",
        "median_months_to_promotion",
        "internal_mobility_rate",
        "promotions_per_transfer",
        "stalled_people",
    ],
    {
        "promotion_rate": summary["promotion_rate"],
        "median_months_to_promotion": ttp["median_months"],
        "internal_mobility_rate": summary["internal_mobility_rate"],
        "promotions_per_transfer": summary["promotions_per_transfer"],
        "stalled_people": stalled_n,
    },
    notes={
        "median_months_to_promotion": t(
            "car.kpi.median.help", naive=months_text(ttp["naive_median_months_promoted_only"])
        )
    },
)

# Flows ----------------------------------------------------------------------------------------
st.subheader(t("car.sankey"))
st.caption(t("car.sankey.caption"))
fl = careers.flows(data)
if fl.empty:
    st.info(t("empty.chart"))
else:
    # Old roles on the left, new ones on the right, so a role can appear on both sides
    # without making a cycle.
    left = list(dict.fromkeys(fl["source"]))
    right = list(dict.fromkeys(fl["target"]))
    labels = [role_name(r) for r in left] + [role_name(r) for r in right]
    colours = [charts.GREY if r == "hire" else charts.PRIMARY for r in left] + [
        charts.TARGET if r == "exit" else charts.THIRD for r in right
    ]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node=dict(label=labels, color=colours, pad=14, thickness=16),
            link=dict(
                source=[left.index(s) for s in fl["source"]],
                target=[len(left) + right.index(x) for x in fl["target"]],
                value=fl["people"].tolist(),
                color="rgba(107,114,128,0.25)",
            ),
        )
    )
    fig.update_layout(height=420, margin=dict(l=10, r=10, t=10, b=10), font=dict(size=13))
    charts.show(fig, key="car_sankey")

c1, c2 = st.columns([1, 1])
with c1:
    st.markdown(f"**{t('car.moves')}**")
    moves = pd.DataFrame(
        {
            "move": [t(f"car.move.{k}") for k in careers.MOVE_KINDS],
            "count": [summary["moves"][k] for k in careers.MOVE_KINDS],
        }
    )
    table(
        moves,
        f"career_moves_{start}_{end}",
        "car_moves",
        labels={"move": t("car.col.move"), "count": t("car.col.count")},
    )
    st.caption(t("car.moves.caption"))
with c2:
    rates = careers.promotion_rates(data)
    table(
        rates,
        f"promotion_rate_{start}_{end}",
        "car_rates",
        labels={c: t(f"car.col.{c}") for c in rates.columns},
        percent=("promotion_rate",),
    )

# Transition matrix ----------------------------------------------------------------------------
st.subheader(t("car.matrix"))
st.caption(t("car.matrix.caption"))
matrix = careers.transition_matrix(data, min_group=sc.min_group)
if matrix.empty:
    st.info(t("empty.chart"))
else:
    shown = matrix.reset_index()
    prob_cols = [c for c in shown.columns if c not in ("from_role", "people")]
    shown["from_role"] = shown["from_role"].map(role_name)
    labels = {c: role_name(c) for c in prob_cols}
    labels.update({"exit": t("car.col.exit"), "from_role": t("car.col.from_role"), "people": t("car.col.people")})
    z = matrix[prob_cols].to_numpy()
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[labels[c] for c in prob_cols],
            y=[role_name(r) for r in matrix.index],
            colorscale="Blues",
            zmin=0,
            zmax=1,
            text=[[f"{v:.0%}" if v > 0 else "" for v in row] for row in z],
            texttemplate="%{text}",
            hovertemplate="%{y} → %{x}: %{z:.1%}<extra></extra>",
            showscale=False,
        )
    )
    fig.update_yaxes(autorange="reversed", title_text=t("car.col.from_role"))
    fig.update_xaxes(title_text=t("chart.to_role"))
    fig.update_layout(height=100 + 34 * len(matrix), margin=dict(l=10, r=10, t=10, b=10))
    charts.show(fig, key="car_matrix")
    # Whole percents with the unit once in the first header: eleven "(%)" headers and two
    # decimals made the matrix wider than the page at 1440 px.
    shown[prob_cols] = (shown[prob_cols].astype("float64") * 100).round(0).astype("Int64")
    labels["from_role"] = t("col.matrix_from_role")
    table(
        shown[["from_role", "people"] + prob_cols], f"transition_matrix_{start}_{end}", "car_matrix_tbl", labels=labels
    )

# Time to promotion ----------------------------------------------------------------------------
st.subheader(t("car.ttp"))
st.caption(t("car.ttp.caption", people=ttp["people"], promoted=ttp["promoted"]))
curve = ttp["curve"]
fig = go.Figure(
    go.Scatter(
        x=curve["months"],
        y=1 - curve["not_promoted"],
        mode="lines",
        line_shape="hv",
        name=t("car.ttp.all"),
        line=dict(color=charts.PRIMARY, width=3),
    )
)
tbl = careers.time_to_first_promotion_table(data)
recent_years = sorted(tbl["hire_year"].unique())[-4:]
for i, year in enumerate(recent_years):
    g = tbl[tbl["hire_year"] == year]
    if len(g) < max(sc.min_group, 5):
        continue
    c = careers.km_curve(g["months"], g["promoted"])
    fig.add_trace(
        go.Scatter(
            x=c["months"], y=1 - c["not_promoted"], mode="lines", line_shape="hv", name=str(year), line=dict(dash="dot")
        )
    )
if ttp["median_months"] is not None:
    fig.add_vline(x=ttp["median_months"], line=dict(color=charts.TARGET, dash="dash"))
fig.update_layout(
    height=340,
    margin=dict(l=10, r=10, t=20, b=10),
    xaxis_title=t("car.ttp.x"),
    yaxis=dict(title=t("car.ttp.y"), tickformat=".0%", range=[0, 1]),
    legend=dict(orientation="h", y=1.12),
)
charts.show(fig, key="car_ttp")
# 3 : 2, the cohort table has six columns to the other's four (at 1 : 1 its last one was cut off).
c1, c2 = st.columns([3, 2])
with c1:
    st.markdown(f"**{t('car.cohorts')}**")
    coh = careers.cohorts(data, min_group=sc.min_group)
    table(
        coh,
        f"promotion_by_hire_year_{end}",
        "car_cohorts",
        labels={c: t(f"car.col.{c}") for c in coh.columns},
        percent=("promoted_12m", "promoted_24m"),
    )
with c2:
    st.markdown(f"**{t('car.tir')}**")
    tir = careers.time_in_role(data, min_group=sc.min_group)
    tir["role"] = tir["role"].map(role_name)
    table(tir, f"time_in_role_{end}", "car_tir", labels={c: t(f"car.col.{c}") for c in tir.columns})

# Stalled --------------------------------------------------------------------------------------
st.subheader(t("car.stalled"))
st.caption(
    t(
        "car.stalled.rule",
        pctl=careers.STALL_TIME_PERCENTILE,
        min=careers.STALL_MIN_PROMOTED_SPELLS,
        months=careers.APPRAISAL_WINDOW_MONTHS,
        top=careers.STALL_APPRAISAL_TOP_SHARE,
    )
)
rates = careers.stall_exit_rates(data)
st.markdown(
    t(
        "car.stalled.exit",
        stalled=pct(rates["stalled_exit_rate"]),
        sx=rates["stalled_exits"],
        spm=rates["stalled_person_months"],
        other=pct(rates["other_exit_rate"]),
        ox=rates["other_exits"],
        opm=rates["other_person_months"],
    )
)
if sc.individuals:
    lst = careers.stalled(data, sc)
    if lst.empty:
        st.info(t("car.stalled.none"))
    else:
        lst["role"] = lst["role"].map(role_name)
        table(
            lst,
            f"stalled_careers_{end}",
            "car_stalled",
            labels={c: t(f"car.col.{c}") for c in lst.columns},
            percent=("appraisal_pctl",),
        )
else:
    st.info(t("car.stalled.aggregate"))
st.markdown(f"**{t('car.stalled.by_team')}**")
by_team = careers.stalled_by_team(data, sc)
table(
    by_team,
    f"stalled_by_team_{end}",
    "car_stalled_team",
    labels={
        "team": t("car.col.team"),
        "people": t("car.col.people"),
        "stalled": t("car.col.stalled"),
        "stalled_share": t("car.col.stalled_share"),
    },
    percent=("stalled_share",),
)

# Bench ----------------------------------------------------------------------------------------
st.subheader(t("car.bench"))
with st.expander(t("car.bench.criteria"), icon=":material/checklist:", expanded=True):
    st.markdown(
        "\n".join(
            [
                "- "
                + t(
                    "car.bench.tl_now",
                    tenure=careers.TL_NOW_TENURE_MONTHS,
                    pctl=careers.TL_NOW_APPRAISAL_PCTL,
                    qa=careers.TL_NOW_QA,
                    star=careers.TL_NOW_STAR,
                ),
                "- "
                + t(
                    "car.bench.tl_year",
                    tenure=careers.TL_YEAR_TENURE_MONTHS,
                    pctl=careers.TL_YEAR_APPRAISAL_PCTL,
                    qa=careers.TL_YEAR_QA,
                    star=careers.TL_YEAR_STAR,
                ),
                "- " + t("car.bench.sp_now", months=careers.SP_NOW_MONTHS_AS_TL, pctl=careers.SP_NOW_APPRAISAL_PCTL),
                "- " + t("car.bench.sp_year", months=careers.SP_YEAR_MONTHS_AS_TL, pctl=careers.SP_YEAR_APPRAISAL_PCTL),
                "- " + t("car.bench.window", months=careers.APPRAISAL_WINDOW_MONTHS),
            ]
        )
    )
bench = careers.bench(data, sc)
st.markdown(
    t(
        "car.bench.summary",
        seats=len(bench),
        empty=int(bench["no_one_ready"].sum()),
        over=int(bench["over_span"].sum()),
        span=careers.SPAN_OF_CONTROL,
    )
)
bench_shown = bench.copy()
bench_shown["seat"] = bench_shown["seat"].map(role_name)
bench_shown["span"] = bench_shown["span"].astype("float64")
table(bench_shown, f"succession_bench_{end}", "car_bench", labels={c: t(f"car.col.{c}") for c in bench.columns})

# Projection -----------------------------------------------------------------------------------
st.subheader(t("car.projection"))
st.caption(t("car.projection.caption"))
observed = careers.observed_hires_per_month(data)
p1, p2, p3, p4 = st.columns(4)
months = p1.slider(t("car.proj.months"), 3, 24, 12, key="car_proj_months")
hires = p2.number_input(
    t("car.proj.hires"),
    0.0,
    1000.0,
    round(observed, 1),
    0.5,
    key="car_proj_hires",
    help=t("car.proj.hires.help", observed=observed),
)
exit_mult = p3.number_input(t("car.proj.exit"), 0.0, 3.0, 1.0, 0.05, key="car_proj_exit", help=t("car.proj.exit.help"))
promo_mult = p4.number_input(
    t("car.proj.promo"), 0.0, 3.0, 1.0, 0.05, key="car_proj_promo", help=t("car.proj.promo.help")
)
proj = careers.project(
    data,
    careers.ProjectionSettings(
        months=int(months),
        hires_per_month=float(hires),
        exit_multiplier=float(exit_mult),
        promotion_multiplier=float(promo_mult),
    ),
)
st.markdown(
    t(
        "car.proj.result",
        months=int(months),
        end=proj["total"].iloc[-1],
        start=proj["total"].iloc[0],
        hires=proj["hires"].sum(),
        exits=proj["exits"].sum(),
    )
)
roles = [c for c in proj.columns if c in careers.ROLE_LEVEL]
fig = go.Figure()
for r in roles:
    fig.add_trace(go.Bar(x=proj["month"], y=proj[r], name=role_name(r)))
fig.update_layout(
    barmode="stack",
    height=360,
    margin=dict(l=10, r=10, t=30, b=10),
    xaxis_title=t("car.col.month"),
    yaxis_title=t("car.y.people"),
    legend=dict(orientation="h", y=1.15),
)
charts.show(fig, key="car_proj")
# People in whole numbers: the chain's expected values (172.4 CSRs) read as heads.
shown = proj.copy()
for c in shown.columns:
    if pd.api.types.is_float_dtype(shown[c]):
        shown[c] = shown[c].round(0).astype("Int64")
table(
    shown,
    f"headcount_projection_{end}",
    "car_proj_tbl",
    labels={
        **{r: role_name(r) for r in roles},
        "month": t("car.col.month"),
        "total": t("car.col.total"),
        "hires": t("car.col.hires"),
        "exits": t("car.col.exits"),
    },
)
