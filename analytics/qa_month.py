"""Quality evaluations deduplicated once per import and split by month: the ``qa_month`` rollup.

qa_evaluations is a reference table (source systems re-export evaluations whole), so its
view keeps the newest batch of each evaluation with a window over every row of every
batch; no month filter can skip that pass (~85 ms per read at 1.5 M evaluations). The
rollup holds the result of that pass once, as the pages see it:

- ``_rollups/qa_month/month=YYYY-MM/``: one row per evaluation (its newest batch) whose
  agent is in the employees table and whose center is in centers, in the month of its
  local day (the agent's center's time zone); ``day`` is that local day.

It depends on qa_evaluations (the evaluations), employees (the agent's center) and centers
(the center's time zone): ``lake.rebuild_rollups`` (every import, ``repair``) rebuilds the
whole rollup when a batch of any of them was added since it was built (a re-exported
evaluation can move month) and records, under ``qa_month`` in ``_published.json``, the
batches it was built from. Readers (analytics.quality, analytics.scorecard) use it only when
those batches are the ones published (``current``); otherwise they read the deduplicating
view (slower, same numbers): never a stale figure.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc

ROLLUP = "qa_month"
DEPENDS = ("qa_evaluations", "employees", "centers")
VERSION = 2  # bump when the columns or their meaning change: the rollup is then rebuilt

# The columns both sources give: the evaluation, its local day, the agent's center, team and
# name and the inspector's name (from employees, which the rollup depends on), and its month.
COLUMNS = (
    "evaluation_id",
    "call_id",
    "agent_id",
    "evaluator_id",
    "method",
    "score",
    "grade",
    "evaluated_at",
    "day",
    "center",
    "team",
    "name",
    "evaluator_name",
)

_LOCAL = "timezone(z.timezone, q.evaluated_at)"
_EVALS = f"""q.evaluation_id, q.call_id, q.agent_id, q.evaluator_id, q.method, q.score, q.grade, q.evaluated_at,
  CAST({_LOCAL} AS DATE) AS day, e.center, e.team, e.name, n.name AS evaluator_name"""
_JOINS = """qa_evaluations q JOIN employees e ON e.employee_id = q.agent_id JOIN centers z ON z.center = e.center
  LEFT JOIN employees n ON n.employee_id = q.evaluator_id"""
_BUILD_SQL = f"""
SELECT {_EVALS}, strftime({_LOCAL}, '%Y-%m') AS _month
FROM {_JOINS}
ORDER BY _month, day
"""

# What a reader selects from: the rollup's months m0..m1, or the same rows from the view.
_ROLLUP_SOURCE = "(SELECT " + ", ".join(COLUMNS) + ", month FROM rollup_qa_month WHERE month BETWEEN $qa_m0 AND $qa_m1)"
_VIEW_SOURCE = f"""(SELECT {_EVALS}, strftime({_LOCAL}, '%Y-%m') AS month
  FROM {_JOINS}
  WHERE q.evaluated_at >= $qa_utc_from AND q.evaluated_at < $qa_utc_to
    AND strftime({_LOCAL}, '%Y-%m') BETWEEN $qa_m0 AND $qa_m1)"""


def build(lake) -> pa.Table:
    """Every evaluation as the pages see it (newest batch, known agent and center), with
    ``day`` and ``_month``, sorted by month."""
    cur = lake.con.cursor()
    try:
        return cur.sql(_BUILD_SQL).to_arrow_table()
    finally:
        cur.close()


def split_by_month(table: pa.Table) -> dict[str, pa.Table]:
    """month -> that month's rows without ``_month`` (the partition folder names it)."""
    # build() sorts by month: each month is one slice (no filter pass per month).
    counts = pc.value_counts(table["_month"]).to_pylist()
    rest = table.drop_columns(["_month"])
    out, offset = {}, 0
    for vc in sorted(counts, key=lambda c: c["values"]):
        out[vc["values"]] = rest.slice(offset, vc["counts"])
        offset += vc["counts"]
    return out


def meta_for(batches: dict[str, list[str]]) -> dict:
    """What the manifest keeps beside the rollup: the batches of DEPENDS it was built from."""
    return {"version": VERSION, "batches": {t: list(batches.get(t, [])) for t in DEPENDS}}


def matches(meta: dict | None, batches: dict[str, list[str]]) -> bool:
    """Whether a rollup built with ``meta`` holds for these batches."""
    return bool(meta) and meta == meta_for(batches)


def current(lake) -> bool:
    """Whether ``lake``'s views include a qa_month built from the batches they publish
    (a lake without a manifest, e.g. the rollup builder's or Spark's, reads the view)."""
    manifest = getattr(lake, "manifest", None)
    if not manifest or not lake.has_rollups((ROLLUP,)):
        return False
    return matches(manifest.get(ROLLUP), manifest.get("batches", {}))


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def source(lake, first: date, last: date) -> tuple[str, dict]:
    """A relation of the evaluations whose local day falls in the months of ``first`` ..
    ``last`` (columns COLUMNS and ``month``), and its parameters: the rollup when current,
    else the view. The caller bounds the days exactly."""
    m0, m1 = month_key(first), month_key(last)
    params = {"qa_m0": m0, "qa_m1": m1}
    if current(lake):
        return _ROLLUP_SOURCE, params
    # UTC instants around the months' local days in any time zone (offsets stay within a day).
    lo = datetime(first.year, first.month, 1, tzinfo=UTC) - timedelta(days=1)
    hi = datetime(last.year + last.month // 12, last.month % 12 + 1, 1, tzinfo=UTC) + timedelta(days=1)
    return _VIEW_SOURCE, {**params, "qa_utc_from": lo, "qa_utc_to": hi}
