"""Quality inspection (质检): whom to listen to, how much inspectors review, grades,
calibration between inspectors and repeated low scores.

DOMAIN.md (seed 004): inspectors review about 60 recordings a day; they aim at agents
whose daily output swings, calls much longer or shorter than usual and new agents; they
grade agents good / medium / poor; a first problem gets a verbal reminder, then a signed
QC reminder slip, then a deduction.

Every query limits the evaluations to the agents within the scope (the agent's center
and team from the employees table) and the period in the agent's center's local time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import calls, complaints, qa_month
from analytics import metrics as m
from analytics.access import Scope, scope_predicate
from analytics.filters import Filters
from analytics.lake import Lake
from analytics.scorecard import QA_GOOD_FROM, QA_MEDIUM_FROM

REVIEWS_PER_DAY_TARGET = 60  # recordings per inspector per day (seed 004 篇三)
LOW_QA_BELOW = 75.0  # an agent's mean inspection score below this puts them on the worklist
CALIBRATION_GAP = 3.0  # points an inspector may score above / below colleagues on the same agents
REPEATED_LOW_FROM = 2  # poor evaluations in the period that make "repeated low scores"
# What follows the n-th poor evaluation in the period (DOMAIN.md): 1, 2, 3 and more.
NEXT_STEPS = ("verbal_reminder", "signed_slip", "deduction")

# The columns of one evaluation row: every column (``evaluations``), or those the page's
# figures aggregate (``_aggregate``). The rows come from analytics.qa_month: the qa_month rollup
# (deduplicated once per import, one file per local month) when it is current, else the
# deduplicating qa_evaluations view over the same months (slower, same rows).
_ALL_COLUMNS = "q.evaluation_id, q.call_id, q.agent_id, q.evaluator_id, q.method, q.score"
_SCORED_COLUMNS = "q.agent_id, q.evaluator_id, q.score"
_EVALS_SQL = """
SELECT {columns},
  coalesce(q.grade, CASE WHEN q.score >= $good_from THEN 'good' WHEN q.score >= $medium_from THEN 'medium'
                         ELSE 'poor' END) AS grade,
  {evaluated_at}q.day, q.center, q.team, q.name, q.evaluator_name
FROM {source} q
WHERE q.day BETWEEN $start AND $end
  AND (len($centers::VARCHAR[]) = 0 OR list_contains($centers::VARCHAR[], q.center))
  AND (len($teams::VARCHAR[]) = 0 OR list_contains($teams::VARCHAR[], q.team))
  AND (len($agents::VARCHAR[]) = 0 OR list_contains($agents::VARCHAR[], q.agent_id))
  AND {scope}
"""


def evaluations(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """The evaluations of the period of the agents in scope (one row per evaluation)."""
    sql, params = _evals_sql(lake, filters, scope, _ALL_COLUMNS, "q.evaluated_at, ")
    return lake.query(sql, params, months=filters.months)


def _aggregate(lake: Lake, filters: Filters, scope: Scope, select: str, extra: dict | None = None) -> pd.DataFrame:
    """``select`` (a query over ``ev``, the scored evaluations of the period in scope: agent,
    evaluator, score, grade, day, the agent's center, team and name and the inspector's
    name), run in SQL."""
    sql, params = _evals_sql(lake, filters, scope, _SCORED_COLUMNS, "")
    return lake.query("WITH ev AS (" + sql + ")\n" + select, {**params, **(extra or {})}, months=filters.months)


# The page's figures per agent (worklist, grades, repeated low scores) and per inspector
# (reviews a day, calibration) come from two statements over ``ev``; each function takes its
# part of the one result the lake caches, instead of a statement of its own (8 -> 5 a view).
# name, team and center are the agent's (one employees row per agent): any value is theirs.
_PER_AGENT_SQL = """SELECT agent_id, any_value(name) AS name, any_value(team) AS team,
  any_value(center) AS center, count(*) AS evaluations, favg(score) AS qa_score,
  count(*) FILTER (WHERE grade = 'poor') AS poor, max(day) FILTER (WHERE grade = 'poor') AS last_poor_day
FROM ev GROUP BY agent_id"""
# Calibration: for every agent evaluated by two inspectors or more, each evaluation is
# compared with the agent's mean score from the *other* inspectors. per: each inspector's sum
# and count of scores per agent; an agent also scored by someone else gives others_mean =
# (the agent's sum - this inspector's) / (count - this count), and the inspector's difference
# to it summed over those scores. Means and sums of scores use DuckDB's compensated (Kahan)
# summation, as pandas' groupby does: the same value whatever the row order, so a mean of
# exactly 85 or 70 lands on the same side of a grade band every time. The row of evaluations
# without an inspector (evaluator NULL) counts in the reviews, not in the calibration.
_PER_INSPECTOR_SQL = """, per AS (
  SELECT agent_id, evaluator_id, fsum(score) AS s, count(*) AS n,
    sum(fsum(score)) OVER (PARTITION BY agent_id) AS all_s, sum(count(*)) OVER (PARTITION BY agent_id) AS all_n
  FROM ev WHERE evaluator_id IS NOT NULL GROUP BY agent_id, evaluator_id),
shared AS (
  SELECT evaluator_id, count(DISTINCT agent_id) AS shared_agents, sum(s - n * ((all_s - s) / (all_n - n))) AS diff_sum,
    sum(n) AS n
  FROM per WHERE all_n > n GROUP BY evaluator_id),
agg AS (
  SELECT evaluator_id, any_value(evaluator_name) AS name, count(DISTINCT day) AS days, count(*) AS reviews,
    favg(score) AS mean_score, avg(CASE WHEN grade = 'poor' THEN 1.0 ELSE 0.0 END) AS poor_share
  FROM ev GROUP BY evaluator_id)
SELECT agg.evaluator_id AS evaluator, agg.name, agg.days, agg.reviews,
  coalesce(shared.shared_agents, 0) AS shared_agents, agg.mean_score,
  shared.diff_sum / nullif(shared.n, 0) AS off, agg.poor_share
FROM agg LEFT JOIN shared ON shared.evaluator_id = agg.evaluator_id"""


def _per_agent(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per agent evaluated in the period: name, team, center, evaluations, mean score, poor
    evaluations and the last day of one."""
    return _aggregate(lake, filters, scope, _PER_AGENT_SQL)


def _per_inspector(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per inspector (evaluator NULL: evaluations without one): days with reviews, reviews,
    mean score, share graded poor, agents shared with colleagues and the calibration offset."""
    return _aggregate(lake, filters, scope, _PER_INSPECTOR_SQL)


def _evals_sql(lake: Lake, filters: Filters, scope: Scope, columns: str, evaluated_at: str) -> tuple[str, dict]:
    scope.require("individuals")
    # The agent's center and team as the employees table has them (the source joins it).
    pred, sparams = scope_predicate(scope, center="q.center", team="q.team")
    source, qparams = qa_month.source(lake, filters.start, filters.end)
    sql = _EVALS_SQL.format(scope=pred, columns=columns, evaluated_at=evaluated_at, source=source)
    return sql, {
        **sparams,
        **qparams,
        "start": filters.start,
        "end": filters.end,
        "centers": list(filters.centers),
        "teams": list(filters.teams),
        "agents": list(filters.agents),
        "good_from": QA_GOOD_FROM,
        "medium_from": QA_MEDIUM_FROM,
    }


def inspectors(lake: Lake, filters: Filters, scope: Scope) -> int:
    """Quality inspectors employed during the period in the scope's centers."""
    pred, sparams = scope_predicate(scope, center="center", team=None)
    df = lake.query(
        """
SELECT count(*) AS n FROM employees
WHERE role = 'quality_inspector' AND hire_date <= $end AND (exit_date IS NULL OR exit_date >= $start)
  AND (len($centers::VARCHAR[]) = 0 OR list_contains($centers::VARCHAR[], center)) AND """
        + pred
        + """""",
        {**sparams, "start": filters.start, "end": filters.end, "centers": list(filters.centers)},
    )
    return int(df["n"].iloc[0])


def worklist(lake: Lake, filters: Filters, scope: Scope, settings: m.ServiceSettings | None = None) -> pd.DataFrame:
    """Agents to listen to, most urgent first, with every reason that applies:

    output that swings, handle time far from the team's, a new agent (from
    ``calls.agents_to_review``, the one home of those rules), a low mean QA score
    (below LOW_QA_BELOW) and valid complaints in the period. ``recordings`` shares the
    inspectors' daily capacity (inspectors × 60) over the list by priority, at least one each.
    """
    scope.require("individuals")
    review = calls.agents_to_review(lake, filters, scope, settings)
    qa = _per_agent(lake, filters, scope)
    comp = complaints.valid_by_agent(lake, filters, scope)
    # Only the agents with a reason are listed: those agents_to_review returns, those with a
    # low mean score and those with valid complaints. The per-agent figures are looked up for
    # that list with one index lookup per source and numpy takes: outer-joining the three
    # frames (every agent evaluated, ~3,000 at 52.5 M calls) and dropping most rows cost
    # ~27 ms a view in pandas.
    low_qa = qa["agent_id"].to_numpy(object)[(qa["qa_score"] < LOW_QA_BELOW).to_numpy()]
    with_complaints = comp["agent_id"].to_numpy(object)[(comp["valid_complaints"] > 0).to_numpy()]
    listed = review["agent"].to_numpy(object)
    others = np.setdiff1d(np.union1d(low_qa, with_complaints), listed)
    agent = np.concatenate([listed, others])
    in_review = np.arange(len(agent)) < len(listed)
    iq = pd.Index(qa["agent_id"]).get_indexer(agent)
    ik = pd.Index(comp["agent_id"]).get_indexer(agent)

    def review_col(col: str, fill=None) -> np.ndarray:
        out = np.full(len(agent), fill, dtype=object if fill is None else float)
        if len(listed):
            out[in_review] = review[col].to_numpy(out.dtype, na_value=fill)
        return out

    # The agent's name, team and center: as agents_to_review gives them (the calls' team),
    # else the employees table's (the evaluations' and complaints' sources join it).
    cols = {"agent": agent}
    for col in ("name", "team", "center"):
        v = review_col(col)
        for frame, idx in ((qa, iq), (comp, ik)):
            fill = pd.isna(v) & (idx >= 0)
            v[fill] = frame[col].to_numpy(object, na_value=None)[idx[fill]]
        cols[col] = v
    # Agents in the evaluations or the complaints carry their employees row already; an
    # agent listed only by agents_to_review without a team (calls without one) may have one
    # there.
    unnamed = in_review & (iq < 0) & (ik < 0) & (pd.isna(cols["name"]) | pd.isna(cols["team"]))
    if unnamed.any():
        names = lake.query(
            "SELECT employee_id AS agent, name, team, center FROM employees WHERE list_contains($ids, employee_id)",
            {"ids": sorted(set(agent[unnamed]))},
        )
        ie = pd.Index(names["agent"]).get_indexer(agent)
        for col in ("name", "team", "center"):
            fill = pd.isna(cols[col]) & (ie >= 0)
            cols[col][fill] = names[col].to_numpy(object, na_value=None)[ie[fill]]
    qa_score = _looked_up(qa["qa_score"].to_numpy(float, na_value=np.nan), iq, np.nan)
    evaluations = _looked_up(qa["evaluations"].to_numpy("int64"), iq, 0)
    valid = _looked_up(comp["valid_complaints"].to_numpy("int64"), ik, 0)
    reasons = review_col("reasons")
    cols["reasons"] = [
        ",".join(r for r in (base or "", "low_qa" if lo else "", "complaints" if co else "") if r)
        for base, lo, co in zip(reasons, qa_score < LOW_QA_BELOW, valid > 0)
    ]
    cols["priority"] = (
        np.nan_to_num(review_col("priority", np.nan))
        + np.nan_to_num(np.clip(LOW_QA_BELOW - qa_score, 0, None) / 10)
        + valid
    )
    cols.update(qa_score=qa_score, evaluations=evaluations, valid_complaints=valid)
    for col in ("aht_vs_team", "output_swing", "tenure_days"):
        cols[col] = review_col(col, np.nan)
    df = pd.DataFrame(cols).sort_values(["priority", "agent"], ascending=[False, True], ignore_index=True)
    capacity = inspectors(lake, filters, scope) * REVIEWS_PER_DAY_TARGET
    if not df.empty:
        share = df["priority"] / df["priority"].sum() if df["priority"].sum() > 0 else 1 / len(df)
        df["recordings"] = (share * max(capacity, len(df))).round().clip(lower=1).astype("int64")
    else:
        df["recordings"] = pd.Series(dtype="int64")
    return df[
        [
            "agent",
            "name",
            "team",
            "center",
            "reasons",
            "recordings",
            "qa_score",
            "evaluations",
            "valid_complaints",
            "aht_vs_team",
            "output_swing",
            "tenure_days",
            "priority",
        ]
    ]


def _looked_up(values: np.ndarray, idx: np.ndarray, fill) -> np.ndarray:
    """``values[idx]``, ``fill`` where ``idx`` is -1 (not found by ``get_indexer``)."""
    out = np.full(len(idx), fill, dtype=values.dtype)
    found = idx >= 0
    out[found] = values[idx[found]]
    return out


def reviews_per_day(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per inspector: days with reviews, reviews, reviews per such day against 60."""
    out = _per_inspector(lake, filters, scope)[["evaluator", "name", "days", "reviews"]]
    out["evaluator"] = out["evaluator"].fillna("—")
    out["per_day"] = out["reviews"] / out["days"]
    out["vs_target"] = out["per_day"] / REVIEWS_PER_DAY_TARGET
    out = out.sort_values(["per_day", "evaluator"], ignore_index=True)
    return out[["evaluator", "name", "days", "reviews", "per_day", "vs_target"]]


def grade_distribution(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per team: agents graded good / medium / poor by their mean inspection score of the
    period (the bands of ``scorecard.qa_grade``), and the shares."""
    cols = ["team", "agents", "good", "medium", "poor", "good_share", "medium_share", "poor_share"]
    per_agent = _per_agent(lake, filters, scope)
    score = per_agent["qa_score"]
    bands = pd.DataFrame(
        {
            "team": per_agent["team"],
            "good": score >= QA_GOOD_FROM,
            "medium": (score >= QA_MEDIUM_FROM) & (score < QA_GOOD_FROM),
            "poor": score < QA_MEDIUM_FROM,
        }
    )
    out = bands.groupby("team", dropna=False, sort=True).sum().astype("int64").reset_index()  # no team: last
    out["agents"] = out[["good", "medium", "poor"]].sum(axis=1)
    for g in ("good", "medium", "poor"):
        out[f"{g}_share"] = out[g] / out["agents"]
    return out[cols]


def calibration(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """How differently inspectors score the same agents.

    For every agent evaluated by two inspectors or more, each evaluation is compared with
    the agent's mean score from the *other* inspectors; an inspector's ``offset`` is the
    mean of those differences (points above / below colleagues on the same agents), so an
    inspector who happens to review weaker agents is not called harsh. ``flag`` marks an
    offset of CALIBRATION_GAP points or more.
    """
    cols = ["evaluator", "name", "reviews", "shared_agents", "mean_score", "offset", "poor_share", "flag"]
    out = _per_inspector(lake, filters, scope)
    out = out[out["evaluator"].notna()]
    out = out.rename(columns={"off": "offset"})
    out["offset"] = out["offset"].astype("float64")
    out["flag"] = [
        None if pd.isna(x) else "harsh" if x <= -CALIBRATION_GAP else "lenient" if x >= CALIBRATION_GAP else "ok"
        for x in out["offset"]
    ]
    return out[cols].sort_values(["offset", "evaluator"], key=_abs_offset, ascending=[False, True], ignore_index=True)


def _abs_offset(s: pd.Series) -> pd.Series:
    return s.abs() if s.name == "offset" else s


def repeated_low_scores(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Agents with REPEATED_LOW_FROM poor evaluations or more in the period, with the next
    step of the sanctions ladder (verbal reminder, signed QC slip, deduction)."""
    cols = ["agent", "name", "team", "poor", "evaluations", "qa_score", "last_poor_day", "next_step"]
    out = _per_agent(lake, filters, scope).rename(columns={"agent_id": "agent"})
    out = out[out["poor"] >= REPEATED_LOW_FROM]
    out["next_step"] = [NEXT_STEPS[min(int(n), len(NEXT_STEPS)) - 1] for n in out["poor"]]
    return out[cols].sort_values(["poor", "qa_score", "agent"], ascending=[False, True, True], ignore_index=True)
