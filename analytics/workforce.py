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

from analytics import metrics as m
from analytics.access import Scope
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
    AND ($scope_centers::VARCHAR[] IS NULL OR list_contains($scope_centers::VARCHAR[], center))
    AND (len($teams::VARCHAR[]) = 0 OR list_contains($teams::VARCHAR[], team))
    AND ($scope_teams::VARCHAR[] IS NULL OR list_contains($scope_teams::VARCHAR[], team))
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
    params = {"m0": filters.start.replace(day=1), "m1": filters.end.replace(day=1),
              "centers": list(filters.centers), "teams": list(filters.teams), **scope.sql_params()}
    df = lake.query(_SQL, params)
    for col in ("headcount_start", "headcount_end", "hires", "leavers", "leavers_voluntary",
                "leavers_involuntary"):
        df[col] = df[col].astype("int64")
    df["month"] = pd.to_datetime(df["month"]).astype("datetime64[us]")
    df["avg_headcount"] = (df["headcount_start"] + df["headcount_end"]) / 2
    df["turnover_annualised"] = (df["leavers"] / df["avg_headcount"] * 12).where(df["avg_headcount"] > 0)
    return df



# Scorecard entries for the monthly review (the call registry in analytics/metrics.py is
# about calls; these are about people, so they live with their computation).
WORKFORCE_METRICS: dict[str, m.Metric] = {x.key: x for x in (
    m.Metric("headcount_end", "月末在职人数", "Headcount at month end",
             "月末最后一天结束时在职的人数", "people employed at the end of the month's last day",
             "people", None, None, lambda s, _: s["headcount_end"]),
    m.Metric("hires", "入职", "Hires", "当月入职人数", "people whose first day is in the month",
             "people", None, None, lambda s, _: s["hires"]),
    m.Metric("leavers", "离职", "Leavers", "当月离职人数（最后工作日在当月）",
             "people whose last day is in the month", "people", False, None, lambda s, _: s["leavers"]),
    m.Metric("turnover_annualised", "年化流失率", "Annualised turnover",
             "当月离职人数 ÷ 平均在职人数（(月初 + 月末) ÷ 2）× 12",
             "leavers in the month / average headcount ((opening + closing) / 2) × 12",
             "%", False, None, lambda s, _: m._ratio(s["leavers"], s["avg_headcount"]) * 12),
)}
