"""Workforce summary from the HR master (``employees``): headcount, hires, leavers and
annualised turnover by month.

Definitions (one place, the pages and the report print them):

- someone is employed on a day from ``hire_date`` through ``exit_date`` (their last day);
- headcount at month end = employed at the end of the month's last day, so a person
  whose last day is the 31st is a leaver of that month and not in its closing headcount;
- opening headcount = the previous month's closing headcount, hence
  opening + hires − leavers = closing;
- annualised turnover = leavers in the month / average headcount × 12, with the average
  headcount (opening + closing) / 2 (the usual monthly HR convention).

Teams are history-true: a person counts to the team they held on the day that matters
(``TEAM_PERIODS_SQL``, built on the rollups' ``lake.TEAM_SPANS_SQL``): headcount on a day
to the team held that day, a hire to the team joined, a leaver to the team held on the
last day. The Scope and the filters' teams select those dated teams, so a team leader sees
people while they were in the team. Within one team, opening + hires − leavers + net
transfers = closing (``turnover_by``'s ``transfers_net``: moves in minus moves out).
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from analytics.access import Scope, scope_predicate
from analytics.filters import Filters
from analytics.lake import TEAM_SPANS_SQL, Lake

# Each person's team over time, one row per period [valid_from, valid_to) with the person's
# HR master columns: the spans of ``lake.TEAM_SPANS_SQL`` (the ones the call and agent-day
# rollups use) and, before a person's first team event or for people without one, a period
# from the beginning (valid_from NULL) with the HR master's team, as in the rollups. The
# periods of a person never overlap, so a count over the periods held on a day counts
# each person once.
TEAM_PERIODS_SQL = (
    """
WITH spans AS ("""
    + TEAM_SPANS_SQL
    + """),
firsts AS (SELECT employee_id, min(valid_from) AS first_from FROM spans GROUP BY employee_id)
SELECT e.employee_id, e.center, s.team, e.role, e.hire_date, e.exit_date, e.exit_type, e.exit_reason,
       s.valid_from, s.valid_to
FROM employees e JOIN spans s ON s.employee_id = e.employee_id
UNION ALL
SELECT e.employee_id, e.center, e.team, e.role, e.hire_date, e.exit_date, e.exit_type, e.exit_reason,
       CAST(NULL AS DATE) AS valid_from, f.first_from AS valid_to
FROM employees e LEFT JOIN firsts f ON f.employee_id = e.employee_id
WHERE f.first_from IS NULL OR f.first_from > e.hire_date
"""
)


def held_on(day: str, alias: str = "p") -> str:
    """SQL: the team period ``alias`` covers ``day`` (a column or ``$parameter`` of the
    calling query, never user text)."""
    return (
        f"(({alias}.valid_from IS NULL OR {alias}.valid_from <= {day})"
        f" AND ({alias}.valid_to IS NULL OR {day} < {alias}.valid_to))"
    )


_SQL = (
    """
WITH months AS (
  SELECT CAST(m AS DATE) AS month, CAST(m - INTERVAL 1 DAY AS DATE) AS before_month,
    CAST(m + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE) AS month_end
  FROM range(CAST($m0 AS TIMESTAMP), CAST($m1 AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 1 MONTH) t(m)
),
p AS (
  SELECT * FROM ("""
    + TEAM_PERIODS_SQL
    + """) p
  WHERE (len($centers::VARCHAR[]) = 0 OR list_contains($centers::VARCHAR[], center))
    AND (len($teams::VARCHAR[]) = 0 OR list_contains($teams::VARCHAR[], team))
    AND {scope}
)
SELECT month{center},
  count(p.employee_id) FILTER (WHERE hire_date < month AND (exit_date IS NULL OR exit_date >= month)
    AND """
    + held_on("before_month")
    + """) AS headcount_start,
  count(p.employee_id) FILTER (WHERE hire_date <= month_end AND (exit_date IS NULL OR exit_date > month_end)
    AND """
    + held_on("month_end")
    + """) AS headcount_end,
  count(p.employee_id) FILTER (WHERE hire_date BETWEEN month AND month_end AND """
    + held_on("hire_date")
    + """) AS hires,
  count(p.employee_id) FILTER (WHERE exit_date BETWEEN month AND month_end AND """
    + held_on("exit_date")
    + """) AS leavers,
  count(p.employee_id) FILTER (WHERE exit_date BETWEEN month AND month_end AND exit_type = 'voluntary' AND """
    + held_on("exit_date")
    + """) AS leavers_voluntary,
  count(p.employee_id) FILTER (WHERE exit_date BETWEEN month AND month_end AND exit_type = 'involuntary' AND """
    + held_on("exit_date")
    + """) AS leavers_involuntary
FROM months LEFT JOIN p ON true
GROUP BY ALL ORDER BY ALL
"""
)

_COUNTS = ("headcount_start", "headcount_end", "hires", "leavers", "leavers_voluntary", "leavers_involuntary")


def monthly(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """One row per calendar month the period touches: ``month``, ``headcount_start``,
    ``headcount_end``, ``hires``, ``leavers`` (``leavers_voluntary``,
    ``leavers_involuntary``), ``avg_headcount`` and ``turnover_annualised`` (a fraction).
    Teams as held on each day (see the module's docstring): with a team limit, closing −
    opening − hires + leavers is the month's net transfers into the teams."""

    def finish() -> pd.DataFrame:
        if filters.centers and not filters.teams:
            df = _centers_summed(lake, filters, scope)
        else:
            df = lake.query(*_monthly_sql(filters, scope, by_center=False))
        for col in _COUNTS:
            df[col] = df[col].astype("int64")
        df["month"] = pd.to_datetime(df["month"]).astype("datetime64[us]")
        df["avg_headcount"] = (df["headcount_start"] + df["headcount_end"]) / 2
        df["turnover_annualised"] = (df["leavers"] / df["avg_headcount"] * 12).where(df["avg_headcount"] > 0)
        return df

    # The finished frame is cached, not only the statement's: the review reads the whole
    # history's months on every view (another month finds them), and the column work above
    # cost ~5 ms a view.
    return lake.cached(("workforce.monthly", filters, scope), finish)


def _monthly_sql(filters: Filters, scope: Scope, by_center: bool) -> tuple[str, dict]:
    scope_sql, scope_params = scope_predicate(scope, center="center", team="team")
    params = {
        "m0": filters.start.replace(day=1),
        "m1": filters.end.replace(day=1),
        "centers": list(filters.centers),
        "teams": list(filters.teams),
        **scope_params,
    }
    return _SQL.format(scope=scope_sql, center=", p.center" if by_center else ""), params


def _centers_summed(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """The counts of a selection of centers, summed from every center's months (read once
    per period and scope, cached): a person counts to their own center, so the counts add
    up over centers, and another center costs no statement (the team periods the counts
    are built on took ~20 ms a center at 52.5 M calls). Every month of the period is a row,
    zeros where the selection had nobody."""
    every = filters.with_(centers=())
    sums = lake.cached(("workforce.by_center", every, scope), lambda: lake.query(*_monthly_sql(every, scope, True)))
    months = pd.Index(sums["month"].drop_duplicates().sort_values(), name="month")
    rows = sums[sums["center"].isin(filters.centers)]
    return rows.groupby("month")[list(_COUNTS)].sum().reindex(months, fill_value=0).reset_index()


# The workforce metrics (headcount, hires, leavers, turnover) are defined in the one
# registry, analytics/metrics.py (area "workforce").


# --- turnover by group and tenure spells (the attrition page) ---------------------------------

# Groups a turnover breakdown may use; each maps to one SQL expression over ``e`` (the
# employees in scope, with the team's current leader and the tenure at the period's end).
TURNOVER_GROUPS = {
    "center": "center",
    "team": "team",
    "role": "role",
    "team_leader": "coalesce(team_leader, '-')",
    "tenure_band": "tenure_band",
    "hire_cohort": "CAST(year(hire_date) AS VARCHAR)",
}
TENURE_BANDS = ("0-90d", "90-365d", "1-3y", "3y+")

_TENURE_BAND_SQL = """CASE WHEN datediff('day', hire_date, least(coalesce(exit_date, $d1), $d1)) < 90 THEN '0-90d'
       WHEN datediff('day', hire_date, least(coalesce(exit_date, $d1), $d1)) < 365 THEN '90-365d'
       WHEN datediff('day', hire_date, least(coalesce(exit_date, $d1), $d1)) <= 1095 THEN '1-3y'
       ELSE '3y+' END"""

# The employees' team periods in scope, with the team's current leader and the tenure at
# the period's end: one row per person and team held (``held_on`` picks the day's row).
_PERIODS_SQL = (
    """
WITH leaders AS (
  -- the team's leader today (the employees table holds current roles)
  SELECT team, min(employee_id) AS team_leader FROM employees
  WHERE role = 'team_leader' AND exit_date IS NULL GROUP BY team
)
SELECT p.*, l.team_leader, {band} AS tenure_band
FROM ("""
    + TEAM_PERIODS_SQL
    + """) p LEFT JOIN leaders l USING (team)
WHERE (len($centers::VARCHAR[]) = 0 OR list_contains($centers::VARCHAR[], p.center))
  AND (len($teams::VARCHAR[]) = 0 OR list_contains($teams::VARCHAR[], p.team))
  AND {scope}
"""
)


def _periods_sql(scope: Scope) -> tuple[str, dict]:
    scope_sql, scope_params = scope_predicate(scope, center="p.center", team="p.team")
    return _PERIODS_SQL.format(band=_TENURE_BAND_SQL, scope=scope_sql), scope_params


def turnover_by(lake: Lake, filters: Filters, scope: Scope, by: str) -> pd.DataFrame:
    """Turnover over the filters' period per group ``by`` (a key of ``TURNOVER_GROUPS``):
    ``headcount_start``, ``headcount_end``, ``hires``, ``leavers``, ``leavers_voluntary``,
    ``leavers_involuntary``, ``avg_headcount`` and ``turnover_annualised`` = leavers /
    average headcount × 365 / days in the period. The tenure band is the tenure at the end
    of the period (or at exit). Groups smaller than ``scope.min_group`` (by average
    headcount) are left out, so a small group's leavers cannot be traced to a person.

    Teams are the ones held at the time: the opening headcount counts to the team held the
    day before the period, the closing to the team held on its last day, a hire to the team
    joined and a leaver to the team held on the last day worked; ``transfers_net`` is the
    moves in minus the moves out over the period."""
    if by not in TURNOVER_GROUPS:
        raise ValueError(f"cannot break turnover down by {by!r}; choose from {', '.join(TURNOVER_GROUPS)}")
    scope.require("hr")
    periods_sql, scope_params = _periods_sql(scope)
    start_day, end_day, hire_day, exit_day = (held_on(d, "e") for d in ("$d_before", "$d1", "hire_date", "exit_date"))
    sql = f"""
    WITH e AS ({periods_sql})
    SELECT {TURNOVER_GROUPS[by]} AS {by},
      count(*) FILTER (WHERE hire_date < $d0 AND (exit_date IS NULL OR exit_date >= $d0) AND {start_day})
        AS headcount_start,
      count(*) FILTER (WHERE hire_date <= $d1 AND (exit_date IS NULL OR exit_date > $d1) AND {end_day})
        AS headcount_end,
      count(*) FILTER (WHERE hire_date BETWEEN $d0 AND $d1 AND {hire_day}) AS hires,
      count(*) FILTER (WHERE exit_date BETWEEN $d0 AND $d1 AND {exit_day}) AS leavers,
      count(*) FILTER (WHERE exit_date BETWEEN $d0 AND $d1 AND exit_type = 'voluntary' AND {exit_day})
        AS leavers_voluntary,
      count(*) FILTER (WHERE exit_date BETWEEN $d0 AND $d1 AND exit_type = 'involuntary' AND {exit_day})
        AS leavers_involuntary
    FROM e GROUP BY ALL ORDER BY 1
    """  # the group expression and the held-on tests are fixed text of this module; values are bound
    params = {
        "d0": filters.start,
        "d_before": filters.start - timedelta(days=1),
        "d1": filters.end,
        "centers": list(filters.centers),
        "teams": list(filters.teams),
        **scope_params,
    }
    df = lake.query(sql, params)
    for col in _COUNTS:
        df[col] = df[col].astype("int64")
    df["transfers_net"] = df["headcount_end"] - df["headcount_start"] - df["hires"] + df["leavers"]
    days = (filters.end - filters.start).days + 1
    df["avg_headcount"] = (df["headcount_start"] + df["headcount_end"]) / 2
    df["turnover_annualised"] = (df["leavers"] / df["avg_headcount"] * 365 / days).where(df["avg_headcount"] > 0)
    df = df[df["avg_headcount"] >= scope.min_group]
    df[by] = df[by].astype("str")
    return df.reset_index(drop=True)


def leavers_by_reason(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Leavers in the period per ``exit_type`` and ``exit_reason`` with their ``share``;
    a leaver counts when the team held on the last day is in the filters and the scope."""
    scope.require("hr")
    periods_sql, scope_params = _periods_sql(scope)
    sql = (
        "WITH e AS ("
        + periods_sql
        + ") SELECT exit_type, exit_reason FROM e WHERE exit_date BETWEEN $d0 AND $d1 AND "
        + held_on("exit_date", "e")
    )
    params = {
        "d0": filters.start,
        "d1": filters.end,
        "centers": list(filters.centers),
        "teams": list(filters.teams),
        **scope_params,
    }
    df = lake.query(sql, params)
    out = (
        df.groupby(["exit_type", "exit_reason"], dropna=False)
        .size()
        .rename("leavers")
        .reset_index()
        .sort_values("leavers", ascending=False, ignore_index=True)
    )
    out["share"] = out["leavers"] / out["leavers"].sum() if len(out) else pd.Series(dtype="float64")
    if len(df) < scope.min_group:
        return out.iloc[0:0]
    return out
