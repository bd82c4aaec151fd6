"""Monthly review (executives): KPIs against targets, month over month and year over year,
trends, queues, complaints and people; the same review downloads as an HTML report.
Aggregates only: no individual employee appears on this page."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analytics import audit, calls, complaints, report
from ui.filters import sidebar_filters
from ui.review_cards import coded, table
from ui.state import dataset_path, get_lake, lang, scope, settings, t

lk, sc, cfg = get_lake(), scope(), settings()
cset = complaints.load_settings(dataset_path())
opts = calls.filter_options(lk, sc)
filters = sidebar_filters(lk, sc, grains=("month",), people=False)

st.title(t("rev.title"))
if filters is None:
    st.stop()
# One calendar month: the month the session's period ends in, so the review follows the
# period chosen on any page (and the link) instead of a control of its own.
month = report.month_start(filters.end)
centers = list(filters.centers)
names = {r["center"]: r["name_zh" if lang() == "zh" else "name_en"] or r["center"]
         for r in opts["centers"].to_dict(orient="records")}
with st.sidebar:
    st.caption(t("nav.review_month", month=month.strftime("%Y-%m")))


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
rows = report.scorecard_rows(review, lang())
_BADGE = {"green": "green", "amber": "orange", "red": "red"}
keys = list(report.KPIS)
for start in range(0, len(rows), 4):
    for col, r, key in zip(st.columns(4), rows[start:start + 4], keys[start:start + 4]):
        with col, st.container(border=True):
            st.metric(r["metric"], r["value"], delta=None if r["vs_previous"] == "—" else r["vs_previous"],
                      delta_color="off" if report.metric(key).higher_is_better is None
                      else ("normal" if report.metric(key).higher_is_better else "inverse"),
                      help=r["formula"])
            st.caption(f"{t('rev.col.vs_year_ago')}: {r['vs_year_ago']}")
            st.badge(f"{r['status']} · {t('rev.col.target')} {r['target']}" if r["rag"]
                     else f"{t('rev.col.target')} {r['target']}", color=_BADGE.get(r["rag"], "gray"))
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
