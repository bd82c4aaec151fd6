"""Monthly review (executives): KPIs against targets, month over month and year over year,
trends, queues, complaints and people; the same review downloads as an HTML report.
Aggregates only: no individual employee appears on this page."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analytics import audit, calls, complaints, report
from ui import charts, tables
from ui.filters import sidebar_filters
from ui.kpi import kpi_row
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
names = {
    r["center"]: r["name_zh" if lang() == "zh" else "name_en"] or r["center"]
    for r in opts["centers"].to_dict(orient="records")
}
with st.sidebar:
    st.caption(t("nav.review_month", month=month.strftime("%Y-%m")))


# The finished review per session-independent key; its queries live in the lake's cache. The
# key holds the lake's data version and the settings, so an import or a changed definition
# rebuilds it (from the lake's cache for whatever the import did not touch).
@st.cache_data(show_spinner=False, ttl=600)
def _review(path: str, month: date, centers: tuple, scope_key: tuple, version: int, defs: str, _lk, _sc, _cfg, _cset):
    return report.build_review(_lk, month, _sc, centers, _cfg, _cset)


review_key = (str(dataset_path()), month, tuple(centers), (sc.centers, sc.teams), lk.data_version, repr((cfg, cset)))
review = _review(*review_key, lk, sc, cfg, cset)
month_text = month.strftime("%Y-%m")
st.caption(
    t(
        "rev.caption",
        month=month_text,
        centers=", ".join(names.get(c, c) for c in centers) if centers else t("rev.all_centers"),
    )
)
if not review.has_data:
    st.info(t("rev.no_data", month=month_text))
    st.stop()

page_lang = lang()
st.download_button(
    t("rev.download"),
    # Written when clicked, not on every run: the file inlines Plotly (4.7 MB) and takes
    # 0.6-2.5 s to render, more than building the review.
    data=lambda: report.render_html(review, page_lang).encode("utf-8"),
    file_name=f"monthly_review_{month_text}_{page_lang}.html",
    mime="text/html",
    icon=":material/download:",
    help=t("rev.download.help"),
    key="rev_download",
    on_click=audit.record,
    args=(dataset_path(), "export", f"monthly review {month_text}", scope()),
)

st.subheader(t("rev.summary"))
st.markdown("\n".join(f"- {s}" for s in review.summary[lang()]))

# Scorecard ---------------------------------------------------------------------------------------
st.subheader(t("rev.scorecard"))
kpi_row(
    report.KPIS,
    {k: review.value(k) for k in report.KPIS},
    {k: review.value(k, "previous") for k in report.KPIS},
    review.settings,
    {k: review.value(k, "target") for k in report.KPIS},
    {r["key"]: f"{t('rev.col.vs_year_ago')}: {r['vs_year_ago']}" for r in report.scorecard_rows(review, lang())},
    per_row=4,
)
st.caption(t("rev.rag_rule"))

# Trends ----------------------------------------------------------------------------------------------
left, right = st.columns(2)
with left:
    st.subheader(t("rev.trend.service"))
    # Each figure built once per review and language (ui/charts.py keyed), with every change.
    charts.show(
        charts.keyed(
            "rev_trend_sl",
            review_key,
            lambda: charts.localise(
                report.trend_figure(review, ("service_level", "answer_rate"), lang()),
                "month",
                x_title=t("col.month"),
                y_title=t("chart.rate"),
            ).update_yaxes(range=[0, 1.05], tickmode="linear", tick0=0, dtick=0.2),
        ),
        key="rev_trend_sl",
        share=1 / 2,
    )
with right:
    st.subheader(t("rev.trend.times"))
    # Each on its own axis: ASA (a few seconds) drawn on AHT's 0-300 s scale is a flat line.
    charts.show(
        charts.two_metric_trend(
            review.trend,
            "month",
            ("aht_s", report.label("aht_s", lang()), review.value("aht_s", "target")),
            ("asa_s", report.label("asa_s", lang()), review.value("asa_s", "target")),
            t("unit.s"),
        ),
        key="rev_trend_times",
        share=1 / 2,
    )

st.subheader(t("rev.by_queue"))
queues_shown = report.queues_charted(review)  # many queues: the busiest charted, the table all


def _queue_figure():
    return charts.localise(report.queue_figure(review, lang()), x_title=t("chart.queue"), y_title=t("chart.rate"))


charts.show(charts.keyed("rev_queue", (review_key, lang()), _queue_figure), key="rev_queue")
if len(queues_shown) < len(review.by_queue):
    st.caption(t("rev.by_queue.top", n=len(queues_shown), total=len(review.by_queue)))
q = review.by_queue[["queue", "offered", "service_level", "service_level_change", "answer_rate", "answer_rate_change"]]
# Short headers for the changes: the review's long ones cut the sixth column off at 1440 px.
tables.table(
    q.rename(columns={"service_level_change": "sl_change", "answer_rate_change": "ar_change"}),
    f"review_by_queue_{month_text}",
    "rev_queue",
    labels={"sl_change": t("col.sl_change"), "ar_change": t("col.ar_change")},
    percent=("sl_change", "ar_change"),
)

left, right = st.columns(2)
with left:
    st.subheader(t("rev.complaints"))
    charts.show(
        charts.keyed(
            "rev_complaints",
            review_key,
            lambda: charts.localise(
                report.complaints_figure(review, lang()),
                "month",
                x_title=t("col.month"),
                y_title=t("chart.complaints"),
                right_title=report.label("complaints_per_10k", lang()),
            ),
        ),
        key="rev_complaints",
        share=1 / 2,
    )
    lv = review.complaints_by_level
    if len(lv):
        table(coded(lv, "level")[["level", "complaints", "share"]], f"review_complaints_{month_text}", "rev_lv")
with right:
    st.subheader(t("rev.workforce"))
    # Thirteen months in half the page: every other month, upright, instead of slanted labels.
    charts.show(
        charts.keyed(
            "rev_workforce",
            review_key,
            lambda: charts.localise(
                report.workforce_figure(review, lang()),
                "month",
                x_title=t("col.month"),
                y_title=t("chart.people"),
                right_title=report.label("headcount_end", lang()),
            ).update_xaxes(dtick="M2", tickangle=0),
        ),
        key="rev_workforce",
        share=1 / 2,
    )
    st.caption(t("rev.workforce.caption"))
    wf = review.workforce.assign(month=pd.to_datetime(review.workforce["month"]).dt.strftime("%Y-%m"))
    table(
        wf[["month", "headcount_end", "hires", "leavers", "leavers_voluntary", "turnover_annualised"]].tail(6),
        f"review_workforce_{month_text}",
        "rev_wf",
    )
