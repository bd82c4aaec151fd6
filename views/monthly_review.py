"""Monthly review (executives): KPIs against targets, month over month and year over year,
trends, queues, complaints and people; the same review downloads as an HTML report.
Aggregates only: no individual employee appears on this page."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analytics import audit, calls, complaints, report
from ui.kpi import kpi_row
from ui.review_cards import coded, table
from ui.state import dataset_path, get_lake, lang, scope, settings, t

lk, sc, cfg = get_lake(), scope(), settings()
cset = complaints.load_settings(dataset_path())
opts = calls.filter_options(lk, sc)

st.title(t("rev.title"))
if opts["first_day"] is None:
    st.info(t("empty.selection"))
    st.stop()

months, m = [], report.month_start(opts["last_day"])
while m >= report.month_start(opts["first_day"]):
    months.append(m)
    m = report.add_months(m, -1)
with st.sidebar:
    month = st.selectbox(t("rev.month"), months, key="rev_month", format_func=lambda d: d.strftime("%Y-%m"))
    names = {r["center"]: r["name_zh" if lang() == "zh" else "name_en"] or r["center"]
             for r in opts["centers"].to_dict(orient="records")}
    centers = st.multiselect(t("rev.centers"), list(names), key="rev_centers", format_func=lambda c: names.get(c, c),
                             placeholder=t("filters.all"))


@st.cache_data(show_spinner=False, ttl=600)
def _review(path: str, month: date, centers: tuple, scope_key: tuple, _lk, _sc, _cfg, _cset):
    return report.build_review(_lk, month, _sc, centers, _cfg, _cset)


review = _review(str(dataset_path()), month, tuple(centers), (sc.centers, sc.teams), lk, sc, cfg, cset)
month_text = month.strftime("%Y-%m")
st.caption(t("rev.caption", month=month_text,
             centers=", ".join(names.get(c, c) for c in centers) if centers else t("rev.all_centers")))
if not review.has_data:
    st.info(t("rev.no_data", month=month_text))
    st.stop()

st.download_button(t("rev.download"), data=report.render_html(review, lang()).encode("utf-8"),
                   file_name=f"monthly_review_{month_text}_{lang()}.html", mime="text/html",
                   icon=":material/download:", help=t("rev.download.help"), key="rev_download",
                   on_click=audit.record, args=(dataset_path(), "export", f"monthly review {month_text}", scope()))

st.subheader(t("rev.summary"))
st.markdown("\n".join(f"- {s}" for s in review.summary[lang()]))

# Scorecard ---------------------------------------------------------------------------------------
st.subheader(t("rev.scorecard"))
kpi_row(report.KPIS, {k: review.value(k) for k in report.KPIS}, {k: review.value(k, "previous") for k in report.KPIS},
        review.settings, {k: review.value(k, "target") for k in report.KPIS},
        {r["key"]: f"{t('rev.col.vs_year_ago')}: {r['vs_year_ago']}" for r in report.scorecard_rows(review, lang())},
        per_row=4)
st.caption(t("rev.rag_rule"))

# Trends ----------------------------------------------------------------------------------------------
left, right = st.columns(2)
with left:
    st.subheader(t("rev.trend.service"))
    st.plotly_chart(report.trend_figure(review, ("service_level", "answer_rate"), lang()), key="rev_trend_sl")
with right:
    st.subheader(t("rev.trend.times"))
    st.plotly_chart(report.trend_figure(review, ("asa_s", "aht_s"), lang(), t("unit.s")), key="rev_trend_times")

st.subheader(t("rev.by_queue"))
st.plotly_chart(report.queue_figure(review, lang()), key="rev_queue")
q = review.by_queue[["queue", "offered", "service_level", "service_level_change", "answer_rate",
                     "answer_rate_change"]]
table(q.rename(columns={"service_level_change": "sl_change", "answer_rate_change": "ar_change"}),
      f"review_by_queue_{month_text}", "rev_queue")

left, right = st.columns(2)
with left:
    st.subheader(t("rev.complaints"))
    st.plotly_chart(report.complaints_figure(review, lang()), key="rev_complaints")
    lv = review.complaints_by_level
    if len(lv):
        table(coded(lv, "level")[["level", "complaints", "share"]], f"review_complaints_{month_text}", "rev_lv")
with right:
    st.subheader(t("rev.workforce"))
    st.plotly_chart(report.workforce_figure(review, lang()), key="rev_workforce")
    st.caption(t("rev.workforce.caption"))
    wf = review.workforce.assign(month=pd.to_datetime(review.workforce["month"]).dt.strftime("%Y-%m"))
    table(wf[["month", "headcount_end", "hires", "leavers", "leavers_voluntary", "turnover_annualised"]].tail(6),
          f"review_workforce_{month_text}", "rev_wf")
