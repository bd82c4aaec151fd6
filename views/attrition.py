"""Attrition: who is likely to leave, why, how many, and what it costs the center (HR)."""

from __future__ import annotations

import io
from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import attrition, audit, survival, workforce
from analytics.filters import Filters
from i18n import code_label
from ui import charts
from ui.state import dataset_path, get_lake, lang, scope, t
from ui.tables import table

lk, sc = get_lake(), scope()
st.title(t("att.title"))
st.caption(t("att.question"))
st.info(t("att.decision_support"), icon=":material/handshake:")
if not sc.hr:
    st.warning(t("att.no_hr"))
    st.stop()


def label(kind: str, code) -> str:
    return code_label(kind, code, lang())


@st.cache_data(show_spinner=False, max_entries=4)
def _hr(path: str, version: str) -> attrition.HRData:
    return attrition.load_hr(get_lake())


@st.cache_data(show_spinner=False, max_entries=16)
def _episodes(path: str, version: str, who) -> pd.DataFrame:
    return survival.episodes(get_lake(), who)


def _band_label(band: str) -> str:
    """'[0.05, 0.1)' -> '5–10 %': a probability band in words."""
    lo, hi = (float(x) for x in band.strip("[]()").split(","))
    return f"{lo * 100:.0f}–{min(hi, 1.0) * 100:.0f} %"


version = str(attrition.data_version(lk))
hr = _hr(str(dataset_path()), version)
window = survival.observation_window(lk)
end = window.as_of
period = Filters(end - timedelta(days=364), end)
st.caption(
    t("att.window", start=window.observed_from.isoformat(), end=end.isoformat(), how=t(f"att.window.{window.how}"))
)

# Turnover --------------------------------------------------------------------------------------
st.subheader(t("att.turnover"))
by = (
    st.segmented_control(
        t("att.by"),
        list(workforce.TURNOVER_GROUPS),
        default="team",
        format_func=lambda g: t(f"att.by.{g}"),
        key="att_by",
    )
    or "team"
)
GROUP_KIND = {"role": "role", "tenure_band": "tenure_band"}  # groups whose values are codes with labels
left, right = st.columns([3, 2])
tv = workforce.turnover_by(lk, period, sc, by)
names = [
    label(GROUP_KIND[by], g) if by in GROUP_KIND else ("—" if pd.isna(g) or g in ("", "None") else g) for g in tv[by]
]
# Many teams (205 at 52.5 M calls): the chart shows those that leak most, the table all.
charted = charts.chart_rows(tv.assign(_name=names), ["turnover_annualised", "_name"], [False, True])
with left:
    fig = go.Figure(
        go.Bar(
            x=charted["_name"],
            y=charted["turnover_annualised"],
            marker_color=charts.PRIMARY,
            customdata=charted[["leavers", "avg_headcount"]],
            hovertemplate="%{y:.0%} (%{customdata[0]} / %{customdata[1]:.1f})<extra></extra>",
        )
    )
    fig.update_layout(
        height=320,
        margin=dict(l=10, r=10, t=20, b=10),
        yaxis=dict(tickformat=".0%", title=t("att.turnover.axis")),
        xaxis=dict(title=t(f"att.by.{by}")),
    )
    charts.show(fig, key="att_turnover", share=3 / 5)
    if len(charted) < len(tv):
        st.caption(t("att.turnover.top", n=len(charted), total=len(tv), group=t(f"att.by.{by}").lower()))
    st.caption(
        t("att.turnover.caption") + (" " + t("att.turnover.suppressed", n=sc.min_group) if sc.min_group > 1 else "")
    )
with right:
    st.markdown(f"**{t('att.reasons')}**")
    reasons = workforce.leavers_by_reason(lk, period, sc)
    reasons = reasons.assign(
        exit_type=reasons["exit_type"].map(lambda c: label("exit_type", c)),
        exit_reason=reasons["exit_reason"].map(lambda c: label("exit_reason", c)),
    )
    table(
        reasons,
        f"leavers_by_reason_{end}",
        "att_reasons",
        labels={c: t(f"att.col.{c}") for c in reasons.columns},
        percent=("share",),
    )
tv_view = tv.assign(**{by: names})
table(
    tv_view,
    f"turnover_by_{by}_{end}",
    "att_turnover_tbl",
    labels={by: t(f"att.by.{by}"), **{c: t(f"att.col.{c}") for c in tv.columns if c != by}},
    percent=("turnover_annualised",),
)

# Retention (delayed entry, role and team as held at the time) ---------------------------------------
st.subheader(t("att.retention"))
ep = _episodes(str(dataset_path()), version, sc)
RETENTION_GROUPS = ("all", "cohort", "team", "role", "center")
r1, r2 = st.columns([3, 2])
group = (
    r1.segmented_control(
        t("att.by"),
        list(RETENTION_GROUPS),
        default="cohort",
        format_func=lambda g: t(f"att.ret.by.{g}"),
        key="att_km_by",
    )
    or "cohort"
)
event = (
    r2.segmented_control(
        t("att.ret.event"),
        list(survival.EVENTS),
        default="voluntary",
        format_func=lambda e: t(f"att.ret.event.{e}"),
        key="att_km_event",
    )
    or "voluntary"
)
by_col = None if group == "all" else group
# Cohorts: the recent hire years (older ones only ever appear left-truncated).
shown_ep = ep[ep["cohort"] >= str(end.year - 5)] if group == "cohort" else ep


def group_name(g: str) -> str:
    if group == "all":
        return t("att.ret.all")
    if group == "role":
        return label("role", g)
    return g


curves = survival.curves(shown_ep, by_col, event, min_group=sc.min_group)
left, right = st.columns([3, 2])
with left:
    fig = go.Figure()
    for g, c in curves.groupby("group"):
        fig.add_trace(go.Scatter(x=c["days"], y=c["retained"], mode="lines", line_shape="hv", name=group_name(g)))
    for d in (90, 365):
        fig.add_vline(x=d, line=dict(color=charts.GREY, dash="dot"))
    fig.update_layout(
        height=360,
        margin=dict(l=10, r=10, t=20, b=10),
        xaxis_title=t("att.days"),
        yaxis=dict(title=t("att.retained"), tickformat=".0%", range=[0, 1.02]),
        legend=dict(orientation="h", y=-0.2),
    )
    charts.show(fig, key="att_km", share=3 / 5)
    st.caption(t("att.retention.caption"))
with right:
    ret = survival.retention(shown_ep, (90, 180, 365), by=by_col, event=event, min_group=sc.min_group)
    ret_view = ret.assign(group=ret["group"].map(group_name))
    table(
        ret_view,
        f"retention_{group}_{event}_{end}",
        "att_ret_tbl",
        labels={
            "group": t("att.col.group"),
            "days": t("att.col.days"),
            "retention": t("att.col.retention"),
            "at_risk": t("att.col.at_risk"),
            "people": t("att.col.people"),
        },
        percent=("retention",),
    )
    st.caption(t("att.ret.table.caption"))

# Hazard ratios on the same episodes ------------------------------------------------------------------
st.subheader(t("att.hazard"))
agents = ep[ep["role"].isin(attrition.AGENT_ROLES)].reset_index(drop=True)
if agents["left_voluntary"].sum() >= 10 and agents["employee_id"].nunique() >= max(sc.min_group, 20):
    hz = attrition.hazard_ratios(agents, attrition.survival_covariates(hr, agents))
    hz_view = hz.assign(driver=hz["driver"].map(lambda d: label("feature", d)))
    table(
        hz_view,
        f"hazard_ratios_{end}",
        "att_hazard",
        labels={c: t(f"att.col.{c}") for c in hz.columns},
        percent=("share",),
    )
    st.caption(t("att.hazard.caption", c=f"{hz.attrs['concordance']:.2f}"))
else:
    st.caption(t("att.hazard.too_few"))

# The model -----------------------------------------------------------------------------------------
horizon = (
    st.segmented_control(
        t("att.horizon"),
        list(attrition.HORIZONS),
        default=90,
        format_func=lambda d: t("att.horizon.days", d=d),
        key="att_h",
    )
    or 90
)
try:
    with st.spinner():
        model = attrition.get_model(lk, horizon, hr)
except ValueError as exc:
    st.warning(t("att.empty", why=exc))
    st.stop()
meta = model.meta
st.subheader(t("att.model"))
left, right = st.columns(2)
with left:
    metric_rows = pd.DataFrame(
        [
            {"metric": label("model_metric", k), "model": meta["metrics"][k], "baseline": meta["baseline"][k]}
            for k in ("roc_auc", "pr_auc", "precision_at_10pct", "brier", "base_rate")
        ]
    )
    table(
        metric_rows,
        f"attrition_model_{horizon}d",
        "att_metrics",
        labels={"metric": t("att.metric"), "model": t("att.model_col"), "baseline": t("att.baseline_col")},
    )
    st.caption(t("att.model.tested", n=meta["metrics"]["n"], pos=meta["metrics"]["positives"]))
with right:
    st.markdown(f"**{t('att.reliability')}**")
    rel = pd.DataFrame(meta["reliability"])
    rel = rel[rel["people"] > 0]  # an empty band has no rate to show
    rel["band"] = rel["band"].map(_band_label)
    table(
        rel,
        f"attrition_calibration_{horizon}d",
        "att_rel",
        labels={c: t(f"att.col.{c}") for c in rel.columns},
        percent=("predicted", "actual"),
    )
st.markdown(f"**{t('att.importance')}**")
imp = pd.Series(meta["importance"]).sort_values().tail(10)
fig = go.Figure(
    go.Bar(x=imp.values, y=[label("feature", f) for f in imp.index], orientation="h", marker_color=charts.PRIMARY)
)
fig.update_layout(
    height=320, margin=dict(l=10, r=10, t=10, b=10), xaxis_title=t("att.importance.axis"), yaxis_title=t("col.driver")
)
charts.show(fig, key="att_imp")

# Expected leavers and cost ----------------------------------------------------------------------------
st.subheader(t("att.expected"))
cost = st.number_input(t("att.cost"), min_value=0, value=20000, step=1000, key="att_cost")
exp = attrition.expected_leavers_for_scope(lk, sc, 90, "team", hr=hr)
total = float(exp["expected"].sum()) if len(exp) else 0.0
fig = go.Figure(
    go.Bar(
        x=exp["team"],
        y=exp["expected"],
        marker_color=charts.SECOND,
        error_y=dict(
            type="data", symmetric=False, array=exp["high"] - exp["expected"], arrayminus=exp["expected"] - exp["low"]
        ),
    )
)
fig.update_layout(
    height=300, margin=dict(l=10, r=10, t=10, b=10), xaxis_title=t("att.by.team"), yaxis_title=t("att.expected.axis")
)
charts.show(fig, key="att_expected")
st.caption(t("att.expected.caption", cost=f"{cost:,.0f}", total=f"{total * cost:,.0f}"))
table(exp, f"expected_leavers_{end}", "att_expected_tbl", labels={c: t(f"att.col.{c}") for c in exp.columns})

# Risk list and talent matrix (individuals; every view audited) ---------------------------------------
st.subheader(t("att.risk_list"))
if not (sc.risk_scores and sc.individuals):
    st.caption(t("att.no_scores"))
else:
    risk = attrition.scores(lk, sc, horizon, hr=hr)
    audit.record(
        dataset_path(), "view_risk_scores", f"attrition page risk list, {len(risk)} people", sc, horizon_days=horizon
    )
    st.caption(t("att.risk_list.caption"))
    sep = "、" if lang() == "zh" else ", "
    risk_view = risk.assign(
        role=risk["role"].map(lambda r: label("role", r)),
        band=risk["band"].map(lambda b: t(f"att.band.{b}")),
        drivers=risk["drivers"].map(
            lambda d: sep.join(label("feature", f.strip()) for f in d.split(",") if f.strip()) or "—"
        ),
    )
    table(
        risk_view,
        f"risk_list_{horizon}d_{end}",
        "att_risk",
        height=360,
        labels={c: t(f"att.col.{c}") for c in risk.columns},
        percent=("risk",),
    )
    st.subheader(t("att.talent"))
    tm = attrition.talent_matrix(lk, sc, hr)
    audit.record(dataset_path(), "view_hr_records", f"attrition page talent matrix, {len(tm)} people", sc)
    if len(tm):
        fig = go.Figure()
        for kind in attrition.TALENT_TYPES:
            part = tm[tm["talent_type"] == kind]
            fig.add_trace(
                go.Scatter(
                    x=part["ability"],
                    y=part["enthusiasm"],
                    mode="markers",
                    name=t(f"att.talent.{kind}"),
                    text=part["employee_id"],
                    hovertemplate="%{text}",
                )
            )
        fig.add_vline(x=float(tm["ability_split"].iloc[0]), line=dict(color=charts.GREY, dash="dot"))
        fig.add_hline(y=float(tm["enthusiasm_split"].iloc[0]), line=dict(color=charts.GREY, dash="dot"))
        fig.update_layout(
            height=380,
            margin=dict(l=10, r=10, t=10, b=10),
            legend=dict(orientation="h", y=-0.2),
            xaxis_title=t("att.talent.ability"),
            yaxis_title=t("att.talent.enthusiasm"),
        )
        charts.show(fig, key="att_talent")
        st.caption(t("att.talent.caption"))
        tm_view = tm.drop(columns=["enthusiasm_split", "ability_split"]).assign(
            talent_type=tm["talent_type"].map(lambda k: t(f"att.talent.{k}"))
        )
        table(tm_view, f"talent_matrix_{end}", "att_talent_tbl", labels={c: t(f"att.col.{c}") for c in tm_view.columns})

# Fairness and model card -----------------------------------------------------------------------------------
st.subheader(t("att.fairness"))
st.caption(t("att.fairness.caption", thr=f"{meta['flag_threshold']:.0%}", n=attrition.FAIRNESS_MIN_PEOPLE))
fair = pd.DataFrame(
    [
        {
            "attribute": label("fairness", col),
            "group": label("fairness", g),
            "people": v["people"],
            "flag_rate": v["flag_rate"],
            "ratio": a["ratio"],
        }
        for col, a in meta["fairness"].items()
        for g, v in a["groups"].items()
    ]
)
table(
    fair,
    f"attrition_fairness_{horizon}d",
    "att_fair",
    labels={c: t(f"att.col.{c}") for c in fair.columns},
    percent=("flag_rate",),
)
with st.expander(t("att.card"), icon=":material/description:"):
    m = meta["months"]
    st.markdown(
        t(
            "att.card.text",
            end=meta["data_end"],
            h=meta["horizon_days"],
            roles="、".join(label("role", r) for r in attrition.AGENT_ROLES)
            if lang() == "zh"
            else ", ".join(label("role", r) for r in attrition.AGENT_ROLES),
            train=f"{m['train'][0]}…{m['train'][-1]}",
            cal=f"{m['calibrate'][0]}…{m['calibrate'][-1]}",
            test=f"{m['test'][0]}…{m['test'][-1]}",
            calib=t(f"att.calibration.{meta['calibration']}"),
            excluded=", ".join(label("fairness", c) for c in meta["excluded"]),
            at=meta["trained_at"],
        )
    )
    st.caption(t("att.decision_support"))

# Bring your own HR export ------------------------------------------------------------------------------------
st.subheader(t("att.byo"))
st.caption(t("att.byo.caption"))
upload = st.file_uploader(t("att.byo.file"), type=["csv", "xlsx", "xls", "parquet"], key="att_byo_file")
if upload is not None:
    try:
        name = upload.name.lower()
        raw = upload.getvalue()
        if name.endswith((".xlsx", ".xls")):
            own = pd.read_excel(io.BytesIO(raw))
        elif name.endswith(".parquet"):
            own = pd.read_parquet(io.BytesIO(raw))
        else:
            own = attrition.read_text(raw)
    except (ValueError, OSError, ImportError) as exc:
        st.error(t("att.byo.unreadable", why=str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
        own = None
    if own is not None:
        # The export's own rows are individual HR records: the view is audited like the risk list.
        audit.record(
            dataset_path(),
            "view_hr_records",
            f"attrition page own export {upload.name}, {len(own)} rows",
            sc,
            channel="upload",
        )
        st.caption(t("att.byo.read", rows=len(own), cols=len(own.columns)))
        cols = [str(c) for c in own.columns]
        b1, b2 = st.columns(2)
        target = b1.selectbox(t("att.byo.target"), cols, key="att_byo_target")
        values = sorted(own[target].dropna().astype("str").unique().tolist())[:50] if target else []
        positive = b2.selectbox(
            t("att.byo.positive"),
            [None, *values],
            key="att_byo_positive",
            format_func=lambda v: t("att.byo.positive.auto") if v is None else v,
        )
        b3, b4 = st.columns(2)
        date_col = b3.selectbox(
            t("att.byo.date"),
            [None, *cols],
            key="att_byo_date",
            format_func=lambda v: t("att.byo.none") if v is None else v,
        )
        id_col = b4.selectbox(
            t("att.byo.id"),
            [None, *cols],
            key="att_byo_id",
            format_func=lambda v: t("att.byo.none") if v is None else v,
        )
        protected_guess = [c for c in cols if c in attrition.PROTECTED]
        protected = st.multiselect(t("att.byo.protected"), cols, default=protected_guess, key="att_byo_protected")
        exclude = st.multiselect(t("att.byo.exclude"), cols, key="att_byo_exclude", help=t("att.byo.exclude.help"))
        if st.button(t("att.byo.run"), key="att_byo_run", type="primary"):
            try:
                with st.spinner():
                    res = attrition.evaluate_table(
                        own,
                        target,
                        positive,
                        id_col,
                        date_col,
                        [c for c in exclude if c not in (target, id_col, date_col)],
                        [c for c in protected if c != target],
                    )
            except (ValueError, KeyError) as exc:
                st.error(t("att.byo.failed", why=str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
            else:
                proto = t("att.byo.protocol.time", col=date_col) if date_col else t("att.byo.protocol.cv", k=5)
                st.caption(t("att.byo.result", n=res["n"], pos=res["positives"], test=res["test_rows"], proto=proto))
                ref = res["reference_logistic_regression"]
                rows = pd.DataFrame(
                    [
                        {"metric": label("model_metric", k), "model": res[k], "baseline": ref[k]}
                        for k in ("roc_auc", "pr_auc", "precision_at_10pct", "brier")
                    ]
                )
                table(
                    rows,
                    "own_export_evaluation",
                    "att_byo_metrics",
                    labels={"metric": t("att.metric"), "model": t("att.model_col"), "baseline": t("att.byo.reference")},
                )
                st.caption(
                    t(
                        "att.byo.features",
                        used=", ".join(res["features_used"]) or "—",
                        ignored=", ".join(res["ignored_text_columns"]) or "—",
                        excluded=", ".join(res["excluded"]) or "—",
                    )
                )
                own_fair = pd.DataFrame(
                    [
                        {
                            "attribute": col,
                            "group": g,
                            "people": v["people"],
                            "flag_rate": v["flag_rate"],
                            "ratio": a["ratio"],
                        }
                        for col, a in res["fairness"].items()
                        for g, v in a["groups"].items()
                    ]
                )
                if len(own_fair):
                    table(
                        own_fair,
                        "own_export_fairness",
                        "att_byo_fair",
                        labels={c: t(f"att.col.{c}") for c in own_fair.columns},
                        percent=("flag_rate",),
                    )
