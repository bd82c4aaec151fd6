"""Staffing coverage: agents required against agents staffed, per queue and interval,
and the monthly plan of headcount and hiring that follows.

The Erlang mathematics is in ``analytics.staffing``; this module feeds it the lake's
numbers. Each queue-interval is judged by Erlang A (M/M/N+M) with its queue's caller
patience where that can be estimated from the calls that hung up
(``caller_patience``), and by Erlang C otherwise (too few abandons): Erlang C ignores
callers who hang up, so near capacity it predicts far worse service than the calls
show. Every row says which model produced it (``model``, ``patience_s``). All
intervals of the period are computed together on numpy arrays (``staffing``'s array
functions), so a month of a large group costs a fraction of a second.

What depends only on the month and the scope is computed once and kept in the lake's
cache, shared by the coverage, the plan, the projection and the model check: the caller
patience sums (from the queue-interval rollup, or a scan of a month's calls for rollups
of an older format), a month's interval load, a month's required agents (the plan's base
month) or coverage (a day range, queue or center within the month picks its rows), the
load profile, the agents' retention curve and the model check. A selection whose month
was not computed is computed alone (its filters in the SQL). The projection stays keyed
by its as-of day: who is employed and their tenure depend on it.
"""

from __future__ import annotations

import math
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from analytics import calls, coverage_month, staffing, workdays
from analytics.access import Scope, scope_predicate
from analytics.filters import Filters
from analytics.lake import Lake
from analytics.metrics import ServiceSettings, floats

INTERVAL_S = 900
# Roles that take calls and so count as phone headcount for the plan.
AGENT_ROLES = ("csr", "senior_csr", "outbound_csr")
FORECAST_WEEKS = 4
# How far back the forecast looks for earlier days of the same type (holidays are rare).
FORECAST_HISTORY_DAYS = 150


@dataclass(frozen=True)
class CoverageSettings:
    target_sl: float = 0.80
    shrinkage: float = 0.30  # share of paid time off the phones (breaks, training, leave)
    max_occupancy: float | None = None
    basis: str = "actual"  # "actual" load, or "forecast" from recent weeks

    def __post_init__(self):
        if self.basis not in ("actual", "forecast"):
            raise ValueError(f"basis must be 'actual' or 'forecast', not {self.basis!r}")


def interval_load(lake: Lake, filters: Filters, scope: Scope, settings: ServiceSettings) -> pd.DataFrame:
    """Per queue and 15-minute interval: offered calls, AHT, agents staffed, service level.
    Kept in the lake's cache (a month of a 50 M-call group is ~230 k rows, whose full
    metrics table is too large to keep): coverage, the plan's base month, the load profile
    of the projection and the model check read the same month once."""
    key = ("coverage.interval_load", *_rows_key(filters), scope.queue_level(), settings)
    if precomputed(lake, filters, scope, settings):  # at import
        return lake.cached(key, lambda: coverage_month.rows(lake, filters, scope, "load"))
    return lake.cached(key, lambda: _interval_load(lake, filters, scope, settings))


def _interval_load(lake: Lake, filters: Filters, scope: Scope, settings: ServiceSettings) -> pd.DataFrame:
    df = calls.metrics(
        lake,
        filters.with_(teams=(), agents=(), direction="inbound"),
        scope.queue_level(),
        ("interval15", "queue"),
        settings,
    )
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


def _runs(days, loaded: set, gap: int = 3) -> list[tuple[date, date]]:
    """Days not ``loaded`` as (first, last) ranges to read, a range spanning gaps of fewer
    than ``gap`` days as long as none of them was read already."""
    out: list[list[date]] = []
    for d in sorted(set(days) - loaded):
        between = [out[-1][1] + timedelta(days=i) for i in range(1, (d - out[-1][1]).days)] if out else []
        if out and len(between) < gap and not loaded.intersection(between):
            out[-1][1] = d
        else:
            out.append([d, d])
    return [(a, b) for a, b in out]


def _forecast(lake: Lake, filters: Filters, scope: Scope, settings: ServiceSettings) -> pd.DataFrame:
    """A seasonal-naive forecast: each day's offered calls and AHT per queue and time of day
    are the mean of the FORECAST_WEEKS most recent earlier days of the same type (same
    weekday for ordinary days; other public holidays for a holiday; other adjusted
    working days for a 调休 day) within FORECAST_HISTORY_DAYS, next to what was actually
    staffed.

    Only the days the forecast needs are read: the calendar names each day's candidate
    sources, the newest FORECAST_WEEKS of them are read with the period itself (a few
    date ranges); only where some of those days have no data is the rest of the window
    read, to look further back."""
    history_start = filters.start - timedelta(days=FORECAST_HISTORY_DAYS)
    window = [history_start + timedelta(days=i) for i in range((filters.end - history_start).days + 1)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # years beyond the calendar: said elsewhere
        types = {d: day_type(d) for d in window}
    period = [d for d in window if d >= filters.start]
    candidates = {day: [d for d in reversed(window) if d < day and types[d] == types[day]] for day in period}

    pieces, loaded = [], set()

    def read(days):
        for first, last in _runs(days, loaded):
            pieces.append(interval_load(lake, filters.with_(start=first, end=last), scope, settings))
            loaded.update(first + timedelta(days=i) for i in range((last - first).days + 1))

    read(set(period) | {d for c in candidates.values() for d in c[:FORECAST_WEEKS]})
    load = (
        pd.concat([p for p in pieces if not p.empty], ignore_index=True) if any(not p.empty for p in pieces) else None
    )
    present = set() if load is None else set(pd.to_datetime(load["interval15"]).dt.date)
    short = [
        day
        for day, c in candidates.items()
        if len([d for d in c if d in present][:FORECAST_WEEKS]) < FORECAST_WEEKS and not set(c) <= loaded
    ]
    if short:  # days without data among the newest candidates: look further back
        read(window)
        parts = [p for p in pieces if not p.empty]
        load = pd.concat(parts, ignore_index=True) if parts else None
    if load is None or load.empty:
        return interval_load(lake, filters, scope, settings).iloc[0:0]
    load["day"] = pd.to_datetime(load["interval15"]).dt.date
    load["time"] = pd.to_datetime(load["interval15"]) - pd.to_datetime(load["day"])
    load["handle_s"] = load["aht_s"].fillna(0) * load["answered"].fillna(0)
    present = set(load["day"])
    # (forecast day, source day, number of sources), then one merge and one sum.
    links = []
    for day, c in candidates.items():
        sources = [d for d in c if d in present][:FORECAST_WEEKS]
        links += [(day, d, len(sources)) for d in sources]
    if not links:
        return load.iloc[0:0]
    link = pd.DataFrame(links, columns=["target", "day", "sources"])
    hist = load[["day", "queue", "time", "offered", "handle_s", "answered"]].merge(link, on="day")
    for col in ("offered", "handle_s", "answered"):
        hist[col] = hist[col] / hist["sources"]
    forecast = hist.groupby(["target", "queue", "time"], as_index=False)[["offered", "handle_s", "answered"]].sum()
    forecast["interval15"] = pd.to_datetime(forecast["target"]) + forecast["time"]
    forecast["aht_s"] = forecast["handle_s"] / forecast["answered"].where(forecast["answered"] > 0)
    forecast = forecast[["queue", "interval15", "offered", "aht_s"]]
    actual = load[load["day"] >= filters.start][
        ["queue", "interval15", "offered", "staffed_agents", "service_level_actual"]
    ]
    merged = forecast.merge(actual, on=["queue", "interval15"], how="outer", suffixes=("", "_actual"))
    merged["offered"] = merged["offered"].fillna(0)
    merged["staffed_agents"] = merged["staffed_agents"].fillna(0)
    return merged.sort_values(["interval15", "queue"], ignore_index=True)


def coverage(
    lake: Lake, filters: Filters, scope: Scope, settings: ServiceSettings, cov: CoverageSettings | None = None
) -> pd.DataFrame:
    """Required against staffed per queue and interval at the settings' T: Erlang A
    with the queue's caller patience where it is known, else Erlang C.

    Columns: interval15, queue, offered, aht_s, staffed_agents, required_agents, gap_agents
    (staffed − required; negative = short), scheduled_agents, service_level_at_staffed,
    service_level_actual, short, model ("erlang_a" / "erlang_c"), patience_s (the
    patience Erlang A used, missing for Erlang C), and for a forecast basis offered_actual.
    Caller patience is that of each interval's month (actual load), or of the month
    before the period (forecast: what was known before it).
    """
    cov = cov or CoverageSettings()
    # Kept in the lake's bounded cache under what the result depends on (interval_load drops
    # teams and agents): the page and the monthly plan's base month ask for the same month,
    # and a month of a 50 M-call group is ~230 k queue-intervals of Erlang C.
    key = _coverage_key(filters, scope, settings, cov)
    if precomputed(lake, filters, scope, settings, cov):  # at import
        return lake.cached(key, lambda: coverage_month.rows(lake, filters, scope))
    month = _month_start(filters.start)
    whole = Filters(start=month, end=_month_end(month))
    within = cov.basis == "actual" and filters.end <= whole.end and _rows_key(filters) != _rows_key(whole)
    # Within one month, every row (queue-interval) is the same as in the scope's whole month
    # as long as each queue's calls and staffing belong to one center: when the month was
    # computed (its coverage, or its required agents for the plan's base month), other days,
    # queues and centers pick its rows (and compute their service level at the staffed
    # number, when only the required agents were). Otherwise only the selection is computed
    # (its filters in the SQL, or its rows of the month's cached load): the same rows.
    months = (_coverage_key(whole, scope, settings, cov), _required_key(whole, scope, settings, cov))
    cached = [k for k in months if within and lake.is_cached(k)]
    centers_of = _center_of_queues(lake, whole, scope, settings) if cached and filters.centers else {}
    if cached and centers_of is not None:
        required_only = cached[0][0] == "coverage.required"
        return lake.cached(
            key, lambda: _from_month(lake, whole, filters, scope, settings, cov, centers_of, required_only)
        )
    return lake.cached(key, lambda: _coverage(lake, filters, scope, settings, cov))


def _coverage_key(f: Filters, scope: Scope, settings: ServiceSettings, cov: CoverageSettings) -> tuple:
    return ("coverage.coverage", *_rows_key(f), scope.centers, settings, cov)


def _required_key(f: Filters, scope: Scope, settings: ServiceSettings, cov: CoverageSettings) -> tuple:
    """The key of ``f``'s coverage without the service level at the staffed number."""
    return ("coverage.required", *_coverage_key(f, scope, settings, cov)[1:])


def _required(lake: Lake, f: Filters, scope: Scope, settings: ServiceSettings, cov: CoverageSettings):
    return lake.cached(
        _required_key(f, scope, settings, cov), lambda: _coverage(lake, f, scope, settings, cov, service_levels=False)
    )


def _from_month(lake, whole, filters, scope, settings, cov, center_of: dict, required_only: bool) -> pd.DataFrame:
    if required_only:
        month_cov = _required(lake, whole, scope, settings, cov)
    else:
        month_cov = coverage(lake, whole, scope, settings, cov)
    if filters.centers and not set(month_cov["queue"].unique()) <= set(center_of):
        return _coverage(lake, filters, scope, settings, cov)  # a queue of unknown center
    rows = _pick(month_cov, filters, center_of)
    return staffing.with_service_levels(rows, settings.answer_within_s) if required_only and len(rows) else rows


def _selection_load(lake: Lake, filters: Filters, scope: Scope, settings: ServiceSettings) -> pd.DataFrame:
    """``interval_load`` of ``filters``: the rows of its month's load when that is in the
    cache (e.g. the plan's base month, which the page asks for first) and each queue's rows
    belong to one center, else its own query (the filters in the SQL)."""
    month = _month_start(filters.start)
    whole = Filters(start=month, end=_month_end(month))
    month_key = ("coverage.interval_load", *_rows_key(whole), scope.queue_level(), settings)
    if filters.end <= whole.end and _rows_key(filters) != _rows_key(whole) and lake.is_cached(month_key):
        centers_of = _center_of_queues(lake, whole, scope, settings) if filters.centers else {}
        if centers_of is not None:
            month_load = interval_load(lake, whole, scope, settings)
            if not filters.centers or set(month_load["queue"].unique()) <= set(centers_of):
                return _pick(month_load, filters, centers_of)
    return interval_load(lake, filters, scope, settings)


def _center_of_queues(lake: Lake, month: Filters, scope: Scope, settings: ServiceSettings) -> dict | None:
    """Each queue's center in the month's load (the rows interval_load sums), or None when
    some queue's rows belong to more than one center (a center filter then sums part of a
    queue, which the whole month's rows cannot give)."""
    centers = queue_centers(lake, month, scope, settings)
    if any(len(c) != 1 for c in centers.values()):
        return None
    return {q: c[0] for q, c in centers.items()}


def queue_centers(lake: Lake, month: Filters, scope: Scope, settings: ServiceSettings) -> dict[str, list]:
    """Each queue's centers in the month's load (the rows interval_load sums)."""
    df = calls.metrics(lake, month.with_(direction="inbound"), scope.queue_level(), ("queue", "center"), settings)
    out: dict[str, list] = {}
    for q, c in zip(df["queue"], df["center"]):
        out.setdefault(q, []).append(c)
    return out


def model_constants() -> dict:
    """The model's constants a precomputed staffing month was computed with (its fingerprint)."""
    return {"min_abandons": MIN_ABANDONS_FOR_PATIENCE, "interval_s": INTERVAL_S}


def precomputed(lake: Lake, filters: Filters, scope: Scope, settings: ServiceSettings, cov=None) -> bool:
    """Whether ``filters``' rows (or, ``cov`` None, its load) are read from the staffing month
    precomputed at import (analytics.coverage_month) rather than computed live."""
    return coverage_month.usable(lake, filters, scope, settings, cov, model=model_constants())


def _rows_key(f: Filters) -> tuple:
    """What of the filters a coverage table depends on (interval_load drops teams and agents)."""
    return (f.start, f.end, f.centers, f.queues)


def _pick(month_cov: pd.DataFrame, filters: Filters, center_of: dict) -> pd.DataFrame:
    """The rows of a month's coverage (or interval load) within ``filters``' days, queues
    and centers (``center_of``: each queue's center)."""
    if month_cov.empty:
        return month_cov
    day = pd.to_datetime(month_cov["interval15"]).dt.normalize()
    keep = (day >= pd.Timestamp(filters.start)) & (day <= pd.Timestamp(filters.end))
    if filters.queues:
        keep &= month_cov["queue"].isin(list(filters.queues))
    if filters.centers:
        keep &= month_cov["queue"].isin([q for q, c in center_of.items() if c in filters.centers])
    if keep.all():  # e.g. the month so far: the month's frame itself, not a copy of it
        return month_cov
    return month_cov[keep.to_numpy()].reset_index(drop=True)


def _coverage(
    lake: Lake,
    filters: Filters,
    scope: Scope,
    settings: ServiceSettings,
    cov: CoverageSettings,
    service_levels: bool = True,
) -> pd.DataFrame:
    if service_levels and cov.basis == "actual" and lake.is_cached(_required_key(filters, scope, settings, cov)):
        # the plan asked for these rows' required agents: add the service level at the staffed number
        req = _required(lake, filters, scope, settings, cov)
        return staffing.with_service_levels(req, settings.answer_within_s) if len(req) else req
    # The patience scan (raw calls of the month) and the load (rollup) are independent
    # queries: run side by side on the lake's cursors.
    with ThreadPoolExecutor(max_workers=1) as pool:
        months = pool.submit(_patience_months, lake, filters, scope, cov.basis)
        load = (
            _forecast(lake, filters, scope, settings)
            if cov.basis == "forecast"
            else _selection_load(lake, filters, scope, settings)
        )
        months = months.result()
    load = load[(load["offered"] > 0) | (load["staffed_agents"].fillna(0) > 0)].reset_index(drop=True)
    if load.empty:
        return load
    return staffing.required_vs_staffed(
        load,
        answer_within_s=settings.answer_within_s,
        target_sl=cov.target_sl,
        shrinkage=cov.shrinkage,
        max_occupancy=cov.max_occupancy,
        patience_s=_row_patience(load, months, cov.basis),
        interval_s=INTERVAL_S,
        service_levels=service_levels,
    )


def _patience_months(lake: Lake, filters: Filters, scope: Scope, basis: str) -> pd.DataFrame:
    """The caller patience coverage uses: of the period's months (actual load), or of the
    month before the period (forecast: what was known before it)."""
    if basis == "forecast":
        first = last = _month_start(filters.start - timedelta(days=1))
    else:
        first, last = _month_start(filters.start), _month_start(filters.end)
    return patience_by_month(lake, first, last, scope, filters.centers, filters.queues)


def _row_patience(load: pd.DataFrame, months: pd.DataFrame, basis: str) -> np.ndarray:
    """Each load row's caller patience (NaN where the queue's month has too few abandons)."""
    if basis == "forecast":
        return load["queue"].map(dict(zip(months["queue"], months["patience_s"]))).to_numpy(dtype=float)
    ts = pd.to_datetime(load["interval15"])
    keys = pd.DataFrame({"queue": load["queue"].to_numpy(), "ym": (ts.dt.year * 12 + ts.dt.month - 1).to_numpy()})
    mts = pd.to_datetime(months["month"])
    table = pd.DataFrame(
        {"queue": months["queue"], "ym": mts.dt.year * 12 + mts.dt.month - 1, "patience_s": months["patience_s"]}
    )
    return keys.merge(table, on=["queue", "ym"], how="left")["patience_s"].to_numpy(dtype=float)


def model_summary(cov_df: pd.DataFrame) -> dict:
    """Which model produced a coverage table's figures: queues judged by Erlang A, their
    patience range (s), and queues judged by Erlang C (patience unknown)."""
    if cov_df.empty or "model" not in cov_df:
        return {"erlang_a_queues": 0, "erlang_c_queues": 0, "patience_min_s": None, "patience_max_s": None}
    busy = _busy(cov_df)
    a = busy & (cov_df["model"] == "erlang_a").to_numpy(dtype=bool, na_value=False)
    c = busy & (cov_df["model"] == "erlang_c").to_numpy(dtype=bool, na_value=False)
    patience = floats(cov_df["patience_s"])[a]
    patience = patience[~np.isnan(patience)]
    return {
        "erlang_a_queues": int(cov_df["queue"][a].nunique()),
        "erlang_c_queues": int(cov_df["queue"][c].nunique()),
        "patience_min_s": (float(patience.min()) if len(patience) else np.nan) if a.any() else None,
        "patience_max_s": (float(patience.max()) if len(patience) else np.nan) if a.any() else None,
    }


# The summaries read a month of queue-intervals (~230 k rows at 52.5 M calls) on every run
# of the staffing page: worked on the columns they need, not on a copy of the frame's busy
# rows (~10 ms each).
def _busy(cov_df: pd.DataFrame) -> np.ndarray:
    """The rows with calls offered."""
    return cov_df["offered"].to_numpy(dtype="float64", na_value=0.0) > 0


def worst_intervals(cov_df: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The ``n`` intervals with calls and the largest shortfall (most negative gap), ties
    by queue and interval: a fixed order, whatever order the SQL returned the rows in.

    Without sorting the month: every row tied with the n-th known gap or below it is kept
    (as ``nsmallest(keep="all")``), then those few are sorted. With fewer than n known
    gaps, every row with calls is sorted (unknown gaps last)."""
    rows = np.flatnonzero(_busy(cov_df))
    gap = floats(cov_df["gap_agents"])[rows]
    known = ~np.isnan(gap)
    if n > 0 and known.sum() >= n:
        nth = np.partition(gap[known], n - 1)[n - 1]
        rows = rows[known & (gap <= nth)]
    return cov_df.iloc[rows].sort_values(["gap_agents", "queue", "interval15"]).head(n)


def gap_by_weekday_and_time(cov_df: pd.DataFrame) -> pd.DataFrame:
    """Mean gap (agents) per ISO weekday and time of day, summed over queues first; and
    ``offered``, the calls offered at that weekday and time over the period (so a chart
    can leave out times of day when no one calls)."""
    if cov_df.empty:
        return pd.DataFrame(columns=["weekday", "time", "gap_agents", "offered"])
    g = cov_df.groupby("interval15")
    per_interval = pd.DataFrame(
        {"gap_agents": g["gap_agents"].sum(min_count=1), "offered": g["offered"].sum()}
    ).reset_index()
    ts = pd.to_datetime(per_interval["interval15"])
    per_interval["weekday"] = ts.dt.day_of_week + 1
    per_interval["time"] = ts.dt.strftime("%H:%M")
    return per_interval.groupby(["weekday", "time"], as_index=False).agg(
        gap_agents=("gap_agents", "mean"), offered=("offered", "sum")
    )


def shortfall_summary(cov_df: pd.DataFrame) -> dict:
    """Intervals short, their share, agent-hours short and staffed against required."""
    if cov_df.empty:
        return {
            "intervals": 0,
            "intervals_short": 0,
            "share_short": None,
            "agent_hours_short": 0.0,
            "required_agent_hours": 0.0,
            "staffed_agent_hours": 0.0,
        }
    busy = _busy(cov_df)
    short = busy & cov_df["short"].to_numpy(dtype=bool, na_value=False)
    gap, required = floats(cov_df["gap_agents"]), floats(cov_df["required_agents"])
    hours = INTERVAL_S / 3600
    n_busy, n_short = int(busy.sum()), int(short.sum())
    return {
        "intervals": n_busy,
        "intervals_short": n_short,
        "share_short": n_short / n_busy if n_busy else None,
        "agent_hours_short": float(-np.nansum(gap[short]) * hours),
        "required_agent_hours": float(np.nansum(required[busy]) * hours),
        "staffed_agent_hours": float(np.nansum(floats(cov_df["staffed_agents"])) * hours),
    }


# --- the monthly plan -------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSettings:
    months: int = 6
    annual_turnover: float = 0.40  # share of agents leaving in a year
    training_weeks: int = 4  # hire-to-phones lead time
    volume_change: float = 0.0  # expected change in workload against the base month
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
        {"roles": list(AGENT_ROLES), "on": on, **scope_predicate(scope)[1]},
    )
    return int(df["n"].iloc[0])


def observed_turnover(lake: Lake, end: date, scope: Scope) -> float | None:
    """Agents' leavers in the 12 months to ``end`` over the average of the 13 month-start
    headcounts: the default for the plan's turnover assumption."""
    start = date(end.year - 1, end.month, 1) if end.month != 12 else date(end.year, 1, 1)
    leavers = lake.query(
        "SELECT count(*) AS n FROM employees WHERE list_contains($roles, role) "
        "AND exit_date BETWEEN $start AND $end "
        "AND " + scope_predicate(scope)[0],
        {"roles": list(AGENT_ROLES), "start": start, "end": end, **scope_predicate(scope)[1]},
    )["n"].iloc[0]
    days, d = [], start
    while d <= end:
        days.append(d)
        d = _next_month(d)
    # The month-start headcounts in one query (13 lookups cost ~20 ms each at 11 k people).
    pred, params = scope_predicate(scope)
    heads = lake.query(
        "SELECT d.day, count(e.employee_id) AS n FROM unnest($days::DATE[]) AS d(day) "
        "LEFT JOIN (SELECT employee_id, hire_date, exit_date FROM employees "
        "WHERE list_contains($roles, role) AND " + pred + ") e "
        "ON e.hire_date <= d.day AND (e.exit_date IS NULL OR e.exit_date >= d.day) GROUP BY d.day",
        {"days": days, "roles": list(AGENT_ROLES), **params},
    )["n"]
    avg = float(heads.sum()) / len(days) if days else 0.0
    return float(leavers) / avg if avg else None


def monthly_plan(
    base_required_agent_hours: float,
    base_month: date,
    headcount: int,
    plan: PlanSettings | None = None,
    today: date | None = None,
) -> pd.DataFrame:
    """Scheduled agents needed per month against expected headcount, and the hiring needed.

    Workload per month = the base month's required agent-hours × (working days of the
    month / working days of the base month) × (1 + volume change). An agent gives
    hours_per_fte_day × working days × (1 − shrinkage) hours on the phones, so
    needed = workload / that. Leavers per month = headcount × annual turnover / 12.
    Hires fill the gap at the month's start, so they must start training
    ``training_weeks`` before it.

    People are counted in whole numbers: the expected leavers accumulate as fractions
    and each month shows the whole leavers that the running total adds (so 0.32 a month
    shows 0, 0, 1, 0, ... and the months add up to the rounded total). ``late_by_days``
    says how many days before ``today`` (the data's last day) the training start was,
    when it has already passed.
    """
    plan = plan or PlanSettings()
    base_days = working_days_in(base_month)[0] or 1
    monthly_leave_rate = plan.annual_turnover / 12
    rows, month = [], _next_month(base_month)
    heads_frac, left_frac, heads = float(headcount), 0.0, int(headcount)
    for _ in range(plan.months):
        days, calendar_known = working_days_in(month)
        hours = base_required_agent_hours * days / base_days * (1 + plan.volume_change)
        per_agent = plan.hours_per_fte_day * days * (1 - plan.shrinkage)
        needed = math.ceil(hours / per_agent - 1e-9) if per_agent > 0 else 0
        leaving = heads_frac * monthly_leave_rate
        leavers = round(left_frac + leaving) - round(left_frac)
        left_frac += leaving
        expected = heads - leavers
        hires = max(0, needed - expected)
        start_by = month - timedelta(weeks=plan.training_weeks) if hires else None
        late = (today - start_by).days if (start_by is not None and today is not None and today > start_by) else 0
        rows.append(
            {
                "month": month,
                "working_days": days,
                "required_agent_hours": hours,
                "agents_needed": needed,
                "headcount_start": heads,
                "expected_leavers": leavers,
                "expected_without_hiring": expected,
                "hires_needed": hires,
                "start_training_by": start_by,
                "late_by_days": late,
                "statutory_calendar": calendar_known,
            }
        )
        heads = expected + hires
        heads_frac = heads_frac - leaving + hires
        month = _next_month(month)
    return pd.DataFrame(rows)


def base_month_workload(
    lake: Lake, end: date, scope: Scope, settings: ServiceSettings, cov: CoverageSettings | None = None
) -> tuple[date, float]:
    """The last complete month up to ``end`` and its required agent-hours (actual load,
    all queues of the scope; Erlang A where caller patience is known, as ``coverage``)."""
    cov = cov or CoverageSettings()
    base = _month_start(end) if end == _month_end(end) else _month_start(_month_start(end) - timedelta(days=1))
    f = Filters(start=base, end=_month_end(base))
    month_key = _coverage_key(f, scope, settings, cov)

    def required() -> pd.DataFrame:
        # The month's coverage when it was computed; else its required agents alone (the
        # service level at the staffed number is not needed here), kept for the page's
        # selection within this month to take its rows from.
        if precomputed(lake, f, scope, settings, cov):  # at import
            hours = coverage_month.required_agent_hours(lake, base, scope, INTERVAL_S)
            return pd.DataFrame({"required_agent_hours": [hours]})
        if lake.is_cached(month_key):
            cov_df = coverage(lake, f, scope, settings, cov)
        else:
            cov_df = _required(lake, f, scope, settings, cov)
        return pd.DataFrame({"required_agent_hours": [shortfall_summary(cov_df)["required_agent_hours"]]})

    hours = lake.cached(("coverage.required_agent_hours", *month_key[1:]), required)
    return base, float(hours["required_agent_hours"].iloc[0])


# --- caller patience and Erlang A ------------------------------------------------------------

# Fewer abandoned calls than this in a queue's month give no usable patience estimate:
# that queue's figures fall back to Erlang C (and say so).
MIN_ABANDONS_FOR_PATIENCE = 30


def _month_key(month: date) -> str:
    return f"{month:%Y-%m}"


def caller_patience(lake: Lake, month: date, scope: Scope) -> pd.DataFrame:
    """Mean caller patience per inbound queue in a month, from observed abandonment.

    With exponential patience (Erlang A's assumption) the maximum-likelihood mean is the
    time all callers spent waiting (answered callers' waits are patience not yet used
    up, i.e. censored) divided by the number who hung up. Columns ``queue``,
    ``offered``, ``abandoned``, ``patience_s`` (missing under
    MIN_ABANDONS_FOR_PATIENCE abandons)."""
    df = patience_by_month(lake, month, month, scope)
    return df[["queue", "offered", "abandoned", "patience_s"]].reset_index(drop=True)


def patience_by_month(
    lake: Lake, first: date, last: date, scope: Scope, centers: tuple = (), queues: tuple = ()
) -> pd.DataFrame:
    """``caller_patience`` of every month from ``first`` to ``last`` (first days), for the
    given centers and queues (empty: all of the scope's): columns ``month`` (first day),
    ``queue``, ``offered``, ``abandoned``, ``patience_s``. Built from each month's sums per
    queue and center (``_patience_sums``, one scan of a month's calls per scope, shared by
    every filter, the projection and the model check)."""
    parts, m = [], _month_start(first)
    while m <= last:
        parts.append(_patience_sums(lake, m, scope))
        m = _next_month(m)
    df = pd.concat(parts, ignore_index=True)
    if centers:
        df = df[df["center"].isin(list(centers))]
    if queues:
        df = df[df["queue"].isin(list(queues))]
    df = df.groupby(["month", "queue"], as_index=False, sort=True)[["offered", "abandoned", "waited_s"]].sum()
    df["patience_s"] = (df["waited_s"] / df["abandoned"]).where(df["abandoned"] >= MIN_ABANDONS_FOR_PATIENCE)
    return df[["month", "queue", "offered", "abandoned", "patience_s"]]


def _patience_sums(lake: Lake, month: date, scope: Scope) -> pd.DataFrame:
    """A month's inbound calls per queue and center within the scope: ``offered``,
    ``abandoned`` and ``waited_s`` (time all callers waited), the sums caller patience is
    estimated from, kept in the lake's cache. Read from the queue-interval rollup where it
    holds the abandoned callers' waits (rollup format 2), else a scan of the month's raw
    calls (rollups written by older code: same figures, slower)."""
    pred, params = scope_predicate(scope.queue_level(), center="center", team=None)
    key = _month_key(month)
    if lake.has_rollups(("queue_interval",), min_format=2):
        # rows with calls only (offered NULL: agents signed in, nobody called)
        sql = (
            """
            SELECT queue, center, sum(offered) AS offered, sum(abandoned) AS abandoned,
                   sum(wait_answered_s) AS answered_waited_s, sum(wait_abandoned_s) AS abandoned_waited_s
            FROM rollup_queue_interval
            WHERE month = $m AND direction = 'inbound' AND offered IS NOT NULL AND """
            + pred
            + """
            GROUP BY queue, center ORDER BY queue, center"""
        )
    else:
        sql = (
            """
            SELECT queue, center, count(*) AS offered,
                   count(*) FILTER (WHERE answered_at IS NULL) AS abandoned,
                   sum(epoch(coalesce(answered_at, ended_at) - arrived_at)) AS waited_s
            FROM calls
            WHERE _month = $m AND coalesce(direction, 'inbound') = 'inbound' AND """
            + pred
            + """
            GROUP BY queue, center ORDER BY queue, center"""
        )

    def compute() -> pd.DataFrame:
        df = lake.query(sql, {"m": key, **params}, months=key)
        if "answered_waited_s" in df:  # missing only where every wait is (a NULL sum, as on the calls)
            waits = df.pop("answered_waited_s").astype("float64")
            df["waited_s"] = waits.add(df.pop("abandoned_waited_s").astype("float64"), fill_value=0)
        df["offered"] = df["offered"].astype("int64")
        df["abandoned"] = df["abandoned"].astype("int64")
        df.insert(0, "month", month)
        return df

    return lake.cached(("coverage.patience_sums", month, scope.centers), compute)


def _service_level_at(offered, aht_s, staffed, answer_within_s: float, patience_s=None) -> np.ndarray:
    """Service level per interval at a fractional number of agents (linear between the
    whole numbers around it): Erlang A with ``patience_s`` (one number, or one per
    interval), else (None, or NaN for an interval) Erlang C. Traffic is
    rounded to 0.05 Erlang, and for Erlang A AHT / patience and T / AHT to 4 decimals, as
    when these were cached scalar evaluations, so the projection's figures stay as they
    were; all intervals are evaluated at once."""
    offered = np.asarray(offered, dtype=float)
    aht = np.asarray(aht_s, dtype=float)
    staffed = np.asarray(staffed, dtype=float)
    traffic = np.round(offered * aht / INTERVAL_S / 0.05) * 0.05
    out = np.ones(len(offered))
    busy = np.flatnonzero((traffic > 0) & (aht > 0))
    if not busy.size:
        return out
    a, h, n = traffic[busy], aht[busy], staffed[busy]
    p = np.broadcast_to(np.asarray(np.nan if patience_s is None else patience_s, dtype=float), offered.shape)[busy]
    known = ~np.isnan(p)
    # answer-within and patience in seconds that give the rounded ratios exactly
    t = np.where(known, np.round(answer_within_s / h, 4) * h, answer_within_s)
    with np.errstate(invalid="ignore"):
        patience = np.where(known, h / np.round(h / p, 4), np.nan)
    out[busy] = staffing.service_level_at_fractional_agents(a, n, h, t, patience)
    return out


# Day types of the load profile: the 征期 peak (working days 1-15), other working days, rest days.
def _profile_day_type(d: date) -> str:
    if not workdays.is_workday(d):
        return "rest"
    return "peak" if d.day <= 15 else "working"


def load_profile(lake: Lake, month: date, scope: Scope, settings: ServiceSettings) -> pd.DataFrame:
    """A month's inbound load and staffing as a typical day per queue, day type and time
    of day: ``offered`` and ``staffed_agents`` are means over the month's days of that
    type, ``aht_s`` the handle time of those calls, ``days`` how many days each row
    stands for (so sums over the profile are the month's totals). Computed once per
    month, scope and settings (the projection and the model check share it)."""
    key = ("coverage.load_profile", month, scope.centers, settings)
    return lake.cached(key, lambda: _load_profile(lake, month, scope, settings))


def _load_profile(lake: Lake, month: date, scope: Scope, settings: ServiceSettings) -> pd.DataFrame:
    f = Filters(start=month, end=_month_end(month))
    if precomputed(lake, f, scope, settings):  # its sums, at import
        sums, days = coverage_month.profile_sums(lake, month, scope)
        return _profile_of(sums, _day_kinds(days))
    load = interval_load(lake, f, scope.queue_level(), settings)
    if load.empty:
        return _profile_of(None, None)
    sums, kinds = profile_sums(load)
    return _profile_of(sums, kinds)


_PROFILE_COLUMNS = ["queue", "day_type", "time", "offered", "aht_s", "staffed_agents", "answered_within", "days"]


def _day_kinds(days) -> pd.Series:
    """Each distinct day of a load (sorted) -> its profile day type."""
    days = pd.DatetimeIndex(days).sort_values()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return pd.Series([_profile_day_type(d.date()) for d in days], index=days)


def profile_sums(load: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """A month's interval load summed per queue, day type and time of day (``offered``,
    ``handle_s``, ``answered``, ``staffed``, ``within``), and the day type of each of its
    days. A queue's sums depend on its rows only: the month's rollup (coverage_month)
    keeps them for the whole organisation."""
    ts = pd.to_datetime(load["interval15"])
    day = ts.dt.normalize()
    # the day type and the time of day of the few distinct days and times, not of every row
    kinds = _day_kinds(day.unique())
    load = load.assign(day_type=kinds.reindex(day.to_numpy()).to_numpy())
    minutes = (ts - day).to_numpy()
    mins, at = np.unique(minutes, return_inverse=True)
    labels = (pd.Timestamp(0) + pd.to_timedelta(mins)).strftime("%H:%M")
    load["time"] = np.asarray(labels, dtype=object)[at.ravel()]
    load["handle_s"] = load["aht_s"].fillna(0) * load["answered"]
    load["within"] = load["service_level_actual"].fillna(0) * load["offered"]
    g = load.groupby(["queue", "day_type", "time"], as_index=False).agg(
        offered=("offered", "sum"),
        handle_s=("handle_s", "sum"),
        answered=("answered", "sum"),
        staffed=("staffed_agents", "sum"),
        within=("within", "sum"),
    )
    return g, kinds


def _profile_of(g: pd.DataFrame | None, kinds: pd.Series | None) -> pd.DataFrame:
    """The load profile from ``profile_sums``: means over the days of each type."""
    if g is None or g.empty:
        return pd.DataFrame(columns=_PROFILE_COLUMNS)
    days_of = kinds.value_counts()
    g = g.copy()
    g["days"] = g["day_type"].map(days_of).astype("int64")
    g["aht_s"] = g["handle_s"] / g["answered"].where(g["answered"] > 0)
    g["staffed_agents"] = g["staffed"] / g["days"]
    g["answered_within"] = g["within"]
    g["offered"] = g["offered"] / g["days"]
    return g[_PROFILE_COLUMNS]


def profile_service_level(
    profile: pd.DataFrame,
    answer_within_s: float,
    patience: dict,
    staff_factor: dict | None = None,
    volume_factor: dict | None = None,
) -> pd.DataFrame:
    """Service level per queue of a load profile: the offered-weighted mean of the
    intervals' service levels, with each queue's staffing multiplied by ``staff_factor``
    and its calls by ``volume_factor``. ``model`` says which model produced it:
    ``erlang_a`` where the queue's caller patience is known, else ``erlang_c``. Every
    queue's rows are evaluated together."""
    if profile.empty:
        return pd.DataFrame(columns=["queue", "service_level", "model", "patience_s"])
    # Per queue once (the profile's rows index into the sorted queues), not per row.
    at, queues = pd.factorize(profile["queue"], sort=True)  # by hashing: no sort of every row
    queues = np.asarray(queues, dtype=object)
    known = {q: float(p) for q, p in patience.items() if p is not None and not pd.isna(p)}

    def per_queue(values: dict, default: float) -> np.ndarray:
        got = [values.get(q) for q in queues]
        return np.array([default if g is None else float(g) for g in got], dtype=float)[at]

    pat = per_queue(known, np.nan)
    s = np.nan_to_num(per_queue(staff_factor or {}, 1.0), nan=1.0)
    v = np.nan_to_num(per_queue(volume_factor or {}, 1.0), nan=1.0)
    offered = profile["offered"].astype("float64").to_numpy()
    busy = offered > 0
    sl = _service_level_at(
        offered[busy] * v[busy],
        profile["aht_s"].astype("float64").fillna(0).to_numpy()[busy],
        profile["staffed_agents"].astype("float64").to_numpy()[busy] * s[busy],
        answer_within_s,
        pat[busy],
    )
    w = offered[busy] * profile["days"].to_numpy(dtype="float64")[busy]
    sums = pd.DataFrame({"q": at[busy], "slw": sl * w, "w": w}).groupby("q").sum()
    slw = sums["slw"].reindex(range(len(queues))).to_numpy()
    wsum = sums["w"].reindex(range(len(queues))).to_numpy()
    out = pd.DataFrame({"queue": queues})
    with np.errstate(invalid="ignore", divide="ignore"):
        out["service_level"] = np.where(wsum > 0, slw / wsum, np.nan)
    out["patience_s"] = np.array([known.get(q, np.nan) for q in queues], dtype="float64")
    out["model"] = np.where(out["patience_s"].notna(), "erlang_a", "erlang_c")
    return out[["queue", "service_level", "model", "patience_s"]]


# --- attrition → service level: the next months per queue ----------------------------------------

LEAVER_MODELS = ("survival", "turnover")


@dataclass(frozen=True)
class ProjectionSettings:
    months: int = 6
    training_weeks: int = 4  # hire-to-phones lead time
    extra_hires: int = 0  # what-if: people hired on the first day of the first month
    attrition_cut: float = 0.0  # what-if: share of expected leavers kept
    leaver_model: str = "survival"  # "survival": by tenure from the retention curve; "turnover": flat rate
    annual_turnover: float | None = None  # for "turnover": None = the agents' observed last 12 months

    def __post_init__(self):
        if not 1 <= self.months <= 12:
            raise ValueError("months must be between 1 and 12")
        if self.training_weeks < 0 or self.extra_hires < 0:
            raise ValueError("training_weeks and extra_hires must be >= 0")
        if not 0 <= self.attrition_cut <= 1:
            raise ValueError("attrition_cut is a share between 0 and 1")
        if self.leaver_model not in LEAVER_MODELS:
            raise ValueError(f"leaver_model must be one of {', '.join(LEAVER_MODELS)}")


def _agents_with_queue(lake: Lake, as_of: date, month: date, scope: Scope) -> pd.DataFrame:
    """Agents employed at the end of ``as_of`` with their hire date and the queue they
    staffed most in ``month`` (their team's main queue when they staffed none, e.g. new
    hires still in training)."""
    pred, params = scope_predicate(scope.queue_level(), center="e.center", team=None)
    return lake.query(
        """
        WITH staff AS (
          SELECT agent_id, queue, sum(staffed_s) AS s FROM agent_intervals
          WHERE _month = $month AND queue IS NOT NULL GROUP BY agent_id, queue),
        own AS (SELECT agent_id, arg_max(queue, s) AS queue FROM staff GROUP BY agent_id),
        team_staff AS (
          SELECT e.team, st.queue, sum(st.s) AS s FROM staff st JOIN employees e ON e.employee_id = st.agent_id
          GROUP BY e.team, st.queue),
        team_main AS (SELECT team, arg_max(queue, s) AS queue FROM team_staff GROUP BY team)
        SELECT e.employee_id, e.hire_date, coalesce(o.queue, t.queue) AS queue
        FROM employees e LEFT JOIN own o ON o.agent_id = e.employee_id LEFT JOIN team_main t ON t.team = e.team
        WHERE list_contains($roles::VARCHAR[], e.role) AND e.hire_date <= $as_of
          AND (e.exit_date IS NULL OR e.exit_date > $as_of) AND """
        + pred
        + """""",
        {"month": _month_key(month), "as_of": as_of, "roles": list(AGENT_ROLES), **params},
        months=_month_key(month),  # the staffing of that month only: an import of another keeps it
    )


def _stay_probability(curve: pd.DataFrame, tenure_now: np.ndarray, days_ahead: float) -> np.ndarray:
    """P(still employed ``days_ahead`` days on | employed at ``tenure_now``) = S(t + d) / S(t)."""
    days = curve["days"].to_numpy(dtype=float)
    s = curve["retained"].to_numpy(dtype=float)

    def at(t):
        return s[np.searchsorted(days, t, side="right") - 1]

    now = at(tenure_now)
    later = at(tenure_now + days_ahead)
    return np.where(now > 0, later / np.where(now > 0, now, 1), 1.0)


def _employed(
    people: pd.DataFrame, d: float, curve: pd.DataFrame, model: str, rate: float | None, cut: float
) -> np.ndarray:
    """P(each person is employed ``d`` days after today): 0 before they join; after, the
    retention curve by tenure (or a flat annual rate), with a share ``cut`` of the
    leaving kept."""
    joins = people["start_offset"].to_numpy(dtype=float)
    ahead = np.maximum(d - joins, 0)
    tenure_at_join = np.maximum(people["tenure0"].to_numpy(dtype=float) + joins, 1)
    if model == "survival":
        stay = _stay_probability(curve, tenure_at_join, ahead)
    else:
        stay = np.exp(-rate * ahead / 365.0) if rate else np.ones(len(people))
    stay = 1 - (1 - stay) * (1 - cut)
    return np.where(joins <= d, stay, 0.0)


def _agent_curve(lake: Lake) -> pd.DataFrame:
    """The organisation's agents' delayed-entry retention curve by tenure (more data than
    any one scope; no person is shown): the same for every month and scope."""
    from analytics import survival

    ep = survival.episodes(lake, Scope.everything())
    ep = ep[ep["role"].isin(AGENT_ROLES)]
    return survival.kaplan_meier(ep["start"], ep["stop"], ep["left"])


def headcount_outlook(
    lake: Lake, as_of: date, scope: Scope, plan: ProjectionSettings, base_month: date, hire_queues=None
) -> pd.DataFrame:
    """Expected agents per queue and month after ``as_of``: ``agents_start``,
    ``expected_leavers`` (in the month), ``in_training`` and ``productive`` (mid-month;
    hired less than ``training_weeks`` ago counts as in training), for the plan as it
    stands (``scenario`` "expected") and the what-if (``scenario`` "what_if": extra
    hires on the first day, a share of leavers kept). Leavers come from the agents'
    delayed-entry retention curve by tenure (``survival``) or a flat annual rate."""
    agents = _agents_with_queue(lake, as_of, base_month, scope)
    agents["hire_date"] = pd.to_datetime(agents["hire_date"])
    # The curve is the organisation's agents' (more data than any one scope; no person is shown).
    curve = lake.cached(("coverage.agent_retention_curve",), lambda: _agent_curve(lake))
    rate = plan.annual_turnover
    if plan.leaver_model == "turnover" and rate is None:
        rate = observed_turnover(lake, as_of, scope.queue_level()) or 0.0
    train_days = plan.training_weeks * 7
    first = _next_month(_month_start(as_of))
    # Extra hires join the queues (``hire_queues``, default all) in proportion to today's agents.
    # (in queue order, so that equal remainders go to the same queues every time: the
    # agents query returns its rows in no fixed order)
    new_hire_queue = agents["queue"].value_counts().sort_index()
    if hire_queues is not None:
        new_hire_queue = new_hire_queue[new_hire_queue.index.isin(list(hire_queues))]
    rows: list[pd.DataFrame] = []
    for scenario, extra, cut in (("expected", 0, 0.0), ("what_if", plan.extra_hires, plan.attrition_cut)):
        people = agents[["queue"]].copy()
        people["tenure0"] = (pd.Timestamp(as_of) - agents["hire_date"]).dt.days.to_numpy(dtype=float) + 1
        people["start_offset"] = 0.0  # days after as_of they are on the books
        if extra:
            share = new_hire_queue / new_hire_queue.sum()
            counts = np.floor(share * extra).astype(int)
            rest = (share * extra - counts).sort_values(ascending=False, kind="stable")
            for q in rest.index[: extra - counts.sum()]:
                counts[q] += 1
            offset = float((pd.Timestamp(first) - pd.Timestamp(as_of)).days)
            new = pd.DataFrame(
                {
                    "queue": np.repeat(counts.index.to_numpy(), counts.to_numpy()),
                    "tenure0": -offset + 1,
                    "start_offset": offset,
                }
            )
            people = pd.concat([people, new], ignore_index=True)
        # Every month's per-person figures side by side, then one sum per month and queue.
        q_of = people["queue"].to_numpy()
        offsets = people["start_offset"].to_numpy(dtype=float)
        tenure0 = people["tenure0"].to_numpy(dtype=float)
        month, frames, months = first, [], []
        for i in range(plan.months):
            m_start = (pd.Timestamp(month) - pd.Timestamp(as_of)).days - 1  # days from as_of to the day before
            m_end = (pd.Timestamp(_month_end(month)) - pd.Timestamp(as_of)).days
            m_mid = (m_start + m_end) / 2
            p_start, p_end, p_mid = (
                _employed(people, d, curve, plan.leaver_model, rate, cut) for d in (max(m_start, 0), m_end, m_mid)
            )
            joined = (offsets <= m_end) & (offsets > m_start)
            trained = tenure0 + m_mid > train_days
            frames.append(
                pd.DataFrame(
                    {
                        "m": i,
                        "queue": q_of,
                        "agents_start": p_start,
                        "hires": joined,
                        "expected_leavers": np.where(joined, 1.0, p_start) - p_end,
                        "in_training": np.where(trained, 0.0, p_mid),
                        "productive": np.where(trained, p_mid, 0.0),
                    }
                )
            )
            months.append(month)
            month = _next_month(month)
        sums = pd.concat(frames, ignore_index=True).groupby(["m", "queue"], as_index=False).sum()
        sums["hires"] = sums["hires"].astype("int64")
        sums.insert(0, "scenario", scenario)
        sums.insert(2, "month", pd.Series([months[i] for i in sums["m"]], index=sums.index, dtype=object))
        rows.append(sums.drop(columns=["m"]))
    if not rows or all(r.empty for r in rows):
        return pd.DataFrame()
    return pd.concat(rows, ignore_index=True)[
        ["scenario", "queue", "month", "agents_start", "hires", "expected_leavers", "in_training", "productive"]
    ]


def _volume_index(lake: Lake, base_month: date, months: list[date], scope: Scope, settings: ServiceSettings) -> dict:
    """Per (queue, month): calls of the same month a year earlier over the calls of the
    base month a year earlier (the season), 1 where the data lack either month."""
    first = date(base_month.year - 1, base_month.month, 1)
    last = _month_end(date(months[-1].year - 1, months[-1].month, 1))
    df = calls.metrics(
        lake, Filters(start=first, end=last, direction="inbound"), scope.queue_level(), ("month", "queue"), settings
    )
    if df.empty:
        return {}
    df["month"] = pd.to_datetime(df["month"]).dt.date
    offered = df.set_index(["queue", "month"])["offered"].astype("float64")
    out = {}
    for q in df["queue"].unique():
        base = offered.get((q, first))
        for m in months:
            prior = offered.get((q, date(m.year - 1, m.month, 1)))
            ok = base is not None and prior is not None and base > 0 and not pd.isna(prior)
            out[(q, m)] = float(prior / base) if ok else 1.0
    return out


def attrition_projection(
    lake: Lake, as_of: date, scope: Scope, settings: ServiceSettings, plan: ProjectionSettings | None = None
) -> pd.DataFrame:
    """What the expected attrition does to service level, per queue and month.

    The base month is the last complete month up to ``as_of``; its load and staffing per
    queue, day type and time of day is the profile. For each month ahead: calls = the
    profile × the season (the same month a year earlier against the base month a year
    earlier); agents on the phones = the base month's staffing × productive agents of
    the month / productive agents today (expected leavers out, trainees in once trained).
    ``service_level`` is the model's figure at that staffing, ``service_level_base`` the
    same model at today's staffing on the month's calls (no attrition), ``model`` says
    which model (Erlang A with the queue's estimated caller patience, else Erlang C).
    One row per scenario ("expected", "what_if"), queue and month."""
    plan = plan or ProjectionSettings()
    base = _month_start(as_of) if as_of == _month_end(as_of) else _month_start(_month_start(as_of) - timedelta(days=1))
    key = ("coverage.attrition_projection", as_of, base, scope.centers, settings, plan)

    def compute() -> pd.DataFrame:
        # The whole organisation's, as of a month's last day with the default plan: precomputed at import.
        pre = None
        if scope.centers is None and plan == ProjectionSettings() and as_of == _month_end(as_of):
            pre = coverage_month.projection(lake, _month_start(as_of), settings, model_constants())
        return _attrition_projection(lake, as_of, base, scope, settings, plan) if pre is None else pre

    return lake.cached(key, compute)


def _attrition_projection(lake, as_of, base, scope, settings, plan) -> pd.DataFrame:
    profile = load_profile(lake, base, scope, settings)
    outlook = headcount_outlook(lake, as_of, scope, plan, base, hire_queues=profile["queue"].unique())
    if outlook.empty or profile.empty:
        return pd.DataFrame()
    patience = dict(zip(*caller_patience(lake, base, scope)[["queue", "patience_s"]].T.values))
    agents_now = _agents_with_queue(lake, as_of, base, scope)
    tenure = (pd.Timestamp(as_of) - pd.to_datetime(agents_now["hire_date"])).dt.days + 1
    productive_now = agents_now[tenure > plan.training_weeks * 7].groupby("queue").size().astype("float64")
    months = sorted(outlook["month"].unique())
    volume = _volume_index(lake, base, months, scope, settings)
    calls_per_queue = (profile["offered"] * profile["days"]).groupby(profile["queue"]).sum()
    done: dict = {}

    def service_levels(factor, v) -> pd.DataFrame:
        # The same staffing and calls give the same figures: e.g. the what-if without extra
        # hires or kept leavers, or months with the same season, are evaluated once.
        key = (None if factor is None else tuple(sorted(factor.items())), tuple(sorted(v.items())))
        if key not in done:
            done[key] = profile_service_level(profile, settings.answer_within_s, patience, factor, v).set_index("queue")
        return done[key]

    rows = []
    for m in months:
        v = {q: volume.get((q, m), 1.0) for q in profile["queue"].unique()}
        base_sl = service_levels(None, v)
        for scenario in ("expected", "what_if"):
            part = outlook[(outlook["month"] == m) & (outlook["scenario"] == scenario)].set_index("queue")
            now = productive_now.reindex(part.index)
            factor = (part["productive"] / now).where(now > 0).dropna().astype(float).to_dict()
            sl = service_levels(factor, v)
            # Queues without inbound calls (an outbound queue) have no service level.
            part = part[part.index.isin(calls_per_queue.index)]
            q = part.index.to_series(index=part.index)
            volume_q = q.map(v).astype(float).fillna(1.0)
            frame = part.drop(columns=["scenario", "month"])
            frame.insert(0, "scenario", scenario)
            frame.insert(1, "queue", q)
            frame.insert(2, "month", m)
            frame = frame.assign(
                productive_now=q.map(productive_now).astype(float).fillna(0.0),
                volume_index=volume_q,
                staff_factor=q.map(factor).astype(float),
                calls=q.map(calls_per_queue).astype(float) * volume_q,
                service_level=q.map(sl["service_level"]),
                service_level_base=q.map(base_sl["service_level"]),
                model=q.map(sl["model"]),
                patience_s=q.map(sl["patience_s"]),
            )
            rows.append(frame.reset_index(drop=True))
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    out["service_level_change"] = out["service_level"] - out["service_level_base"]
    out.attrs["base_month"] = base.isoformat()  # text: Streamlit serialises a frame's attrs as JSON
    return out


def projection_totals(proj: pd.DataFrame) -> pd.DataFrame:
    """All queues together per scenario and month: agents, leavers, trainees and the
    call-weighted service levels (``service_level`` with the month's staffing,
    ``service_level_base`` at today's staffing)."""
    if proj.empty:
        return proj
    w = proj.assign(sl_w=proj["service_level"] * proj["calls"], base_w=proj["service_level_base"] * proj["calls"])
    g = w.groupby(["scenario", "month"], as_index=False).agg(
        agents_start=("agents_start", "sum"),
        hires=("hires", "sum"),
        expected_leavers=("expected_leavers", "sum"),
        in_training=("in_training", "sum"),
        productive=("productive", "sum"),
        calls=("calls", "sum"),
        sl_w=("sl_w", "sum"),
        base_w=("base_w", "sum"),
    )
    g["service_level"] = g["sl_w"] / g["calls"]
    g["service_level_base"] = g["base_w"] / g["calls"]
    g["service_level_change"] = g["service_level"] - g["service_level_base"]
    return g.drop(columns=["sl_w", "base_w"])


def model_check(lake: Lake, month: date, scope: Scope, settings: ServiceSettings) -> pd.DataFrame:
    """How well each model reproduces a month that happened, per inbound queue:
    ``observed`` (calls answered within T / all offered, from the call records),
    ``erlang_a`` (with the queue's estimated caller patience) and ``erlang_c`` at the
    agents actually staffed, on the month's load profile; ``patience_s``. Erlang C
    ignores callers who hang up, so near capacity it predicts far worse service than
    the calls show; Erlang A is the model the projection uses where patience is known.
    Computed once per month, scope and settings."""
    key = ("coverage.model_check", month, scope.centers, settings)

    def compute() -> pd.DataFrame:
        pre = (
            None if scope.centers is not None else coverage_month.model_check(lake, month, settings, model_constants())
        )
        return _model_check(lake, month, scope, settings) if pre is None else pre

    return lake.cached(key, compute)


def _model_check(lake: Lake, month: date, scope: Scope, settings: ServiceSettings) -> pd.DataFrame:
    f = Filters(start=month, end=_month_end(month), direction="inbound")
    observed = calls.metrics(
        lake, f, scope.queue_level(), ("queue",), settings.with_(sl_formula="abandons_count_against")
    )
    profile = load_profile(lake, month, scope, settings)
    if profile.empty or observed.empty:
        return pd.DataFrame(columns=["queue", "offered", "observed", "erlang_a", "erlang_c", "patience_s"])
    pat = caller_patience(lake, month, scope)
    patience = dict(zip(pat["queue"], pat["patience_s"]))
    a = profile_service_level(profile, settings.answer_within_s, patience).set_index("queue")
    c = profile_service_level(profile, settings.answer_within_s, {}).set_index("queue")
    out = observed[["queue", "offered", "service_level"]].rename(columns={"service_level": "observed"})
    out = out[out["queue"].isin(a.index)]
    out["erlang_a"] = out["queue"].map(a["service_level"].where(a["model"] == "erlang_a"))
    out["erlang_c"] = out["queue"].map(c["service_level"])
    out["patience_s"] = out["queue"].map(patience)
    return out.reset_index(drop=True)
