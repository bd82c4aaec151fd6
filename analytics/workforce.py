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

The Scope and the filters' centers and teams apply to the person's center and current (or
last) team, as the employees table records them; moves between teams are in
``role_events`` for the HR pages that need them.
"""

from __future__ import annotations

import pandas as pd

from analytics.access import Scope, scope_predicate
from analytics.filters import Filters
from analytics.lake import Lake

_SQL = """
WITH months AS (
  SELECT CAST(m AS DATE) AS month, CAST(m + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE) AS month_end
  FROM range(CAST($m0 AS TIMESTAMP), CAST($m1 AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 1 MONTH) t(m)
),
e AS (
  SELECT employee_id, hire_date, exit_date, exit_type FROM employees
  WHERE (len($centers::VARCHAR[]) = 0 OR list_contains($centers::VARCHAR[], center))
    AND (len($teams::VARCHAR[]) = 0 OR list_contains($teams::VARCHAR[], team))
    AND {scope}
)
SELECT month,
  count(e.employee_id) FILTER (WHERE hire_date < month AND (exit_date IS NULL OR exit_date >= month))
    AS headcount_start,
  count(e.employee_id) FILTER (WHERE hire_date <= month_end AND (exit_date IS NULL OR exit_date > month_end))
    AS headcount_end,
  count(e.employee_id) FILTER (WHERE hire_date BETWEEN month AND month_end) AS hires,
  count(e.employee_id) FILTER (WHERE exit_date BETWEEN month AND month_end) AS leavers,
  count(e.employee_id) FILTER (WHERE exit_date BETWEEN month AND month_end AND exit_type = 'voluntary')
    AS leavers_voluntary,
  count(e.employee_id) FILTER (WHERE exit_date BETWEEN month AND month_end AND exit_type = 'involuntary')
    AS leavers_involuntary
FROM months LEFT JOIN e ON true
GROUP BY month ORDER BY month
"""


def monthly(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """One row per calendar month the period touches: ``month``, ``headcount_start``,
    ``headcount_end``, ``hires``, ``leavers`` (``leavers_voluntary``,
    ``leavers_involuntary``), ``avg_headcount`` and ``turnover_annualised`` (a fraction)."""
    scope_sql, scope_params = scope_predicate(scope, center="center", team="team")
    params = {
        "m0": filters.start.replace(day=1),
        "m1": filters.end.replace(day=1),
        "centers": list(filters.centers),
        "teams": list(filters.teams),
        **scope_params,
    }
    df = lake.query(_SQL.format(scope=scope_sql), params)
    for col in ("headcount_start", "headcount_end", "hires", "leavers", "leavers_voluntary", "leavers_involuntary"):
        df[col] = df[col].astype("int64")
    df["month"] = pd.to_datetime(df["month"]).astype("datetime64[us]")
    df["avg_headcount"] = (df["headcount_start"] + df["headcount_end"]) / 2
    df["turnover_annualised"] = (df["leavers"] / df["avg_headcount"] * 12).where(df["avg_headcount"] > 0)
    return df


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

_PEOPLE_SQL = """
WITH leaders AS (
  -- the team's leader today (the employees table holds current roles)
  SELECT team, min(employee_id) AS team_leader FROM employees
  WHERE role = 'team_leader' AND exit_date IS NULL GROUP BY team
)
SELECT e.employee_id, e.center, e.team, e.role, e.hire_date, e.exit_date, e.exit_type, e.exit_reason,
       l.team_leader, {band} AS tenure_band
FROM employees e LEFT JOIN leaders l USING (team)
WHERE (len($centers::VARCHAR[]) = 0 OR list_contains($centers::VARCHAR[], e.center))
  AND (len($teams::VARCHAR[]) = 0 OR list_contains($teams::VARCHAR[], e.team))
  AND {scope}
"""


def _people_sql(scope: Scope) -> tuple[str, dict]:
    scope_sql, scope_params = scope_predicate(scope, center="e.center", team="e.team")
    return _PEOPLE_SQL.format(band=_TENURE_BAND_SQL, scope=scope_sql), scope_params


def _people(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    sql, scope_params = _people_sql(scope)
    params = {"d1": filters.end, "centers": list(filters.centers), "teams": list(filters.teams), **scope_params}
    return lake.query(sql, params)


def turnover_by(lake: Lake, filters: Filters, scope: Scope, by: str) -> pd.DataFrame:
    """Turnover over the filters' period per group ``by`` (a key of ``TURNOVER_GROUPS``):
    ``headcount_start``, ``headcount_end``, ``hires``, ``leavers``, ``leavers_voluntary``,
    ``leavers_involuntary``, ``avg_headcount`` and ``turnover_annualised`` = leavers /
    average headcount × 365 / days in the period. The tenure band is the tenure at the end
    of the period (or at exit). Groups smaller than ``scope.min_group`` (by average
    headcount) are left out, so a small group's leavers cannot be traced to a person."""
    if by not in TURNOVER_GROUPS:
        raise ValueError(f"cannot break turnover down by {by!r}; choose from {', '.join(TURNOVER_GROUPS)}")
    scope.require("hr")
    people_sql, scope_params = _people_sql(scope)
    sql = f"""
    WITH e AS ({people_sql})
    SELECT {TURNOVER_GROUPS[by]} AS {by},
      count(*) FILTER (WHERE hire_date < $d0 AND (exit_date IS NULL OR exit_date >= $d0)) AS headcount_start,
      count(*) FILTER (WHERE hire_date <= $d1 AND (exit_date IS NULL OR exit_date > $d1)) AS headcount_end,
      count(*) FILTER (WHERE hire_date BETWEEN $d0 AND $d1) AS hires,
      count(*) FILTER (WHERE exit_date BETWEEN $d0 AND $d1) AS leavers,
      count(*) FILTER (WHERE exit_date BETWEEN $d0 AND $d1 AND exit_type = 'voluntary') AS leavers_voluntary,
      count(*) FILTER (WHERE exit_date BETWEEN $d0 AND $d1 AND exit_type = 'involuntary') AS leavers_involuntary
    FROM e GROUP BY ALL ORDER BY 1
    """  # the group expression comes from the allowlist above, never from user text
    params = {
        "d0": filters.start,
        "d1": filters.end,
        "centers": list(filters.centers),
        "teams": list(filters.teams),
        **scope_params,
    }
    df = lake.query(sql, params)
    for col in ("headcount_start", "headcount_end", "hires", "leavers", "leavers_voluntary", "leavers_involuntary"):
        df[col] = df[col].astype("int64")
    days = (filters.end - filters.start).days + 1
    df["avg_headcount"] = (df["headcount_start"] + df["headcount_end"]) / 2
    df["turnover_annualised"] = (df["leavers"] / df["avg_headcount"] * 365 / days).where(df["avg_headcount"] > 0)
    df = df[df["avg_headcount"] >= scope.min_group]
    df[by] = df[by].astype("str")
    return df.reset_index(drop=True)


def leavers_by_reason(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Leavers in the period per ``exit_type`` and ``exit_reason`` with their ``share``."""
    scope.require("hr")
    df = _people(lake, filters, scope)
    df = df[df["exit_date"].notna()]
    df = df[
        (pd.to_datetime(df["exit_date"]) >= pd.Timestamp(filters.start))
        & (pd.to_datetime(df["exit_date"]) <= pd.Timestamp(filters.end))
    ]
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


def tenure_spells(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """One row per person employed at some time up to the period's end: ``duration_days``
    from hire to exit (or to the period's end: censored), ``left`` (any exit by then),
    ``left_voluntary``, and the grouping columns ``center``, ``team``, ``role``,
    ``hire_cohort`` (year of hire). The input of the Kaplan-Meier curves and the Cox model."""
    scope.require("hr")
    df = _people(lake, filters, scope)
    hire = pd.to_datetime(df["hire_date"])
    end = pd.Timestamp(filters.end)
    df = df[hire <= end].copy()
    hire = pd.to_datetime(df["hire_date"])
    exit_ = pd.to_datetime(df["exit_date"])
    left = exit_.notna() & (exit_ <= end)
    stop = exit_.where(left, end)
    # The last day counts as a day worked: someone who leaves on their first day has 1 day.
    df["duration_days"] = ((stop - hire).dt.days + 1).astype("int64")
    df["left"] = left
    df["left_voluntary"] = left & (df["exit_type"] == "voluntary")
    df["hire_cohort"] = hire.dt.year.astype("str")
    return df.reset_index(drop=True)
