"""Quality inspection (质检): whom to listen to today, inspectors' output, grades, calibration."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import quality
from ui import charts
from ui.filters import sidebar_filters
from ui.format import names_of, text_or_missing
from ui.state import get_lake, per_data, scope, settings, t
from ui.tables import table


def _grades_figure(grades):
    fig = go.Figure()
    for g, colour in (("good", charts.THIRD), ("medium", charts.SECOND), ("poor", charts.TARGET)):
        fig.add_trace(go.Bar(x=grades["team"], y=grades[g], name=t(f"qa.col.{g}"), marker_color=colour))
    fig.update_layout(barmode="stack")
    return charts._layout(fig, t("qa.grade.y"))


lk, sc, cfg = get_lake(), scope(), settings()
filters = sidebar_filters(lk, sc, grains=("day", "week", "month"))

st.title(t("qa.title"))
if filters is None:
    st.stop()
sc.require("individuals")
st.caption(f"{t('qa.question')} {t('qa.caption', start=filters.start, end=filters.end)}")
period = f"{filters.start}_{filters.end}"


def _labels(cols) -> dict[str, str]:
    return {c: t(f"qa.col.{c}") for c in cols}


def _text(df: pd.DataFrame, cols) -> pd.DataFrame:
    out = df.copy()
    for c in cols:
        out[c] = text_or_missing(out[c])
    return out


# Listening worklist --------------------------------------------------------------------------
st.subheader(t("qa.worklist"))
st.caption(t("qa.worklist.caption", low=f"{quality.LOW_QA_BELOW:.0f}", target=quality.REVIEWS_PER_DAY_TARGET))
work = per_data(quality.worklist, lk, filters, sc, cfg)
if work.empty:
    st.info(t("qa.worklist.none"))
else:
    work["qa_score"] = work["qa_score"].round(1)
    work["aht_vs_team"] = work["aht_vs_team"].round(2)
    work["output_swing"] = work["output_swing"].round(2)
    work["tenure_days"] = pd.to_numeric(work["tenure_days"], errors="coerce").astype("Int64")
    work["reasons"] = names_of(work["reasons"], lambda r: "; ".join(t(f"reason.{x}") for x in r.split(",") if x))
    cols = [
        "agent",
        "name",
        "team",
        "reasons",
        "recordings",
        "qa_score",
        "evaluations",
        "valid_complaints",
        "aht_vs_team",
        "output_swing",
        "tenure_days",
    ]
    table(_text(work[cols], ("name", "team")), f"listening_worklist_{period}", "qa_work", labels=_labels(cols))

# One row per inspector with reviews in the period: none means no evaluations at all.
per_day = per_data(quality.reviews_per_day, lk, filters, sc)
if per_day.empty:
    st.info(t("qa.empty"))
    st.stop()

# Reviews per inspector per day ---------------------------------------------------------------
st.subheader(t("qa.reviews", target=quality.REVIEWS_PER_DAY_TARGET))
per_day = _text(per_day, ("name",))
per_day["label"] = per_day["name"] + " (" + per_day["evaluator"] + ")"
# Many inspectors (86 at 52.5 M calls): those with the fewest reviews a day, furthest below 60.
per_day_shown = charts.chart_rows(per_day, ["per_day", "evaluator"], [True, True])
charts.show(
    charts.bars_with_target(
        per_day_shown,
        "label",
        "per_day",
        float(quality.REVIEWS_PER_DAY_TARGET),
        f"{t('target')} {quality.REVIEWS_PER_DAY_TARGET}",
        t("qa.col.per_day"),
    ),
    key="qa_per_day",
)
st.caption(t("qa.reviews.caption"))
if len(per_day_shown) < len(per_day):
    st.caption(t("qa.reviews.top", n=len(per_day_shown), total=len(per_day)))
cols = ["evaluator", "name", "days", "reviews", "per_day", "vs_target"]
table(per_day[cols], f"reviews_per_day_{period}", "qa_reviews", labels=_labels(cols), percent=("vs_target",))

# Grades by team ----------------------------------------------------------------------------
left, right = st.columns([3, 2])
with left:
    st.subheader(t("qa.grades"))
    grades = per_data(quality.grade_distribution, lk, filters, sc)
    grades = _text(grades, ("team",))
    # Many teams (205 at 52.5 M calls): those with the largest share graded poor, then medium.
    shown = charts.chart_rows(grades, ["poor_share", "medium_share", "team"], [False, False, True])
    charts.show(charts.once("qa_grades", _grades_figure, shown), key="qa_grades", share=3 / 5)
    st.caption(t("qa.grades.caption"))
    if len(shown) < len(grades):
        st.caption(t("qa.grades.top", n=len(shown), total=len(grades)))
with right:
    st.subheader(" ")
    cols = ["team", "agents", "good", "medium", "poor", "good_share", "poor_share"]
    table(
        grades[cols],
        f"qa_grades_by_team_{period}",
        "qa_grades_tbl",
        labels=_labels(cols),
        percent=("good_share", "poor_share"),
    )

# Calibration ---------------------------------------------------------------------------------
st.subheader(t("qa.calibration"))
st.caption(t("qa.calibration.caption", gap=f"{quality.CALIBRATION_GAP:.0f}"))
calib = per_data(quality.calibration, lk, filters, sc)
if not (calib["shared_agents"] > 0).any():
    st.info(t("qa.calibration.single"))
calib["flag"] = calib["flag"].map(lambda f: t(f"qa.flag.{f}") if isinstance(f, str) else "—")
cols = ["evaluator", "name", "reviews", "shared_agents", "mean_score", "offset", "poor_share", "flag"]
table(
    _text(calib[cols], ("name",)), f"qa_calibration_{period}", "qa_calib", labels=_labels(cols), percent=("poor_share",)
)

# Repeated low scores ------------------------------------------------------------------------
st.subheader(t("qa.repeated"))
st.caption(t("qa.repeated.caption", n=quality.REPEATED_LOW_FROM))
low = per_data(quality.repeated_low_scores, lk, filters, sc)
if low.empty:
    st.info(t("qa.repeated.none"))
else:
    low["next_step"] = low["next_step"].map(lambda s: t(f"qa.step.{s}"))
    low = low.rename(columns={"poor": "poor_count"})
    low["last_poor_day"] = pd.to_datetime(low["last_poor_day"]).dt.date
    cols = ["agent", "name", "team", "poor_count", "evaluations", "qa_score", "last_poor_day", "next_step"]
    table(
        _text(low[cols], ("name", "team")),
        f"qa_repeated_low_{period}",
        "qa_low",
        labels={**_labels(cols), "poor_count": t("qa.col.poor")},
    )
