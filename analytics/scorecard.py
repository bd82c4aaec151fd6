"""The monthly appraisal (绩效考核) of agents: components, weights per role, score and rank.

DOMAIN.md (seed 003) names four dimensions: work results (calls answered, problems
solved, accuracy), attitude (attendance, lateness), teamwork (the leader's assessment)
and customer satisfaction; the weights differ per role and are set by the center. Each
component here is put on a 0-100 scale so that one weighted sum makes the score:

    score = Σ weight × component, over the components present,

where the weights of missing components are spread over the present ones in proportion
to their own weights (i.e. the sum is divided by the weights present). ``rank`` is 1 for
the best score within the team.

Components (0-100, or missing):
- ``output``: answered per agent-day against the target of 70 (seed 004), capped at 100;
- ``qa``: the mean inspection score of the month (qa_evaluations; else the appraisal row);
- ``fcr``: share of answered calls resolved at the first contact;
- ``attitude``: attendance (share of shifts attended) less 5 points per lateness;
- ``teamwork``: the leader's assessment. No table carries it yet, so it is missing and its
  weight is spread over the others (the page says so);
- ``csat``: mean customer satisfaction 1-5 mapped to 0-100;
- ``complaints``: 100 less 25 per valid complaint attributed in the month (0 from four on).
"""

from __future__ import annotations

import json
import math
import os
from datetime import date
from pathlib import Path

import pandas as pd

from analytics import qa_month, schema
from analytics.access import Scope, scope_predicate
from analytics.lake import HANDLE_THRESHOLDS, Lake, freeze

COMPONENTS = ("output", "qa", "fcr", "attitude", "teamwork", "csat", "complaints")
# Roles that take calls and are appraised on a scorecard.
AGENT_ROLES = ("csr", "senior_csr", "outbound_csr")

OUTPUT_TARGET_PER_DAY = 70.0  # calls answered per agent per day (seed 004)
LATENESS_POINTS = 5.0  # attitude points lost per lateness
COMPLAINT_POINTS = 25.0  # complaints points lost per valid complaint
# QA grade bands of one evaluation's score, as the inspectors grade (DOMAIN.md, seed 004).
QA_GOOD_FROM, QA_MEDIUM_FROM = 85.0, 70.0

# DOMAIN.md's default for a CSR (the seeds give no numbers; the center edits the table):
# work results 50 (output 20, QA 20, first-contact resolution 10), attitude 15, teamwork 10,
# customer satisfaction 25 (CSAT 15, valid complaints 10).
_CSR_WEIGHTS = {"output": 20, "qa": 20, "fcr": 10, "attitude": 15, "teamwork": 10, "csat": 15, "complaints": 10}
DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {role: dict(_CSR_WEIGHTS) for role in AGENT_ROLES}

SETTINGS_KEY = "appraisal_weights"


# --- the weights table ----------------------------------------------------------------------


def _check_weights(table: dict) -> dict[str, dict[str, float]]:
    out = {}
    for role, weights in table.items():
        if role not in schema.ROLES:
            raise ValueError(f"appraisal weights for unknown role {role!r}")
        if not isinstance(weights, dict) or set(weights) - set(COMPONENTS):
            raise ValueError(f"appraisal weights of {role} must map components {COMPONENTS} to numbers")
        clean = {}
        for comp in COMPONENTS:
            v = weights.get(comp, 0)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise ValueError(f"weight of {comp} for {role} must be a number >= 0, got {v!r}")
            clean[comp] = float(v)
        if sum(clean.values()) <= 0:
            raise ValueError(f"the weights of {role} add up to 0")
        out[role] = clean
    return out


def load_weights(dataset: Path | str) -> dict[str, dict[str, float]]:
    """Role -> component -> weight: the defaults, overridden per role by settings.json."""
    f = Path(dataset) / "settings.json"
    data = json.loads(f.read_text(encoding="utf-8")) if f.is_file() else {}
    table = {role: dict(w) for role, w in DEFAULT_WEIGHTS.items()}
    table.update(_check_weights(data.get(SETTINGS_KEY) or {}))
    return table


def save_weights(dataset: Path | str, table: dict) -> None:
    """Write the weights table into settings.json, keeping every other section as it is."""
    clean = _check_weights(table)
    f = Path(dataset) / "settings.json"
    data = json.loads(f.read_text(encoding="utf-8")) if f.is_file() else {}
    data[SETTINGS_KEY] = clean
    tmp = f.with_name("settings.json.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, f)


def normalized(weights: dict[str, float]) -> dict[str, float]:
    """The weights as shares of 1, so Σ weight × component (0-100) is a 0-100 score."""
    total = sum(weights.get(c, 0.0) for c in COMPONENTS)
    return {c: round(weights.get(c, 0.0) / total, 6) for c in COMPONENTS}


def weights_for(table: dict[str, dict[str, float]], role: str | None) -> dict[str, float]:
    """A role's normalised weights; roles without a row use the CSR row."""
    return normalized(table.get(role or "csr") or table["csr"])


# --- components and the score -----------------------------------------------------------


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or x is pd.NaT


def _clip(x: float) -> float:
    return max(0.0, min(100.0, float(x)))


def output_component(answered_per_day) -> float | None:
    return None if _missing(answered_per_day) else _clip(100.0 * answered_per_day / OUTPUT_TARGET_PER_DAY)


def attitude_component(attendance_rate, late_count) -> float | None:
    if _missing(attendance_rate):
        return None
    return _clip(100.0 * attendance_rate - LATENESS_POINTS * (0 if _missing(late_count) else late_count))


def csat_component(mean_csat) -> float | None:
    return None if _missing(mean_csat) else _clip((mean_csat - 1.0) / 4.0 * 100.0)


def share_component(share) -> float | None:
    return None if _missing(share) else _clip(100.0 * share)


def complaints_component(valid_complaints, answered) -> float | None:
    # An agent without answered calls in the month has nothing to be judged on.
    if _missing(answered) or answered <= 0:
        return None
    return _clip(100.0 - COMPLAINT_POINTS * (0 if _missing(valid_complaints) else valid_complaints))


def qa_grade(score) -> str | None:
    if _missing(score):
        return None
    return "good" if score >= QA_GOOD_FROM else "medium" if score >= QA_MEDIUM_FROM else "poor"


def qa_grades(scores: pd.Series) -> pd.Series:
    """``qa_grade`` of every score, column-wise (the same bands; no score, no grade)."""
    import numpy as np

    v = scores.to_numpy(dtype="float64", na_value=np.nan)
    out = np.where(v >= QA_GOOD_FROM, "good", np.where(v >= QA_MEDIUM_FROM, "medium", "poor")).astype(object)
    out[np.isnan(v)] = None
    return pd.Series(out, index=scores.index)


def weighted_score(components: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """Σ weight × component over the present components, the missing components' weight
    spread over the present ones in proportion to their weights; None when none is present."""
    present = {c: v for c, v in components.items() if not _missing(v) and weights.get(c, 0) > 0}
    total = sum(weights[c] for c in present)
    if total <= 0:
        return None
    return sum(weights[c] * present[c] for c in present) / total


def rank_in_team(scores: pd.Series, teams: pd.Series, months: pd.Series | None = None) -> pd.Series:
    """1 = best score within the team (of the month, when ``months`` tells rows' months
    apart); equal scores share the better rank; no score, no rank."""
    by = [teams.fillna("")] if months is None else [months, teams.fillna("")]
    return (scores.groupby(by).rank(method="min", ascending=False)).astype("Int64")


# --- months ---------------------------------------------------------------------------------


def shift_month(month: date, n: int) -> date:
    k = month.year * 12 + month.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def month_key(month: date) -> str:
    return month.strftime("%Y-%m")


# --- the queries ----------------------------------------------------------------------------

# Every query below reads the months m0..m1 at once and returns their rows with the month
# ('YYYY-MM', the center-local month partition) in ``mk``, so the trend's months cost one
# query each (GROUP BY month) instead of one per month.
# The agents of each month: employed during it (hired before its end, not left before it).
_AGENTS_SQL = """
SELECT strftime(ms.month_start, '%Y-%m') AS mk, e.employee_id, e.name, e.center, e.team, e.role, e.hire_date
FROM employees e, (SELECT unnest($month_starts::DATE[]) AS month_start, unnest($next_months::DATE[]) AS next_month) ms
WHERE list_contains($agent_roles, e.role)
  AND e.hire_date < ms.next_month AND (e.exit_date IS NULL OR e.exit_date >= ms.month_start)
  AND {scope}
"""

# Per agent and call category: answered calls of the month (center-local month partition).
_CALLS_SQL = """
SELECT c._month AS mk, c.agent_id AS employee_id, coalesce(c.category, 'unknown') AS category,
  count(*) AS answered,
  count(*) FILTER (WHERE c.talk_s IS NOT NULL) AS handled,
  sum(coalesce(c.talk_s, 0) + coalesce(c.hold_s, 0) + coalesce(c.acw_s, 0))
    FILTER (WHERE c.talk_s IS NOT NULL) AS handle_s,
  count(*) FILTER (WHERE c.talk_s IS NOT NULL AND coalesce(c.talk_s, 0) + coalesce(c.hold_s, 0)
    + coalesce(c.acw_s, 0) <= {target_case}) AS within_target,
  count(*) FILTER (WHERE c.transferred) AS transferred,
  sum(c.csat) AS csat_sum, count(c.csat) AS csat_n,
  count(*) FILTER (WHERE c.resolved_first_contact) AS fcr_yes, count(c.resolved_first_contact) AS fcr_n
FROM calls c JOIN employees e ON e.employee_id = c.agent_id
WHERE c._month BETWEEN $m0 AND $m1 AND list_contains($months, c._month) AND c.answered_at IS NOT NULL
  AND {scope}
GROUP BY ALL
"""

# The same rows from the agent_month rollup (lake.ROLLUPS, format 3): one row per month,
# agent and category already, holding the raw query's sums; "within target" is the
# handled_le_<target> column of each row's category (``_within_column``). The scope joins
# employees as the raw query does (the agent's center and team now).
_CALLS_ROLLUP_SQL = """
SELECT c.month AS mk, c.agent_id AS employee_id, c.category,
  c.answered, c.handled, c.handle_s, {within_target} AS within_target, c.transferred,
  c.csat_sum, c.csat_n, c.fcr_yes, c.fcr_n
FROM rollup_agent_month c JOIN employees e ON e.employee_id = c.agent_id
WHERE c.month BETWEEN $m0 AND $m1 AND list_contains($months, c.month)
  AND {scope}
"""
CALLS_ROLLUP = "agent_month"
CALLS_ROLLUP_FORMAT = 3

_DAYS_SQL = """
SELECT a._month AS mk, a.agent_id AS employee_id,
  count(DISTINCT CAST(timezone(z.timezone, a.interval_start) AS DATE)) AS agent_days
FROM agent_intervals a JOIN centers z ON z.center = a.center
JOIN employees e ON e.employee_id = a.agent_id
WHERE a._month BETWEEN $m0 AND $m1 AND list_contains($months, a._month) AND a.staffed_s > 0
  AND {scope}
GROUP BY ALL
"""

# The same count from the agent_day rollup (one row per agent, center and local day of the
# month's intervals, staffed_s their sum): staffed_s is never negative (schema), so a day
# whose sum is > 0 is a day with an interval signed in, and the rollup's month is the
# intervals' _month. ~300 k rows a month at 50 M calls instead of the raw intervals.
_DAYS_ROLLUP_SQL = """
SELECT a.month AS mk, a.agent_id AS employee_id, count(DISTINCT a.day) AS agent_days
FROM rollup_agent_day a JOIN employees e ON e.employee_id = a.agent_id
WHERE a.month BETWEEN $m0 AND $m1 AND list_contains($months, a.month) AND a.staffed_s > 0
  AND {scope}
GROUP BY ALL
"""

# Per agent and center-local month of the evaluation (analytics.qa_month: the deduplicated
# rollup's months when current, else the deduplicating view), whose rows carry the agent's
# center and team from employees: aliased ``e`` so the scope predicate reads them. favg: compensated summation,
# the same mean whatever order the rows arrive in (a mean of exactly 85 stays "good").
_QA_SQL = """
SELECT e.month AS mk, e.agent_id AS employee_id,
  favg(e.score) AS qa_score, count(*) AS qa_evaluations,
  count(*) FILTER (WHERE e.grade = 'poor' OR e.score < $medium_from) AS qa_poor
FROM {source} e
WHERE list_contains($months, e.month)
  AND {scope}
GROUP BY ALL
"""

_APPRAISALS_SQL = """
SELECT strftime(a.month, '%Y-%m') AS mk, a.employee_id, a.attendance_rate, a.late_count,
  a.qa_score AS appraisal_qa_score
FROM appraisals a JOIN employees e ON e.employee_id = a.employee_id
WHERE list_contains($month_starts::DATE[], a.month)
  AND {scope}
"""

# The valid complaints per month and agent, from ``complaints.agents_complaints`` (the
# published facts when current, else the complaints themselves: one home for that choice).
_COMPLAINTS_SQL = """
SELECT k._month AS mk, k.agent_id AS employee_id, count(*) AS valid_complaints
FROM ({source}) k JOIN employees e ON e.employee_id = k.agent_id
WHERE k._month BETWEEN $m0 AND $m1 AND list_contains($months, k._month) AND k.valid
  AND {scope}
GROUP BY ALL
"""


def _complaints(lake: Lake, scope: Scope, span: dict) -> pd.DataFrame:
    """Valid complaints per month and agent."""
    from analytics import complaints

    return _query(lake, _COMPLAINTS_SQL, scope, span, source=complaints.agents_complaints(lake))


def _target_case(targets_s: dict[str, int]) -> tuple[str, dict]:
    """CASE over the schema's categories with each target as a bound parameter."""
    parts, params = [], {}
    for i, cat in enumerate(schema.CATEGORIES):
        parts.append(f"WHEN $cat_{i} THEN $target_{i}")
        params[f"cat_{i}"], params[f"target_{i}"] = cat, float(targets_s[cat])
    params["target_other"] = float(targets_s.get("common", 300))
    return "(CASE coalesce(c.category, 'unknown') " + " ".join(parts) + " ELSE $target_other END)", params


def _threshold(seconds) -> int | None:
    """The lake's handled_le threshold equal to ``seconds``, or None when it keeps none."""
    s = float(seconds)
    return int(s) if s.is_integer() and int(s) in HANDLE_THRESHOLDS else None


def _within_column(targets_s: dict[str, int]) -> tuple[str, dict] | None:
    """The rollup's "handled within the category's target" as a CASE over the schema's
    categories (the other categories take the common target, as ``_target_case``), the
    column names from lake.HANDLE_THRESHOLDS only; None when a target is not one of them."""
    other = _threshold(targets_s.get("common", 300))
    picked = {cat: _threshold(targets_s[cat]) for cat in schema.CATEGORIES}
    if other is None or None in picked.values():
        return None
    parts, params = [], {}
    for i, cat in enumerate(schema.CATEGORIES):
        parts.append(f"WHEN $cat_{i} THEN c.handled_le_{picked[cat]}")
        params[f"cat_{i}"] = cat
    return "(CASE c.category " + " ".join(parts) + f" ELSE c.handled_le_{other} END)", params


def _calls(lake: Lake, scope: Scope, span: dict, handle_targets_s: dict[str, int]) -> pd.DataFrame:
    """Per month, agent and category: the answered calls' measures, from the agent_month
    rollup when it is published (format 3) and keeps every target, else the raw calls."""
    within = _within_column(handle_targets_s)
    if within is not None and lake.has_rollups((CALLS_ROLLUP,), min_format=CALLS_ROLLUP_FORMAT):
        return _query(lake, _CALLS_ROLLUP_SQL, scope, {**span, **within[1]}, within_target=within[0])
    case, cparams = _target_case(handle_targets_s)
    return _query(lake, _CALLS_SQL, scope, {**span, **cparams}, target_case=case)


def _query(lake: Lake, template: str, scope: Scope, params: dict, months=None, **fmt) -> pd.DataFrame:
    pred, sparams = scope_predicate(scope, center="e.center", team="e.team")
    # Every template bounds the calls, intervals, complaints and evaluations it reads to
    # months m0..m1 (or, for the evaluations, qa_m0..qa_m1).
    span = (params["m0"], params["m1"]) if "m0" in params else months
    return lake.query(template.format(scope=pred, **fmt), {**params, **sparams}, months=span)


def agent_month(
    lake: Lake,
    month: date,
    scope: Scope,
    teams: tuple[str, ...] = (),
    weights: dict[str, dict[str, float]] | None = None,
    handle_targets_s: dict[str, int] | None = None,
) -> pd.DataFrame:
    """One row per agent of the month within the scope (and ``teams`` when given): the
    measures, the components (0-100), the score and the rank in the team.

    The month of every team in the scope is computed once and kept in the lake's cache
    (keyed by the scope, the weights and the targets; dropped when an import touches what
    it read); ``teams`` picks whole teams from it, so ranks within a team are unchanged."""
    return agent_months(lake, [month], scope, teams, weights, handle_targets_s)[month]


def agent_months(
    lake: Lake,
    months: list[date],
    scope: Scope,
    teams: tuple[str, ...] = (),
    weights: dict[str, dict[str, float]] | None = None,
    handle_targets_s: dict[str, int] | None = None,
) -> dict[date, pd.DataFrame]:
    """``agent_month`` of each of ``months``: each month is kept in the lake's cache on its
    own; the months not cached yet are computed together, one query per source for all of
    them (GROUP BY month), and then each is cached (its entry depends on what that shared
    computation read)."""
    from analytics import targets as targets_mod

    scope.require("individuals")
    scope.require("hr")  # attendance and lateness are HR records
    weights = weights or load_weights(lake.root)
    handle_targets_s = handle_targets_s or targets_mod.handle_targets(lake.root)
    pred, sparams = scope_predicate(scope, center="e.center", team="e.team")
    common = (pred, freeze(sparams), freeze(weights), freeze(handle_targets_s))
    keys = {m: ("scorecard.agent_month", m, *common) for m in months}
    todo = tuple(sorted(m for m in set(months) if not lake.is_cached(keys[m])))

    def together() -> pd.DataFrame:
        return _agent_months_all(lake, list(todo), scope, weights, handle_targets_s)

    def one(m: date) -> pd.DataFrame:
        if m not in todo:  # evicted meanwhile: compute it alone
            return _agent_months_all(lake, [m], scope, weights, handle_targets_s)
        df = lake.cached(("scorecard.agent_months", todo, *common), together) if len(todo) > 1 else together()
        return df[df["mk"] == month_key(m)].drop(columns="mk").reset_index(drop=True)

    out = {}
    for m in months:
        df = lake.cached(keys[m], lambda m=m: one(m))
        if teams:
            df = df[df["team"].isin(list(teams))].reset_index(drop=True)
        out[m] = df
    return out


def _agent_months_all(
    lake: Lake,
    months: list[date],
    scope: Scope,
    weights: dict[str, dict[str, float]],
    handle_targets_s: dict[str, int],
) -> pd.DataFrame:
    """agent_month of every team in the scope for each of ``months`` (column ``mk``: the month)."""
    months = sorted(months)
    mks = [month_key(m) for m in months]
    span = {"m0": mks[0], "m1": mks[-1], "months": mks}
    starts = {"month_starts": months, "next_months": [shift_month(m, 1) for m in months]}
    people = _query(lake, _AGENTS_SQL, scope, starts | {"agent_roles": list(AGENT_ROLES)})
    per_cat = _calls(lake, scope, span, handle_targets_s)
    days_sql = _DAYS_ROLLUP_SQL if lake.has_rollups(("agent_day",)) else _DAYS_SQL
    days = _query(lake, days_sql, scope, span)
    source, qparams = qa_month.source(lake, months[0], months[-1])
    qa = _query(
        lake,
        _QA_SQL,
        scope,
        {"months": mks, **qparams, "medium_from": QA_MEDIUM_FROM},
        months=(mks[0], mks[-1]),
        source=source,
    )
    appr = _query(lake, _APPRAISALS_SQL, scope, {"month_starts": months})
    compl = _complaints(lake, scope, span)
    return _agent_month_frame(people, per_cat, days, qa, appr, compl, weights)


def _agent_month_frame(
    people: pd.DataFrame,
    per_cat: pd.DataFrame,
    days: pd.DataFrame,
    qa: pd.DataFrame,
    appr: pd.DataFrame,
    compl: pd.DataFrame,
    weights: dict[str, dict[str, float]],
) -> pd.DataFrame:
    """The rows of every month (``mk``) from the per-agent measures of those months.

    One pass over all the months, each row on its own as before (ranks within the month's
    team): pandas costs per operation far more than per row here (a pass per month cost
    ~70 ms each at 52.5 M calls, a new month of the trend several of them)."""
    keys = ["mk", "employee_id"]
    df = people.copy()
    if not per_cat.empty:
        sums = per_cat.groupby(keys)[
            [
                "answered",
                "handled",
                "handle_s",
                "within_target",
                "transferred",
                "csat_sum",
                "csat_n",
                "fcr_yes",
                "fcr_n",
            ]
        ].sum(min_count=1)
        for cat in schema.CATEGORIES:
            part = per_cat[per_cat["category"] == cat].set_index(keys)
            sums[f"aht_{cat}_s"] = part["handle_s"] / part["handled"].where(part["handled"] > 0)
        df = df.merge(sums.reset_index(), on=keys, how="left")
    for frame in (days, qa, appr, compl):
        if not frame.empty:
            df = df.merge(frame, on=keys, how="left")
    for col in (
        "answered",
        "handled",
        "handle_s",
        "within_target",
        "transferred",
        "csat_sum",
        "csat_n",
        "fcr_yes",
        "fcr_n",
        "agent_days",
        "qa_score",
        "qa_evaluations",
        "qa_poor",
        "attendance_rate",
        "late_count",
        "appraisal_qa_score",
        "valid_complaints",
        *[f"aht_{c}_s" for c in schema.CATEGORIES],
    ):
        if col not in df.columns:
            df[col] = float("nan")
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    # Agents in the table but without calls or records this month stay out of the scorecard.
    df = df[(df["answered"].fillna(0) > 0) | df["attendance_rate"].notna() | df["qa_score"].notna()]
    df = df.reset_index(drop=True)

    for c in ("answered", "transferred", "valid_complaints"):
        df[c] = df[c].fillna(0)
    df["answered_per_day"] = df["answered"] / df["agent_days"].where(df["agent_days"] > 0)
    df["aht_s"] = df["handle_s"] / df["handled"].where(df["handled"] > 0)
    df["within_target_share"] = df["within_target"] / df["handled"].where(df["handled"] > 0)
    df["transfer_share"] = df["transferred"] / df["answered"].where(df["answered"] > 0)
    df["csat"] = df["csat_sum"] / df["csat_n"].where(df["csat_n"] > 0)
    df["fcr"] = df["fcr_yes"] / df["fcr_n"].where(df["fcr_n"] > 0)
    df["qa_score"] = df["qa_score"].fillna(df["appraisal_qa_score"])
    df["qa_grade"] = qa_grades(df["qa_score"])

    # The components and the score column-wise: the same formulas as output_component ...
    # weighted_score, operation for operation, so every value is identical to theirs.
    clip = lambda x: x.clip(lower=0.0, upper=100.0)  # noqa: E731  (NaN stays NaN, as None)
    df["c_output"] = clip(100.0 * df["answered_per_day"] / OUTPUT_TARGET_PER_DAY)
    df["c_qa"] = clip(df["qa_score"])
    df["c_fcr"] = clip(100.0 * df["fcr"])
    df["c_attitude"] = clip(100.0 * df["attendance_rate"] - LATENESS_POINTS * df["late_count"].fillna(0))
    df["c_teamwork"] = float("nan")
    df["c_csat"] = clip((df["csat"] - 1.0) / 4.0 * 100.0)
    df["c_complaints"] = clip(100.0 - COMPLAINT_POINTS * df["valid_complaints"].fillna(0)).where(df["answered"] > 0)
    df["score"] = _scores(df, weights)
    df["rank"] = rank_in_team(df["score"], df["team"], df["mk"])
    return df.sort_values(["mk", "team", "rank", "employee_id"], na_position="last", ignore_index=True)


def _scores(df: pd.DataFrame, weights: dict[str, dict[str, float]]) -> pd.Series:
    """weighted_score of every row with its role's weights (``weights_for``), column-wise:
    the sums run over the components in COMPONENTS order as weighted_score's do."""
    import numpy as np

    # The roles once as codes (-1: no role, which takes the default row): each component's
    # weights are then one lookup in a small array, not a map over every row.
    codes, roles = pd.factorize(df["role"], use_na_sentinel=True)
    default = weights_for(weights, None)
    rows = [weights_for(weights, r) for r in roles] + [default]
    num = np.zeros(len(df))
    den = np.zeros(len(df))
    for c in COMPONENTS:
        w = np.array([row[c] for row in rows], dtype="float64")[codes]  # code -1: the last row, the default
        v = df[f"c_{c}"].to_numpy(dtype="float64")
        present = ~np.isnan(v) & (w > 0)
        num = num + np.where(present, w * np.where(present, v, 0.0), 0.0)
        den = den + np.where(present, w, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return pd.Series(out, index=df.index, dtype="float64")


def scorecards(lake: Lake, month: date, scope: Scope, teams: tuple[str, ...] = ()) -> pd.DataFrame:
    """``agent_month`` with the change of score against the previous month.

    The months of the page's trend (``team_trend``, TREND_MONTHS up to ``month``, the
    previous one among them) are computed with it, in the same queries: the trend asked
    next then reads them from the cache instead of a second round of queries."""
    weights = load_weights(lake.root)
    last = shift_month(month, -1)
    window = sorted({last, *(shift_month(month, -k) for k in range(TREND_MONTHS))})
    both = agent_months(lake, window, scope, teams, weights)  # computed together when none is cached
    now, before = both[month], both[last]
    prev = before.set_index("employee_id")["score"]
    # astype: mapping an empty column keeps its text dtype
    now["score_change"] = now["score"] - now["employee_id"].map(prev).astype("float64")
    return now


_SUMMARY_ORDER = (
    "answered",
    "agent_days",
    "handled",
    "handle_s",
    "within_target",
    "transferred",
    "csat_sum",
    "csat_n",
    "fcr_yes",
    "fcr_n",
    "qa_score",
    "valid_complaints",
    "attendance_rate",
    "late_count",
    "score",
)
_AVERAGED = ("qa_score", "attendance_rate", "score")
_SUMMED = tuple(c for c in _SUMMARY_ORDER if c not in _AVERAGED)


def team_summary(cards: pd.DataFrame, by: tuple[str, ...] = ("team",)) -> pd.DataFrame:
    """One row per team (per ``by``: the trend adds the month): sums of counts, ratios of
    sums, mean of components and score."""
    if cards.empty:
        return pd.DataFrame()
    # One sum and one mean over whole blocks of columns (not one aggregation per column).
    g = cards.groupby(list(by), dropna=False)
    sums, means = g[list(_SUMMED)].sum(), g[list(_AVERAGED)].mean()
    out = pd.concat([g["employee_id"].count().rename("agents"), sums, means], axis=1)
    out = out[["agents", *_SUMMARY_ORDER]]
    out["answered_per_day"] = out["answered"] / out["agent_days"].where(out["agent_days"] > 0)
    out["aht_s"] = out["handle_s"] / out["handled"].where(out["handled"] > 0)
    out["within_target_share"] = out["within_target"] / out["handled"].where(out["handled"] > 0)
    out["transfer_share"] = out["transferred"] / out["answered"].where(out["answered"] > 0)
    out["csat"] = out["csat_sum"] / out["csat_n"].where(out["csat_n"] > 0)
    out["fcr"] = out["fcr_yes"] / out["fcr_n"].where(out["fcr_n"] > 0)
    out["qa_grade"] = qa_grades(out["qa_score"])
    return out.reset_index()


TREND_MONTHS = 6  # the months of the page's trend, up to the month shown


def team_trend(
    lake: Lake, month: date, scope: Scope, teams: tuple[str, ...] = (), months: int = TREND_MONTHS
) -> pd.DataFrame:
    """Team means of the score and the main measures over the ``months`` months up to ``month``
    (kept in the lake's cache: a rerun of the page does not summarise six months again)."""
    from analytics import targets as targets_mod

    scope.require("individuals")  # as agent_month, also when the trend comes from the cache
    scope.require("hr")
    weights = load_weights(lake.root)
    handle_targets_s = targets_mod.handle_targets(lake.root)
    pred, sparams = scope_predicate(scope, center="e.center", team="e.team")
    key = (
        "scorecard.team_trend",
        month,
        months,
        tuple(teams),
        pred,
        freeze(sparams),
        freeze(weights),
        freeze(handle_targets_s),
    )

    def compute() -> pd.DataFrame:
        wanted = [shift_month(month, -k) for k in range(months - 1, -1, -1)]
        cards = agent_months(lake, wanted, scope, teams, weights, handle_targets_s)
        # One summary over the months together (the same rows as one per month).
        parts = [cards[m].assign(month=m) for m in wanted if not cards[m].empty]
        return team_summary(pd.concat(parts, ignore_index=True), ("month", "team")) if parts else pd.DataFrame()

    return lake.cached(key, compute)


# --- one agent's month: days, evaluations, complaints ----------------------------------------


def _agent_params(scope: Scope, agent: str) -> tuple[str, dict]:
    pred, params = scope_predicate(scope, center="e.center", team="e.team")
    return pred, {**params, "agent": agent}


def agent_days(lake: Lake, month: date, scope: Scope, agent: str) -> pd.DataFrame:
    """The agent's month by local day: answered, AHT, transfers, CSAT, first-contact resolution."""
    scope.require("individuals")
    pred, params = _agent_params(scope, agent)
    return lake.query(
        """
SELECT CAST(timezone(z.timezone, c.arrived_at) AS DATE) AS day, count(*) AS answered,
  avg(coalesce(c.talk_s, 0) + coalesce(c.hold_s, 0) + coalesce(c.acw_s, 0)) FILTER (WHERE c.talk_s IS NOT NULL) AS aht_s,
  count(*) FILTER (WHERE c.transferred) AS transferred, avg(c.csat) AS csat,
  avg(CAST(c.resolved_first_contact AS INTEGER)) AS fcr
FROM calls c JOIN centers z ON z.center = c.center JOIN employees e ON e.employee_id = c.agent_id
WHERE c._month = $month AND c.answered_at IS NOT NULL AND c.agent_id = $agent AND """
        + pred
        + """
GROUP BY ALL ORDER BY day""",
        {**params, "month": month_key(month)},
        months=month_key(month),
    )


def agent_evaluations(lake: Lake, month: date, scope: Scope, agent: str) -> pd.DataFrame:
    scope.require("individuals")
    pred, params = _agent_params(scope, agent)
    source, qparams = qa_month.source(lake, month, month)
    return lake.query(
        # The source's rows carry the agent's center and team (employees): aliased e for the scope.
        "SELECT e.day, e.method, e.score, e.grade, e.evaluator_id, e.call_id FROM "
        + source
        + """ e
WHERE e.agent_id = $agent AND e.month = $mk AND """
        + pred
        + """
ORDER BY e.evaluated_at""",
        {**params, **qparams, "mk": month_key(month)},
        months=month_key(month),
    )


def agent_complaints(lake: Lake, month: date, scope: Scope, agent: str) -> pd.DataFrame:
    scope.require("individuals")
    pred, params = _agent_params(scope, agent)
    return lake.query(
        """
SELECT CAST(timezone(z.timezone, k.received_at) AS DATE) AS day, k.level, k.channel, k.category, k.cause, k.valid
FROM complaints k JOIN employees e ON e.employee_id = k.agent_id JOIN centers z ON z.center = k.center
WHERE k._month = $month AND k.agent_id = $agent AND """
        + pred
        + """
ORDER BY k.received_at""",
        {**params, "month": month_key(month)},
        months=month_key(month),
    )


# --- the command's format ---------------------------------------------------------------------


def _num(x, digits: int = 2):
    return None if _missing(x) else round(float(x), digits)


def as_document(cards: pd.DataFrame, month: date, weights: dict[str, dict[str, float]]) -> dict:
    """``{"month", "weights", "rows": [{employee_id, name, team, components, score, rank}]}``.

    ``weights`` are the normalised weights of the rows' role (the CSR row when there are no
    rows); when the rows' roles are weighted differently, ``weights_by_role`` says how.
    """
    roles = sorted(set(cards["role"].dropna())) if not cards.empty else []
    per_role = {r: weights_for(weights, r) for r in roles}
    shown = per_role[roles[0]] if roles else weights_for(weights, "csr")
    doc = {"month": month_key(month), "weights": shown, "rows": []}
    if len({tuple(w.items()) for w in per_role.values()}) > 1:
        doc["weights_by_role"] = per_role
    for r in cards.itertuples(index=False):
        doc["rows"].append(
            {
                "employee_id": r.employee_id,
                "name": None if _missing(r.name) else r.name,
                "team": None if _missing(r.team) else r.team,
                "components": {c: _num(getattr(r, f"c_{c}")) for c in COMPONENTS},
                "score": _num(r.score),
                "rank": None if _missing(r.rank) else int(r.rank),
            }
        )
    return doc


def as_csv_frame(doc: dict) -> pd.DataFrame:
    """The document flattened: one row per agent, one column per component (month first)."""
    rows = [
        {
            "month": doc["month"],
            "employee_id": r["employee_id"],
            "name": r["name"],
            "team": r["team"],
            **{c: r["components"][c] for c in COMPONENTS},
            "score": r["score"],
            "rank": r["rank"],
        }
        for r in doc["rows"]
    ]
    return pd.DataFrame(rows, columns=["month", "employee_id", "name", "team", *COMPONENTS, "score", "rank"])


# --- the printable file ---------------------------------------------------------------------

_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",system-ui,sans-serif;margin:24px;color:#1f2937}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:22px 0 6px;border-bottom:1px solid #e5e7eb}
.muted{color:#6b7280;font-size:12px}
table{border-collapse:collapse;width:100%;font-size:11px;margin:6px 0}
th,td{border-bottom:1px solid #e5e7eb;padding:3px 5px;text-align:right}td{white-space:nowrap}th{background:#f3f4f6}
th:nth-child(-n+3),td:nth-child(-n+3){text-align:left}
@page{size:A4 landscape;margin:12mm}
@media print{h2{break-after:avoid}table{break-inside:auto}tr{break-inside:avoid}.team{break-before:page}.team:first-of-type{break-before:auto}}
"""

# Columns of the printed agent table: (frame column, catalogue key, kind of number).
PRINT_COLUMNS = (
    ("rank", "sc.col.rank", "int"),
    ("name", "sc.col.name", "text"),
    ("employee_id", "sc.col.employee_id", "text"),
    ("answered", "sc.col.answered", "int"),
    ("answered_per_day", "sc.col.answered_per_day", "1"),
    ("aht_common_s", "sc.col.aht_common_s", "0"),
    ("aht_complex_s", "sc.col.aht_complex_s", "0"),
    ("within_target_share", "sc.col.within_target_share", "%"),
    ("qa_score", "sc.col.qa_score", "1"),
    ("qa_grade", "sc.col.qa_grade", "grade"),
    ("csat", "sc.col.csat", "2"),
    ("fcr", "sc.col.fcr", "%"),
    ("transferred", "sc.col.transferred", "int"),
    ("valid_complaints", "sc.col.valid_complaints", "int"),
    ("attendance_rate", "sc.col.attendance_rate", "%"),
    ("late_count", "sc.col.late_count", "int"),
    ("score", "sc.col.score", "1"),
    ("score_change", "sc.col.score_change", "+1"),
)


def display_value(value, kind: str, lang: str) -> str:
    """One cell as text: "—" for a missing value, never "None" or "nan"."""
    from i18n import translate

    if _missing(value):
        return "—"
    if kind == "text":
        return str(value)
    if kind == "grade":
        return translate(f"sc.grade.{value}", lang)
    if kind == "int":
        return f"{int(value):,}"
    if kind == "%":
        return f"{100 * float(value):.1f} %"
    if kind == "+1":
        return f"{float(value):+.1f}"
    return f"{float(value):,.{int(kind)}f}"


def render_html(
    cards: pd.DataFrame, month: date, teams_text: str, weights: dict[str, float], lang: str, today: date | None = None
) -> str:
    """The scorecards of a month as one self-contained HTML page, one section per team."""
    import html

    from i18n import translate

    e = html.escape

    def t(key, **v):
        return translate(key, lang, **v)

    title = t("sc.file_title", month=month_key(month))
    parts = [
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body><h1>{e(title)}</h1>",
        f'<p class="muted">{e(t("sc.file_caption", month=month_key(month), teams=teams_text, today=today or date.today()))}</p>',
        f'<p class="muted">{e(t("sc.caption", month=month_key(month), teams=teams_text))}</p>',
        f'<p class="muted">{e(t("sc.weights_used"))}: '
        + e("; ".join(f"{t('sc.comp.' + c)} {100 * weights[c]:.0f} %" for c in COMPONENTS))
        + "</p>",
    ]
    for team, rows in cards.groupby(cards["team"].fillna("—"), sort=True):
        parts.append(f'<section class="team"><h2>{e(t("sc.col.team"))} {e(str(team))}</h2><table><thead><tr>')
        parts.append("".join(f"<th>{e(t(key))}</th>" for _, key, _ in PRINT_COLUMNS) + "</tr></thead><tbody>")
        for r in rows.to_dict(orient="records"):
            parts.append(
                "<tr>"
                + "".join(f"<td>{e(display_value(r.get(col), kind, lang))}</td>" for col, _, kind in PRINT_COLUMNS)
                + "</tr>"
            )
        parts.append(
            "</tbody></table><table><thead><tr>"
            + "".join(f"<th>{e(t(k))}</th>" for k in ("sc.col.rank", "sc.col.name", "sc.col.employee_id"))
            + "".join(f"<th>{e(t('sc.comp.' + c))}</th>" for c in COMPONENTS)
            + f"<th>{e(t('sc.col.score'))}</th></tr></thead><tbody>"
        )
        for r in rows.to_dict(orient="records"):
            cells = [
                display_value(r.get("rank"), "int", lang),
                display_value(r.get("name"), "text", lang),
                display_value(r.get("employee_id"), "text", lang),
            ]
            cells += [display_value(r.get(f"c_{c}"), "1", lang) for c in COMPONENTS]
            cells.append(display_value(r.get("score"), "1", lang))
            parts.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
        parts.append("</tbody></table></section>")
    parts.append(f'<p class="muted">{e(t("sc.components.caption"))}</p></body></html>')
    return "".join(parts)
