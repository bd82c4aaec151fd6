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

from datetime import UTC, date, datetime, timedelta

import pandas as pd

from analytics import calls
from analytics import metrics as m
from analytics.access import Scope, scope_predicate
from analytics.filters import Filters
from analytics.lake import Lake
from analytics.scorecard import QA_GOOD_FROM, QA_MEDIUM_FROM, qa_grade

REVIEWS_PER_DAY_TARGET = 60  # recordings per inspector per day (seed 004 篇三)
LOW_QA_BELOW = 75.0  # an agent's mean inspection score below this puts them on the worklist
CALIBRATION_GAP = 3.0  # points an inspector may score above / below colleagues on the same agents
REPEATED_LOW_FROM = 2  # poor evaluations in the period that make "repeated low scores"
# What follows the n-th poor evaluation in the period (DOMAIN.md): 1, 2, 3 and more.
NEXT_STEPS = ("verbal_reminder", "signed_slip", "deduction")

# The columns of one evaluation row: every column (``evaluations``), or those the page's
# figures read (``_scored``). qa_evaluations is a reference table whose view keeps the newest
# batch of each evaluation by a window over the whole table, carrying every column it is
# asked for: fewer columns make that pass and the frame cheaper.
_ALL_COLUMNS = "q.evaluation_id, q.call_id, q.agent_id, q.evaluator_id, q.method, q.score"
_SCORED_COLUMNS = "q.agent_id, q.evaluator_id, q.score"
_EVALS_SQL = """
SELECT {columns},
  coalesce(q.grade, CASE WHEN q.score >= $good_from THEN 'good' WHEN q.score >= $medium_from THEN 'medium'
                         ELSE 'poor' END) AS grade,
  {evaluated_at}CAST(timezone(z.timezone, q.evaluated_at) AS DATE) AS day,
  e.center, e.team, e.name
FROM qa_evaluations q JOIN employees e ON e.employee_id = q.agent_id
JOIN centers z ON z.center = e.center
WHERE q.evaluated_at >= $utc_from AND q.evaluated_at < $utc_to
  AND CAST(timezone(z.timezone, q.evaluated_at) AS DATE) BETWEEN $start AND $end
  AND (len($centers::VARCHAR[]) = 0 OR list_contains($centers::VARCHAR[], e.center))
  AND (len($teams::VARCHAR[]) = 0 OR list_contains($teams::VARCHAR[], e.team))
  AND (len($agents::VARCHAR[]) = 0 OR list_contains($agents::VARCHAR[], q.agent_id))
  AND {scope}
"""


def _utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """UTC instants around the local days start..end in any time zone (offsets stay within
    a day): a range on the raw timestamp that the scan applies before the per-row time-zone
    conversion, which then keeps exactly the local days asked for."""
    lo = datetime(start.year, start.month, start.day, tzinfo=UTC) - timedelta(days=1)
    hi = datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=2)
    return lo, hi


def evaluations(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """The evaluations of the period of the agents in scope (one row per evaluation)."""
    return _evaluations(lake, filters, scope, _ALL_COLUMNS, "q.evaluated_at, ")


def _scored(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """``evaluations`` with the columns the figures below read: agent, evaluator, score,
    grade, day, and the agent's center, team and name."""
    return _evaluations(lake, filters, scope, _SCORED_COLUMNS, "")


def _evaluations(lake: Lake, filters: Filters, scope: Scope, columns: str, evaluated_at: str) -> pd.DataFrame:
    scope.require("individuals")
    pred, sparams = scope_predicate(scope, center="e.center", team="e.team")
    utc_from, utc_to = _utc_bounds(filters.start, filters.end)
    return lake.query(
        _EVALS_SQL.format(scope=pred, columns=columns, evaluated_at=evaluated_at),
        {
            **sparams,
            "utc_from": utc_from,
            "utc_to": utc_to,
            "start": filters.start,
            "end": filters.end,
            "centers": list(filters.centers),
            "teams": list(filters.teams),
            "agents": list(filters.agents),
            "good_from": QA_GOOD_FROM,
            "medium_from": QA_MEDIUM_FROM,
        },
    )


def _valid_complaints(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    pred, sparams = scope_predicate(scope, center="e.center", team="e.team")
    return lake.query(
        """
SELECT k.agent_id, count(*) AS valid_complaints
FROM complaints k JOIN employees e ON e.employee_id = k.agent_id JOIN centers z ON z.center = k.center
WHERE k._month BETWEEN $m0 AND $m1 AND k.valid
  AND CAST(timezone(z.timezone, k.received_at) AS DATE) BETWEEN $start AND $end
  AND (len($centers::VARCHAR[]) = 0 OR list_contains($centers::VARCHAR[], e.center))
  AND (len($teams::VARCHAR[]) = 0 OR list_contains($teams::VARCHAR[], e.team))
  AND """
        + pred
        + """
GROUP BY ALL""",
        {
            **sparams,
            "m0": filters.months[0],
            "m1": filters.months[1],
            "start": filters.start,
            "end": filters.end,
            "centers": list(filters.centers),
            "teams": list(filters.teams),
        },
        months=filters.months,
    )


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
    if review.empty:
        review = pd.DataFrame(
            columns=[
                "agent",
                "name",
                "team",
                "center",
                "tenure_days",
                "handled",
                "aht_s",
                "aht_vs_team",
                "output_swing",
                "reasons",
                "priority",
            ]
        )
    ev = _scored(lake, filters, scope)
    qa = (
        ev.groupby("agent_id").agg(
            qa_score=("score", "mean"),
            evaluations=("score", "size"),
            name_qa=("name", "first"),
            team_qa=("team", "first"),
            center_qa=("center", "first"),
        )
        if not ev.empty
        else pd.DataFrame(columns=["qa_score", "evaluations", "name_qa", "team_qa", "center_qa"])
    )
    comp = _valid_complaints(lake, filters, scope).set_index("agent_id")
    df = review.set_index("agent").join(qa, how="outer").join(comp, how="outer")
    df.index.name = "agent"
    df = df.reset_index()
    for col, alt in (("name", "name_qa"), ("team", "team_qa"), ("center", "center_qa")):
        df[col] = df[col].astype("object").where(df[col].notna(), df[alt])
    if df["name"].isna().any() or df["team"].isna().any():  # an agent with complaints only
        names = lake.query(
            "SELECT employee_id AS agent, name, team, center FROM employees WHERE list_contains($ids, employee_id)",
            {"ids": df["agent"].tolist()},
        ).set_index("agent")
        for col in ("name", "team", "center"):
            df[col] = df[col].where(df[col].notna(), df["agent"].map(names[col]))
    df["valid_complaints"] = pd.to_numeric(df["valid_complaints"], errors="coerce").fillna(0).astype("int64")
    df["evaluations"] = pd.to_numeric(df["evaluations"], errors="coerce").fillna(0).astype("int64")
    df["qa_score"] = pd.to_numeric(df["qa_score"], errors="coerce").astype("float64")
    low = df["qa_score"] < LOW_QA_BELOW
    reasons = []
    for base, is_low, n_compl in zip(df["reasons"], low, df["valid_complaints"]):
        r = [x for x in (base if isinstance(base, str) else "").split(",") if x]
        if is_low:
            r.append("low_qa")
        if n_compl > 0:
            r.append("complaints")
        reasons.append(",".join(r))
    df["reasons"] = reasons
    df["priority"] = (
        pd.to_numeric(df["priority"], errors="coerce").fillna(0)
        + ((LOW_QA_BELOW - df["qa_score"]).clip(lower=0) / 10).fillna(0)
        + df["valid_complaints"]
    )
    df = df[df["reasons"] != ""].sort_values(["priority", "agent"], ascending=[False, True], ignore_index=True)
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


def reviews_per_day(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per inspector: days with reviews, reviews, reviews per such day against 60."""
    ev = _scored(lake, filters, scope)
    if ev.empty:
        return pd.DataFrame(columns=["evaluator", "name", "days", "reviews", "per_day", "vs_target"])
    ev["evaluator_id"] = ev["evaluator_id"].fillna("—")
    out = ev.groupby("evaluator_id").agg(days=("day", "nunique"), reviews=("score", "size")).reset_index()
    out["per_day"] = out["reviews"] / out["days"]
    out["vs_target"] = out["per_day"] / REVIEWS_PER_DAY_TARGET
    names = lake.query(
        "SELECT employee_id AS evaluator_id, name FROM employees WHERE list_contains($ids, employee_id)",
        {"ids": out["evaluator_id"].tolist()},
    )
    out = out.merge(names, on="evaluator_id", how="left").rename(columns={"evaluator_id": "evaluator"})
    return out[["evaluator", "name", "days", "reviews", "per_day", "vs_target"]].sort_values(
        "per_day", ignore_index=True
    )


def grade_distribution(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per team: agents graded good / medium / poor by their mean inspection score of the
    period, and the shares."""
    ev = _scored(lake, filters, scope)
    cols = ["team", "agents", "good", "medium", "poor", "good_share", "medium_share", "poor_share"]
    if ev.empty:
        return pd.DataFrame(columns=cols)
    per_agent = ev.groupby(["team", "agent_id"], dropna=False)["score"].mean().reset_index()
    per_agent["grade"] = per_agent["score"].map(qa_grade)
    out = per_agent.pivot_table(
        index="team", columns="grade", values="agent_id", aggfunc="count", fill_value=0, dropna=False
    )
    out = out.reindex(columns=["good", "medium", "poor"], fill_value=0).reset_index()
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
    ev = _scored(lake, filters, scope)
    cols = ["evaluator", "name", "reviews", "shared_agents", "mean_score", "offset", "poor_share", "flag"]
    ev = ev[ev["evaluator_id"].notna()]
    if ev.empty:
        return pd.DataFrame(columns=cols)
    per = ev.groupby(["agent_id", "evaluator_id"])["score"].agg(["sum", "count"]).reset_index()
    tot = per.groupby("agent_id")[["sum", "count"]].sum().rename(columns={"sum": "all_sum", "count": "all_n"})
    per = per.join(tot, on="agent_id")
    per = per[per["all_n"] > per["count"]]  # the agent was also scored by someone else
    per["others_mean"] = (per["all_sum"] - per["sum"]) / (per["all_n"] - per["count"])
    per["diff_sum"] = per["sum"] - per["count"] * per["others_mean"]
    agg = ev.groupby("evaluator_id").agg(
        reviews=("score", "size"), mean_score=("score", "mean"), poor_share=("grade", lambda g: (g == "poor").mean())
    )
    shared = per.groupby("evaluator_id").agg(
        shared_agents=("agent_id", "nunique"), diff_sum=("diff_sum", "sum"), n=("count", "sum")
    )
    out = agg.join(shared, how="left")
    out["shared_agents"] = out["shared_agents"].fillna(0).astype("int64")
    out["offset"] = out["diff_sum"] / out["n"].where(out["n"] > 0)
    out["flag"] = out["offset"].map(
        lambda x: (
            None if pd.isna(x) else "harsh" if x <= -CALIBRATION_GAP else "lenient" if x >= CALIBRATION_GAP else "ok"
        )
    )
    out = out.reset_index().rename(columns={"evaluator_id": "evaluator"})
    names = lake.query(
        "SELECT employee_id AS evaluator, name FROM employees WHERE list_contains($ids, employee_id)",
        {"ids": out["evaluator"].tolist()},
    )
    out = out.merge(names, on="evaluator", how="left")
    return out[cols].sort_values("offset", key=lambda s: s.abs(), ascending=False, ignore_index=True)


def repeated_low_scores(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Agents with REPEATED_LOW_FROM poor evaluations or more in the period, with the next
    step of the sanctions ladder (verbal reminder, signed QC slip, deduction)."""
    ev = _scored(lake, filters, scope)
    cols = ["agent", "name", "team", "poor", "evaluations", "qa_score", "last_poor_day", "next_step"]
    if ev.empty:
        return pd.DataFrame(columns=cols)
    ev["is_poor"] = ev["grade"] == "poor"
    g = ev.groupby("agent_id")
    out = g.agg(
        name=("name", "first"),
        team=("team", "first"),
        poor=("is_poor", "sum"),
        evaluations=("score", "size"),
        qa_score=("score", "mean"),
    ).reset_index()
    last = ev[ev["is_poor"]].groupby("agent_id")["day"].max()
    # A merge, not Series.map: mapping by an empty Series of days (no poor evaluation in the
    # period) raises in pandas 3.
    out = out.merge(last.rename("last_poor_day"), left_on="agent_id", right_index=True, how="left")
    out = out[out["poor"] >= REPEATED_LOW_FROM].copy()
    out["next_step"] = out["poor"].map(lambda n: NEXT_STEPS[min(int(n), len(NEXT_STEPS)) - 1])
    out = out.rename(columns={"agent_id": "agent"})
    return out[cols].sort_values(["poor", "qa_score"], ascending=[False, True], ignore_index=True)
