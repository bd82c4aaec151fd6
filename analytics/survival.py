"""Survival of employment: retention curves and hazard ratios that an HR director can defend.

Two facts of real HR data shape everything here:

- **Left truncation (delayed entry).** HR records begin on a date (``observed_from``);
  people hired before it appear only because they were still employed then, and
  everyone hired earlier who left earlier is missing. A person hired before the window
  therefore enters the risk set on ``observed_from``, at the tenure they had reached
  then, never at day 0; counting them from their hire date makes early tenure look far
  safer than it is.
- **Time-varying role and team.** A person's time counts toward the role and team they
  held at that time (``role_events``), and an exit counts against the role and team
  held on the last day. Using today's role made senior CSRs and team leaders look
  immortal: everyone who reached those roles had survived the dangerous first year.

The data are in counting-process form: one *episode* per person and spell of constant
role and team, covering tenure days ``(start, stop]`` (day 1 is the hire date), with
``event`` set on the episode that ends with the exit. The product-limit (Kaplan-Meier)
estimate and the Cox partial likelihood (Efron's ties) below both use the risk set
``start < t <= stop``. scikit-survival's Cox model takes no entry times (its
``kaplan_meier_estimator`` does, via ``time_enter``, and agrees with ours); the Cox fit
is written here, and both are checked against lifelines in ``tests/fixtures/survival``.
The product-limit estimate is our own too because the page and the command also need
the risk-set sizes per day, which the same counting gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from analytics.access import Scope, scope_predicate
from analytics.lake import Lake, dataset_info

# Key in dataset.json that declares the first day the HR records cover.
OBSERVED_FROM_KEY = "hr_observed_from"
GROUPS = ("role", "team", "center", "cohort")
EVENTS = ("any", "voluntary")
# Career events that set a person's role and team from their date on (a star-level change
# keeps both; an exit ends the episode instead).
ROLE_TEAM_EVENTS = ("hire", "promotion", "lateral_move", "demotion", "team_change")


@dataclass(frozen=True)
class Window:
    """The span the HR records cover: ``observed_from`` (declared by the dataset or
    inferred) through ``as_of``; ``how`` is ``"declared"`` or ``"inferred"``."""

    observed_from: date
    as_of: date
    how: str


def observation_window(lake: Lake) -> Window:
    """``observed_from``: the dataset's declaration (``hr_observed_from`` in dataset.json),
    else the first day of the month of the earliest recorded exit: an HR system that
    knows leavers from that month on knows nothing about who left before, so earlier
    hires are left-truncated there. ``as_of``: the last day any HR table covers."""
    row = lake.query("""
        SELECT (SELECT min(exit_date) FROM employees) AS first_exit,
               (SELECT min(event_date) FROM role_events WHERE event_type = 'exit') AS first_exit_event,
               (SELECT min(hire_date) FROM employees) AS first_hire,
               greatest((SELECT max(hire_date) FROM employees), (SELECT max(exit_date) FROM employees),
                        (SELECT max(event_date) FROM role_events),
                        (SELECT CAST(max(month) + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE) FROM appraisals))
                 AS last_day""").iloc[0]
    as_of = pd.Timestamp(row["last_day"]).date() if pd.notna(row["last_day"]) else date.today()
    declared = dataset_info(lake.root).get(OBSERVED_FROM_KEY)
    if declared:
        return Window(date.fromisoformat(str(declared)[:10]), as_of, "declared")
    firsts = [pd.Timestamp(v) for v in (row["first_exit"], row["first_exit_event"]) if pd.notna(v)]
    if firsts:
        return Window(min(firsts).date().replace(day=1), as_of, "inferred")
    # No exit recorded at all: nothing says records began later than the first hire.
    start = pd.Timestamp(row["first_hire"]).date() if pd.notna(row["first_hire"]) else as_of
    return Window(start, as_of, "inferred")


# One row per person and spell of constant role and team, in tenure days (start, stop].
# Role after an event: its to_role, else the role before; team after a role/team event:
# its to_team (a promotion to a center-level role leaves the team). Before any event the
# master row's values stand in, preferring the from_ values of the first later event.
_EPISODES_SQL = """
WITH e AS (
  SELECT employee_id, center, team, role, hire_date, exit_date, exit_type
  FROM employees WHERE hire_date IS NOT NULL AND hire_date <= $as_of
),
ev AS (
  SELECT r.employee_id, r.event_date AS d, max(r.to_role) AS to_role, max(r.to_team) AS to_team,
         max(r.from_role) AS from_role, max(r.from_team) AS from_team, 1 AS is_event
  FROM role_events r JOIN e ON r.employee_id = e.employee_id
  WHERE list_contains($role_team_events::VARCHAR[], r.event_type)
    AND r.event_date >= e.hire_date AND r.event_date <= $as_of
    AND (e.exit_date IS NULL OR r.event_date <= e.exit_date)
  GROUP BY r.employee_id, r.event_date
),
marks AS (
  SELECT employee_id, d, to_role, to_team, from_role, from_team, is_event FROM ev
  UNION ALL
  -- the hire date opens an episode even when the export has no hire event
  SELECT e.employee_id, e.hire_date, NULL, NULL, NULL, NULL, 0 FROM e
  WHERE NOT EXISTS (SELECT 1 FROM ev WHERE ev.employee_id = e.employee_id AND ev.d = e.hire_date)
),
states AS (
  SELECT m.employee_id, m.d, m.is_event,
         last_value(m.to_role IGNORE NULLS) OVER w_past AS role_after,
         first_value(m.from_role IGNORE NULLS) OVER w_future AS role_before_next,
         first_value(m.from_team IGNORE NULLS) OVER w_future AS team_before_next,
         m.to_team,
         lead(m.d) OVER w AS next_d
  FROM marks m
  WINDOW w AS (PARTITION BY m.employee_id ORDER BY m.d),
         w_past AS (PARTITION BY m.employee_id ORDER BY m.d ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
         w_future AS (PARTITION BY m.employee_id ORDER BY m.d ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
),
episodes AS (
  SELECT s.employee_id, e.center,
         coalesce(s.role_after, s.role_before_next, e.role) AS role,
         CASE WHEN s.is_event = 1 THEN s.to_team ELSE coalesce(s.team_before_next, e.team) END AS team,
         e.hire_date, e.exit_date, e.exit_type,
         greatest(datediff('day', e.hire_date, s.d), datediff('day', e.hire_date, $observed_from)) AS start_day,
         CASE WHEN s.next_d IS NOT NULL THEN datediff('day', e.hire_date, s.next_d)
              ELSE datediff('day', e.hire_date, least(coalesce(e.exit_date, $as_of), $as_of)) + 1 END AS stop_day,
         s.next_d IS NULL AND e.exit_date IS NOT NULL AND e.exit_date <= $as_of AS ends_in_exit
  FROM states s JOIN e ON s.employee_id = e.employee_id
)
SELECT employee_id, center, team, role, hire_date, exit_date, exit_type, start_day, stop_day, ends_in_exit
FROM episodes
WHERE stop_day > start_day AND {scope}
ORDER BY employee_id, start_day
"""


def episodes(lake: Lake, scope: Scope, window: Window | None = None) -> pd.DataFrame:
    """Counting-process episodes of everyone employed at some time in the window, limited
    to ``scope`` in SQL (by the center and by the team held in each episode, so a team
    leader sees the time people spent in their teams). Columns: ``employee_id``,
    ``center``, ``team``, ``role``, ``cohort`` (hire year), ``hire_date``, ``start``,
    ``stop`` (tenure days, at risk on days ``start < t <= stop``), ``left`` (the episode
    ends with the exit), ``left_voluntary``, ``exit_type``."""
    scope.require("hr")
    window = window or observation_window(lake)
    pred, params = scope_predicate(scope, center="center", team="team")
    sql = _EPISODES_SQL.format(scope=pred)  # the predicate text comes from access.scope_predicate
    df = lake.query(
        sql,
        {
            "as_of": window.as_of,
            "observed_from": window.observed_from,
            "role_team_events": list(ROLE_TEAM_EVENTS),
            **params,
        },
    )
    out = pd.DataFrame(
        {
            "employee_id": df["employee_id"].astype("str"),
            "center": df["center"].astype("str").where(df["center"].notna(), None),
            "team": df["team"].astype("str").where(df["team"].notna(), None),
            "role": df["role"].astype("str").where(df["role"].notna(), None),
            "cohort": pd.to_datetime(df["hire_date"]).dt.year.astype("str"),
            "hire_date": pd.to_datetime(df["hire_date"]).astype("datetime64[us]"),
            "start": df["start_day"].astype("int64"),
            "stop": df["stop_day"].astype("int64"),
            "left": df["ends_in_exit"].astype(bool),
        }
    )
    out["left_voluntary"] = out["left"] & (df["exit_type"] == "voluntary").fillna(False).to_numpy(dtype=bool)
    out["exit_type"] = df["exit_type"].where(out["left"], None)
    out.attrs["window"] = window
    return out


# --- product-limit estimate with delayed entry ----------------------------------------------------


def at_risk(start, stop, t) -> np.ndarray:
    """How many episodes are at risk at each time in ``t``: ``start < t <= stop``."""
    start, stop = np.sort(np.asarray(start, dtype=float)), np.sort(np.asarray(stop, dtype=float))
    t = np.atleast_1d(np.asarray(t, dtype=float))
    return np.searchsorted(start, t, side="left") - np.searchsorted(stop, t, side="left")


def kaplan_meier(start, stop, event) -> pd.DataFrame:
    """Product-limit retention with delayed entry: ``days`` (event times, with 0 first),
    ``retained``, ``at_risk`` and ``events`` at each time. With every ``start`` at 0 it is
    the ordinary Kaplan-Meier estimate."""
    start = np.asarray(start, dtype=float)
    stop = np.asarray(stop, dtype=float)
    event = np.asarray(event, dtype=bool)
    times, d = np.unique(stop[event], return_counts=True)
    n = at_risk(start, stop, times)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.cumprod(np.where(n > 0, 1.0 - d / np.maximum(n, 1), 1.0))
    return pd.DataFrame(
        {
            "days": np.r_[0.0, times],
            "retained": np.r_[1.0, s],
            "at_risk": np.r_[int(at_risk(start, stop, [1.0])[0]), n].astype("int64"),
            "events": np.r_[0, d].astype("int64"),
        }
    )


def retention_at(curve: pd.DataFrame, day: float) -> float:
    before = curve[curve["days"] <= day]
    return float(before["retained"].iloc[-1]) if len(before) else 1.0


def retention(
    ep: pd.DataFrame, days=(90, 180, 365), by: str | None = None, event: str = "any", min_group: int = 1
) -> pd.DataFrame:
    """Retention at each of ``days`` per group of ``by`` (None: one group ``"all"``):
    ``group``, ``days``, ``retention`` (None where nobody in the group was observed at
    that tenure: the estimate has no data there), ``at_risk`` (people at risk on that
    day of tenure) and ``people`` (distinct people with time in the group). Groups with
    fewer than ``min_group`` people are left out, as is a day whose risk set is smaller
    than ``min_group`` (its figure could be traced to a person)."""
    if by is not None and by not in GROUPS:
        raise ValueError(f"cannot group retention by {by!r}; choose from {', '.join(GROUPS)}")
    if event not in EVENTS:
        raise ValueError(f"event must be one of {', '.join(EVENTS)}, got {event!r}")
    flag = "left" if event == "any" else "left_voluntary"
    key = pd.Series("all", index=ep.index) if by is None else ep[by].fillna("—").astype("str")
    rows = []
    for g, part in ep.groupby(key, sort=True):
        people = int(part["employee_id"].nunique())
        if people < max(min_group, 1):
            continue
        curve = kaplan_meier(part["start"], part["stop"], part[flag])
        n_at = at_risk(part["start"], part["stop"], list(days))
        for d, n in zip(days, n_at):
            if n < min_group:
                continue
            rows.append(
                {
                    "group": str(g),
                    "days": int(d),
                    "retention": retention_at(curve, d) if n > 0 else None,
                    "at_risk": int(n),
                    "people": people,
                }
            )
    return pd.DataFrame(rows, columns=["group", "days", "retention", "at_risk", "people"])


def curves(
    ep: pd.DataFrame, by: str | None, event: str = "voluntary", min_group: int = 1, max_groups: int = 8
) -> pd.DataFrame:
    """Retention curves per group for a chart: ``group``, ``days``, ``retained``,
    ``at_risk``, ``people``; the ``max_groups`` groups with the most people."""
    flag = "left" if event == "any" else "left_voluntary"
    key = pd.Series("all", index=ep.index) if by is None else ep[by].fillna("—").astype("str")
    people = ep.groupby(key)["employee_id"].nunique()
    keep = people[people >= max(min_group, 5)].sort_values(ascending=False).head(max_groups).index
    parts = []
    for g in sorted(keep, key=str):
        part = ep[key == g]
        c = kaplan_meier(part["start"], part["stop"], part[flag])
        c["group"], c["people"] = str(g), int(people[g])
        parts.append(c)
    cols = ["days", "retained", "at_risk", "events", "group", "people"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)


# --- Cox proportional hazards on (start, stop] data -------------------------------------------------


@dataclass
class CoxFit:
    coef: np.ndarray
    se: np.ndarray
    loglik: float
    columns: list
    iterations: int
    concordance: float

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "driver": self.columns,
                "coef": self.coef,
                "hazard_ratio": np.exp(self.coef),
                "se": self.se,
                "low": np.exp(self.coef - 1.96 * self.se),
                "high": np.exp(self.coef + 1.96 * self.se),
            }
        )


def _efron(beta, X, start, stop, event, times):
    """Log partial likelihood (Efron's ties), its gradient and Hessian over risk sets
    ``start < t <= stop`` at each event time ``t``."""
    xb = X @ beta
    w = np.exp(xb - xb.max())  # a common shift cancels in every ratio below
    shift = xb.max()
    p = X.shape[1]
    ll, grad, hess = 0.0, np.zeros(p), np.zeros((p, p))
    for t in times:
        risk = (start < t) & (stop >= t)
        dead = risk & event & (stop == t)
        d = int(dead.sum())
        wr, Xr = w[risk], X[risk]
        s0, s1 = wr.sum(), wr @ Xr
        s2 = (Xr * wr[:, None]).T @ Xr
        wd, Xd = w[dead], X[dead]
        d0, d1 = wd.sum(), wd @ Xd
        d2 = (Xd * wd[:, None]).T @ Xd
        ll += xb[dead].sum()
        grad += Xd.sum(axis=0)
        for k in range(d):
            f = k / d
            a0 = s0 - f * d0
            a1 = s1 - f * d1
            a2 = s2 - f * d2
            ll -= np.log(a0) + shift
            m = a1 / a0
            grad -= m
            hess -= a2 / a0 - np.outer(m, m)
    return ll, grad, hess


def _concordance(risk_score, start, stop, event) -> float:
    """Share of comparable pairs ordered right: at each exit, the leaver's score against
    everyone at risk then who stayed past it (ties count half)."""
    good = total = 0.0
    for i in np.where(event)[0]:
        t = stop[i]
        others = (start < t) & (stop > t)
        if not others.any():
            continue
        s = risk_score[others]
        good += (risk_score[i] > s).sum() + 0.5 * (risk_score[i] == s).sum()
        total += others.sum()
    return float(good / total) if total else float("nan")


def cox(start, stop, event, X: pd.DataFrame, alpha: float = 0.0, max_iter: int = 50, tol: float = 1e-9) -> CoxFit:
    """Cox proportional hazards by Newton-Raphson on the counting-process partial
    likelihood (Efron's ties), with an optional ridge penalty ``alpha / 2 * ||beta||^2``
    that keeps rare covariates finite. Constant columns are dropped."""
    X = X.loc[:, X.std() > 0]
    A = X.to_numpy(dtype=float)
    start, stop = np.asarray(start, dtype=float), np.asarray(stop, dtype=float)
    event = np.asarray(event, dtype=bool)
    times = np.unique(stop[event])
    beta = np.zeros(A.shape[1])
    ll_old = -np.inf
    for it in range(1, max_iter + 1):
        ll, g, h = _efron(beta, A, start, stop, event, times)
        ll -= 0.5 * alpha * beta @ beta
        g = g - alpha * beta
        h = h - alpha * np.eye(len(beta))
        step = np.linalg.solve(h, g)
        # step halving keeps Newton from overshooting on flat or separated data
        new = beta - step
        for _ in range(30):
            ll_new = _efron(new, A, start, stop, event, times)[0] - 0.5 * alpha * new @ new
            if ll_new >= ll - 1e-12:
                break
            new = (new + beta) / 2
        beta = new
        if abs(ll_new - ll_old) < tol:
            break
        ll_old = ll_new
    ll, g, h = _efron(beta, A, start, stop, event, times)
    info = -(h - alpha * np.eye(len(beta)))
    se = np.sqrt(np.diag(np.linalg.inv(info)))
    return CoxFit(
        beta, se, float(ll - 0.5 * alpha * beta @ beta), list(X.columns), it, _concordance(A @ beta, start, stop, event)
    )
