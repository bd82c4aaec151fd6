"""Each page's analytics calls on one render, in one place (the bench's mirror of views/*.py).

A page function takes the lake, the sidebar's Filters and the page's settings and makes the
calls its view script makes on first render signed in as an administrator with the default
widgets (no row picked, expanders' content included: Streamlit runs it). Update this file
when a view's analytics calls change; nothing else in bench/ knows what a page calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics import calls, complaints, coverage, quality, report, scorecard
from analytics import staffing as staffing_maths
from analytics import targets as targets_mod
from analytics.access import Scope
from analytics.filters import Filters
from analytics.targets import current_targets
from ui import scorecard_format
from ui.admission import page_run

PAGE_NAMES = (
    "service_level",
    "handle_time",
    "staffing",
    "complaints",
    "monthly_review",
    "scorecards",
    "quality",
)


@dataclass(frozen=True)
class Ctx:
    """What a page run needs besides the filters (the session's scope and settings)."""

    lk: object
    sc: Scope
    cfg: object
    cset: object


def default_filters(lk, sc: Scope | None = None, grain: str = "day") -> Filters:
    """What a page opens on: the month of the latest data (ui/filters.py)."""
    opts = calls.filter_options(lk, sc or Scope.everything())
    last = opts["last_day"]
    return Filters(start=max(opts["first_day"], last.replace(day=1)), end=last, grain=grain)


def _kpis(c: Ctx, f: Filters, sc: Scope, agent_days: bool = True) -> list:
    """ui/kpi.kpi_section: totals now and before, targets."""
    return [
        calls.totals(c.lk, f, sc, c.cfg, agent_days),
        calls.totals(c.lk, calls.previous_period(f), sc, c.cfg, agent_days),
        current_targets(c.lk, f.end),
    ]


def service_level(c: Ctx, f: Filters) -> list:
    sc, q = c.sc.queue_level(), {"agent_days": False}  # queue figures only: no agent-day rollup
    out = [calls.filter_options(c.lk, sc), calls.metrics_many(c.lk, calls.service_level_requests(f), sc, c.cfg, **q)]
    out += _kpis(c, f, sc, **q)
    out += [
        calls.metrics(c.lk, f, sc, (f.grain,), c.cfg, **q),
        calls.metrics(c.lk, f, sc, ("weekday", "hour_of_day"), c.cfg, **q),
        calls.metrics(c.lk, f, sc, ("queue",), c.cfg, **q),
        calls.worst_intervals(c.lk, f, sc, c.cfg, n=15, min_offered=10),
    ]
    daily = calls.metrics(c.lk, f, sc, ("day",), c.cfg, **q)
    daily = daily[daily["offered"] > 0]
    day = pd.Timestamp(daily.sort_values("service_level").iloc[0]["day"]).date() if not daily.empty else f.end
    out.append(calls.metrics(c.lk, f.with_(start=day, end=day), sc, ("interval15",), c.cfg, **q))
    out.append(calls.metrics(c.lk, f, sc.queue_level(), ("queue",), c.cfg, **q))
    out.append(calls.satisfaction_by_queue(c.lk, f, sc))
    return out


def handle_time(c: Ctx, f: Filters) -> list:
    sc = c.sc
    return [
        calls.filter_options(c.lk, sc),
        calls.metrics_many(c.lk, calls.handle_time_requests(f), sc, c.cfg),
        *_kpis(c, f, sc),
        calls.metrics(c.lk, f, sc, (f.grain,), c.cfg),
        calls.handle_time_distribution(c.lk, f, sc, c.cfg),
        calls.by_category(c.lk, f, sc, c.cfg),
        calls.metrics(c.lk, f, sc, ("team",), c.cfg),
        calls.agents_to_review(c.lk, f, sc, c.cfg),
        calls.by_category_targets(c.lk, f, sc, targets_mod.handle_targets(c.lk.root), c.cfg),
    ]


def staffing(c: Ctx, f: Filters) -> list:
    sc, lk = c.sc, c.lk
    targets = current_targets(lk, f.end)
    target_sl, shrinkage = float(targets.get("service_level") or 0.8), 0.30
    # as the view: the plan's base month first, then the selection (which takes its rows of that month's load)
    base_month, base_hours = coverage.base_month_workload(
        lk, f.end, sc, c.cfg, coverage.CoverageSettings(target_sl=target_sl, shrinkage=shrinkage)
    )
    cov = coverage.coverage(lk, f, sc, c.cfg, coverage.CoverageSettings(target_sl=target_sl, shrinkage=shrinkage))
    out = [calls.filter_options(lk, sc), cov]
    # the view's summary line, model note and heat map (left out of this mirror before the
    # eighth round: ~30 ms a view at 52.5 M calls that the bench did not count)
    out += [coverage.shortfall_summary(cov), coverage.model_summary(cov), coverage.gap_by_weekday_and_time(cov)]
    if not cov.empty:
        worst = coverage.worst_intervals(cov, 20)  # the view's worst-intervals table
        out.append(worst)
    # the what-if calculator at its default inputs
    out.append(
        staffing_maths.required_agents(
            calls=100,
            aht_s=180,
            interval_s=1800,
            answer_within_s=c.cfg.answer_within_s,
            target_sl=target_sl,
            shrinkage=shrinkage,
            max_occupancy=None,
            patience_s=None,
        )
    )
    headcount = coverage.agent_headcount(lk, f.end, sc)
    observed = coverage.observed_turnover(lk, f.end, sc)
    turnover = round(observed if observed is not None else 0.4, 3)
    out.append(
        coverage.monthly_plan(base_hours, base_month, headcount, coverage.PlanSettings(annual_turnover=turnover))
    )
    proj = coverage.attrition_projection(
        lk, f.end, sc, c.cfg, coverage.ProjectionSettings(months=6, training_weeks=4, leaver_model="survival")
    )
    out.append(proj)
    if not proj.empty:
        out.append(coverage.projection_totals(proj))
        base_m = pd.Timestamp(proj.attrs.get("base_month", base_month.isoformat())).date()
        # In a lazy expander (computed when opened); kept here, as in the floor: a conservative page.
        out.append(coverage.model_check(lk, base_m, sc, c.cfg))
    return out


def complaints_page(c: Ctx, f: Filters) -> list:
    lk, sc, cset = c.lk, c.sc, c.cset
    out = [
        calls.filter_options(lk, sc),
        complaints.prefetch(lk, f, sc, cset),
        complaints.summary(lk, f, sc, cset),
        complaints.summary(lk, calls.previous_period(f), sc, cset),
        current_targets(lk, f.end),
        complaints.by_period(lk, f, sc, cset),
    ]
    # The open tabs only (level, queue): the other tabs and the agent list run when opened.
    out += [complaints.breakdown(lk, f, sc, dim, cset) for dim in ("level", "queue")]
    return out + [
        complaints.pareto(lk, f, sc, cset),
        complaints.as_of(lk, f),
        complaints.backlog_by_age(lk, f, sc, cset),
        complaints.open_backlog(lk, f, sc, cset),
        complaints.unusual_months(lk, f, sc, cset),
        complaints.repeat_complainers(lk, f, sc, cset),
        complaints.complaint_rows(lk, f, sc, cset),
    ]


def monthly_review(c: Ctx, f: Filters) -> list:
    """The view wraps build_review in st.cache_data (10 min): a repeat in the browser costs
    nothing; the bench times the analytics call, the cost of a month/center not asked before."""
    return [
        calls.filter_options(c.lk, c.sc),
        report.build_review(c.lk, report.month_start(f.end), c.sc, tuple(f.centers), c.cfg, c.cset),
    ]


def scorecards(c: Ctx, f: Filters) -> list:
    lk, sc = c.lk, c.sc
    month = date(f.end.year, f.end.month, 1)
    team_opts = calls.filter_options(lk, sc)["teams"]
    if f.centers:
        team_opts = team_opts[team_opts["center"].isin(f.centers)]
    teams = tuple(team_opts["team"].tolist()) if f.centers else ()
    cards = scorecard.scorecards(lk, month, sc, teams)
    return [
        lk.months("calls"),
        targets_mod.handle_targets(lk.root),
        cards,
        scorecard.load_weights(lk.root),
        scorecard.team_summary(cards),
        scorecard.team_trend(lk, month, sc, teams),
        # the view's tables as shown (summary, agents, components), each on all the columns
        scorecard_format.shown(scorecard.team_summary(cards)),
        scorecard_format.shown(cards),
        scorecard_format.shown(cards),
    ]


def quality_page(c: Ctx, f: Filters) -> list:
    lk, sc = c.lk, c.sc
    return [
        calls.filter_options(lk, sc),
        quality.worklist(lk, f, sc, c.cfg),
        quality.reviews_per_day(lk, f, sc),
        quality.grade_distribution(lk, f, sc),
        quality.calibration(lk, f, sc),
        quality.repeated_low_scores(lk, f, sc),
    ]


PAGES = {
    "service_level": service_level,
    "handle_time": handle_time,
    "staffing": staffing,
    "complaints": complaints_page,
    "monthly_review": monthly_review,
    "scorecards": scorecards,
    "quality": quality_page,
}
# The grain each page's sidebar opens on (ui/filters.py: the first of the page's grains is
# not always the default; the default is "day" where offered, else the only one).
GRAINS = {"monthly_review": "month", "scorecards": "month"}


def context(lk) -> Ctx:
    from analytics import metrics as m

    return Ctx(lk=lk, sc=Scope.everything(), cfg=m.load_settings(lk.root), cset=complaints.load_settings(lk.root))


def run(name: str, c: Ctx, f: Filters) -> list:
    # Through the server's gate, as app.py runs a page (ui/admission.py): alone it never
    # waits; the concurrency column's sessions queue for it as the app's do.
    with page_run(name):
        return PAGES[name](c, f.with_(grain=GRAINS.get(name, "day")))
