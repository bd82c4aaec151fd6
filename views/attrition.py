"""Attrition: who is likely to leave, why, how many, and what it costs the center (HR)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import attrition, audit, workforce
from analytics.filters import Filters
from ui import charts
from ui.state import dataset_path, get_lake, scope, t

lk, sc = get_lake(), scope()
st.title(t("att.title"))
st.caption(t("att.question"))
st.info(t("att.decision_support"), icon=":material/handshake:")
if not sc.hr:
    st.warning(t("att.no_hr"))
    st.stop()


@st.cache_data(show_spinner=False, max_entries=4)
def _hr(path: str, version: str) -> attrition.HRData:
    return attrition.load_hr(get_lake())


hr = _hr(str(dataset_path()), str(attrition.data_version(lk)))
end = hr.data_end
period = Filters(end - timedelta(days=364), end)

# Turnover --------------------------------------------------------------------------------------
st.subheader(t("att.turnover"))
by = st.segmented_control(t("att.by"), list(workforce.TURNOVER_GROUPS), default="team",
                          format_func=lambda g: t(f"att.by.{g}"), key="att_by") or "team"
left, right = st.columns([3, 2])
with left:
    tv = workforce.turnover_by(lk, period, sc, by)
    fig = go.Figure(go.Bar(x=tv[by], y=tv["turnover_annualised"], marker_color=charts.PRIMARY,
                           customdata=tv[["leavers", "avg_headcount"]], hovertemplate="%{y:.0%} (%{customdata[0]} / %{customdata[1]:.1f})"))
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=20, b=10), yaxis=dict(tickformat=".0%"))
    st.plotly_chart(fig, key="att_turnover")
    st.caption(t("att.turnover.caption") + (" " + t("att.turnover.suppressed", n=sc.min_group)
                                             if sc.min_group > 1 else ""))
with right:
    st.markdown(f"**{t('att.reasons')}**")
    st.dataframe(workforce.leavers_by_reason(lk, period, sc), hide_index=True, height=300,
                 column_config={"share": st.column_config.NumberColumn(format="percent")})

# Retention and hazard ratios --------------------------------------------------------------------
spells = workforce.tenure_spells(lk, Filters(date(2000, 1, 1), end), sc)
left, right = st.columns([3, 2])
with left:
    st.subheader(t("att.retention"))
    group = st.segmented_control(t("att.by"), ["hire_cohort", "team", "role"], default="hire_cohort",
                                 format_func=lambda g: t(f"att.by.{g}"), key="att_km_by") or "hire_cohort"
    recent = spells[pd.to_datetime(spells["hire_date"]) >= pd.Timestamp(end) - pd.DateOffset(years=5)]
    curves = attrition.retention_curves(recent if group == "hire_cohort" else spells, group,
                                        min_group=sc.min_group)
    fig = go.Figure()
    first90 = []
    for g, c in curves.groupby("group"):
        fig.add_trace(go.Scatter(x=c["days"], y=c["retained"], mode="lines", line_shape="hv", name=str(g)))
        first90.append({"group": g, "people": int(c["people"].iloc[0]),
                        "retained_90d": attrition.retention_at(c, 90)})
    fig.add_vline(x=90, line=dict(color=charts.GREY, dash="dot"))
    fig.update_layout(height=340, margin=dict(l=10, r=10, t=20, b=10), xaxis_title=t("att.days"),
                      yaxis=dict(title=t("att.retained"), tickformat=".0%", range=[0, 1.02]))
    st.plotly_chart(fig, key="att_km")
    st.caption(t("att.retention.caption"))
with right:
    st.subheader(t("att.first90"))
    st.dataframe(pd.DataFrame(first90), hide_index=True,
                 column_config={"group": t("att.col.group"), "people": t("att.col.people"),
                                "retained_90d": st.column_config.NumberColumn(t("att.first90"), format="percent")})
    st.subheader(t("att.hazard"))
    agents = spells[spells["role"].isin(attrition.AGENT_ROLES)].reset_index(drop=True)
    if agents["left_voluntary"].sum() >= 5:
        hz = attrition.hazard_ratios(agents["duration_days"], agents["left_voluntary"],
                                     attrition.survival_covariates(hr, agents))
        st.dataframe(hz, hide_index=True, column_config={"share": st.column_config.NumberColumn(format="percent"),
                                                         "hazard_ratio": st.column_config.NumberColumn(format="%.2f")})
        st.caption(t("att.hazard.caption", c=f"{hz.attrs['concordance']:.2f}"))

# The model -----------------------------------------------------------------------------------------
horizon = st.segmented_control(t("att.horizon"), list(attrition.HORIZONS), default=90,
                               format_func=lambda d: t("att.horizon.days", d=d), key="att_h") or 90
try:
    with st.spinner():
        model = attrition.get_model(lk, horizon, hr)
except ValueError as exc:
    st.warning(t("att.empty", why=exc))
    st.stop()
meta = model.meta
st.subheader(t("att.model"))
left, mid, right = st.columns(3)
with left:
    rows = [{t("att.metric"): k, t("att.model_col"): meta["metrics"][k], t("att.baseline_col"): meta["baseline"][k]}
            for k in ("roc_auc", "pr_auc", "precision_at_10pct", "brier", "base_rate", "n", "positives")]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
with mid:
    st.markdown(f"**{t('att.reliability')}**")
    rel = pd.DataFrame(meta["reliability"])
    st.dataframe(rel, hide_index=True, column_config={
        "predicted": st.column_config.NumberColumn(format="percent"),
        "actual": st.column_config.NumberColumn(format="percent")})
with right:
    st.markdown(f"**{t('att.importance')}**")
    imp = pd.Series(meta["importance"]).sort_values().tail(10)
    fig = go.Figure(go.Bar(x=imp.values, y=imp.index, orientation="h", marker_color=charts.PRIMARY))
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=10, b=10))
    st.plotly_chart(fig, key="att_imp")

# Expected leavers and cost ----------------------------------------------------------------------------
st.subheader(t("att.expected"))
cost = st.number_input(t("att.cost"), min_value=0, value=20000, step=1000, key="att_cost")
exp = attrition.expected_leavers_for_scope(lk, sc, 90, "team")
total = float(exp["expected"].sum()) if len(exp) else 0.0
fig = go.Figure(go.Bar(x=exp["team"], y=exp["expected"], marker_color=charts.SECOND,
                       error_y=dict(type="data", symmetric=False, array=exp["high"] - exp["expected"],
                                    arrayminus=exp["expected"] - exp["low"])))
fig.update_layout(height=300, margin=dict(l=10, r=10, t=10, b=10))
st.plotly_chart(fig, key="att_expected")
st.caption(t("att.expected.caption", cost=f"{cost:,.0f}", total=f"{total * cost:,.0f}"))

# Risk list and talent matrix (individuals) -------------------------------------------------------------
st.subheader(t("att.risk_list"))
if not (sc.risk_scores and sc.individuals):
    st.caption(t("att.no_scores"))
else:
    risk = attrition.scores(lk, sc, horizon, hr=hr)
    audit.record(dataset_path(), "view_risk_scores", f"attrition page risk list, {len(risk)} people", sc,
                 horizon_days=horizon)
    st.caption(t("att.risk_list.caption"))
    st.dataframe(risk, hide_index=True, height=360, column_config={
        "risk": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="percent")})
    st.subheader(t("att.talent"))
    tm = attrition.talent_matrix(lk, sc, hr)
    if len(tm):
        fig = go.Figure()
        for kind in attrition.TALENT_TYPES:
            part = tm[tm["talent_type"] == kind]
            fig.add_trace(go.Scatter(x=part["ability"], y=part["enthusiasm"], mode="markers", name=t(f"att.talent.{kind}"),
                                     text=part["employee_id"], hovertemplate="%{text}"))
        fig.add_vline(x=float(tm["ability_split"].iloc[0]), line=dict(color=charts.GREY, dash="dot"))
        fig.add_hline(y=float(tm["enthusiasm_split"].iloc[0]), line=dict(color=charts.GREY, dash="dot"))
        fig.update_layout(height=380, margin=dict(l=10, r=10, t=10, b=10), legend=dict(orientation="h", y=-0.15))
        st.plotly_chart(fig, key="att_talent")
        st.caption(t("att.talent.caption"))
        for kind in attrition.TALENT_TYPES:
            st.markdown(f"- {t(f'att.talent.{kind}')}: {int((tm['talent_type'] == kind).sum())}")

# Fairness and model card -----------------------------------------------------------------------------------
st.subheader(t("att.fairness"))
st.caption(t("att.fairness.caption", thr=f"{meta['flag_threshold']:.0%}"))
fair = [{t("att.col.group"): f"{col} = {g}", t("att.col.people"): v["people"], t("att.col.flag_rate"): v["flag_rate"],
         t("att.col.ratio"): a["ratio"]} for col, a in meta["fairness"].items() for g, v in a["groups"].items()]
st.dataframe(pd.DataFrame(fair), hide_index=True)
with st.expander(t("att.card"), icon=":material/description:"):
    m = meta["months"]
    st.markdown(t("att.card.text", end=meta["data_end"], target=meta["target"], pop=meta["population"],
                  protocol=meta["protocol"], train=f"{m['train'][0]}…{m['train'][-1]}",
                  cal=f"{m['calibrate'][0]}…{m['calibrate'][-1]}", test=f"{m['test'][0]}…{m['test'][-1]}",
                  model=meta["model"], calib=meta["calibration"], excluded=", ".join(meta["excluded"]),
                  at=meta["trained_at"]))
    st.caption(t("att.decision_support"))
