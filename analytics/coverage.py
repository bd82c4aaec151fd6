"""Staffing coverage: agents required against agents staffed, per queue and interval,
and the monthly plan of headcount and hiring that follows.

The Erlang mathematics is in ``analytics.staffing``; this module feeds it the lake's
numbers. Requirements use Erlang C, the planning norm: it ignores callers who hang up,
so it slightly overstates the need where abandonment is high. Erlang A (with caller
patience) is offered in the what-if calculator, where one interval at a time is
cheap; per interval over a month it would cost minutes.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from analytics import calls, staffing, workdays
from analytics.access import Scope, scope_predicate
from analytics.filters import Filters
from analytics.lake import Lake
from analytics.metrics import ServiceSettings

INTERVAL_S = 900
# Roles that take calls and so count as phone headcount for the plan.
AGENT_ROLES = ("csr", "senior_csr", "outbound_csr")
FORECAST_WEEKS = 4
# How far back the forecast looks for earlier days of the same type (holidays are rare).
FORECAST_HISTORY_DAYS = 150


@dataclass(frozen=True)
class CoverageSettings:
    target_sl: float = 0.80
    shrinkage: float = 0.30            # share of paid time off the phones (breaks, training, leave)
    max_occupancy: float | None = None
    basis: str = "actual"              # "actual" load, or "forecast" from recent weeks

    def __post_init__(self):
        if self.basis not in ("actual", "forecast"):
            raise ValueError(f"basis must be 'actual' or 'forecast', not {self.basis!r}")


def interval_load(lake: Lake, filters: Filters, scope: Scope, settings: ServiceSettings) -> pd.DataFrame:
    """Per queue and 15-minute interval: offered calls, AHT, agents staffed, service level."""
    df = calls.metrics(lake, filters.with_(teams=(), agents=(), direction="inbound"), scope.queue_level(),
                       ("interval15", "queue"), settings)
    keep = ["interval15", "queue", "offered", "answered", "aht_s", "service_level", "staffed_agents"]
    out = df[keep].rename(columns={"service_level": "service_level_actual"})
    # An interval with agents signed in but no call has no calls row: zero calls, not unknown.
    out["offered"] = out["offered"].fillna(0).astype("int64")
    out["answered"] = out["answered"].fillna(0).astype("int64")
    return out


def day_type(d: date) -> str:
    """What kind of day drives the call pattern: a public holiday, an ordinary weekend
    day (by weekday), a working day (by weekday) or a weekend day made a working day."""
    kind = workdays.day_kind(d)
    if kind == "holiday":
        return "holiday"
    if kind == "adjusted_workday":
        return "adjusted_workday"
    return f"{kind}-{d.isoweekday()}"


def _forecast(lake: Lake, filters: Filters, scope: Scope, settings: ServiceSettings) -> pd.DataFrame:
    """A seasonal-naive forecast: each day's offered calls and AHT per queue and time of day
    are the mean of the FORECAST_WEEKS most recent earlier days of the same type (same
    weekday for ordinary days; other public holidays for a holiday; other adjusted
    working days for a 调休 day), next to what was actually staffed."""
    history = filters.with_(start=filters.start - timedelta(days=FORECAST_HISTORY_DAYS))
    load = interval_load(lake, history, scope, settings)
    if load.empty:
        return load
    load["day"] = pd.to_datetime(load["interval15"]).dt.date
    load["time"] = pd.to_datetime(load["interval15"]) - pd.to_datetime(load["day"])
    load["handle_s"] = load["aht_s"].fillna(0) * load["answered"].fillna(0)
    days_with_data = sorted(set(load["day"]))
    types = {d: day_type(d) for d in days_with_data}
    pieces = []
    day = filters.start
    while day <= filters.end:
        sources = [d for d in days_with_data if d < day and types[d] == day_type(day)][-FORECAST_WEEKS:]
        if sources:
            hist = load[load["day"].isin(sources)]
            f = hist.groupby(["queue", "time"], as_index=False)[["offered", "handle_s", "answered"]].sum()
            f[["offered", "handle_s", "answered"]] /= len(sources)
            f["interval15"] = pd.Timestamp(day) + f["time"]
            pieces.append(f)
        day += timedelta(days=1)
    if not pieces:
        return load.iloc[0:0]
    forecast = pd.concat(pieces, ignore_index=True)
    forecast["aht_s"] = forecast["handle_s"] / forecast["answered"].where(forecast["answered"] > 0)
    forecast = forecast[["queue", "interval15", "offered", "aht_s"]]
    actual = load[load["day"] >= filters.start][["queue", "interval15", "offered", "staffed_agents",
                                                 "service_level_actual"]]
    merged = forecast.merge(actual, on=["queue", "interval15"], how="outer", suffixes=("", "_actual"))
    merged["offered"] = merged["offered"].fillna(0)
    merged["staffed_agents"] = merged["staffed_agents"].fillna(0)
    return merged.sort_values(["interval15", "queue"], ignore_index=True)


def coverage(lake: Lake, filters: Filters, scope: Scope, settings: ServiceSettings,
             cov: CoverageSettings | None = None) -> pd.DataFrame:
    """Required against staffed per queue and interval (Erlang C at the settings' T).

    Columns: interval15, queue, offered, aht_s, staffed_agents, required_agents, gap_agents
    (staffed − required; negative = short), scheduled_agents, service_level_at_staffed,
    service_level_actual, short, and for a forecast basis offered_actual.
    """
    cov = cov or CoverageSettings()
    # Kept in the lake's bounded cache under what the result depends on (interval_load drops
    # teams and agents): the page and the monthly plan's base month ask for the same month,
    # and a month of a 50 M-call group is ~230 k queue-intervals of Erlang C.
    key = ("coverage.coverage", filters.start, filters.end, filters.centers, filters.queues, scope.centers,
           settings, cov)
    return lake.cached(key, lambda: _coverage(lake, filters, scope, settings, cov))


def _coverage(lake: Lake, filters: Filters, scope: Scope, settings: ServiceSettings,
              cov: CoverageSettings) -> pd.DataFrame:
    load = (_forecast(lake, filters, scope, settings) if cov.basis == "forecast"
            else interval_load(lake, filters, scope, settings))
    load = load[(load["offered"] > 0) | (load["staffed_agents"].fillna(0) > 0)].reset_index(drop=True)
    if load.empty:
        return load
    return staffing.required_vs_staffed(
        load, answer_within_s=settings.answer_within_s, target_sl=cov.target_sl,
        shrinkage=cov.shrinkage, max_occupancy=cov.max_occupancy, interval_s=INTERVAL_S)


def gap_by_weekday_and_time(cov_df: pd.DataFrame) -> pd.DataFrame:
    """Mean gap (agents) per ISO weekday and time of day, summed over queues first; and
    ``offered``, the calls offered at that weekday and time over the period (so a chart
    can leave out times of day when no one calls)."""
    if cov_df.empty:
        return pd.DataFrame(columns=["weekday", "time", "gap_agents", "offered"])
    g = cov_df.groupby("interval15")
    per_interval = pd.DataFrame({"gap_agents": g["gap_agents"].sum(min_count=1),
                                 "offered": g["offered"].sum()}).reset_index()
    ts = pd.to_datetime(per_interval["interval15"])
    per_interval["weekday"] = ts.dt.day_of_week + 1
    per_interval["time"] = ts.dt.strftime("%H:%M")
    return per_interval.groupby(["weekday", "time"], as_index=False).agg(
        gap_agents=("gap_agents", "mean"), offered=("offered", "sum"))


def shortfall_summary(cov_df: pd.DataFrame) -> dict:
    """Intervals short, their share, agent-hours short and staffed against required."""
    if cov_df.empty:
        return {"intervals": 0, "intervals_short": 0, "share_short": None, "agent_hours_short": 0.0,
                "required_agent_hours": 0.0, "staffed_agent_hours": 0.0}
    busy = cov_df[cov_df["offered"] > 0]
    short = busy[busy["short"].fillna(False).astype(bool)]
    hours = INTERVAL_S / 3600
    return {
        "intervals": int(len(busy)),
        "intervals_short": int(len(short)),
        "share_short": len(short) / len(busy) if len(busy) else None,
        "agent_hours_short": float(-short["gap_agents"].sum() * hours),
        "required_agent_hours": float(busy["required_agents"].astype("float64").sum() * hours),
        "staffed_agent_hours": float(cov_df["staffed_agents"].fillna(0).sum() * hours),
    }


# --- the monthly plan -------------------------------------------------------------------

@dataclass(frozen=True)
class PlanSettings:
    months: int = 6
    annual_turnover: float = 0.40          # share of agents leaving in a year
    training_weeks: int = 4                # hire-to-phones lead time
    volume_change: float = 0.0             # expected change in workload against the base month
    hours_per_fte_day: float = 8.0
    shrinkage: float = 0.30

    def __post_init__(self):
        if not 1 <= self.months <= 24:
            raise ValueError("months must be between 1 and 24")
        if not 0 <= self.annual_turnover < 5:
            raise ValueError("annual_turnover is a fraction per year, e.g. 0.4 for 40 %")
        if not 0 <= self.shrinkage < 1:
            raise ValueError("shrinkage must be in [0, 1)")
        if self.training_weeks < 0 or self.hours_per_fte_day <= 0:
            raise ValueError("training_weeks must be >= 0 and hours_per_fte_day > 0")


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _next_month(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1)


def _month_end(d: date) -> date:
    return _next_month(d) - timedelta(days=1)


def working_days_in(month: date) -> tuple[int, bool]:
    """Working days of a month, and whether the statutory calendar knew the year (else
    Monday-Friday without public holidays was assumed, and the page says so)."""
    d, n = month, 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the page shows it per month instead
        while d <= _month_end(month):
            n += workdays.is_workday(d)
            d += timedelta(days=1)
    return n, workdays.calendar_knows(month.year)


def agent_headcount(lake: Lake, on: date, scope: Scope) -> int:
    """Agents (AGENT_ROLES) employed on a day, within the scope's centers and teams."""
    df = lake.query(
        "SELECT count(*) AS n FROM employees WHERE list_contains($roles, role) "
        "AND hire_date <= $on AND (exit_date IS NULL OR exit_date >= $on) "
        "AND " + scope_predicate(scope)[0],
        {"roles": list(AGENT_ROLES), "on": on, **scope_predicate(scope)[1]})
    return int(df["n"].iloc[0])


def observed_turnover(lake: Lake, end: date, scope: Scope) -> float | None:
    """Agents' leavers in the 12 months to ``end`` over the average of the 13 month-start
    headcounts: the default for the plan's turnover assumption."""
    start = date(end.year - 1, end.month, 1) if end.month != 12 else date(end.year, 1, 1)
    leavers = lake.query(
        "SELECT count(*) AS n FROM employees WHERE list_contains($roles, role) "
        "AND exit_date BETWEEN $start AND $end "
        "AND " + scope_predicate(scope)[0],
        {"roles": list(AGENT_ROLES), "start": start, "end": end, **scope_predicate(scope)[1]})["n"].iloc[0]
    heads, d = [], start
    while d <= end:
        heads.append(agent_headcount(lake, d, scope))
        d = _next_month(d)
    avg = float(np.mean(heads)) if heads else 0.0
    return float(leavers) / avg if avg else None


def monthly_plan(base_required_agent_hours: float, base_month: date, headcount: int,
                 plan: PlanSettings | None = None) -> pd.DataFrame:
    """Scheduled agents needed per month against expected headcount, and the hiring needed.

    Workload per month = the base month's required agent-hours × (working days of the
    month / working days of the base month) × (1 + volume change). An agent gives
    hours_per_fte_day × working days × (1 − shrinkage) hours on the phones, so
    needed = workload / that. Leavers per month = headcount × annual turnover / 12.
    Hires fill the gap at the month's start, so they must start training
    ``training_weeks`` before it.
    """
    plan = plan or PlanSettings()
    base_days = working_days_in(base_month)[0] or 1
    monthly_leave_rate = plan.annual_turnover / 12
    rows, month, heads = [], _next_month(base_month), float(headcount)
    for _ in range(plan.months):
        days, calendar_known = working_days_in(month)
        hours = base_required_agent_hours * days / base_days * (1 + plan.volume_change)
        per_agent = plan.hours_per_fte_day * days * (1 - plan.shrinkage)
        needed = math.ceil(hours / per_agent - 1e-9) if per_agent > 0 else 0
        leavers = heads * monthly_leave_rate
        expected = heads - leavers
        hires = max(0, math.ceil(needed - expected - 1e-9))
        rows.append({
            "month": month, "working_days": days, "required_agent_hours": hours,
            "agents_needed": needed, "headcount_start": heads, "expected_leavers": leavers,
            "expected_without_hiring": expected, "hires_needed": hires,
            "start_training_by": month - timedelta(weeks=plan.training_weeks) if hires else None,
            "statutory_calendar": calendar_known,
        })
        heads = expected + hires
        month = _next_month(month)
    return pd.DataFrame(rows)


def base_month_workload(lake: Lake, end: date, scope: Scope, settings: ServiceSettings,
                        cov: CoverageSettings | None = None) -> tuple[date, float]:
    """The last complete month up to ``end`` and its required agent-hours (Erlang C on
    actual load, all queues of the scope)."""
    base = _month_start(end) if end == _month_end(end) else _month_start(_month_start(end) - timedelta(days=1))
    f = Filters(start=base, end=_month_end(base))
    cov_df = coverage(lake, f, scope, settings, cov)
    return base, shortfall_summary(cov_df)["required_agent_hours"]
