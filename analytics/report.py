"""The executive monthly review: built once (``build_review``), shown by the page
views/monthly_review.py and written as a self-contained HTML file (``render_html``,
``python -m analytics report monthly``).

The review holds aggregates only (centers and queues, never an individual employee):
a KPI scorecard against targets with the change against the previous month and the
same month a year before, 13-month trends, service level and answer rate by queue, the
complaints summary, the workforce summary, and a written summary in Chinese and
English produced from the numbers.

Strings come from the one catalogue (i18n/strings_review.py through i18n/, plain
Python without Streamlit). Figures are Plotly; in the HTML file the Plotly bundle is
inlined once so the file opens offline, and every text is escaped.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics import calls, complaints, units, workforce
from analytics import metrics as m
from analytics.access import Scope
from analytics.filters import Filters
from analytics.lake import Lake
from analytics.targets import current_targets

CALL_KPIS = ("offered", "service_level", "answer_rate", "asa_s", "aht_s", "abandon_rate")
COMPLAINT_KPIS = ("complaints_per_10k", "resolved_within_target", "level3_complaints")
WORKFORCE_KPIS = ("headcount_end", "turnover_annualised")
KPIS = CALL_KPIS + COMPLAINT_KPIS + WORKFORCE_KPIS
# The month's complaint figures the review shows (MonthlyReview.complaints).
COMPLAINT_SUMMARY = ("complaints", *COMPLAINT_KPIS, "calls")
TREND_MONTHS = 13

PRIMARY, SECOND, THIRD, TARGET_COLOUR = "#1f6feb", "#f59e0b", "#10b981", "#dc2626"
RAG_COLOURS = {"green": "#15803d", "amber": "#b45309", "red": "#b91c1c"}


metric = m.get  # every metric of the review is in the one registry


def _t(key: str, lang: str, **values) -> str:
    from i18n import translate  # plain Python, shared with the pages

    return translate(key, lang, **values)


def label(key: str, lang: str, settings=None) -> str:
    return m.get(key).label(lang, settings)


def formula(key: str, lang: str, settings=None) -> str:
    """The formula with the settings in force (the review's own, see ``MonthlyReview.settings``)."""
    return m.get(key).formula(lang, settings)


# --- numbers as text: the one formatter (analytics.units) by the metric's unit --------------

_missing = units.is_missing


def fmt(key: str, value, lang: str) -> str:
    """A value with its unit."""
    return m.get(key).format(value, lang)


def fmt_change(key: str, now, before, lang: str) -> str:
    """Change: percentage points for rates, relative change for counts, units otherwise."""
    return m.get(key).format_change(now, before, lang).text


# --- the review ------------------------------------------------------------------------------


@dataclass
class MonthlyReview:
    month: date
    centers: tuple[str, ...]
    scorecard: pd.DataFrame  # key, value, previous, year_ago, target, rag
    trend: pd.DataFrame  # 13 months of the scorecard's metrics
    by_queue: pd.DataFrame  # queue, offered, service_level, answer_rate, changes in pp
    complaints: dict  # the month's COMPLAINT_SUMMARY values
    complaints_by_level: pd.DataFrame
    complaint_causes: pd.DataFrame  # Pareto of causes
    workforce: pd.DataFrame  # 13 months
    summary: dict[str, list[str]] = field(default_factory=dict)  # lang -> sentences
    # The definitions the numbers were computed with: the review prints these formulas.
    settings: m.DatasetSettings = field(default_factory=m.DatasetSettings)
    # lang -> {queue code: name} (calls.place_names): the summary, the chart and the table of
    # the page and of the file say a queue's name, never its code.
    queue_names: dict[str, dict[str, str]] = field(default_factory=dict)

    def queue_name(self, code, lang: str) -> str:
        return self.queue_names.get(lang, {}).get(code) or str(code)

    @property
    def has_data(self) -> bool:
        v = self.value("offered")
        return not _missing(v) and v > 0

    def value(self, key: str, column: str = "value"):
        # A plain dict lookup: the written summary asks a few hundred times per review.
        v = self._scorecard_index().get((key, column))
        return None if _missing(v) or (isinstance(v, float) and v != v) else v

    def _scorecard_index(self) -> dict:
        sc = self.scorecard
        cached = self.__dict__.get("_index")
        if cached is None or cached[0] is not sc:
            index = {(r["key"], c): r[c] for r in sc.to_dict("records") for c in sc.columns}
            cached = self.__dict__["_index"] = (sc, index)
        return cached[1]


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    y, mth = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, mth + 1, 1)


def month_filters(month: date, centers: tuple[str, ...] = ()) -> Filters:
    start = month_start(month)
    return Filters(start=start, end=add_months(start, 1) - timedelta(days=1), centers=centers, grain="month")


def _by_month(frame: pd.DataFrame) -> dict:
    """Each row of a frame with a ``month`` column as a dict (missing values None), keyed by
    the month's Timestamp: the review looks up three months in several small frames, and one
    list per column costs less than a search per lookup (or than ``to_dict`` of the rows)."""
    cols = {c: frame[c].tolist() for c in frame.columns if c != "month"}  # Python scalars, as records
    return {
        pd.Timestamp(mth): {k: (None if _missing(v[i]) else v[i]) for k, v in cols.items()}
        for i, mth in enumerate(frame["month"].tolist())
    }


def _complaint_rows(by_month: pd.DataFrame) -> dict:
    """COMPLAINT_SUMMARY of each month of a ``complaints.by_period`` frame by month, keyed as
    ``_by_month`` (columns of floats: a dozen months, no frame built)."""
    sums = m.float_columns(by_month)
    cols = {
        "complaints": sums["complaints"],
        "calls": sums["calls"],
        **{k: m.floats(metric(k).compute(sums, None)) for k in COMPLAINT_KPIS},
    }
    return {
        mth: {k: (None if np.isnan(v[i]) else float(v[i])) for k, v in cols.items()}
        for i, mth in enumerate(pd.to_datetime(by_month["month"]))
    }


def _targets(lake: Lake, month: date, centers: tuple[str, ...]) -> dict:
    last_day = add_months(month, 1) - timedelta(days=1)
    return current_targets(lake, last_day, centers[0] if len(centers) == 1 else None)


def _beside(frame: pd.DataFrame, other: pd.DataFrame, columns: list[str], on: str) -> pd.DataFrame:
    """``frame.merge(other[[on, *columns]], on=on, how="left")`` where ``on`` is unique in
    ``other``, by one indexer (the review joins a few small frames; a merge costs ~2 ms):
    a row without a match gets a missing value, and a column that needs one is widened as
    the merge widens it (whole numbers to floats)."""
    at = pd.Index(other[on]).get_indexer(frame[on])
    added = {c: pd.api.extensions.take(_values(other[c]), at, allow_fill=True) for c in columns}
    return frame.reset_index(drop=True).assign(**added)


def _values(column: pd.Series):
    """A column's numpy array, or its extension array (nullable integers keep their type)."""
    return column.to_numpy() if isinstance(column.dtype, np.dtype) else column.array


def _months(frame: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
    """The rows of ``frame`` whose ``month`` is from ``first`` to ``last``."""
    mth = pd.to_datetime(frame["month"])
    return frame[(mth >= pd.Timestamp(first)) & (mth <= pd.Timestamp(last))].reset_index(drop=True)


def build_review(
    lake: Lake,
    month: date,
    scope: Scope | None = None,
    centers: tuple[str, ...] = (),
    settings: m.ServiceSettings | None = None,
    csettings: complaints.ComplaintSettings | None = None,
) -> MonthlyReview:
    """Everything the page and the file show for ``month`` (any day of it).

    Set-based: the 13 months of the call KPIs in one grouped call (``calls.metrics`` by
    month), the queues of this month and the previous one in another (by month and queue),
    the workforce's 13 months in one; the scorecard's month, previous month and year-ago
    values are rows of those. A selection of centers sums every center's history (read once;
    another center costs no statement: ``calls`` and ``workforce``). Complaints come from
    one statement (``complaints.month_and_trend``): the 13 months as ``by_period`` (the
    review month's figures are its last row; the previous and year-ago months are rows of
    it judged as at their own end, see ``complaints.judged_at_month_end``) and the month's
    levels and causes."""
    # Executives see aggregates only: the review never holds an individual.
    scope = (scope or Scope.everything()).aggregates_only()
    settings = settings or m.ServiceSettings()
    csettings = csettings or complaints.ComplaintSettings()
    month = month_start(month)
    prev_month, year_month = add_months(month, -1), add_months(month, -12)
    first = add_months(month, -(TREND_MONTHS - 1))
    span = Filters(start=first, end=add_months(month, 1) - timedelta(days=1), centers=centers, grain="month")

    # Month by month figures of calls and people do not depend on the span asked (each
    # month's row is that month's alone), so they are read for the whole history once per
    # centers and scope (same cost as 13 months: planning and the team periods dominate) and
    # sliced: another month's review finds them in the lake's cache. The call tables come
    # from one statement over the queue-day rollup (no agent-day figure is in the review).
    history = calls.history_span(lake, span)
    by_month, by_queue_month = calls.metrics_many(
        lake, [(history, ("month",)), (history, ("month", "queue"))], scope, settings, agent_days=False
    )
    trend = _months(by_month, first, month)[["month", *CALL_KPIS]]
    trend["month"] = pd.to_datetime(trend["month"]).astype("datetime64[us]")
    wf = _months(workforce.monthly(lake, history, scope), first, month)

    call_rows, wf_rows = _by_month(trend), _by_month(wf[["month", *WORKFORCE_KPIS]])

    def month_values(mth: date) -> dict:
        return {**call_rows.get(pd.Timestamp(mth), {}), **wf_rows.get(pd.Timestamp(mth), {})}

    # The review month's complaints are judged as at its end, like the trend's last month;
    # its levels and causes come from the same statement as the trend.
    cm, month_levels, month_causes = complaints.month_and_trend(lake, span, scope, csettings)
    now, prev, year = month_values(month), month_values(prev_month), month_values(year_month)
    if now.get("offered"):
        now.update(_complaint_rows(cm).get(pd.Timestamp(month), {}))
    # The previous and year-ago months as the scorecard shows them: as at their own end.
    at_month_end = _complaint_rows(complaints.judged_at_month_end(cm))
    for values, mth in ((prev, prev_month), (year, year_month)):
        if values.get("offered"):
            values.update(at_month_end.get(pd.Timestamp(mth), {}))
    targets = _targets(lake, month, centers)
    rows = []
    for key in KPIS:
        met, v, tgt = metric(key), now.get(key), targets.get(key)
        rows.append(
            {
                "key": key,
                "value": v,
                "previous": prev.get(key),
                "year_ago": year.get(key),
                "target": tgt,
                "rag": m.rag(met, v, tgt),
            }
        )
    scorecard = pd.DataFrame(rows)

    trend = _beside(trend, cm, ["complaints", "complaints_per_10k", "resolved_within_target"], on="month")
    trend = _beside(trend, wf, ["headcount_end", "turnover_annualised"], on="month")

    # This month's and the previous month's queues (one grouped table, read above).
    cols = ["queue", "offered", "service_level", "answer_rate"]
    q_month = pd.to_datetime(by_queue_month["month"])
    q_now = by_queue_month.loc[q_month == pd.Timestamp(month), cols]
    q_prev = by_queue_month.loc[q_month == pd.Timestamp(prev_month), cols]
    q_prev.columns = ["queue", "offered_prev", "service_level_prev", "answer_rate_prev"]
    by_queue = _beside(q_now, q_prev, ["offered_prev", "service_level_prev", "answer_rate_prev"], on="queue")
    by_queue["service_level_change"] = by_queue["service_level"] - by_queue["service_level_prev"]
    by_queue["answer_rate_change"] = by_queue["answer_rate"] - by_queue["answer_rate_prev"]
    by_queue = by_queue[by_queue["offered"].fillna(0) > 0].reset_index(drop=True)

    if now.get("offered"):
        by_level, causes = month_levels, month_causes
    else:
        by_level, causes = pd.DataFrame(columns=["level", "complaints"]), pd.DataFrame(columns=["cause", "complaints"])
    options = calls.filter_options(lake, scope)
    review = MonthlyReview(
        month=month,
        centers=tuple(centers),
        scorecard=scorecard,
        trend=trend,
        by_queue=by_queue,
        complaints={k: now.get(k) for k in COMPLAINT_SUMMARY},
        complaint_causes=causes,
        complaints_by_level=by_level,
        workforce=wf,
        settings=m.DatasetSettings(service=settings, complaints=csettings),
        queue_names={lang: calls.place_names(options, lang)["queue"] for lang in ("zh", "en")},
    )
    review.summary = {lang: written_summary(review, lang) for lang in ("zh", "en")}
    return review


# --- the written summary -----------------------------------------------------------------------


def _movement_score(key: str, now, before) -> float:
    """How big a move is, comparable across metrics: 5 pp of a rate, or 10 % of a count or
    a time, both score 1."""
    if _missing(now) or _missing(before):
        return 0.0
    if metric(key).unit == "%":
        return abs(now - before) / 0.05
    # A time is measured against its target too, so 3.5 s -> 3.9 s of a 30-s ASA is small.
    base = max(abs(before), metric(key).default_target or 0.0)
    return abs(now - before) / base / 0.10 if base else 0.0


def _verb(d: float, lang: str) -> str:
    return _t("rev.sum.rose" if d > 0 else ("rev.sum.fell" if d < 0 else "rev.sum.flat"), lang)


def _queue_source(review: MonthlyReview, key: str, d: float, lang: str) -> str:
    """The queue that moved the overall rate most in its direction (change × share of calls)."""
    if key not in ("service_level", "answer_rate") or review.by_queue.empty or d == 0:
        return ""
    # numpy over the queues (a few dozen): the summary asks this up to six times per review.
    changes = review.by_queue[f"{key}_change"].to_numpy(dtype="float64", na_value=np.nan)
    known = ~np.isnan(changes)
    if not known.any():
        return ""
    offered = review.by_queue["offered"].to_numpy(dtype="float64", na_value=np.nan)[known]
    contribution = changes[known] * (offered / offered.sum())
    pick = int(np.nanargmax(contribution) if d > 0 else np.nanargmin(contribution))
    change = float(changes[known][pick])
    if (change > 0) != (d > 0):
        return ""
    queue = review.queue_name(review.by_queue["queue"].to_numpy()[known][pick], lang)
    return _t("rev.sum.mostly", lang, queue=queue, change=fmt_change(key, change, 0.0, lang))


def _sentence(review: MonthlyReview, key: str, lang: str) -> str:
    now, before = review.value(key), review.value(key, "previous")
    if _missing(now):
        return ""
    name = label(key, lang, review.settings)
    if _missing(before):
        return _t("rev.sum.no_previous", lang, metric=name, value=fmt(key, now, lang))
    d = now - before
    if metric(key).unit in ("calls", "complaints", "people"):
        change = f"{abs(d) / before:.1%}" if before else fmt_change(key, now, before, lang)
    else:
        change = fmt_change(key, abs(d), 0.0, lang).lstrip("+")
    text = _t("rev.sum.move", lang, metric=name, verb=_verb(d, lang), change=change, value=fmt(key, now, lang))
    text += _queue_source(review, key, d, lang)
    target, status = review.value(key, "target"), review.value(key, "rag")
    if status:
        text += _t("rev.sum.target", lang, target=fmt(key, target, lang), status=_t(f"rev.rag.{status}", lang))
    return text + _t("rev.sum.stop", lang)


def written_summary(review: MonthlyReview, lang: str) -> list[str]:
    """A few sentences: the three biggest movers of the call KPIs, then complaints, then people."""
    if not review.has_data:
        return [_t("rev.sum.no_data", lang, month=review.month.strftime("%Y-%m"))]
    ranked = sorted(CALL_KPIS, key=lambda k: -_movement_score(k, review.value(k), review.value(k, "previous")))
    out = [s for s in (_sentence(review, k, lang) for k in ranked[:3]) if s]
    off = [
        f"{label(k, lang, review.settings)} {fmt(k, review.value(k), lang)}"
        for k in KPIS
        if review.value(k, "rag") == "red"
    ]
    if off:
        out.append(_t("rev.sum.off_target", lang, metrics=_t("rev.sum.sep", lang).join(off)))
    c = review.complaints
    if not _missing(c.get("complaints")):
        top = review.complaint_causes.head(1)
        cause = _t(f"cmp.cause.{top.iloc[0]['cause']}", lang) if not top.empty else "—"
        out.append(
            _t(
                "rev.sum.complaints",
                lang,
                n=fmt("complaints", c["complaints"], lang),
                rate=fmt("complaints_per_10k", c.get("complaints_per_10k"), lang),
                within=fmt("resolved_within_target", c.get("resolved_within_target"), lang),
                level3=fmt("level3_complaints", c.get("level3_complaints"), lang),
                cause=cause,
            )
        )
    hc = review.value("headcount_end")
    if not _missing(hc):
        wf = review.workforce.iloc[-1]
        out.append(
            _t(
                "rev.sum.people",
                lang,
                headcount=fmt("headcount_end", hc, lang),
                hires=int(wf["hires"]),
                leavers=int(wf["leavers"]),
                voluntary=int(wf["leavers_voluntary"]),
                turnover=fmt("turnover_annualised", review.value("turnover_annualised"), lang),
            )
        )
    return out


# --- figures (the page and the file draw the same ones) ---------------------------------------


def _layout(fig: go.Figure, y_title: str = "", percent: bool = False, height: int = 320) -> go.Figure:
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        legend=dict(orientation="h", y=1.15),
        hovermode="x unified",
        template="plotly_white",
    )
    fig.update_yaxes(title_text=y_title, tickformat=".0%" if percent else None, rangemode="tozero")
    fig.update_xaxes(tickformat="%Y-%m", dtick="M1")
    return fig


def trend_figure(review: MonthlyReview, keys: tuple[str, ...], lang: str, y_title: str = "") -> go.Figure:
    """13-month lines of ``keys`` (same unit), with dashed targets."""
    fig = go.Figure()
    percent = metric(keys[0]).unit == "%"
    for key, colour in zip(keys, (PRIMARY, SECOND, THIRD)):
        name = label(key, lang)
        fig.add_trace(
            go.Scatter(
                x=review.trend["month"],
                y=review.trend[key],
                name=name,
                mode="lines+markers",
                line=dict(color=colour, width=2),
                hovertemplate="%{y:.1%}" if percent else "%{y:,.1f}",
            )
        )
        target = review.value(key, "target")
        if target is not None:
            fig.add_hline(y=target, line=dict(color=colour, dash="dash", width=1))
    return _layout(fig, y_title, percent)


def complaints_figure(review: MonthlyReview, lang: str) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=review.trend["month"],
            y=review.trend["complaints"],
            name=label("complaints", lang),
            marker_color="#93c5fd",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=review.trend["month"],
            y=review.trend["complaints_per_10k"],
            yaxis="y2",
            name=label("complaints_per_10k", lang),
            mode="lines+markers",
            line=dict(color=TARGET_COLOUR, width=2),
            hovertemplate="%{y:.2f}",
        )
    )
    fig = _layout(fig)
    fig.update_layout(yaxis2=dict(overlaying="y", side="right", showgrid=False, rangemode="tozero"))
    return fig


def workforce_figure(review: MonthlyReview, lang: str) -> go.Figure:
    wf = review.workforce
    fig = go.Figure()
    fig.add_trace(go.Bar(x=wf["month"], y=wf["hires"], name=label("hires", lang), marker_color=THIRD))
    fig.add_trace(
        go.Bar(
            x=wf["month"],
            y=-wf["leavers"],
            name=label("leavers", lang),
            marker_color=SECOND,
            customdata=wf["leavers"],
            hovertemplate="%{customdata}",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=wf["month"],
            y=wf["headcount_end"],
            yaxis="y2",
            name=label("headcount_end", lang),
            mode="lines+markers",
            line=dict(color=PRIMARY, width=2),
        )
    )
    fig = _layout(fig)
    fig.update_layout(barmode="relative", yaxis2=dict(overlaying="y", side="right", showgrid=False, rangemode="tozero"))
    fig.update_yaxes(rangemode="normal", selector=dict(overlaying=None))
    return fig


# Bars a chart still shows readably (one per team or queue): a large group's chart shows the
# rows that matter most and says so; the table beside it lists every row. At 52.5 M calls an
# administrator's charts drew 205 teams, unreadable, and most of the browser's time on a switch.
# The rule of every chart of the app (ui.charts takes it from here) and of the report's.
CHART_ROWS_MAX = 25


def chart_rows(df: pd.DataFrame, by: list[str], ascending: list[bool], n: int = CHART_ROWS_MAX) -> pd.DataFrame:
    """``df`` when it has at most ``n`` rows, else its first ``n`` in the order ``by``
    (ties broken by the columns after the first), in that order."""
    if len(df) <= n:
        return df
    return df.sort_values(by, ascending=ascending, kind="stable").head(n)


def queues_charted(review: MonthlyReview) -> pd.DataFrame:
    """The queues the review's chart shows, on the page and in the file: every queue when
    they are few, else those with the most calls offered (136 queues in October 2026 at
    52.5 M calls); the table beside it lists them all."""
    return chart_rows(review.by_queue, ["offered", "queue"], [False, True])


def queue_slant(n: int) -> int:
    """Degrees to slant n queue names by: 25, or steeper when neighbours would run into each
    other (at 52.5 M calls, 25 queues did): slanted by a, labels whose ticks are s px apart
    sit s sin(a) above one another and clear a 15 px line from s sin(a) >= 17. The plot is
    about 800 px wide on the page (wider in the file, where this is on the safe side)."""
    return max(25, math.ceil(math.degrees(math.asin(min(1.0, 17 / (800 / max(n, 1)))))))


def queue_figure(review: MonthlyReview, lang: str) -> go.Figure:
    """Service level and answer rate of the queues charted (``queues_charted``), their long
    names slanted on a taller chart."""
    q = queues_charted(review)
    fig = go.Figure()
    for key, colour in (("service_level", PRIMARY), ("answer_rate", SECOND)):
        fig.add_trace(
            go.Bar(
                x=[review.queue_name(code, lang) for code in q["queue"]],
                y=q[key],
                name=label(key, lang),
                marker_color=colour,
                hovertemplate="%{x}: %{y:.1%}<extra></extra>",
            )
        )
        target = review.value(key, "target")
        if target is not None:
            fig.add_hline(y=target, line=dict(color=colour, dash="dash", width=1))
    fig = _layout(fig, percent=True, height=420)
    fig.update_layout(barmode="group", hovermode="closest")
    fig.update_xaxes(tickformat=None, dtick=None, tickangle=-queue_slant(len(q)))
    return fig


# --- the HTML file -------------------------------------------------------------------------------

_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",system-ui,sans-serif;margin:24px auto;
max-width:1100px;color:#111827;padding:0 16px}
h1{font-size:26px;margin-bottom:4px}h2{font-size:19px;margin-top:28px;border-bottom:1px solid #e5e7eb;
padding-bottom:4px}.muted{color:#6b7280;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:14px;margin:8px 0}
th,td{border-bottom:1px solid #e5e7eb;padding:6px 8px;text-align:right}th:first-child,td:first-child{text-align:left}
th{background:#f9fafb}.rag{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px}
.summary li{margin:4px 0}.grid{display:grid;grid-template-columns:1fr 1fr;gap:12px}
@media print{.plot{break-inside:avoid}}
"""


def _cell(text) -> str:
    return f"<td>{html.escape(str(text))}</td>"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(c) for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def scorecard_rows(review: MonthlyReview, lang: str) -> list[dict]:
    """The scorecard as display text (shared by the page's table and the file)."""
    out = []
    for r in review.scorecard.itertuples():
        met = metric(r.key)
        status = r.rag if isinstance(r.rag, str) else None  # None becomes NaN in a frame
        out.append(
            {
                "key": r.key,
                "metric": met.label(lang, review.settings),
                "value": met.format(r.value, lang),
                "target": met.format_target(r.target, lang),
                "no_target": met.no_target_reason(lang, review.settings) if _missing(r.target) else "",
                "status": _t(f"rev.rag.{status}", lang) if status else "—",
                "rag": status,
                "vs_previous": fmt_change(r.key, r.value, r.previous, lang),
                "vs_year_ago": fmt_change(r.key, r.value, r.year_ago, lang),
                "formula": formula(r.key, lang, review.settings),
            }
        )
    return out


def render_html(review: MonthlyReview, lang: str = "zh") -> str:
    """The review as one self-contained HTML page (Plotly inlined, no external reference)."""
    e = html.escape
    month = review.month.strftime("%Y-%m")
    centers = ", ".join(review.centers) if review.centers else _t("rev.all_centers", lang)
    parts = [
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{e(_t('rev.file_title', lang, month=month))}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(_t('rev.file_title', lang, month=month))}</h1>",
        f'<p class="muted">{e(_t("rev.caption", lang, month=month, centers=centers))}</p>',
        f'<h2>{e(_t("rev.summary", lang))}</h2><ul class="summary">',
    ]
    parts += [f"<li>{e(s)}</li>" for s in review.summary.get(lang, [])]
    parts.append("</ul>")

    parts.append(f"<h2>{e(_t('rev.scorecard', lang))}</h2>")
    head = [
        _t(k, lang)
        for k in (
            "rev.col.metric",
            "rev.col.value",
            "rev.col.target",
            "rev.col.status",
            "rev.col.vs_previous",
            "rev.col.vs_year_ago",
        )
    ]
    body = []
    for r in scorecard_rows(review, lang):
        colour = RAG_COLOURS.get(r["rag"] or "", "#9ca3af")
        status = f'<span class="rag" style="background:{colour}">{e(r["status"])}</span>'
        body.append(
            "<tr>"
            + "".join(_cell(r[k]) for k in ("metric", "value"))
            + (
                _cell(r["target"])
                if not r["no_target"]
                else f'<td class="muted">{e(r["target"])} · {e(r["no_target"])}</td>'
            )
            + f"<td>{status}</td>"
            + _cell(r["vs_previous"])
            + _cell(r["vs_year_ago"])
            + "</tr>"
        )
    parts.append(
        "<table><thead><tr>"
        + "".join(f"<th>{e(h)}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )
    parts.append(f'<p class="muted">{e(_t("rev.rag_rule", lang))}</p>')

    figures = [
        (_t("rev.trend.service", lang), trend_figure(review, ("service_level", "answer_rate"), lang)),
        (_t("rev.trend.times", lang), trend_figure(review, ("asa_s", "aht_s"), lang, _t("unit.s", lang))),
        (_t("rev.by_queue", lang), queue_figure(review, lang)),
        (_t("rev.complaints", lang), complaints_figure(review, lang)),
        (_t("rev.workforce", lang), workforce_figure(review, lang)),
    ]
    first = True
    for title, fig in figures:
        parts.append(f'<h2>{e(title)}</h2><div class="plot">')
        # The bundle goes in once, with the first figure; the others reuse it.
        parts.append(
            fig.to_html(
                full_html=False,
                include_plotlyjs=True if first else False,
                config={"displaylogo": False, "responsive": True},
            )
        )
        parts.append("</div>")
        first = False
        if title == _t("rev.by_queue", lang):
            charted = len(queues_charted(review))
            if charted < len(review.by_queue):
                top = _t("rev.by_queue.top", lang, n=charted, total=len(review.by_queue))
                parts.append(f'<p class="muted">{e(top)}</p>')
            parts.append(
                _table(
                    [
                        _t("col.queue", lang),
                        label("offered", lang),
                        label("service_level", lang),
                        _t("rev.col.vs_previous", lang),
                        label("answer_rate", lang),
                        _t("rev.col.vs_previous", lang),
                    ],
                    [
                        [
                            review.queue_name(r.queue, lang),
                            fmt("offered", r.offered, lang),
                            fmt("service_level", r.service_level, lang),
                            fmt_change("service_level", r.service_level, r.service_level_prev, lang),
                            fmt("answer_rate", r.answer_rate, lang),
                            fmt_change("answer_rate", r.answer_rate, r.answer_rate_prev, lang),
                        ]
                        for r in review.by_queue.itertuples()
                    ],
                )
            )
        if title == _t("rev.complaints", lang):
            parts.append(
                _table(
                    [_t("cmp.col.level", lang), label("complaints", lang), _t("cmp.col.share", lang)],
                    [
                        [_t(f"cmp.level.{int(r.level)}", lang), int(r.complaints), f"{r.share:.0%}"]
                        for r in review.complaints_by_level.itertuples()
                    ],
                )
            )
            parts.append(
                _table(
                    [_t("cmp.col.cause", lang), label("complaints", lang), _t("cmp.col.cumulative", lang)],
                    [
                        [_t(f"cmp.cause.{r.cause}", lang), int(r.complaints), f"{r.cumulative_share:.0%}"]
                        for r in review.complaint_causes.itertuples()
                    ],
                )
            )
        if title == _t("rev.workforce", lang):
            wf = review.workforce.tail(6)
            parts.append(
                _table(
                    [
                        _t("col.month", lang),
                        label("headcount_end", lang),
                        label("hires", lang),
                        label("leavers", lang),
                        _t("rev.col.voluntary", lang),
                        label("turnover_annualised", lang),
                    ],
                    [
                        [
                            r.month.strftime("%Y-%m"),
                            int(r.headcount_end),
                            int(r.hires),
                            int(r.leavers),
                            int(r.leavers_voluntary),
                            fmt("turnover_annualised", r.turnover_annualised, lang),
                        ]
                        for r in wf.itertuples()
                    ],
                )
            )
    parts.append(f"<h2>{e(_t('rev.definitions', lang))}</h2><ul>")
    parts += [
        f"<li><b>{e(label(k, lang, review.settings))}</b>: {e(formula(k, lang, review.settings))}</li>" for k in KPIS
    ]
    parts.append(f'</ul><p class="muted">{e(_t("rev.footer", lang))}</p></body></html>')
    return "".join(parts)
