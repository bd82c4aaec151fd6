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

import pandas as pd

from analytics import lake as lake_mod
from analytics import metrics as m
from analytics import schema
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
    keys = _key_exprs(by, ts)
    t, s, h = settings.answer_within_s, settings.short_abandon_s, settings.handle_target_s
    select = ", ".join(
        keys
        + [
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
    )
    group = " GROUP BY ALL" if by else ""
    sql = f"{cte}\nSELECT {select} FROM {source} WHERE {where}{group}"
    return sql, {**params, **wparams}


def _agent_sums(lake, filters, scope, by, settings, direction: bool = False) -> pd.DataFrame:
    """Sums over agent-days; ``direction`` keeps only agents whose main queue that day has
    the filters' direction (used beside queue sums, so both count the same work)."""
    cte, params = _sources(lake, filters, settings, "ad")
    where, wparams = _where(filters, scope, queue=True, team=True, agent=True, direction=direction)
    keys = _key_exprs(by, "day")
    h = settings.handle_target_s
    select = ", ".join(
        keys
        + [
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
    )
    group = " GROUP BY ALL" if by else ""
    sql = f"{cte}\nSELECT {select} FROM ad WHERE {where}{group}"
    return lake.query(sql, {**params, **wparams}, months=filters.months)


def metrics(
    lake: Lake, filters: Filters, scope: Scope, by=(), settings: m.ServiceSettings | None = None
) -> pd.DataFrame:
    """The metrics table: grouping columns (named as in ``by``), then ``metrics.LEADING``,
    then ``metrics.TRAILING``. Rates are fractions, durations seconds."""
    settings = settings or m.ServiceSettings()
    by = _check_by(by)
    if "agent" in by and not scope.individuals:
        raise PermissionError("this role sees aggregates only, not individual agents")
    # The finished table is kept too (same bounded cache as the queries): a page and the
    # monthly review ask for the same totals several times, and turning sums into 16
    # metrics costs more than fetching the sums.
    return lake.cached(
        ("calls.metrics", filters, scope, by, settings), lambda: _metrics(lake, filters, scope, by, settings)
    )


def _metrics(
    lake: Lake, filters: Filters, scope: Scope, by: tuple[str, ...], settings: m.ServiceSettings
) -> pd.DataFrame:
    agent_level = is_agent_level(filters, scope, by)
    sub_day = [g for g in by if g in SUB_DAY]
    if agent_level and sub_day:
        raise ValueError(
            f"team and agent figures go down to a day, not {sub_day[0]}: "
            "drop the team or agent, or pick a day, week or month"
        )
    keys = list(by)
    if agent_level:
        sums = _agent_sums(lake, filters, scope, by, settings)
        for col in m.SUM_COLUMNS:
            if col not in sums.columns:
                sums[col] = pd.NA
    else:
        sums = _queue_sums(lake, filters, scope, by, settings)
        if sub_day:
            sums["agent_days"] = pd.NA  # agent-days do not split into hours
        else:
            agents = _agent_sums(lake, filters, scope, by, settings, direction=True)[keys + ["agent_days"]]
            sums = (
                sums.merge(agents, on=keys, how="left")
                if keys
                else sums.assign(agent_days=agents["agent_days"].iloc[0] if len(agents) else pd.NA)
            )
    out = m.compute_all(sums, settings, keys, agent_level=agent_level)
    length = _GRAIN_SECONDS.get(sub_day[0]) if len(sub_day) == 1 else None
    if length and not agent_level:
        # Average agents signed in over the bucket: what staffing compares with the load.
        out["staffed_agents"] = pd.to_numeric(sums["staffed_s"], errors="coerce").astype("float64") / length
    if keys:
        out = out.sort_values(keys, ignore_index=True)
    return out


def totals(lake: Lake, filters: Filters, scope: Scope, settings: m.ServiceSettings | None = None) -> dict:
    """One row of metrics for the whole selection, as a dict (empty values as None)."""
    df = metrics(lake, filters, scope, (), settings)
    if df.empty:
        return {}
    row = df.iloc[0].to_dict()
    return {k: (None if pd.isna(v) else v) for k, v in row.items()}


def previous_period(filters: Filters) -> Filters:
    """The period to compare with: the previous calendar month when the period is one whole
    month, else the period of equal length just before it."""
    from datetime import timedelta

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
    settings = settings or m.ServiceSettings()
    cte, params = _sources(lake, filters, settings, "hh")
    where, wparams = _where(filters, scope, queue=True, team=False, agent=False, direction=True)
    sql = (
        f"{cte}\nSELECT category, bin_s, CAST(sum(calls) AS BIGINT) AS calls FROM hh WHERE {where} "
        "GROUP BY category, bin_s ORDER BY category, bin_s"
    )
    return lake.query(sql, {**params, **wparams}, months=filters.months)


def by_category(lake: Lake, filters: Filters, scope: Scope, settings: m.ServiceSettings | None = None) -> pd.DataFrame:
    """Handled calls, AHT and the share within the handle-time target, per category."""
    settings = settings or m.ServiceSettings()
    cte, params = _sources(lake, filters, settings, "hh")
    where, wparams = _where(filters, scope, queue=True, team=False, agent=False, direction=True)
    sql = (
        f"{cte}\nSELECT category, CAST(sum(calls) AS BIGINT) AS handled, "
        "(sum(talk_s) + coalesce(sum(hold_s), 0) + coalesce(sum(acw_s), 0)) / sum(calls) AS aht_s, "
        "sum(calls) FILTER (WHERE bin_s + $bin <= $target) / sum(calls) AS within_handle_target, "
        "sum(transferred) / sum(calls) AS transfer_rate "
        f"FROM hh WHERE {where} GROUP BY category ORDER BY category"
    )
    return lake.query(
        sql,
        {**params, **wparams, "bin": lake_mod.HANDLE_BIN_S, "target": settings.handle_target_s},
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
    cte, params = _sources(lake, filters, settings, "ad")
    where, wparams = _where(filters, scope, queue=True, team=True, agent=True)
    sql = f"""{cte},
per_agent AS (
  SELECT center, team, agent_id, count(*) FILTER (WHERE handled > 0) AS days,
    CAST(sum(handled) AS BIGINT) AS handled,
    (sum(talk_s) + coalesce(sum(hold_s), 0) + coalesce(sum(acw_s), 0)) / nullif(sum(handled), 0) AS aht_s,
    avg(handled) FILTER (WHERE handled > 0) AS daily_mean,
    stddev_samp(handled) FILTER (WHERE handled > 0) AS daily_sd
  FROM ad WHERE {where} GROUP BY center, team, agent_id),
team AS (
  SELECT team,
    (sum(talk_s) + coalesce(sum(hold_s), 0) + coalesce(sum(acw_s), 0)) / nullif(sum(handled), 0) AS team_aht_s
  FROM ad WHERE {where} GROUP BY team)
SELECT p.center, p.team, p.agent_id AS agent, e.name, e.hire_date,
  date_diff('day', e.hire_date, $end) AS tenure_days,
  p.days, p.handled, p.aht_s, t.team_aht_s, p.aht_s / t.team_aht_s AS aht_vs_team,
  p.daily_sd / nullif(p.daily_mean, 0) AS output_swing
FROM per_agent p LEFT JOIN team t USING (team)
LEFT JOIN employees e ON e.employee_id = p.agent_id
WHERE p.days >= $min_days
"""
    df = lake.query(sql, {**params, **wparams, "min_days": min_days}, months=filters.months)
    if df.empty:
        return df
    far = (df["aht_vs_team"] - 1).abs()
    reasons = []
    for f, swing, ten, ratio in zip(far, df["output_swing"], df["tenure_days"], df["aht_vs_team"]):
        r = []
        if pd.notna(f) and f >= 0.3:
            r.append("aht_long" if ratio > 1 else "aht_short")
        if pd.notna(swing) and swing >= 0.4:
            r.append("output_swings")
        if pd.notna(ten) and ten <= 30:
            r.append("new_agent")
        reasons.append(r)
    df["reasons"] = [",".join(r) for r in reasons]
    df["priority"] = far.fillna(0) + df["output_swing"].fillna(0) + (df["tenure_days"] <= 30).astype(float)
    df = df[df["reasons"] != ""]
    return df.sort_values("priority", ascending=False, ignore_index=True)


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
    settings = settings or m.ServiceSettings()
    cte, params = _sources(lake, filters, settings, "hh")
    where, wparams = _where(filters, scope, queue=True, team=False, agent=False, direction=True)
    cats = list(targets_s)
    sql = (
        f"{cte},\nt AS (SELECT unnest($cats::VARCHAR[]) AS category, unnest($targets::DOUBLE[]) AS target_s)\n"
        "SELECT hh.category, CAST(sum(calls) AS BIGINT) AS handled, "
        "(sum(talk_s) + coalesce(sum(hold_s), 0) + coalesce(sum(acw_s), 0)) / sum(calls) AS aht_s, "
        "any_value(t.target_s) AS target_s, "
        "sum(calls) FILTER (WHERE bin_s + $bin <= t.target_s) / sum(calls) AS within_category_target, "
        "CAST(sum(transferred) AS BIGINT) AS transferred, sum(transferred) / sum(calls) AS transfer_rate "
        f"FROM hh LEFT JOIN t ON t.category = hh.category WHERE {where} GROUP BY hh.category ORDER BY hh.category"
    )
    return lake.query(
        sql,
        {
            **params,
            **wparams,
            "bin": lake_mod.HANDLE_BIN_S,
            "cats": cats,
            "targets": [float(targets_s[c]) for c in cats],
        },
        months=filters.months,
    )


def satisfaction_by_queue(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per queue: mean CSAT (1-5) with the number of answers, and the share of answered
    calls resolved at the first contact among those where it is known. Raw calls of the
    period (no rollup keeps them); queue figures, so the scope's team limit does not apply."""
    # imported here: this block is appended to a file other changes also touch
    from analytics.access import scope_predicate

    pred, sparams = scope_predicate(scope.queue_level(), center="c.center", team=None)
    m0, m1 = filters.months
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
        {
            **sparams,
            "m0": m0,
            "m1": m1,
            "start": filters.start,
            "end": filters.end,
            "direction": filters.direction,
            "centers": list(filters.centers),
            "queues": list(filters.queues),
        },
        months=filters.months,
    )
