"""Career paths: progression, where careers stall, the succession bench and next year's
headcount by role.

Everything starts from three scoped reads (people, their role events, their appraisals and
QA scores); the figures are then computed in pandas because they follow each person's
history (spells in a role, snapshots at a date), which is clearer there than in SQL.

Definitions (the page and the command line print them):

- **Role ladder** (DOMAIN.md): csr 1 → senior_csr 2 → team_leader 3 → supervisor 4 →
  operations_manager 5. Side roles sit at the level they are usually reached from:
  outbound_csr 1; complaint_specialist, quality_inspector, trainer, wfm_analyst 2.
- **Move classification** (``classify_move``), for an event that changes role or star:
  vertical = the new role is on the ladder and higher than the old one; horizontal = a
  change of role that is not a step up the ladder (inbound ↔ outbound, operations ↔
  quality / training / complaints / WFM, a side role back to the same ladder level);
  downward = a lower level; core = a CSR's (csr, senior_csr, outbound_csr) star level goes
  up without a change of title; star_down = it goes down; team = same role, other team.
- **Promotion** = a vertical move, except one on the person's hire day (an experienced
  hire into a higher role is a hire, not a career step).
- **Promotion rate** = promotions in the period / person-years employed in the period.
- **Time to first promotion**: from the hire date to the first promotion, for people
  hired into a level-1 role; people not yet promoted are censored at their exit or at
  the end of the period (Kaplan-Meier, ``sksurv``). Exit is treated as censoring: the
  curve answers "how long until promotion for someone who stays".
- **Transition matrix** (annual): for each yearly window ending at the period's end and
  stepping back a year while the window starts within the period (the last 12 months when
  the period is shorter), every person employed on the window's first day in a role is
  counted in that row; the column is their role a year later ("stay" when unchanged) or
  "exit" when their last day fell inside the window. Rows are counts divided by the row
  total, so they sum to 1. Hires during a window are not in it; the projection adds them.
- **Teams are history-true** (``workforce.TEAM_PERIODS_SQL``): the Scope and the team
  filter select people *while* they held a team in scope. An event counts to the team held
  the day before it (the team the person was in when promoted or moved; a hire to the team
  joined, an exit to the team of the last day); person-years count the time in scope;
  figures on a day (stalled people, the bench, the projection's starting headcount) take
  the people in scope on that day with the team they held then. A person who moved out of
  scope is followed no further: the transition windows drop them, time to promotion is
  censored at the move.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from analytics.access import Scope, scope_predicate
from analytics.filters import Filters
from analytics.lake import Lake
from analytics.workforce import TEAM_PERIODS_SQL

LADDER = ("csr", "senior_csr", "team_leader", "supervisor", "operations_manager")
ROLE_LEVEL = {
    "csr": 1,
    "outbound_csr": 1,
    "senior_csr": 2,
    "complaint_specialist": 2,
    "quality_inspector": 2,
    "trainer": 2,
    "wfm_analyst": 2,
    "team_leader": 3,
    "supervisor": 4,
    "operations_manager": 5,
}
# Roles whose star level is a CSR's core growth (no title change).
STAR_ROLES = ("csr", "senior_csr", "outbound_csr")
ENTRY_ROLES = ("csr", "outbound_csr")
# Roles that take calls: what a team leader leads, for the span of control.
FRONTLINE_ROLES = ("csr", "senior_csr", "outbound_csr", "complaint_specialist")
ROLE_ORDER = (
    "csr",
    "outbound_csr",
    "senior_csr",
    "complaint_specialist",
    "quality_inspector",
    "trainer",
    "wfm_analyst",
    "team_leader",
    "supervisor",
    "operations_manager",
)
MOVE_KINDS = ("vertical", "horizontal", "downward", "core", "star_down", "team")

# --- where careers stall --------------------------------------------------------------
STALL_TIME_PERCENTILE = 0.75  # time in role above this percentile of time-to-promotion ...
STALL_MIN_PROMOTED_SPELLS = 5  # ... among at least this many promoted spells of the role
STALL_APPRAISAL_TOP_SHARE = 0.40  # and a mean appraisal score in the top 40 % of the role ...
APPRAISAL_WINDOW_MONTHS = 6  # ... over the last 6 months

# --- succession bench ----------------------------------------------------------------
SPAN_OF_CONTROL = 20  # frontline agents per team leader (1 : 20)
TL_NOW_TENURE_MONTHS = 24  # team-leader seat, ready now
TL_NOW_APPRAISAL_PCTL = 0.60  # appraisal percentile within the role (last 6 months)
TL_NOW_QA = 85.0  # mean QA score (last 6 months)
TL_NOW_STAR = 3
TL_YEAR_TENURE_MONTHS = 12  # team-leader seat, ready within a year
TL_YEAR_APPRAISAL_PCTL = 0.40
TL_YEAR_QA = 80.0
TL_YEAR_STAR = 2
SP_NOW_MONTHS_AS_TL = 24  # supervisor seat, ready now: team leaders only
SP_NOW_APPRAISAL_PCTL = 0.60
SP_YEAR_MONTHS_AS_TL = 12
SP_YEAR_APPRAISAL_PCTL = 0.40
TL_CANDIDATE_ROLES = ("senior_csr", "csr", "complaint_specialist", "outbound_csr")

DAYS_PER_MONTH = 365.25 / 12


# --- reading --------------------------------------------------------------------------

# The team periods in the filters and the scope that overlap a person's employment up to
# the period's end: the people loaded are the ones with at least one.
_PERIODS_SQL = (
    """
SELECT p.employee_id, p.team, p.valid_from, p.valid_to FROM ("""
    + TEAM_PERIODS_SQL
    + """) p
WHERE (len($centers::VARCHAR[]) = 0 OR list_contains($centers::VARCHAR[], p.center))
  AND (len($teams::VARCHAR[]) = 0 OR list_contains($teams::VARCHAR[], p.team))
  AND {scope}
  AND p.hire_date <= $end
  AND (p.valid_from IS NULL OR p.valid_from <= least(coalesce(p.exit_date, $end), $end))
  AND (p.valid_to IS NULL OR p.valid_to > p.hire_date)
"""
)
_PEOPLE_WHERE = "e.employee_id IN (SELECT employee_id FROM (" + _PERIODS_SQL + "))"


@dataclass(frozen=True)
class CareerData:
    """The scoped inputs: people, their career events, monthly appraisals and QA scores."""

    people: pd.DataFrame
    events: pd.DataFrame
    appraisals: pd.DataFrame
    qa: pd.DataFrame
    start: date
    end: date
    # The team periods in scope: ``employee_id, team, valid_from, valid_to`` (NaT: open).
    teams: pd.DataFrame | None = None
    # Spells and classified events, computed once per CareerData (every figure reads them).
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def nbytes(self) -> int:
        """Its size in the lake's cache: the frames read, twice over for the spells,
        classified events and stall states it keeps once figures have asked for them."""
        frames = (self.people, self.events, self.appraisals, self.qa, self.teams)
        return 2 * sum(int(f.memory_usage(index=True, deep=True).sum()) for f in frames if f is not None)


def _kept(fn):
    """Keep ``fn(data, ...)``'s result on the CareerData, per arguments: the page asks for
    several figures more than once per run (stall thresholds four times), and the
    CareerData itself is kept in the lake's cache across reruns and sessions. A caller gets
    a shallow copy (copy-on-write): a column it adds never reaches the kept frame."""

    @functools.wraps(fn)
    def kept(data: CareerData, *args, **kwargs):
        key = (fn.__name__, args, tuple(sorted(kwargs.items())))
        if key not in data._cache:
            data._cache[key] = fn(data, *args, **kwargs)
        return _fresh(data._cache[key])

    return kept


def _fresh(v):
    if isinstance(v, pd.DataFrame):
        return v.copy(deep=False)
    if isinstance(v, dict):
        return {k: _fresh(x) for k, x in v.items()}
    return v


# Queries of ``load``: constant text around the shared predicate; every value is bound.
_PEOPLE_SQL = (
    """
SELECT e.employee_id, e.name, e.center, e.team, e.role, e.star_level, e.hire_date,
       CASE WHEN e.exit_date <= $end THEN e.exit_date END AS exit_date
FROM employees e WHERE """
    + _PEOPLE_WHERE
    + " ORDER BY e.employee_id"
)
_EVENTS_SQL = (
    """
SELECT r.employee_id, r.event_date, r.event_type, r.from_role, r.to_role, r.from_team, r.to_team,
       r.from_star, r.to_star
FROM role_events r JOIN employees e USING (employee_id)
WHERE """
    + _PEOPLE_WHERE
    + " AND r.event_date <= $end ORDER BY r.employee_id, r.event_date"
)
_APPRAISALS_SQL = (
    """
SELECT a.employee_id, a.month, a.score, a.qa_score
FROM appraisals a JOIN employees e USING (employee_id)
WHERE """
    + _PEOPLE_WHERE
    + " AND a.month <= $end"
)
_QA_SQL = (
    """
SELECT q.agent_id AS employee_id, CAST(date_trunc('month', q.evaluated_at) AS DATE) AS month,
       avg(q.score) AS qa_mean, count(*) AS qa_n
FROM qa_evaluations q JOIN employees e ON e.employee_id = q.agent_id
WHERE """
    + _PEOPLE_WHERE
    + " AND CAST(q.evaluated_at AS DATE) <= $end GROUP BY ALL"
)


def load(lake: Lake, filters: Filters, scope: Scope) -> CareerData:
    """Read the people in scope at some time up to the period's end (their center and the
    teams they held then, as in ``analytics.workforce``), their team periods in scope, and
    their events, appraisals and QA scores up to the end. The figures below count each
    person only while in scope.

    Kept in the lake's cache (dropped when an import changes what it read): the page
    reruns on every widget change, and the spells and stall states the figures derive
    and keep on the CareerData cost seconds to rebuild."""
    scope.require("hr")
    return lake.cached(("careers.load", filters, scope), lambda: _load(lake, filters, scope))


def _load(lake: Lake, filters: Filters, scope: Scope) -> CareerData:
    scope_sql, scope_params = scope_predicate(scope, center="p.center", team="p.team")
    params = {"centers": list(filters.centers), "teams": list(filters.teams), "end": filters.end, **scope_params}
    people = lake.query(_PEOPLE_SQL.format(scope=scope_sql), params)
    teams = lake.query(_PERIODS_SQL.format(scope=scope_sql), params)
    events = lake.query(_EVENTS_SQL.format(scope=scope_sql), params)
    appraisals = lake.query(_APPRAISALS_SQL.format(scope=scope_sql), params)
    qa = lake.query(_QA_SQL.format(scope=scope_sql), params)
    for df, cols in (
        (people, ("hire_date", "exit_date")),
        (events, ("event_date",)),
        (appraisals, ("month",)),
        (qa, ("month",)),
        (teams, ("valid_from", "valid_to")),
    ):
        for c in cols:
            df[c] = pd.to_datetime(df[c]).astype("datetime64[us]")
    return CareerData(people, events, appraisals, qa, filters.start, filters.end, teams)


# --- scope over time --------------------------------------------------------------------


def _periods(data: CareerData) -> pd.DataFrame:
    """The team periods in scope; without them (a CareerData built by hand) everyone is in
    scope all the time, in the HR master's team."""
    if data.teams is not None:
        return data.teams
    return pd.DataFrame(
        {
            "employee_id": data.people["employee_id"],
            "team": data.people["team"],
            "valid_from": pd.Series(pd.NaT, index=data.people.index, dtype="datetime64[us]"),
            "valid_to": pd.Series(pd.NaT, index=data.people.index, dtype="datetime64[us]"),
        }
    )


def in_scope_on(data: CareerData, ids, days) -> pd.DataFrame:
    """For each (person, day) pair: ``in_scope`` (the person held a team in scope that day)
    and ``team`` (that team; None when not in scope). Same index order as the inputs."""
    q = pd.DataFrame({"employee_id": np.asarray(ids, dtype=object), "day": pd.to_datetime(pd.Series(np.asarray(days)))})
    q["_row"] = np.arange(len(q))
    m = q.merge(_periods(data), on="employee_id", how="inner")
    covers = (m["valid_from"].isna() | (m["valid_from"] <= m["day"])) & (
        m["valid_to"].isna() | (m["day"] < m["valid_to"])
    )
    hit = m[covers].drop_duplicates("_row").set_index("_row")["team"]
    out = pd.DataFrame({"in_scope": q["_row"].isin(hit.index).to_numpy()})
    out["team"] = q["_row"].map(hit).astype(object).where(out["in_scope"], None).to_numpy()
    return out


def _scope_leaves(data: CareerData, ids, days) -> pd.Series:
    """For each (person, day) in scope: the first day after it out of scope (the end of
    the run of adjacent periods in scope that covers the day; NaT while still in scope)."""
    per = _periods(data).sort_values(["employee_id", "valid_from"], na_position="first")
    by_person = {k: list(zip(g["valid_from"], g["valid_to"])) for k, g in per.groupby("employee_id", sort=False)}
    out = []
    for eid, day in zip(ids, pd.to_datetime(pd.Series(np.asarray(days)))):
        until = pd.NaT
        runs = by_person.get(eid, [])
        for i, (a, b) in enumerate(runs):
            if (pd.isna(a) or a <= day) and (pd.isna(b) or day < b):
                until = b
                for a2, b2 in runs[i + 1 :]:
                    if pd.isna(until) or a2 != until:
                        break
                    until = b2
                break
        out.append(until)
    return pd.Series(out, dtype="datetime64[us]")


# --- moves ------------------------------------------------------------------------------


def classify_move(
    event_type: str, from_role, to_role, from_star=None, to_star=None, from_team=None, to_team=None
) -> str | None:
    """vertical / horizontal / downward / core / star_down / team, or None (hire, exit, no change)."""
    if event_type in ("hire", "exit"):
        return None
    fr, tr = (None if pd.isna(x) else x for x in (from_role, to_role))
    if fr and tr and fr != tr:
        lf, lt = ROLE_LEVEL.get(fr, 0), ROLE_LEVEL.get(tr, 0)
        if lt > lf and tr in LADDER:
            return "vertical"
        if lt < lf:
            return "downward"
        return "horizontal"
    fs, ts = (None if pd.isna(x) else int(x) for x in (from_star, to_star))
    role = tr or fr
    if fs is not None and ts is not None and fs != ts and (role is None or role in STAR_ROLES):
        return "core" if ts > fs else "star_down"
    ft, tt = (None if pd.isna(x) else x for x in (from_team, to_team))
    if ft and tt and ft != tt:
        return "team"
    return None


def classified_events(data: CareerData) -> pd.DataFrame:
    """The events with ``move`` (see ``classify_move``), ``promotion`` (a vertical move
    not on the hire day), ``team`` (held the day before the event; for a hire the team
    joined, for an exit the team of the last day) and ``in_scope`` (that team is in scope).
    The figures of a period count the events in scope only."""
    if "events" in data._cache:
        return data._cache["events"]
    ev = data.events.copy()
    ev["move"] = pd.Series(
        [
            classify_move(*r)
            for r in ev[
                ["event_type", "from_role", "to_role", "from_star", "to_star", "from_team", "to_team"]
            ].itertuples(index=False, name=None)
        ],
        index=ev.index,
        dtype="str",
    )
    hired = ev.merge(data.people[["employee_id", "hire_date"]], on="employee_id", how="left")["hire_date"]
    ev["promotion"] = (ev["move"] == "vertical") & (ev["event_date"].to_numpy() != hired.to_numpy())
    day_before = (ev["event_date"] - pd.Timedelta(days=1)).where(
        ~ev["event_type"].isin(("hire", "exit")), ev["event_date"]
    )
    day_before = day_before.where(day_before.to_numpy() >= hired.to_numpy(), ev["event_date"])
    at = in_scope_on(data, ev["employee_id"], day_before)
    ev["team"] = at["team"].to_numpy()
    ev["in_scope"] = at["in_scope"].to_numpy()
    data._cache["events"] = ev
    return ev


# --- spells and snapshots -------------------------------------------------------------


def role_spells(data: CareerData) -> pd.DataFrame:
    """One row per person and continuous time in one role: ``employee_id, role, start,
    end`` (exit day or the period's end), ``ended_by`` (promotion / move / exit / open)."""
    if "spells" in data._cache:
        return data._cache["spells"]
    ev = classified_events(data)
    changes = ev[ev["event_type"].isin(("hire", "promotion", "lateral_move", "demotion")) & ev["to_role"].notna()]
    people = data.people[["employee_id", "hire_date", "role", "exit_date"]].reset_index(drop=True)
    people["order"] = np.arange(len(people))
    # Steps of each person: (start, role, whether a promotion led into it), column-wise.
    # A person starts in the role they were hired into: the hire event's when it is on the
    # hire day, else a first step on the hire day in the role held before the first change
    # (its from_role, or the master's role when there is none / no change at all).
    first = changes.groupby("employee_id", sort=False).head(1)[["employee_id", "event_type", "event_date", "from_role"]]
    first = people[["employee_id"]].merge(first, on="employee_id", how="left")  # people's order
    f_type, f_date, f_from = first["event_type"], first["event_date"], first["from_role"]
    needs_first = f_type.isna() | (f_type != "hire") | (f_date > people["hire_date"])
    initial = pd.DataFrame(
        {
            "employee_id": people["employee_id"],
            "start": people["hire_date"],
            "role": f_from.where(f_type.notna() & f_from.notna(), people["role"]),
            "promo": False,
            "seq": -1,
        }
    )[needs_first.to_numpy()]
    later = pd.DataFrame(
        {
            "employee_id": changes["employee_id"].to_numpy(),
            "start": changes["event_date"].to_numpy(),
            "role": changes["to_role"].to_numpy(),
            "promo": changes["promotion"].astype(bool).to_numpy(),
            "seq": np.arange(len(changes)),
        }
    )
    steps = pd.concat([initial, later], ignore_index=True)
    steps["order"] = steps["employee_id"].map(people.set_index("employee_id")["order"])
    steps = steps[steps["order"].notna()].sort_values(["order", "seq"], kind="stable", ignore_index=True)
    by = steps.groupby("employee_id", sort=False)
    nxt_start, nxt_promo = by["start"].shift(-1), by["promo"].shift(-1)
    last = by.cumcount(ascending=False).eq(0).to_numpy()
    ppl = people.set_index("employee_id")
    exit_day = steps["employee_id"].map(ppl["exit_date"])
    stop = exit_day.fillna(pd.Timestamp(data.end)).astype(steps["start"].dtype)
    ended = np.where(
        last,
        np.where(exit_day.notna(), "exit", "open"),
        np.where(nxt_promo.fillna(False).astype(bool), "promotion", "move"),
    )
    out = pd.DataFrame(
        {
            "employee_id": steps["employee_id"],
            "role": steps["role"].astype("str"),
            "start": steps["start"],
            "end": stop.where(last, nxt_start),
            "ended_by": pd.array(ended, dtype="str"),
        }
    )
    # same-day hire and promotion: only the later role counts
    out = out[last | (nxt_start != steps["start"]).to_numpy()].reset_index(drop=True)
    out["months"] = (out["end"] - out["start"]).dt.days / DAYS_PER_MONTH
    data._cache["spells"] = out
    return out


def state_on(data: CareerData, spells: pd.DataFrame, day: pd.Timestamp, scoped: bool = True) -> pd.DataFrame:
    """Who is employed on ``day`` (hire ≤ day ≤ last day), in which role since when and in
    which ``team`` (held that day); ``scoped``: only the people in scope that day."""
    s = spells[
        (spells["start"] <= day)
        & (
            (spells["end"] > day)
            | ((spells["ended_by"] == "exit") & (spells["end"] >= day))
            | ((spells["ended_by"] == "open") & (spells["end"] >= day))
        )
    ]
    s = s.sort_values("start").groupby("employee_id", as_index=False).last()
    s = s[["employee_id", "role", "start"]].rename(columns={"start": "role_since"})
    at = in_scope_on(data, s["employee_id"], [day] * len(s))
    s["team"] = at["team"].to_numpy()
    if scoped:
        s = s[at["in_scope"].to_numpy()]
    return s.reset_index(drop=True)


# --- progression ----------------------------------------------------------------------


def _person_years(data: CareerData, a: pd.Timestamp, b: pd.Timestamp) -> float:
    """Person-years employed and in scope between days a and b inclusive."""
    p = _periods(data).merge(data.people[["employee_id", "hire_date", "exit_date"]], on="employee_id")
    start = p["hire_date"].where(p["hire_date"] > a, a)
    start = start.where(p["valid_from"].isna() | (p["valid_from"] <= start), p["valid_from"])
    stop = p["exit_date"].fillna(b)
    stop = stop.where(stop < b, b)
    last_in = p["valid_to"] - pd.Timedelta(days=1)  # valid_to is the first day of the next period
    stop = stop.where(p["valid_to"].isna() | (stop <= last_in), last_in)
    days = ((stop - start).dt.days + 1).clip(lower=0)
    return float(days.sum()) / 365.25


@_kept
def promotion_rates(data: CareerData) -> pd.DataFrame:
    """Per calendar year the period touches: ``year, promotions, person_years,
    promotion_rate`` (promotions per person-year)."""
    ev = classified_events(data)
    rows = []
    for year in range(data.start.year, data.end.year + 1):
        a = pd.Timestamp(max(data.start, date(year, 1, 1)))
        b = pd.Timestamp(min(data.end, date(year, 12, 31)))
        n = int((ev["promotion"] & ev["in_scope"] & ev["event_date"].between(a, b)).sum())
        py = _person_years(data, a, b)
        rows.append({"year": year, "promotions": n, "person_years": py, "promotion_rate": n / py if py > 0 else np.nan})
    return pd.DataFrame(rows)


@_kept
def period_summary(data: CareerData) -> dict:
    """Promotion rate, internal mobility and the mix of moves over the period."""
    ev = classified_events(data)
    a, b = pd.Timestamp(data.start), pd.Timestamp(data.end)
    inside = ev[ev["in_scope"] & ev["event_date"].between(a, b)]
    py = _person_years(data, a, b)
    promotions = int(inside["promotion"].sum())
    moves = inside["move"].value_counts()
    transfers = int(moves.get("horizontal", 0) + moves.get("team", 0))
    internal = promotions + transfers + int(moves.get("downward", 0))
    return {
        "person_years": py,
        "promotions": promotions,
        "promotion_rate": promotions / py if py > 0 else None,
        "internal_moves": internal,
        "internal_mobility_rate": internal / py if py > 0 else None,
        "transfers": transfers,
        "promotions_per_transfer": promotions / transfers if transfers else None,
        "moves": {k: int(moves.get(k, 0)) for k in MOVE_KINDS},
        "csr_star_ups": int(moves.get("core", 0)),
        "csr_star_downs": int(moves.get("star_down", 0)),
    }


@_kept
def time_to_first_promotion_table(data: CareerData) -> pd.DataFrame:
    """One row per person hired into an entry role: ``employee_id, hire_year, months,
    promoted`` (False = censored at exit or the period's end)."""
    spells = role_spells(data)
    first_role = spells.sort_values("start").groupby("employee_id")["role"].first()
    entrants = data.people[data.people["employee_id"].map(first_role).isin(ENTRY_ROLES)]
    # Followed from a hire in scope until they leave the scope (censored there).
    entrants = entrants[in_scope_on(data, entrants["employee_id"], entrants["hire_date"])["in_scope"].to_numpy()]
    leaves = pd.Series(
        _scope_leaves(data, entrants["employee_id"], entrants["hire_date"]).to_numpy(), index=entrants.index
    )
    ev = classified_events(data)
    first_promo = ev[ev["promotion"]].groupby("employee_id")["event_date"].min()
    promo = entrants["employee_id"].map(first_promo)
    # A promotion counts to the team held the day before, so one on the day of leaving counts.
    promo = promo.where(leaves.isna() | (promo <= leaves))
    stop = entrants["exit_date"].fillna(pd.Timestamp(data.end))
    stop = stop.where(leaves.isna() | (stop < leaves), leaves)
    when = promo.where(promo.notna(), stop)
    out = pd.DataFrame(
        {
            "employee_id": entrants["employee_id"].to_numpy(),
            "hire_year": entrants["hire_date"].dt.year.to_numpy(),
            "months": ((when - entrants["hire_date"]).dt.days / DAYS_PER_MONTH).to_numpy(),
            "promoted": promo.notna().to_numpy(),
        }
    )
    return out[out["months"] >= 0].reset_index(drop=True)


def km_curve(months, promoted) -> pd.DataFrame:
    """Kaplan-Meier share not yet promoted: ``months, not_promoted`` (starts at 0 → 1)."""
    from sksurv.nonparametric import kaplan_meier_estimator

    months = np.asarray(months, dtype="float64")
    promoted = np.asarray(promoted, dtype=bool)
    if len(months) == 0:
        return pd.DataFrame({"months": [0.0], "not_promoted": [1.0]})
    t, s = kaplan_meier_estimator(promoted, months)
    return pd.DataFrame({"months": np.concatenate([[0.0], t]), "not_promoted": np.concatenate([[1.0], s])})


def km_quantile(curve: pd.DataFrame, q: float) -> float | None:
    """Months by which a share ``q`` is promoted: the first time the curve is ≤ 1 − q
    (None when it never gets there: too few promotions observed)."""
    hit = curve[curve["not_promoted"] <= 1 - q + 1e-12]
    return float(hit["months"].iloc[0]) if len(hit) else None


@_kept
def time_to_promotion(data: CareerData) -> dict:
    """Quartiles of months to first promotion, with censoring (Kaplan-Meier) and, to show
    the bias, the naive median over the promoted only."""
    tbl = time_to_first_promotion_table(data)
    curve = km_curve(tbl["months"], tbl["promoted"])
    promoted = tbl.loc[tbl["promoted"], "months"]
    return {
        "people": int(len(tbl)),
        "promoted": int(tbl["promoted"].sum()),
        "p25_months": km_quantile(curve, 0.25),
        "median_months": km_quantile(curve, 0.5),
        "p75_months": km_quantile(curve, 0.75),
        "naive_median_months_promoted_only": float(promoted.median()) if len(promoted) else None,
        "curve": curve,
    }


@_kept
def cohorts(data: CareerData, min_group: int = 1) -> pd.DataFrame:
    """Per hire year: ``hire_year, hired, promoted, promoted_12m, promoted_24m,
    median_months`` (shares from the Kaplan-Meier curve; groups under ``min_group`` blank)."""
    tbl = time_to_first_promotion_table(data)
    rows = []
    for year, g in tbl.groupby("hire_year"):
        c = km_curve(g["months"], g["promoted"])
        at = lambda m: 1 - float(c.loc[c["months"] <= m, "not_promoted"].iloc[-1])  # noqa: E731
        small = len(g) < min_group
        rows.append(
            {
                "hire_year": int(year),
                "hired": len(g),
                "promoted": None if small else int(g["promoted"].sum()),
                "promoted_12m": None if small else at(12),
                "promoted_24m": None if small else at(24),
                "median_months": None if small else km_quantile(c, 0.5),
            }
        )
    return pd.DataFrame(
        rows, columns=["hire_year", "hired", "promoted", "promoted_12m", "promoted_24m", "median_months"]
    )


@_kept
def time_in_role(data: CareerData, min_group: int = 1) -> pd.DataFrame:
    """Current people by role: ``role, people, median_months, p75_months`` in the role."""
    spells = role_spells(data)
    now = spells[spells["ended_by"] == "open"]
    now = now[now["employee_id"].isin(state_on(data, spells, pd.Timestamp(data.end))["employee_id"])]
    g = now.groupby("role")["months"]
    out = pd.DataFrame({"people": g.size(), "median_months": g.median(), "p75_months": g.quantile(0.75)})
    out = out.reset_index()
    out.loc[out["people"] < min_group, ["median_months", "p75_months"]] = np.nan
    return _role_sorted(out)


def _role_sorted(df: pd.DataFrame, col: str = "role") -> pd.DataFrame:
    order = {r: i for i, r in enumerate(ROLE_ORDER)}
    return df.sort_values(col, key=lambda s: s.map(order).fillna(99)).reset_index(drop=True)


# --- transitions ----------------------------------------------------------------------


def _windows(start: date, end: date, months: int) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Windows of ``months`` ending at ``end`` and stepping back while they start in the
    period; one window ending at ``end`` when the period is shorter."""
    out = []
    b = pd.Timestamp(end)
    while True:
        a = b - pd.DateOffset(months=months)
        if out and a < pd.Timestamp(start):
            break
        out.append((a, b))
        b = a
        if a < pd.Timestamp(start):
            break
    return out


@_kept
def transition_counts(data: CareerData, months: int = 12) -> pd.DataFrame:
    """Long table ``from_role, to_state, people`` over the windows (``to_state`` a role,
    or "exit"); the diagonal is the stay."""
    spells = role_spells(data)
    people = data.people.set_index("employee_id")
    parts = []
    for a, b in _windows(data.start, data.end, months):
        before = state_on(data, spells, a)
        after = state_on(data, spells, b).set_index("employee_id")["role"]
        employed_after = set(state_on(data, spells, b, scoped=False)["employee_id"])
        exit_day = before["employee_id"].map(people["exit_date"])
        gone = exit_day.notna() & (exit_day < b)
        to_state = before["employee_id"].map(after).where(~gone, "exit")
        to_state = to_state.fillna("exit")  # not employed at b and no exit day: left
        # Out of scope at the window's end (moved to another team, or left from one): not
        # followed there, so not counted.
        moved_out = ~gone & before["employee_id"].isin(employed_after) & ~before["employee_id"].isin(after.index)
        left_elsewhere = gone & ~in_scope_on(data, before["employee_id"], exit_day.fillna(b))["in_scope"].to_numpy()
        keep = (~moved_out & ~left_elsewhere).to_numpy()
        parts.append(
            pd.DataFrame({"from_role": before["role"].to_numpy()[keep], "to_state": to_state.to_numpy()[keep]})
        )
    if not parts:
        return pd.DataFrame(columns=["from_role", "to_state", "people"])
    allp = pd.concat(parts, ignore_index=True)
    return allp.groupby(["from_role", "to_state"]).size().rename("people").reset_index()


@_kept
def transition_matrix(data: CareerData, months: int = 12, min_group: int = 1) -> pd.DataFrame:
    """Probabilities: index ``from_role``, columns every role, "exit", and ``people``
    (the row's count); the diagonal is the probability to stay. Each row sums to 1. Rows
    of fewer than ``min_group`` people are dropped."""
    counts = transition_counts(data, months)
    if counts.empty:
        return pd.DataFrame(columns=list(ROLE_ORDER) + ["exit", "people"])
    wide = counts.pivot(index="from_role", columns="to_state", values="people").fillna(0)
    roles = [r for r in ROLE_ORDER if r in set(wide.index) | set(wide.columns)]
    wide = wide.reindex(index=[r for r in roles if r in wide.index], columns=roles + ["exit"], fill_value=0)
    n = wide.sum(axis=1)
    probs = wide.div(n, axis=0)
    probs["people"] = n.astype("int64")
    probs = probs[probs["people"] >= min_group]
    probs.index.name = "from_role"
    return probs


def matrix_as_dict(probs: pd.DataFrame) -> dict:
    """``{from_role: {"stay": p, other_role: p, ..., "exit": p}}`` with zero cells left out."""
    out = {}
    for role, row in probs.drop(columns="people").iterrows():
        d = {("stay" if col == role else col): float(v) for col, v in row.items() if v > 0 or col == role}
        out[role] = d
    return out


@_kept
def flows(data: CareerData) -> pd.DataFrame:
    """Role changes in the period for a Sankey: ``source, target, people`` where the
    source is a role or "hire" and the target a role or "exit"."""
    ev = classified_events(data)
    a, b = pd.Timestamp(data.start), pd.Timestamp(data.end)
    ev = ev[ev["in_scope"] & ev["event_date"].between(a, b)]
    hires = ev[ev["event_type"] == "hire"].assign(source="hire", target=lambda d: d["to_role"])
    exits = ev[ev["event_type"] == "exit"].assign(source=lambda d: d["from_role"], target="exit")
    changes = ev[ev["move"].isin(("vertical", "horizontal", "downward"))].assign(
        source=lambda d: d["from_role"], target=lambda d: d["to_role"]
    )
    allf = pd.concat([hires, changes, exits], ignore_index=True)[["source", "target"]].dropna()
    if allf.empty:
        return pd.DataFrame(columns=["source", "target", "people"])
    return allf.groupby(["source", "target"]).size().rename("people").reset_index()


# --- appraisals -----------------------------------------------------------------------


def _recent_scores(data: CareerData, on: pd.Timestamp) -> pd.DataFrame:
    """Mean appraisal score and QA score per person over the 6 months before ``on``."""
    lo = on - pd.DateOffset(months=APPRAISAL_WINDOW_MONTHS)
    ap = data.appraisals[(data.appraisals["month"] > lo) & (data.appraisals["month"] <= on)]
    out = ap.groupby("employee_id").agg(appraisal=("score", "mean"), qa_appraisal=("qa_score", "mean"))
    qa = data.qa[(data.qa["month"] > lo) & (data.qa["month"] <= on)]
    if len(qa):
        q = qa.assign(w=qa["qa_mean"] * qa["qa_n"]).groupby("employee_id").agg(w=("w", "sum"), n=("qa_n", "sum"))
        out = out.join((q["w"] / q["n"]).rename("qa_evaluations"), how="outer")
    else:
        out["qa_evaluations"] = np.nan
    # QA from the inspections when there are any, else the appraisal's QA component.
    out["qa"] = out["qa_evaluations"].fillna(out["qa_appraisal"])
    return out[["appraisal", "qa"]].reset_index()


def _with_percentile(state: pd.DataFrame) -> pd.DataFrame:
    """Appraisal percentile within the role (appraisal weights differ by role)."""
    state = state.copy()
    state["appraisal_pctl"] = state.groupby("role")["appraisal"].rank(pct=True, method="max")
    return state


# --- where careers stall --------------------------------------------------------------


@_kept
def stall_thresholds(data: CareerData) -> pd.DataFrame:
    """Per role: months in the role before a promotion at the 75th percentile, from the
    promoted spells (roles with fewer than ``STALL_MIN_PROMOTED_SPELLS`` get none)."""
    spells = role_spells(data)
    done = spells[spells["ended_by"] == "promotion"]
    # promotions in scope only (the team held the day before, as for the events)
    done = done[in_scope_on(data, done["employee_id"], done["end"] - pd.Timedelta(days=1))["in_scope"].to_numpy()]
    g = done.groupby("role")["months"]
    out = pd.DataFrame({"promoted_spells": g.size(), "usual_months": g.quantile(STALL_TIME_PERCENTILE)})
    out = out[out["promoted_spells"] >= STALL_MIN_PROMOTED_SPELLS].reset_index()
    return _role_sorted(out)


def _stalled_on(data: CareerData, spells: pd.DataFrame, thresholds: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    # Kept per day: the stalled list, the team counts and the exit rates all class the
    # period's end (spells and thresholds are the CareerData's own, so the day is the key).
    key = ("stalled_on", pd.Timestamp(day))
    if key not in data._cache:
        data._cache[key] = _stalled_state(data, spells, thresholds, day)
    return data._cache[key].copy(deep=False)


def _stalled_state(data: CareerData, spells: pd.DataFrame, thresholds: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    state = state_on(data, spells, day)
    state = state.merge(_recent_scores(data, day), on="employee_id", how="left")
    state = _with_percentile(state)
    state = state.merge(thresholds[["role", "usual_months"]], on="role", how="left")
    state["months_in_role"] = (day - state["role_since"]).dt.days / DAYS_PER_MONTH
    state["stalled"] = (
        ((state["months_in_role"] > state["usual_months"]) & (state["appraisal_pctl"] > 1 - STALL_APPRAISAL_TOP_SHARE))
        .fillna(False)
        .astype(bool)
    )
    return state


@_kept
def stalled(data: CareerData, scope: Scope) -> pd.DataFrame:
    """People at the period's end whose time in role is beyond the usual and whose recent
    appraisals are in the role's top 40 %, with their team and team leader."""
    scope.require("individuals")
    spells = role_spells(data)
    th = stall_thresholds(data)
    end = pd.Timestamp(data.end)
    st_ = _stalled_on(data, spells, th, end)
    st_ = st_[st_["stalled"]].merge(data.people[["employee_id", "name", "center"]], on="employee_id")
    leaders = state_on(data, spells, end)
    leaders = leaders[leaders["role"] == "team_leader"].merge(data.people[["employee_id", "name"]], on="employee_id")
    lead = leaders.groupby("team")["name"].agg(lambda s: ", ".join(sorted(s.astype(str))))
    st_["team_leader"] = st_["team"].map(lead).where(st_["role"] != "team_leader")  # not their own leader
    cols = [
        "employee_id",
        "name",
        "center",
        "team",
        "team_leader",
        "role",
        "months_in_role",
        "usual_months",
        "appraisal",
        "appraisal_pctl",
    ]
    return st_[cols].sort_values("months_in_role", ascending=False, ignore_index=True)


@_kept
def stalled_by_team(data: CareerData, scope: Scope) -> pd.DataFrame:
    """Counts by team (groups under ``scope.min_group`` current people are left out)."""
    spells = role_spells(data)
    st_ = _stalled_on(data, spells, stall_thresholds(data), pd.Timestamp(data.end))
    g = st_.groupby("team").agg(people=("employee_id", "size"), stalled=("stalled", "sum")).reset_index()
    g = g[g["people"] >= scope.min_group]
    g["stalled_share"] = g["stalled"] / g["people"]
    return g.sort_values("stalled", ascending=False, ignore_index=True)


@_kept
def stall_exit_rates(data: CareerData) -> dict:
    """Exit rates of stalled people against the others, month by month over the period:
    at each month's first day people are classed (stalled or not, among those with an
    appraisal in the 6 months before), then whether they leave within the month.
    Annualised rate = exits / person-months × 12."""
    spells = role_spells(data)
    th = stall_thresholds(data)
    exit_day = data.people.set_index("employee_id")["exit_date"]
    tally = {True: [0, 0], False: [0, 0]}
    month = pd.Timestamp(data.start).replace(day=1)
    if month < pd.Timestamp(data.start):
        month += pd.DateOffset(months=1)
    while month + pd.DateOffset(months=1) <= pd.Timestamp(data.end) + pd.Timedelta(days=1):
        st_ = _stalled_on(data, spells, th, month)
        st_ = st_[st_["appraisal"].notna()]
        nxt = month + pd.DateOffset(months=1)
        left = st_["employee_id"].map(exit_day)
        left = left.notna() & (left >= month) & (left < nxt)
        # an exit counts when the person left from a team in scope
        here = in_scope_on(data, st_["employee_id"], st_["employee_id"].map(exit_day).fillna(month))
        left &= pd.Series(here["in_scope"].to_numpy(), index=st_.index)
        for flag in (True, False):
            sel = st_["stalled"] == flag
            tally[flag][0] += int(sel.sum())
            tally[flag][1] += int((left & sel).sum())
        month = nxt
    rate = lambda pm, ex: ex / pm * 12 if pm else None  # noqa: E731
    return {
        "stalled_person_months": tally[True][0],
        "stalled_exits": tally[True][1],
        "stalled_exit_rate": rate(*tally[True]),
        "other_person_months": tally[False][0],
        "other_exits": tally[False][1],
        "other_exit_rate": rate(*tally[False]),
    }


# --- succession bench -----------------------------------------------------------------


@_kept
def candidates(data: CareerData) -> pd.DataFrame:
    """Everyone employed at the period's end with the bench inputs and readiness:
    ``readiness`` is "now", "within_year" or "" against the constants above."""
    spells = role_spells(data)
    end = pd.Timestamp(data.end)
    state = state_on(data, spells, end).merge(_recent_scores(data, end), on="employee_id", how="left")
    state = _with_percentile(state)
    ppl = data.people.set_index("employee_id")
    state["name"] = state["employee_id"].map(ppl["name"])
    state["center"] = state["employee_id"].map(ppl["center"])
    state["tenure_months"] = (end - state["employee_id"].map(ppl["hire_date"])).dt.days / DAYS_PER_MONTH
    state["months_in_role"] = (end - state["role_since"]).dt.days / DAYS_PER_MONTH
    star = data.events.dropna(subset=["to_star"]).groupby("employee_id")["to_star"].last()
    state["star_level"] = state["employee_id"].map(star).fillna(state["employee_id"].map(ppl["star_level"]))
    state["readiness"] = [
        readiness(r.role, r.tenure_months, r.months_in_role, r.appraisal_pctl, r.qa, r.star_level)
        for r in state.itertuples(index=False)
    ]
    return state


def readiness(role, tenure_months, months_in_role, appraisal_pctl, qa, star_level) -> str:
    """ "now", "within_year" or "" for the next seat up (team leader or supervisor)."""

    def ok(v, threshold):
        return v is not None and not pd.isna(v) and v >= threshold

    if role in TL_CANDIDATE_ROLES:
        star_ok = lambda s: ok(star_level, s) or role == "complaint_specialist"  # noqa: E731
        if (
            ok(tenure_months, TL_NOW_TENURE_MONTHS)
            and ok(appraisal_pctl, TL_NOW_APPRAISAL_PCTL)
            and ok(qa, TL_NOW_QA)
            and star_ok(TL_NOW_STAR)
        ):
            return "now"
        if (
            ok(tenure_months, TL_YEAR_TENURE_MONTHS)
            and ok(appraisal_pctl, TL_YEAR_APPRAISAL_PCTL)
            and ok(qa, TL_YEAR_QA)
            and star_ok(TL_YEAR_STAR)
        ):
            return "within_year"
    elif role == "team_leader":
        if ok(months_in_role, SP_NOW_MONTHS_AS_TL) and ok(appraisal_pctl, SP_NOW_APPRAISAL_PCTL):
            return "now"
        if ok(months_in_role, SP_YEAR_MONTHS_AS_TL) and ok(appraisal_pctl, SP_YEAR_APPRAISAL_PCTL):
            return "within_year"
    return ""


@_kept
def bench(data: CareerData, scope: Scope) -> pd.DataFrame:
    """One row per seat: team-leader seats are teams (candidates from the team), supervisor
    seats are the supervisors of a center (candidates: its team leaders). Columns ``seat,
    center, team, incumbent, ready_now, ready_within_year, frontline, span`` (frontline
    agents per team leader; supervisors' rows leave it empty). Names only when the scope
    may see individuals; else counts only."""
    c = candidates(data)
    show_names = scope.individuals
    rows = []

    def names(df):
        return ", ".join(sorted(df["name"].astype(str))) if show_names else ""

    for (center, team), g in c[c["team"].notna()].groupby(["center", "team"]):
        tls = g[g["role"] == "team_leader"]
        front = int(g["role"].isin(FRONTLINE_ROLES).sum())
        pool = g[g["role"].isin(TL_CANDIDATE_ROLES)]
        rows.append(
            {
                "seat": "team_leader",
                "center": center,
                "team": team,
                "incumbent": names(tls),
                "ready_now": int((pool["readiness"] == "now").sum()),
                "ready_within_year": int((pool["readiness"] == "within_year").sum()),
                "ready_now_names": names(pool[pool["readiness"] == "now"]),
                "frontline": front,
                "span": front / len(tls) if len(tls) else np.nan,
            }
        )
    for center, g in c.groupby("center"):
        sps = g[g["role"] == "supervisor"]
        pool = g[g["role"] == "team_leader"]
        for _, sp in sps.iterrows() if len(sps) else [(None, None)]:
            rows.append(
                {
                    "seat": "supervisor",
                    "center": center,
                    "team": None,
                    "incumbent": (str(sp["name"]) if show_names else "") if sp is not None else "",
                    "ready_now": int((pool["readiness"] == "now").sum()),
                    "ready_within_year": int((pool["readiness"] == "within_year").sum()),
                    "ready_now_names": names(pool[pool["readiness"] == "now"]),
                    "frontline": None,
                    "span": np.nan,
                }
            )
    out = pd.DataFrame(
        rows,
        columns=[
            "seat",
            "center",
            "team",
            "incumbent",
            "ready_now",
            "ready_within_year",
            "ready_now_names",
            "frontline",
            "span",
        ],
    )
    out["no_one_ready"] = out["ready_now"] == 0
    out["over_span"] = out["span"] > SPAN_OF_CONTROL
    if not show_names:
        out = out.drop(columns=["incumbent", "ready_now_names"])
    return out


# --- projection -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectionSettings:
    months: int = 12
    hires_per_month: float | None = None  # None: the average external hires a month over the last year
    exit_multiplier: float = 1.0  # scales every role's exit probability (stay absorbs the change)
    promotion_multiplier: float = 1.0  # scales every move to another role (stay absorbs the change)


@_kept
def observed_hires_per_month(data: CareerData) -> float:
    a = pd.Timestamp(data.end) - pd.DateOffset(months=12)
    ev = classified_events(data)
    n = int(((ev["event_type"] == "hire") & ev["in_scope"] & (ev["event_date"] > a)).sum())
    return n / 12.0


def monthly_matrix(data: CareerData, settings: ProjectionSettings) -> pd.DataFrame:
    """Monthly probabilities from 1-month windows over the last 12 months, adjusted by the
    settings; rows sum to 1."""
    one_year = CareerData(
        data.people,
        data.events,
        data.appraisals,
        data.qa,
        (pd.Timestamp(data.end) - pd.DateOffset(months=12)).date(),
        data.end,
        data.teams,
    )
    p = transition_matrix(one_year, months=1).drop(columns="people")
    for role in p.index:
        exit_p = min(1.0, p.at[role, "exit"] * settings.exit_multiplier)
        others = [c for c in p.columns if c not in (role, "exit")]
        moves = p.loc[role, others] * settings.promotion_multiplier
        total = exit_p + moves.sum()
        if total > 1:  # keep a valid row when the multipliers ask for more than everyone
            exit_p, moves = exit_p / total, moves / total
        p.loc[role, others] = moves
        p.at[role, "exit"] = exit_p
        p.at[role, role] = 1.0 - exit_p - moves.sum()
    return p


def project(data: CareerData, settings: ProjectionSettings = ProjectionSettings()) -> pd.DataFrame:
    """Headcount by role month by month: ``month`` (0 = now), one column per role,
    ``total``, ``hires``, ``exits``. Markov chain: n(t+1) = n(t)·P over roles, plus the
    hires, who enter as CSR."""
    p = monthly_matrix(data, settings)
    roles = [r for r in p.columns if r != "exit"]
    spells = role_spells(data)
    now = state_on(data, spells, pd.Timestamp(data.end))["role"].value_counts()
    n = np.array([float(now.get(r, 0)) for r in roles])
    full = p.reindex(index=roles, fill_value=0.0)
    for r in roles:  # a role nobody held in the last year keeps its people
        if r not in p.index:
            full.loc[r, :] = 0.0
            full.at[r, r] = 1.0
    trans = full[roles].to_numpy()
    exit_p = full["exit"].to_numpy()
    hires = observed_hires_per_month(data) if settings.hires_per_month is None else settings.hires_per_month
    entry = np.array([1.0 if r == "csr" else 0.0 for r in roles])
    if "csr" not in roles:
        raise ValueError("no CSR row in the transition matrix: nothing to hire into")
    rows = [{"month": 0, **dict(zip(roles, n)), "hires": 0.0, "exits": 0.0}]
    for m in range(1, settings.months + 1):
        exits = float(n @ exit_p)
        n = n @ trans + hires * entry
        rows.append({"month": m, **dict(zip(roles, n)), "hires": hires, "exits": exits})
    out = pd.DataFrame(rows)
    out["total"] = out[roles].sum(axis=1)
    return out


def event_range(lake: Lake, scope: Scope) -> tuple[date | None, date | None]:
    """First and last career event of the people in scope (for the period picker)."""
    scope.require("hr")
    scope_sql, scope_params = scope_predicate(scope, center="p.center", team="p.team")
    df = lake.query(
        """
        SELECT min(r.event_date) AS first_day, max(r.event_date) AS last_day
        FROM role_events r WHERE r.employee_id IN (SELECT employee_id FROM ("""
        + TEAM_PERIODS_SQL
        + ") p WHERE "
        + scope_sql
        + ")",
        scope_params,
    )
    first, last = df["first_day"].iloc[0], df["last_day"].iloc[0]
    if first is None or pd.isna(first):
        return None, None
    return pd.Timestamp(first).date(), pd.Timestamp(last).date()
