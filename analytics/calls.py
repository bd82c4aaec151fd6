"""Call metrics by time, center, queue, team and agent.

Every function takes a Lake, Filters, a Scope and ServiceSettings and returns a small
DataFrame. The numbers come from the rollups when they hold what the settings need
(the service-level threshold, the short-abandon threshold and the handle-time target
are among the thresholds the rollups keep); otherwise the very same rollup query runs
over the raw calls of the period. Both paths feed the same final aggregation and the
same formulas in ``analytics.metrics``, and a test checks they agree.

Two kinds of sums:
- queue sums (offered, abandoned, service level...) belong to queues: a caller who
  hangs up in the queue never reaches an agent, so these are empty at team or agent
  level and the pages say so;
- agent sums (handled, handle time, agent-days, occupancy) come from the agent-day
  rollup and exist down to a day.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from analytics import lake as lake_mod
from analytics import metrics as m
from analytics import schema
from analytics import targets as targets_mod
from analytics.access import Scope, scope_predicate
from analytics.filters import Filters
from analytics.lake import Lake

SUB_DAY = ("interval15", "interval30", "hour", "hour_of_day")
_GRAIN_SECONDS = {"interval15": 900, "interval30": 1800, "hour": 3600}

_TIME_EXPR = {
    "interval15": "time_bucket(INTERVAL 15 MINUTE, {ts})",
    "interval30": "time_bucket(INTERVAL 30 MINUTE, {ts})",
    "hour": "date_trunc('hour', {ts})",
    "day": "CAST({ts} AS DATE)",
    "week": "CAST(date_trunc('week', {ts}) AS DATE)",
    "month": "CAST(date_trunc('month', {ts}) AS DATE)",
    "hour_of_day": "hour({ts})",
    "weekday": "isodow({ts})",
}
_DIM_EXPR = {"center": "center", "queue": "queue", "team": "team", "agent": "agent_id"}


def _key_exprs(by: tuple[str, ...], ts: str) -> list[str]:
    """SELECT expressions for the groupings; names come from the schema's allowlist."""
    out = []
    for g in by:
        if g not in schema.GROUPINGS:
            raise ValueError(f"cannot group by {g!r}; choose from {', '.join(schema.GROUPINGS)}")
        expr = _TIME_EXPR[g].format(ts=ts) if g in _TIME_EXPR else _DIM_EXPR[g]
        out.append(f"{expr} AS {g}")
    return out


def _check_by(by) -> tuple[str, ...]:
    by = tuple(dict.fromkeys(by))  # keep order, drop repeats
    for g in by:
        if g not in schema.GROUPINGS:
            raise ValueError(f"cannot group by {g!r}; choose from {', '.join(schema.GROUPINGS)}")
    return by


def is_agent_level(filters: Filters, scope: Scope, by) -> bool:
    return bool({"team", "agent"} & set(by)) or bool(filters.teams or filters.agents) or scope.limits_teams


def _uses_rollups(lake: Lake, settings: m.ServiceSettings) -> bool:
    return (
        lake.has_rollups()
        and settings.answer_within_s in lake_mod.WAIT_THRESHOLDS
        and settings.short_abandon_s in lake_mod.WAIT_THRESHOLDS
        and settings.handle_target_s in lake_mod.HANDLE_THRESHOLDS
    )


_ROLLUP_OF = {"qi": "queue_interval", "ad": "agent_day", "hh": "handle_hist"}


def _sources(lake: Lake, filters: Filters, settings: m.ServiceSettings, uses: str) -> tuple[str, dict]:
    """The CTE ``uses`` names, one of qi (queue x interval), qd (queue x day), ad (agent x
    day), hh (handle-time histogram), with what it is built from. Only what the query
    reads: DuckDB binds every CTE of a statement, which cost a third of a small page
    query when all four were always there."""
    m0, m1 = filters.months
    params = {"m0": m0, "m1": m1}
    rollups = _uses_rollups(lake, settings)
    if uses == "qd" and not (rollups and lake.has_rollups(("queue_day",))):
        qi, _ = _sources(lake, filters, settings, "qi")  # summed from the intervals
        if not rollups:
            params.update(start=filters.start, end=filters.end)
        return qi + ",\nqd AS (" + lake_mod.queue_day_sql("qi") + ")", params
    name = "queue_day" if uses == "qd" else _ROLLUP_OF[uses]
    if rollups:
        return f"WITH {uses} AS (SELECT * FROM rollup_{name} WHERE month BETWEEN $m0 AND $m1)", params
    where = "_month BETWEEN $m0 AND $m1 AND CAST(local_ts AS DATE) BETWEEN $start AND $end"
    waits = sorted({settings.answer_within_s, settings.short_abandon_s})
    handles = [settings.handle_target_s]
    params.update(start=filters.start, end=filters.end)
    return f"WITH {uses} AS ({lake_mod.rollup_sql(name, where, waits, handles)})", params


def _where(
    filters: Filters, scope: Scope, *, queue: bool, team: bool, agent: bool, direction: bool = False
) -> tuple[str, dict]:
    """The filter and scope predicate; every value is a bound parameter."""
    # Queue rows belong to no team: the scope's team limit applies only where rows have a team.
    scope_sql, scope_params = scope_predicate(scope, center="center", team="team" if team else None)
    preds = [
        "day BETWEEN $start AND $end",
        "(len($centers::VARCHAR[]) = 0 OR list_contains($centers::VARCHAR[], center))",
        scope_sql,
    ]
    params = {"start": filters.start, "end": filters.end, "centers": list(filters.centers), **scope_params}
    if queue:
        preds.append("(len($queues::VARCHAR[]) = 0 OR list_contains($queues::VARCHAR[], queue))")
        params["queues"] = list(filters.queues)
    if team:
        preds.append("(len($teams::VARCHAR[]) = 0 OR list_contains($teams::VARCHAR[], team))")
        params["teams"] = list(filters.teams)
    if agent:
        preds.append("(len($agents::VARCHAR[]) = 0 OR list_contains($agents::VARCHAR[], agent_id))")
        params["agents"] = list(filters.agents)
    if direction:
        preds.append("direction = $direction")
        params["direction"] = filters.direction
    return " AND ".join(preds), params


def _queue_sums(lake, filters, scope, by, settings) -> pd.DataFrame:
    sql, params = _queue_sums_sql(lake, filters, scope, by, settings)
    return lake.query(sql, params, months=filters.months)


def _queue_sums_sql(lake, filters, scope, by, settings) -> tuple[str, dict]:
    where, wparams = _where(filters, scope, queue=True, team=False, agent=False, direction=True)
    # Below a day the intervals are needed; otherwise the day rollup holds the same sums.
    source, ts = ("qi", "interval_start") if set(by) & set(SUB_DAY) else ("qd", "day")
    cte, params = _sources(lake, filters, settings, source)
    select = ", ".join(_key_exprs(by, ts) + _queue_sum_exprs(settings))
    group = " GROUP BY ALL" if by else ""
    sql = f"{cte}\nSELECT {select} FROM {source} WHERE {where}{group}"
    return sql, {**params, **wparams}


def _queue_sum_exprs(settings: m.ServiceSettings) -> list[str]:
    """The queue sums' SELECT expressions (rollup column names from the lake's fixed thresholds)."""
    t, s, h = settings.answer_within_s, settings.short_abandon_s, settings.handle_target_s
    return [
        "sum(offered) AS offered",
        "sum(answered) AS answered",
        "sum(abandoned) AS abandoned",
        f"sum(abandoned_le_{s}) AS short_abandoned",
        f"sum(answered_le_{t}) AS answered_within_t",
        f"sum(abandoned_le_{t}) AS abandoned_within_t",
        "sum(wait_answered_s) AS wait_answered_s",
        "sum(handled) AS handled",
        "sum(talk_s) AS talk_s",
        "sum(hold_s) AS hold_s",
        "sum(acw_s) AS acw_s",
        "sum(transferred) AS transferred",
        f"sum(handled_le_{h}) AS handled_within_target",
        "sum(staffed_s) AS staffed_s",
        "sum(available_s) AS available_s",
        "sum(handling_s) AS handling_s",
    ]


def _agent_sums(lake, filters, scope, by, settings, direction: bool = False) -> pd.DataFrame:
    """Sums over agent-days; ``direction`` keeps only agents whose main queue that day has
    the filters' direction (used beside queue sums, so both count the same work)."""
    cte, params = _sources(lake, filters, settings, "ad")
    where, wparams = _where(filters, scope, queue=True, team=True, agent=True, direction=direction)
    select = ", ".join(_key_exprs(by, "day") + _agent_sum_exprs(settings))
    group = " GROUP BY ALL" if by else ""
    sql = f"{cte}\nSELECT {select} FROM ad WHERE {where}{group}"
    return lake.query(sql, {**params, **wparams}, months=filters.months)


def _agent_sum_exprs(settings: m.ServiceSettings) -> list[str]:
    """The agent-day sums' SELECT expressions."""
    h = settings.handle_target_s
    return [
        "sum(handled) AS answered",
        "sum(wait_answered_s) AS wait_answered_s",
        "sum(handled) AS handled",
        "sum(talk_s) AS talk_s",
        "sum(hold_s) AS hold_s",
        "sum(acw_s) AS acw_s",
        "sum(transferred) AS transferred",
        f"sum(handled_le_{h}) AS handled_within_target",
        "sum(staffed_s) AS staffed_s",
        "sum(available_s) AS available_s",
        "sum(handling_s) AS handling_s",
        "count(*) FILTER (WHERE handled > 0 OR staffed_s > 0) AS agent_days",
    ]


def metrics(
    lake: Lake,
    filters: Filters,
    scope: Scope,
    by=(),
    settings: m.ServiceSettings | None = None,
    agent_days: bool = True,
) -> pd.DataFrame:
    """The metrics table: grouping columns (named as in ``by``), then ``metrics.LEADING``,
    then ``metrics.TRAILING``. Rates are fractions, durations seconds.

    ``agent_days=False``: a queue-level table without the agent-day figures (agent-days
    and answered per agent-day empty, as below a day), for callers that show none of
    them: it skips the agent-day rollup, the costlier of the two reads."""
    settings = settings or m.ServiceSettings()
    by = _check_by(by)
    _allowed(scope, by)
    # The finished table is kept too (same bounded cache as the queries): a page and the
    # monthly review ask for the same totals several times, and turning sums into 16
    # metrics costs more than fetching the sums.
    agent_level, sub_day, agent_days = _plan(filters, scope, by, agent_days)
    return lake.cached(
        _metrics_key(filters, scope, by, settings, agent_days),
        lambda: _metrics(lake, filters, scope, by, settings, agent_days),
    )


def _allowed(scope: Scope, by: tuple[str, ...]) -> None:
    if "agent" in by and not scope.individuals:
        raise PermissionError("this role sees aggregates only, not individual agents")


def _plan(filters: Filters, scope: Scope, by: tuple[str, ...], agent_days: bool) -> tuple[bool, list[str], bool]:
    """(agent level, sub-day groupings, whether queue sums get agent-days beside them)."""
    agent_level = is_agent_level(filters, scope, by)
    sub_day = [g for g in by if g in SUB_DAY]
    if agent_level and sub_day:
        raise ValueError(
            f"team and agent figures go down to a day, not {sub_day[0]}: "
            "drop the team or agent, or pick a day, week or month"
        )
    # Only a queue-level table of a day or longer has agent-days to leave out.
    return agent_level, sub_day, bool(agent_days or agent_level or sub_day)


def _metrics_key(filters: Filters, scope: Scope, by: tuple[str, ...], settings, agent_days: bool) -> tuple:
    key = ("calls.metrics", filters, scope, by, settings)
    return key if agent_days else (*key, "no_agent_days")


def _metrics(
    lake: Lake,
    filters: Filters,
    scope: Scope,
    by: tuple[str, ...],
    settings: m.ServiceSettings,
    agent_days: bool = True,
) -> pd.DataFrame:
    agent_level, sub_day, agent_days = _plan(filters, scope, by, agent_days)
    if agent_level:
        return _finish(_agent_sums(lake, filters, scope, by, settings), None, by, settings, True, sub_day)
    if _center_sliced(lake, filters, by, agent_days):
        return _finish(_center_slice(lake, filters, scope, by, settings), None, by, settings, False, sub_day)
    sums = _queue_sums(lake, filters, scope, by, settings)
    agents = None
    if not sub_day and agent_days:
        agents = _agent_sums(lake, filters, scope, by, settings, direction=True)
    return _finish(sums, agents, by, settings, False, sub_day)


def _finish(
    sums,
    agents,
    by: tuple[str, ...],
    settings: m.ServiceSettings,
    agent_level: bool,
    sub_day: list[str],
) -> pd.DataFrame:
    """The metrics table from the sums (queue sums with the agent-days of ``agents`` beside
    them, or agent sums): the one finishing step of ``metrics`` and ``metrics_many``.

    ``sums`` and ``agents`` are frames or dicts of column arrays. Worked on arrays and
    built as one frame at the end: a page makes 4-8 tables a view, and selecting, merging
    and sorting small frames cost ~4 ms a table, more than the formulas."""
    keys = list(by)
    cols = _columns(sums)
    n = len(next(iter(cols.values()))) if cols else 0
    if agent_level:
        for col in m.SUM_COLUMNS:
            if col not in cols:
                cols[col] = np.full(n, np.nan)
    elif agents is None:
        cols["agent_days"] = np.full(n, np.nan)  # agent-days do not split into hours (or were not asked for)
    else:
        cols["agent_days"] = _aligned(_columns(agents), cols, keys, "agent_days", n)
    order = _sort_order(cols, keys)
    if order is not None:
        cols = {k: v[order] for k, v in cols.items()}
    out = m.compute_all(cols, settings, keys, agent_level=agent_level)
    length = _GRAIN_SECONDS.get(sub_day[0]) if len(sub_day) == 1 else None
    if length and not agent_level:
        # Average agents signed in over the bucket: what staffing compares with the load.
        out["staffed_agents"] = m.floats(cols["staffed_s"]) / length
    return out


# --- a selection of centers' whole history, from every center's ------------------------------
#
# The monthly review (and the complaint rates by month) read a selection's whole history by
# month and queue (``history_span``): another month is then a cache hit, but another center
# was a new statement over the whole history (~30 ms at 52.5 M calls), and an executive
# moves between centers. Queue sums add up over centers, so the whole history is read once
# by center, month and queue (per scope and settings) and a selection of centers sums its
# rows: a few thousand rows, ~1 ms.
_CENTER_SLICE_BY = ("center", "month", "queue")


def _center_sliced(lake: Lake, filters: Filters, by: tuple[str, ...], agent_days: bool) -> bool:
    """Whether a queue-level table (no team or agent, day or longer) is read from every
    center's history: a selection of centers only, over ``history_span``, by month or
    queue, without agent-days (those are the agent-day rollup's)."""
    if not filters.centers or filters.queues or filters.teams or filters.agents or agent_days:
        return False
    if not set(by) <= set(_CENTER_SLICE_BY[1:]):
        return False
    span = history_span(lake, filters)
    return (filters.start, filters.end) == (span.start, span.end)


def _center_slice(lake: Lake, filters: Filters, scope: Scope, by: tuple[str, ...], settings) -> pd.DataFrame:
    """The queue sums of ``filters``' centers by ``by``, summed from every center's (cached)."""
    every = filters.with_(centers=(), grain="month")
    sums = lake.cached(
        ("calls.center_sums", every, scope, settings),
        lambda: _queue_sums(lake, every, scope, _CENTER_SLICE_BY, settings),
    )
    rows = sums[sums["center"].isin(filters.centers)]
    cols = [c for c in sums.columns if c not in _CENTER_SLICE_BY]
    if not by:  # one row, missing sums when nothing was selected (as SQL's sum over no rows)
        return pd.DataFrame({c: [rows[c].sum(min_count=1)] for c in cols})
    return rows.groupby(list(by), sort=False, dropna=False)[cols].sum(min_count=1).reset_index()


def _columns(frame) -> dict:
    """A frame's (or a dict's) columns as arrays, keeping pandas' key dtypes."""
    if isinstance(frame, pd.DataFrame):
        return {c: frame[c].array for c in frame.columns}
    return dict(frame)


def _aligned(other: dict, cols: dict, keys: list[str], column: str, n: int) -> np.ndarray:
    """``other[column]`` on the rows of ``cols`` with the same keys (NaN where none): a left
    join on unique keys. pandas' indexer matches missing keys as a merge does."""
    values = m.floats(other[column])
    if not keys:
        return np.full(n, values[0] if len(values) else np.nan)
    if len(keys) == 1:
        at = pd.Index(other[keys[0]]).get_indexer(pd.Index(cols[keys[0]]))
    else:
        at = pd.MultiIndex.from_arrays([other[k] for k in keys]).get_indexer(
            pd.MultiIndex.from_arrays([cols[k] for k in keys])
        )
    return np.append(values, np.nan)[at]  # -1 (no match) reads the NaN appended


def _sort_order(cols: dict, keys: list[str]) -> np.ndarray | None:
    """The row order of ``sort_values(keys)`` (missing keys last); None when there are no
    keys. The keys of a grouped table are unique, so any sort gives the same order."""
    if not keys:
        return None
    if len(keys) == 1:
        key = cols[keys[0]]
        return key.argsort(kind="stable") if isinstance(key, ExtensionArray) else np.argsort(key, kind="stable")
    frame = pd.DataFrame({k: cols[k] for k in keys})
    return frame.sort_values(keys).index.to_numpy()


# --- several metrics tables in one statement per source ----------------------------------------
#
# A page asks for 4-8 tables (totals now and before, a trend, per team...). Each is a small
# query of ~10 ms at 50 M calls, nearly all of it DuckDB's parse, bind and plan and reading
# the rollup's Parquet footers; the rows are a few thousand. ``metrics_many`` answers them
# together: per source (queue-day, queue-interval, agent-day rollup, or the raw calls when a
# threshold is not kept in the rollups), one statement: per filter a GROUPING SETS over
# the rows it selects, the filters' branches joined by UNION ALL over one CTE. Each table
# then goes through ``_finish`` and into the lake's cache under the key ``metrics`` uses.

_INT_KEYS = ("hour_of_day", "weekday")  # BIGINT keys: NULL in other grouping sets makes them nullable


def metrics_many(
    lake: Lake,
    requests,
    scope: Scope,
    settings: m.ServiceSettings | None = None,
    agent_days: bool = True,
) -> list[pd.DataFrame]:
    """``[metrics(lake, f, scope, by, settings, agent_days) for f, by in requests]``, with
    what is not cached yet read in one statement per source (see above). Each table is
    kept under the key ``metrics`` uses, so a later ``metrics`` call is a cache hit.

    ``requests``: ``(Filters, by)`` pairs. Filters whose months are more than one month
    apart are read by separate statements (one statement reads the months between)."""
    settings = settings or m.ServiceSettings()
    plans = []
    for filters, by in requests:
        by = _check_by(by)
        _allowed(scope, by)
        agent_level, sub_day, ad = _plan(filters, scope, by, agent_days)
        plans.append((filters, by, agent_level, sub_day, ad, _metrics_key(filters, scope, by, settings, ad)))
    # Tables summed from every center's history (see _center_sliced) are not batched.
    todo = {
        p[5]: p for p in plans if not lake.is_cached(p[5]) and not (not p[2] and _center_sliced(lake, p[0], p[1], p[4]))
    }
    statements = _batch_statements(lake, list(todo.values()), scope, settings)

    arrays: dict[int, dict] = {}  # each statement's result as column arrays, taken apart once

    def compute(plan) -> pd.DataFrame:
        filters, by, agent_level, sub_day, ad, key = plan
        if key not in todo:  # from every center's history, or cached before this call but dropped since
            return _metrics(lake, filters, scope, by, settings, ad)
        parts = {}
        for role, (stmt, branch, gid, cols) in statements[key].items():
            # The statement's result: run once, then a cache hit (which also records what
            # this table depends on), its columns split out once for all its tables.
            frame = lake.query(*stmt)
            col = arrays.get(id(stmt))  # the statements live as long as this call
            if col is None:
                col = arrays[id(stmt)] = {c: frame[c].array for c in frame.columns}
            rows = (np.asarray(col["_branch"]) == branch) & (np.asarray(col["_gid"]) == gid)
            part = {c: col[c][rows] for c in cols}
            for g in by:
                if g in _INT_KEYS:
                    part[g] = np.asarray(part[g], dtype="int64")
            parts[role] = part
        if agent_level:
            return _finish(parts["ad"], None, by, settings, True, sub_day)
        return _finish(parts["queue"], parts.get("ad"), by, settings, False, sub_day)

    return [lake.cached(p[5], lambda p=p: compute(p)) for p in plans]


def handle_time_requests(filters: Filters) -> list[tuple[Filters, tuple[str, ...]]]:
    """The metrics tables the handle-time page shows (its view and the bench ask for these)."""
    return [(filters, ()), (previous_period(filters), ()), (filters, (filters.grain,)), (filters, ("team",))]


def service_level_requests(filters: Filters) -> list[tuple[Filters, tuple[str, ...]]]:
    """The metrics tables the service-level page shows: totals now and before, the trend,
    the weekday x hour heat map, per queue and per day (to find the worst day). Its scope
    is queue level, so the queue table serves both sections that show one."""
    return [
        (filters, ()),
        (previous_period(filters), ()),
        (filters, (filters.grain,)),
        (filters, ("weekday", "hour_of_day")),
        (filters, ("queue",)),
        (filters, ("day",)),
    ]


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7])


def _batch_statements(lake: Lake, plans: list, scope: Scope, settings: m.ServiceSettings) -> dict:
    """key -> {"queue" | "ad": ((sql, params, months), branch, gid, columns)} for ``plans``."""
    # Branches: (source, the filters' selection, direction predicate) -> grouping sets, in order.
    branches: dict[tuple, list[tuple[str, ...]]] = {}
    uses: dict[tuple, dict[str, tuple]] = {}
    for filters, by, agent_level, sub_day, ad, key in plans:
        sel = filters.with_(grain="day")  # the grain does not select rows
        wanted = {}
        if agent_level:
            wanted["ad"] = ("ad", sel, False)
        else:
            wanted["queue"] = ("qi" if sub_day else "qd", sel, True)
            if not sub_day and ad:
                wanted["ad"] = ("ad", sel, True)
        for role, branch in wanted.items():
            sets = branches.setdefault(branch, [])
            if by not in sets:
                sets.append(by)
        uses[key] = wanted
    # Statements: per source, branches whose months touch or overlap go together.
    located: dict[tuple, tuple] = {}
    by_source: dict[str, list[tuple]] = {}
    for branch in branches:
        by_source.setdefault(branch[0], []).append(branch)
    for source, group in by_source.items():
        group.sort(key=lambda b: b[1].months)
        clusters: list[list[tuple]] = []
        last = None
        for b in group:
            m0, m1 = (_month_index(x) for x in b[1].months)
            if clusters and m0 <= last + 1:
                clusters[-1].append(b)
                last = max(last, m1)
            else:
                clusters.append([b])
                last = m1
        for cluster in clusters:
            stmt, ids = _statement(lake, source, cluster, branches, scope, settings)
            for b in cluster:
                located[b] = (stmt, *ids[b])
    out = {}
    for key, wanted in uses.items():
        out[key] = {}
        for role, branch in wanted.items():
            stmt, number, gids = located[branch]
            by = next(p[1] for p in plans if p[5] == key)
            cols = list(by) + [c for c in _sum_columns(branch[0]) if c not in by]
            out[key][role] = (stmt, number, gids[by], cols)
    return out


def _sum_columns(source: str) -> list[str]:
    """The sums' column names of a source (the aliases of its SELECT expressions)."""
    exprs = _agent_sum_exprs(m.ServiceSettings()) if source == "ad" else _queue_sum_exprs(m.ServiceSettings())
    return [e.rsplit(" AS ", 1)[1] for e in exprs]


def _statement(lake: Lake, source: str, cluster: list[tuple], branches: dict, scope: Scope, settings) -> tuple:
    """One statement for ``cluster`` (branches of one source): ((sql, params, months),
    {branch: (number, {by: grouping id})})."""
    start = min(b[1].start for b in cluster)
    end = max(b[1].end for b in cluster)
    span = cluster[0][1].with_(start=start, end=end)
    cte, params = _sources(lake, span, settings, source)
    ts = "interval_start" if source == "qi" else "day"
    sums = _agent_sum_exprs(settings) if source == "ad" else _queue_sum_exprs(settings)
    every_key = list(dict.fromkeys(g for b in cluster for by in branches[b] for g in by))
    parts, ids = [], {}
    for number, b in enumerate(cluster):
        _, sel, direction = b
        if source == "ad":
            where, wparams = _where(sel, scope, queue=True, team=True, agent=True, direction=direction)
        else:
            where, wparams = _where(sel, scope, queue=True, team=False, agent=False, direction=True)
        # Each branch's parameters get its number: values stay bound, names stay apart.
        where = re.sub(r"\$([a-z_0-9]+)", lambda mo, n=number: f"${mo.group(1)}_b{n}", where)
        params.update({f"{k}_b{number}": v for k, v in wparams.items()})
        sets = branches[b]
        keys = list(dict.fromkeys(g for by in sets for g in by))
        inner_keys = [e.rsplit(" AS ", 1)[0] + f" AS _k_{g}" for g, e in zip(keys, _key_exprs(tuple(keys), ts))]
        inner = "SELECT " + ", ".join([*inner_keys, "*"]) + f" FROM {source} WHERE {where}"
        outer_keys = [f"_k_{g} AS {g}" if g in keys else f"NULL AS {g}" for g in every_key]
        if keys:
            gid = "grouping(" + ", ".join(f"_k_{g}" for g in keys) + ")"
            group = (
                " GROUP BY GROUPING SETS ("
                + ", ".join("(" + ", ".join(f"_k_{g}" for g in by) + ")" for by in sets)
                + ")"
            )
        else:
            gid, group = "0", ""
        select = ", ".join([f"{number} AS _branch", f"{gid} AS _gid", *outer_keys, *sums])
        parts.append(f"SELECT {select} FROM ({inner}){group}")
        # GROUPING(): bit i (from the left, of len(keys)) set when keys[i] is not grouped.
        n = len(keys)
        ids[b] = (number, {by: sum(1 << (n - 1 - i) for i, g in enumerate(keys) if g not in by) for by in sets})
    sql = cte + "\n" + "\nUNION ALL\n".join(parts)
    return (sql, params, span.months), ids


def totals(
    lake: Lake, filters: Filters, scope: Scope, settings: m.ServiceSettings | None = None, agent_days: bool = True
) -> dict:
    """One row of metrics for the whole selection, as a dict (empty values as None);
    ``agent_days`` as in ``metrics``."""
    df = metrics(lake, filters, scope, (), settings, agent_days)
    if df.empty:
        return {}
    row = df.iloc[0].to_dict()
    return {k: (None if pd.isna(v) else v) for k, v in row.items()}


def history_span(lake: Lake, filters: Filters) -> Filters:
    """``filters`` over whole months from a year before the first month of calls to the last
    (and the filters' months when outside): the same span for any period inside. A table by
    month has the same row for a month whatever the span asked, so callers that show months
    (the review, the complaint rates by month) read this span once per selection and slice
    it: another month is a cache hit."""
    months = lake.months("calls")
    first, last = filters.start.replace(day=1), filters.end.replace(day=1)
    if months:
        y, mth = divmod(int(months[0][:4]) * 12 + int(months[0][5:7]) - 1 - 12, 12)
        first = min(first, date(y, mth + 1, 1))  # a year before the data: a review's trend
        last = max(last, date(int(months[-1][:4]), int(months[-1][5:7]), 1))
    y, mth = divmod(last.year * 12 + last.month, 12)
    return filters.with_(start=first, end=date(y, mth + 1, 1) - timedelta(days=1))


def whole_months(filters: Filters) -> bool:
    """Whether the period starts on a 1st and ends on a month's last day."""
    return filters.start.day == 1 and (filters.end + timedelta(days=1)).day == 1


def previous_period(filters: Filters) -> Filters:
    """The period to compare with: the previous calendar month when the period is one whole
    month, else the period of equal length just before it."""
    start, end = filters.start, filters.end
    month_end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if start.day == 1 and end == month_end:
        prev_end = start - timedelta(days=1)
        return filters.with_(start=prev_end.replace(day=1), end=prev_end)
    days = (end - start).days + 1
    return filters.with_(start=start - timedelta(days=days), end=start - timedelta(days=1))


def worst_intervals(
    lake: Lake,
    filters: Filters,
    scope: Scope,
    settings: m.ServiceSettings | None = None,
    n: int = 15,
    min_offered: int = 10,
) -> pd.DataFrame:
    """The 15-minute intervals per queue with the lowest service level (enough calls to matter).

    Ranked inside the query (``metrics.service_level_sql``, the same formula as the
    registry's): a month of a large group is a few hundred thousand queue-intervals, and
    only ``n`` of them leave DuckDB."""
    settings = settings or m.ServiceSettings()
    by = ("interval15", "queue")
    sums_sql, params = _queue_sums_sql(lake, filters.with_(teams=(), agents=()), scope.queue_level(), by, settings)
    sql = (
        "SELECT * FROM ("
        + sums_sql
        + ") WHERE offered >= $min_offered ORDER BY "
        + m.service_level_sql(settings)
        + " ASC NULLS LAST, offered DESC, interval15, queue LIMIT $n"
    )
    sums = lake.query(sql, {**params, "min_offered": int(min_offered), "n": int(n)}, months=filters.months)
    sums["agent_days"] = pd.NA  # agent-days do not split into intervals
    out = m.compute_all(sums, settings, list(by))
    out["staffed_agents"] = (
        pd.to_numeric(sums["staffed_s"], errors="coerce").astype("float64") / _GRAIN_SECONDS["interval15"]
    )
    return out


def handle_time_distribution(
    lake: Lake, filters: Filters, scope: Scope, settings: m.ServiceSettings | None = None
) -> pd.DataFrame:
    """Calls handled per 30-second handle-time bin and category (the last bin is open-ended)."""
    return _hist_table(lake, filters, scope, targets_mod.handle_targets(lake.root), settings, "distribution")


def by_category(lake: Lake, filters: Filters, scope: Scope, settings: m.ServiceSettings | None = None) -> pd.DataFrame:
    """Handled calls, AHT and the share within the handle-time target, per category."""
    return _hist_table(lake, filters, scope, targets_mod.handle_targets(lake.root), settings, "by_category")


_HIST_TABLES = {
    "distribution": (0, ["category", "bin_s", "calls"], ["category", "bin_s"]),
    "by_category": (1, ["category", "handled", "aht_s", "within_handle_target", "transfer_rate"], ["category"]),
    "by_category_targets": (
        1,
        ["category", "handled", "aht_s", "target_s", "within_category_target", "transferred", "transfer_rate"],
        ["category"],
    ),
}


def handle_tables(
    lake: Lake, filters: Filters, scope: Scope, targets_s: dict[str, int], settings: m.ServiceSettings | None = None
) -> dict[str, pd.DataFrame]:
    """The handle-time histogram's three tables from one statement over it (GROUPING SETS by
    category and bin, and by category): ``distribution`` (calls per category and 30-second
    bin), ``by_category`` (handled, AHT, share within the handle-time target, transfer
    rate) and ``by_category_targets`` (see ``by_category_targets``)."""
    return {name: _hist_table(lake, filters, scope, targets_s, settings, name) for name in _HIST_TABLES}


def _hist_table(lake, filters, scope, targets_s, settings, name: str) -> pd.DataFrame:
    """One of ``handle_tables``, kept in the lake's cache (a repeat view costs a lookup)."""
    settings = settings or m.ServiceSettings()
    key = ("calls.handle_tables", name, filters, scope, settings, tuple(sorted(targets_s.items())))
    gid, cols, order = _HIST_TABLES[name]

    def split() -> pd.DataFrame:
        both = _hist_both(lake, filters, scope, targets_s, settings)
        rows = both[both["_gid"].to_numpy() == gid]
        # Column by column ("handled" is a category's calls): renaming and assigning on the
        # whole frame first cost twice as much, three tables a view.
        out = pd.DataFrame({c: rows["calls" if c == "handled" else c].array for c in cols})
        return out.sort_values(order, ignore_index=True)

    return lake.cached(key, split)


def _hist_both(lake, filters, scope, targets_s, settings) -> pd.DataFrame:
    cte, params = _sources(lake, filters, settings, "hh")
    where, wparams = _where(filters, scope, queue=True, team=False, agent=False, direction=True)
    cats = list(targets_s)
    sql = (
        f"{cte},\nt AS (SELECT unnest($cats::VARCHAR[]) AS category, unnest($targets::DOUBLE[]) AS target_s)\n"
        "SELECT grouping(hh.category, bin_s) AS _gid, hh.category AS category, bin_s, "
        "CAST(sum(calls) AS BIGINT) AS calls, "
        "(sum(talk_s) + coalesce(sum(hold_s), 0) + coalesce(sum(acw_s), 0)) / sum(calls) AS aht_s, "
        "sum(calls) FILTER (WHERE bin_s + $bin <= $target) / sum(calls) AS within_handle_target, "
        "any_value(t.target_s) AS target_s, "
        "sum(calls) FILTER (WHERE bin_s + $bin <= t.target_s) / sum(calls) AS within_category_target, "
        "CAST(sum(transferred) AS BIGINT) AS transferred, sum(transferred) / sum(calls) AS transfer_rate "
        f"FROM hh LEFT JOIN t ON t.category = hh.category WHERE {where} "
        "GROUP BY GROUPING SETS ((hh.category, bin_s), (hh.category))"
    )
    return lake.query(
        sql,
        {
            **params,
            **wparams,
            "bin": lake_mod.HANDLE_BIN_S,
            "target": settings.handle_target_s,
            "cats": cats,
            "targets": [float(targets_s[c]) for c in cats],
        },
        months=filters.months,
    )


def agents_to_review(
    lake: Lake, filters: Filters, scope: Scope, settings: m.ServiceSettings | None = None, min_days: int = 3
) -> pd.DataFrame:
    """Agents a quality inspector should listen to (DOMAIN.md, 质检):

    - handle time far from their team's (ratio of the agent's AHT to the team's);
    - output that swings from day to day (coefficient of variation of daily handled calls);
    - new agents in their first 30 days.
    """
    if not scope.individuals:
        raise PermissionError("this role sees aggregates only, not individual agents")
    settings = settings or m.ServiceSettings()
    # Kept whole in the lake's cache: the handle-time and quality pages ask on every rerun.
    df = lake.cached(
        ("calls.agents_with_team_aht", filters, scope, settings),
        lambda: _agents_with_team_aht(lake, filters, scope, settings),
    )
    df = df[df["days"] >= min_days].reset_index(drop=True)
    if df.empty:
        return df
    # The rules as column masks (a missing value meets none), then the words for the few
    # rows that meet one: a loop over every agent cost ~20 ms a view at 52.5 M calls.
    ratio = df["aht_vs_team"]
    far = (ratio - 1).abs()
    rules = {
        "aht_long": (far >= 0.3) & (ratio > 1),
        "aht_short": (far >= 0.3) & (ratio <= 1),
        "output_swings": df["output_swing"] >= 0.4,
        "new_agent": df["tenure_days"] <= 30,
    }
    rules = {k: v.fillna(False).to_numpy(dtype=bool) for k, v in rules.items()}
    df["priority"] = far.fillna(0) + df["output_swing"].fillna(0) + rules["new_agent"]
    keep = np.logical_or.reduce(list(rules.values()))
    df = df[keep]
    met = [v[keep] for v in rules.values()]
    df["reasons"] = [",".join(k for k, hit in zip(rules, row) if hit) for row in zip(*met)]
    return df.sort_values("priority", ascending=False, ignore_index=True)


def _agents_with_team_aht(lake: Lake, filters: Filters, scope: Scope, settings: m.ServiceSettings) -> pd.DataFrame:
    """Per agent (and center and team) of ``filters``: days with calls handled, calls
    handled, AHT, the team's AHT, the day-to-day swing of calls handled (standard deviation
    over mean, over the days with calls), name, hire date and tenure at the period's end.

    One grouping of the agent-day rows, with no join: the team's AHT is summed from its
    agents' rows and names are looked up in the employees held in memory. The statement
    with a second grouping for the teams and a join to the employees took 11-14 ms a view
    at 52.5 M calls, nearly all of it DuckDB's planning; this one takes 7-8 ms."""
    cte, params = _sources(lake, filters, settings, "ad")
    where, wparams = _where(filters, scope, queue=True, team=True, agent=True)
    sql = f"""{cte}
SELECT center, team, agent_id AS agent, count(*) FILTER (WHERE handled > 0) AS days,
  CAST(sum(handled) AS BIGINT) AS handled, sum(talk_s) AS talk_s, sum(hold_s) AS hold_s, sum(acw_s) AS acw_s,
  CAST(sum(CAST(handled AS BIGINT) * handled) AS BIGINT) AS handled_sq
FROM ad WHERE {where} GROUP BY center, team, agent_id"""
    sums = lake.query(sql, {**params, **wparams}, months=filters.months)
    # On arrays: the same steps on Series and a group-by cost ~6 ms a view, the planning saved.
    talk, hold, acw, handled = (m.floats(sums[c]) for c in ("talk_s", "hold_s", "acw_s", "handled"))
    with np.errstate(divide="ignore", invalid="ignore"):
        # As SQL: hold and ACW missing count 0 beside the talk time; no calls, no AHT.
        aht = (talk + np.nan_to_num(hold) + np.nan_to_num(acw)) / np.where(handled != 0, handled, np.nan)
        # An agent without a team has no team AHT to be compared with (code -1 reads the NaN appended).
        team, teams = pd.factorize(sums["team"])
        t_talk, t_hold, t_acw, t_handled = (_group_sum(x, team, len(teams)) for x in (talk, hold, acw, handled))
        t_aht = (t_talk + np.nan_to_num(t_hold) + np.nan_to_num(t_acw)) / np.where(t_handled != 0, t_handled, np.nan)
        team_aht = np.append(t_aht, np.nan)[team]
        # The sample standard deviation of calls handled over the days with some, from whole-number
        # sums whose numerator n * sum(h^2) - sum(h)^2 is exact (days with 0 calls add nothing).
        n = sums["days"].to_numpy(dtype="int64")
        total = sums["handled"].fillna(0).to_numpy(dtype="int64")
        squares = sums["handled_sq"].fillna(0).to_numpy(dtype="int64")
        sd = np.sqrt(np.where(n >= 2, (n * squares - total * total) / (n * (n - 1.0)), np.nan))
        mean = total / np.where(n >= 1, n, np.nan)
        swing = sd / np.where(mean != 0, mean, np.nan)
    people = lake.query(_PEOPLE_SQL)
    # The employees' index kept beside them (immutable, hashed once): building it cost ~1.5 ms a
    # view. Its compute asks the lake itself, so an import of employees drops it too.
    at = lake.cached(("calls.people_index",), lambda: pd.Index(lake.query(_PEOPLE_SQL)["employee_id"]))
    at = at.get_indexer(sums["agent"])
    hire = people["hire_date"].array.take(at, allow_fill=True)
    return pd.DataFrame(
        {
            "center": sums["center"].array,
            "team": sums["team"].array,
            "agent": sums["agent"].array,
            "name": people["name"].array.take(at, allow_fill=True),
            "hire_date": hire,
            "tenure_days": (pd.Timestamp(filters.end).to_datetime64() - hire).days,  # NaN without a hire date
            "days": sums["days"].array,
            "handled": sums["handled"].array,
            "aht_s": aht,
            "team_aht_s": team_aht,
            "aht_vs_team": aht / team_aht,
            "output_swing": swing,
        }
    )


_PEOPLE_SQL = "SELECT employee_id, name, hire_date FROM employees"


def _group_sum(x: np.ndarray, group: np.ndarray, k: int) -> np.ndarray:
    """SQL's sum of ``x`` per group (codes 0..k-1; -1, no group, left out): missing values
    skipped, missing where all are."""
    keep = group >= 0
    x, group = x[keep], group[keep]
    known = ~np.isnan(x)
    total = np.bincount(group, weights=np.where(known, x, 0.0), minlength=k)
    return np.where(np.bincount(group, weights=known, minlength=k) > 0, total, np.nan)


_PERIOD_FROM_DAY_ROLLUP_SQL = (
    "SELECT min(day) FILTER (WHERE offered > 0) AS first_day, "
    "max(day) FILTER (WHERE offered > 0) AS last_day FROM rollup_queue_day "
    "WHERE month IN ($m0, $m1)"
)
_PERIOD_FROM_CALLS_SQL = (
    "SELECT min(CAST(timezone(z.timezone, arrived_at) AS DATE)) AS first_day, "
    "max(CAST(timezone(z.timezone, arrived_at) AS DATE)) AS last_day "
    "FROM calls c JOIN centers z USING (center) WHERE c._month IN ($m0, $m1)"
)


def place_names(opts: dict, lang_: str) -> dict[str, dict]:
    """{"queue": {code: name}, "center": {code: name}} from ``calls.filter_options``, in
    ``lang_`` (the code where a name is missing): the pages, the review's written summary
    and its file name queues and centers the same way."""
    col = "name_zh" if lang_ == "zh" else "name_en"
    out = {}
    # Column lists, not row dicts: every table with a queue or center column asks this on
    # each draw, and records of 150 queues (with a count per name) cost ~9 ms a call.
    for kind, key in (("queues", "queue"), ("centers", "center")):
        df = opts.get(kind)
        if df is None:
            continue
        codes = df[key].tolist()
        names = df[col].tolist() if col in df.columns else [None] * len(codes)
        out[key] = {c: (n if isinstance(n, str) and n else c) for c, n in zip(codes, names)}
    queues = opts.get("queues")
    if queues is not None and "center" in queues.columns and len(queues):
        # Two centers often run a queue of the same name (纳税申报咨询 in both): name the
        # center too, by the first word of its name (杭州 / Hangzhou), so rows stay apart.
        names = out["queue"]
        counts = Counter(names.values())
        centre = {c: n.split()[0] for c, n in out.get("center", {}).items() if n.strip()}
        for code, center in zip(queues["queue"].tolist(), queues["center"].tolist()):
            if counts[names[code]] > 1 and center in centre:
                c = centre[center]
                names[code] += f"（{c}）" if lang_ == "zh" else f" ({c})"
        # Still the same name (centers of one city: 杭州 twice): the code too. A chart draws one
        # bar per name, so two queues of one name were drawn as one bar of both their rates.
        counts = Counter(names.values())
        for code, name in names.items():
            if counts[name] > 1:
                names[code] = name + (f"（{code}）" if lang_ == "zh" else f" ({code})")
    return out


def filter_options(lake: Lake, scope: Scope) -> dict:
    """Codes and names a user may pick from, within their scope, and the data's period:
    ``centers``, ``queues``, ``teams`` and ``agents`` (empty for aggregate-only roles)
    frames, ``first_day`` and ``last_day``."""
    p = {"scope_centers": list(scope.centers) if scope.centers is not None else None}
    centers = lake.query(
        "SELECT center, name_zh, name_en FROM centers WHERE "
        "($scope_centers::VARCHAR[] IS NULL OR list_contains($scope_centers::VARCHAR[], center)) ORDER BY center",
        p,
    )
    queues = lake.query(
        "SELECT queue, center, name_zh, name_en, direction FROM queues WHERE "
        "($scope_centers::VARCHAR[] IS NULL OR list_contains($scope_centers::VARCHAR[], center)) "
        "ORDER BY center, queue",
        p,
    )
    team_p = {**p, "scope_teams": list(scope.teams) if scope.teams is not None else None}
    teams = lake.query(
        "SELECT DISTINCT team, center FROM employees WHERE team IS NOT NULL "
        "AND ($scope_centers::VARCHAR[] IS NULL OR list_contains($scope_centers::VARCHAR[], center)) "
        "AND ($scope_teams::VARCHAR[] IS NULL OR list_contains($scope_teams::VARCHAR[], team)) ORDER BY team",
        team_p,
    )
    # Agents are offered only to roles that may see individuals, and only within the
    # scope's centers and teams (a team leader is offered its own teams' agents).
    agents = lake.query(
        "SELECT employee_id AS agent, name, team, center FROM employees WHERE team IS NOT NULL "
        "AND $individuals "
        "AND ($scope_centers::VARCHAR[] IS NULL OR list_contains($scope_centers::VARCHAR[], center)) "
        "AND ($scope_teams::VARCHAR[] IS NULL OR list_contains($scope_teams::VARCHAR[], team)) "
        "ORDER BY team, employee_id",
        {**team_p, "individuals": bool(scope.individuals)},
    )
    # Partitions are center-local months, so the first and last days are in the first and
    # last partitions: reading those two (not all history) keeps every page's first draw
    # quick on a large dataset.
    months = lake.months("calls")
    first = last = None
    if months:
        # The day rollup of those months when there is one: thousands of rows, not millions of calls.
        sql = _PERIOD_FROM_DAY_ROLLUP_SQL if lake.has_rollups(("queue_day",)) else _PERIOD_FROM_CALLS_SQL
        period = lake.query(sql, {"m0": months[0], "m1": months[-1]}, months=(months[0], months[-1]))
        first, last = period["first_day"].iloc[0], period["last_day"].iloc[0]
    return {
        "centers": centers,
        "queues": queues,
        "teams": teams,
        "agents": agents,
        "first_day": None if pd.isna(first) else pd.Timestamp(first).date(),
        "last_day": None if pd.isna(last) else pd.Timestamp(last).date(),
    }


# --- per-category handle targets, CSAT and first-contact resolution (issue 17) ----------------


def by_category_targets(
    lake: Lake, filters: Filters, scope: Scope, targets_s: dict[str, int], settings: m.ServiceSettings | None = None
) -> pd.DataFrame:
    """Per call category: handled, AHT, the category's own handle-time target, the share
    handled within it and the share transferred to the specialist line (问题专线).

    Counted from the 30-second handle-time histogram: a call is within the target when its
    bin ends at or before it (targets are whole multiples of the bin in the defaults)."""
    return _hist_table(lake, filters, scope, targets_s, settings, "by_category_targets")


def satisfaction_by_queue(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per queue: mean CSAT (1-5) with the number of answers, and the share of answered
    calls resolved at the first contact among those where it is known. From the day rollup
    (rollup format 4 keeps the answered calls' CSAT and resolution sums), else the raw calls
    of the period; queue figures, so the scope's team limit does not apply."""
    # imported here: this block is appended to a file other changes also touch
    from analytics.access import scope_predicate

    pred, sparams = scope_predicate(scope.queue_level(), center="c.center", team=None)
    m0, m1 = filters.months
    params = {
        **sparams,
        "m0": m0,
        "m1": m1,
        "start": filters.start,
        "end": filters.end,
        "direction": filters.direction,
        "centers": list(filters.centers),
        "queues": list(filters.queues),
    }
    if lake.has_rollups(("queue_day",), min_format=4):
        # The same calls: the rollup's day is the call's local day, its direction coalesced.
        return lake.query(
            """
SELECT c.queue, CAST(sum(c.answered) AS BIGINT) AS answered, sum(c.csat_sum) / nullif(sum(c.csat_n), 0) AS csat,
  CAST(sum(c.csat_n) AS BIGINT) AS csat_answers, sum(c.fcr_yes) / nullif(sum(c.fcr_n), 0) AS fcr,
  CAST(sum(c.fcr_n) AS BIGINT) AS fcr_known
FROM rollup_queue_day c
WHERE c.month BETWEEN $m0 AND $m1 AND c.direction = $direction AND c.day BETWEEN $start AND $end
  AND (len($centers::VARCHAR[]) = 0 OR list_contains($centers::VARCHAR[], c.center))
  AND (len($queues::VARCHAR[]) = 0 OR list_contains($queues::VARCHAR[], c.queue))
  AND """
            + pred
            + """
GROUP BY c.queue HAVING sum(c.answered) > 0 ORDER BY c.queue""",
            params,
            months=filters.months,
        )
    return lake.query(
        """
SELECT c.queue, count(*) AS answered, avg(c.csat) AS csat, count(c.csat) AS csat_answers,
  avg(CAST(c.resolved_first_contact AS INTEGER)) AS fcr, count(c.resolved_first_contact) AS fcr_known
FROM calls c JOIN centers z ON z.center = c.center
WHERE c._month BETWEEN $m0 AND $m1 AND c.answered_at IS NOT NULL
  AND coalesce(c.direction, 'inbound') = $direction
  AND CAST(timezone(z.timezone, c.arrived_at) AS DATE) BETWEEN $start AND $end
  AND (len($centers::VARCHAR[]) = 0 OR list_contains($centers::VARCHAR[], c.center))
  AND (len($queues::VARCHAR[]) = 0 OR list_contains($queues::VARCHAR[], c.queue))
  AND """
        + pred
        + """
GROUP BY c.queue ORDER BY c.queue""",
        params,
        months=filters.months,
    )
