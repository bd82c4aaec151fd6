"""Complaint (投诉) analytics: counts, rates, escalation, handling times in working days,
backlog, causes, repeat complainers and unusual months.

Every function takes (lake, filters, scope[, settings]) like ``analytics.calls`` and
aggregates in SQL over the complaint facts materialised at import
(``analytics.complaint_facts``: working-day durations, resolution flags, a working-day
index), with the filter and the Scope predicate as bound parameters inside the query.
When the settings in force or the calendar differ from those the facts were built with,
the same facts are computed on the fly (same numbers, slower) until the next rebuild.

Rules chosen here (the pages print them):

- a complaint belongs to the local day (center's zone) it was received;
- handling times are in working days of the statutory calendar (``analytics.workdays``):
  only time on working days counts, a working day as 24 h;
- "resolved within target" (default 2 working days, DOMAIN.md) is judged on the complaints
  whose fate is known at the end of the data: resolved ones, and open ones already older
  than the target (they have missed it); younger open ones are not counted either way;
- the rate per 10,000 calls divides by inbound calls offered in the same centers and
  queues; when the view is limited to teams it divides by the calls those teams handled
  (an abandoned call has no team);
- a month is unusual when its count is far from the median of the previous months:
  robust z = (count − median) / max(1.4826 × MAD, √median, 1) over up to 6 previous
  months (at least 3), unusual when |z| ≥ 3. The √median floor is the Poisson noise of
  a count, so a quiet, flat history does not turn every small wobble into an alarm.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from analytics import calls
from analytics import complaint_facts as cf
from analytics import lake as lake_mod
from analytics import metrics as m
from analytics import settings as settings_mod
from analytics.access import Scope, scope_predicate
from analytics.filters import Filters
from analytics.lake import Lake
from analytics.settings import ComplaintSettings

# Dimensions a complaint breakdown may group by (identifiers, never user text).
BREAKDOWNS = ("level", "channel", "category", "cause", "center", "queue", "team", "agent")
# Age bands of the open backlog, in working days: (key, lower bound inclusive, upper exclusive).
AGE_BANDS = (("lt1", 0.0, 1.0), ("1to2", 1.0, 2.0), ("2to5", 2.0, 5.0), ("ge5", 5.0, np.inf))

UNUSUAL_WINDOW = 6  # previous months in the baseline
UNUSUAL_MIN_HISTORY = 3  # fewer previous months: no judgement
UNUSUAL_Z = 3.0


def load_settings(dataset: Path) -> ComplaintSettings:
    """The complaint settings of a dataset (``analytics.settings`` owns settings.json)."""
    return settings_mod.load_complaints(dataset)


# The complaint metrics are defined in the one registry (analytics/metrics.py, area
# "complaints"); this module computes their sums.
COMPLAINT_KEYS = tuple(m.by_area("complaints"))
KPI_KEYS = (
    "complaints",
    "complaints_per_10k",
    "level3_complaints",
    "valid_share",
    "resolution_workdays",
    "resolved_within_target",
    "open_backlog",
)


def metric_label(key: str, lang: str, settings: ComplaintSettings | None = None) -> str:
    return m.get(key).label(lang, settings)


def metric_formula(key: str, lang: str, settings: ComplaintSettings | None = None) -> str:
    return m.get(key).formula(lang, settings)


# --- the complaint facts ---------------------------------------------------------------------
#
# Every function below aggregates in SQL over the complaint facts (analytics.complaint_facts):
# built at import, or, when the settings in force or the calendar differ from those they were
# built with (or a dataset predates them), computed on the fly from the complaints table and
# queried with the very same SQL. What depends on "now" (the end of the period, ``as_of``)
# is worked out in the query: responses and resolutions after the cut are not yet known, and
# an open complaint's age is the cut's position on the working-day index minus its own.

_MATERIALISED = {"facts": "rollup_" + cf.FACTS, "index": "rollup_" + cf.INDEX}
_ON_THE_FLY = {"facts": "cf_facts", "index": "cf_index"}


def _workday_pos(t: str) -> str:
    """SQL: the position of the timestamp ``t`` in working days (whole working days before
    its day, plus the elapsed part of its day when that is a working day), for a row ``w``
    of the working-day index on ``t``'s day. ``t`` is an expression of this module's."""
    return "w.cum + CASE WHEN w.workday THEN epoch(" + t + " - CAST(w.day AS TIMESTAMP)) / 86400.0 ELSE 0.0 END"


_FACTS_CTE = """
WITH k AS (SELECT CAST($cut AS TIMESTAMP) AS cut, CAST($cut_pos AS DOUBLE) AS cut_pos),
f AS (
  SELECT f.complaint_id, f.center, f.level, f.channel, f.category, f.cause, f.queue, f.team, f.agent_id,
    f.customer_id, f.valid, f.call_id, f.month AS _month, f.received_local, f.received_pos,
    CASE WHEN f.first_response_local < k.cut THEN f.first_response_local END AS first_response_local,
    CASE WHEN f.resolved_local < k.cut THEN f.resolved_local END AS resolved_local,
    CASE WHEN f.first_response_local < k.cut THEN f.first_response_workdays END AS first_response_workdays,
    CASE WHEN f.resolved_local < k.cut THEN f.resolution_workdays END AS resolution_workdays,
    NOT coalesce(f.resolved_local < k.cut, false) AS is_open,
    CASE WHEN NOT coalesce(f.resolved_local < k.cut, false) THEN k.cut_pos - f.received_pos END AS age_workdays,
    coalesce(f.resolved_local < k.cut, false) AND f.resolved_within AS within_target
  FROM {facts} f CROSS JOIN k
),
g AS MATERIALIZED (
  SELECT *, NOT is_open OR coalesce(age_workdays > $target, false) AS judgeable FROM f WHERE {where}
)
"""

# The additive sums the complaint metrics divide (see analytics.metrics, area "complaints").
_SUMS = """
  count(*) AS complaints,
  count(*) FILTER (WHERE valid) AS valid,
  count(valid) AS judged,
  count(*) FILTER (WHERE level = 3) AS level3,
  coalesce(sum(first_response_workdays), 0.0) AS first_response_sum,
  count(first_response_workdays) AS responded,
  coalesce(sum(resolution_workdays), 0.0) AS resolution_sum,
  count(resolution_workdays) AS resolved,
  count(*) FILTER (WHERE within_target) AS within_target,
  count(*) FILTER (WHERE judgeable) AS judgeable"""

# A month's complaints judged as at that month's own end (what was known then: a complaint
# still open had not yet missed its target unless already older than the target), beside the
# period-end judgement, in the same statement: the monthly review's previous and year-ago
# months are rows of its 13-month trend. The month's end is its first following midnight,
# never later than the period's cut; its position in working days from the index as ``k``'s.
_OWN_MONTH_END_CTE = (
    """, own AS (
  SELECT m._month, """
    + _workday_pos("m.own_cut")
    + """ AS own_pos, m.own_cut
  FROM (SELECT DISTINCT g._month,
          least(CAST(date_trunc('month', g.received_local) + INTERVAL 1 MONTH AS TIMESTAMP), k.cut) AS own_cut
        FROM g CROSS JOIN k) m
  LEFT JOIN {index} w ON w.day = CAST(m.own_cut AS DATE)
)
"""
)
# by_period's columns of that judgement (by month only; NULL in the cube's other parts).
AT_MONTH_END = ("within_target_at_month_end", "judgeable_at_month_end")
_AT_MONTH_END_SUMS = """
  count(*) FILTER (WHERE within_target AND coalesce(resolved_local < own_cut, false)) AS within_target_at_month_end,
  count(*) FILTER (WHERE coalesce(resolved_local < own_cut, false)
    OR coalesce(own_pos - received_pos > $target, false)) AS judgeable_at_month_end"""
_NO_MONTH_END_SUMS = (
    "CAST(NULL AS BIGINT) AS within_target_at_month_end, CAST(NULL AS BIGINT) AS judgeable_at_month_end"
)

# Column of the facts for each breakdown dimension (identifiers from this fixed map only).
_DIM_COLUMN = {d: ("agent_id" if d == "agent" else d) for d in BREAKDOWNS}


def _predicate(filters: Filters, scope: Scope, with_start: bool = True) -> tuple[str, dict]:
    # _month is the center-local month of receipt (the partition), so it prunes files.
    preds = [
        "CAST(received_local AS DATE) <= $end",
        "_month <= $m1",
        "(len($centers::VARCHAR[]) = 0 OR list_contains($centers::VARCHAR[], center))",
        "(len($queues::VARCHAR[]) = 0 OR list_contains($queues::VARCHAR[], queue))",
        "(len($teams::VARCHAR[]) = 0 OR list_contains($teams::VARCHAR[], team))",
        "(len($agents::VARCHAR[]) = 0 OR list_contains($agents::VARCHAR[], agent_id))",
    ]
    scope_sql, scope_params = scope_predicate(scope, center="center", team="team")
    preds.append(scope_sql)
    params = {
        "end": filters.end,
        "m1": filters.months[1],
        "centers": list(filters.centers),
        "queues": list(filters.queues),
        "teams": list(filters.teams),
        "agents": list(filters.agents),
        **scope_params,
    }
    if with_start:
        preds += ["CAST(received_local AS DATE) >= $start", "_month >= $m0"]
        params.update(start=filters.start, m0=filters.months[0])
    return " AND ".join(preds), params


@functools.lru_cache(maxsize=16)
def _manifest_meta(path: str, mtime_ns: int, size: int) -> dict | None:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8")).get("complaint_facts")
    except (OSError, ValueError):
        return None


def _published_meta(lake: Lake) -> dict | None:
    """What the published manifest says the complaint facts were built with."""
    f = lake.root / lake_mod.PUBLISHED
    try:
        st = f.stat()
    except FileNotFoundError:
        return None
    return _manifest_meta(str(f), st.st_mtime_ns, st.st_size)


def materialised(lake: Lake, settings: ComplaintSettings) -> bool:
    """Whether the published complaint facts hold for ``settings`` (else they are computed
    on the fly: same numbers, slower) — see analytics.complaint_facts."""
    return lake.has_rollups(lake_mod.COMPLAINT_ROLLUPS) and cf.matches(_published_meta(lake), settings)


_VALID_BY_AGENT_SQL = """
SELECT k.agent_id, e.name, e.team, e.center, count(*) AS valid_complaints
FROM ({source}) k JOIN employees e ON e.employee_id = k.agent_id
WHERE k._month BETWEEN $m0 AND $m1 AND k.valid
  AND CAST(k.received_local AS DATE) BETWEEN $start AND $end
  AND (len($centers::VARCHAR[]) = 0 OR list_contains($centers::VARCHAR[], e.center))
  AND (len($teams::VARCHAR[]) = 0 OR list_contains($teams::VARCHAR[], e.team))
  AND {scope}
GROUP BY ALL"""


def agents_complaints(lake: Lake) -> str:
    """A subquery of every complaint's agent_id, valid, received_local (center-local) and
    _month: from the published facts when they are current (``materialised``), else from the
    complaints themselves. The complaints view reads every batch's files of the months it is
    asked for (30-100 ms at 52 M calls), the facts one file a month. The scorecards' and the
    quality worklist's counts of valid complaints read it."""
    if materialised(lake, load_settings(lake.root)):
        return "SELECT agent_id, valid, received_local, month AS _month FROM " + _MATERIALISED["facts"]
    return (
        "SELECT c.agent_id, c.valid, timezone(z.timezone, c.received_at) AS received_local, c._month "
        "FROM complaints c JOIN centers z ON z.center = c.center"
    )


def valid_by_agent(lake: Lake, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Valid complaints received in the period (center-local days) per agent, for the agents
    in scope by their center and team in the employees table (the quality worklist's count)."""
    source = agents_complaints(lake)
    pred, sparams = scope_predicate(scope, center="e.center", team="e.team")
    return lake.query(
        _VALID_BY_AGENT_SQL.format(source=source, scope=pred),
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


def _on_the_fly(lake: Lake, settings: ComplaintSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The facts and the working-day index of every complaint, computed now (in the lake's
    bounded cache: the pages and the review ask for them many times)."""

    def build_facts() -> pd.DataFrame:
        span = cf.span(lake)
        if span is None:
            return pd.DataFrame()
        return cf.facts(lake, settings, span[0]).rename(columns={"_month": "month"})

    def build_index() -> pd.DataFrame:
        span = cf.span(lake)
        return cf.workday_index(*span, settings.calendar) if span else pd.DataFrame()

    facts = lake.cached(("complaints.facts", settings), build_facts)
    index = lake.cached(("complaints.index", settings), build_index)
    return facts, index


def _query(lake: Lake, settings: ComplaintSettings, sql: str, params: dict) -> pd.DataFrame:
    """``sql`` (a template naming ``{facts}`` and ``{index}``) over the materialised facts, or
    over facts computed now when those do not hold for ``settings``."""
    if materialised(lake, settings):
        return lake.query(sql.format(**_MATERIALISED), params)
    facts, index = _on_the_fly(lake, settings)
    if facts.empty:
        facts = pd.DataFrame({c: pd.Series(dtype=t) for c, t in _EMPTY_FACTS.items()})
        index = pd.DataFrame({"day": pd.Series(dtype="datetime64[s]"), "workday": [], "cum": []})

    def run() -> pd.DataFrame:
        cur = lake.con.cursor()
        try:
            cur.register(_ON_THE_FLY["facts"], facts)
            cur.register(_ON_THE_FLY["index"], index)
            return cur.execute(sql.format(**_ON_THE_FLY), params).df()
        finally:
            cur.close()

    return lake.cached(("complaints.on_the_fly", sql, settings, json.dumps(params, default=str, sort_keys=True)), run)


_EMPTY_FACTS = {
    "complaint_id": "object",
    "center": "object",
    "level": "Int32",
    "channel": "object",
    "category": "object",
    "cause": "object",
    "queue": "object",
    "team": "object",
    "agent_id": "object",
    "customer_id": "object",
    "valid": "boolean",
    "call_id": "object",
    "received_local": "datetime64[us]",
    "first_response_local": "datetime64[us]",
    "resolved_local": "datetime64[us]",
    "closed_local": "datetime64[us]",
    "first_response_workdays": "float64",
    "resolution_workdays": "float64",
    "resolved_within": "bool",
    "received_pos": "float64",
    "month": "object",
}


def _facts_query(
    lake: Lake,
    filters: Filters,
    scope: Scope,
    settings: ComplaintSettings,
    select: str,
    with_start: bool = True,
    extra: dict | None = None,
) -> pd.DataFrame:
    """``select`` (a query over ``g``: the selected complaints as known at ``as_of``)."""
    where, params = _predicate(filters, scope, with_start)
    cut = as_of(lake, filters)
    params.update(
        cut=cut,
        cut_pos=_workday_position(lake, settings, cut),
        target=float(settings.resolve_within_workdays),
        **(extra or {}),
    )
    return _query(lake, settings, _FACTS_CTE.replace("{where}", where) + select, params)


def _workday_position(lake: Lake, settings: ComplaintSettings, t: datetime) -> float | None:
    """``t``'s position in working days (``_workday_pos``: whole working days before its
    day, plus the elapsed part of its day when that is a working day), from the working-day
    index; None when the index has no row for its day. Worked out here and bound as a
    parameter: a scalar subquery on the index in every complaint statement cost ~2 ms of
    planning each, 7 statements a page view."""
    if materialised(lake, settings):
        sql = "SELECT day, workday, cum FROM " + _MATERIALISED["index"]
        index = lake.cached(("complaints.day_index", "published"), lambda: _DayIndex.of(lake.query(sql)))
    else:
        index = lake.cached(("complaints.day_index", settings), lambda: _DayIndex.of(_on_the_fly(lake, settings)[1]))
    return index.position(t)


@dataclass(frozen=True)
class _DayIndex:
    """The working-day index as sorted arrays (the lake's cache keeps it as is: ``nbytes``)."""

    days: np.ndarray  # datetime64[D], ascending
    workday: np.ndarray  # float: 1.0, 0.0 or NaN
    cum: np.ndarray  # float, NaN where unknown

    @classmethod
    def of(cls, index: pd.DataFrame) -> _DayIndex:
        if index.empty:
            return cls(np.array([], dtype="datetime64[D]"), np.array([]), np.array([]))
        days = pd.to_datetime(index["day"]).to_numpy().astype("datetime64[D]")
        order = np.argsort(days, kind="stable")
        workday = pd.array(index["workday"], dtype="boolean").to_numpy(dtype="float64", na_value=np.nan)
        cum = pd.to_numeric(index["cum"]).to_numpy(dtype="float64", na_value=np.nan)
        return cls(days[order], workday[order], cum[order])

    @property
    def nbytes(self) -> int:
        return self.days.nbytes + self.workday.nbytes + self.cum.nbytes

    def position(self, t: datetime) -> float | None:
        day = np.datetime64(t.date(), "D")
        at = int(np.searchsorted(self.days, day))
        if at >= len(self.days) or self.days[at] != day or np.isnan(self.cum[at]) or np.isnan(self.workday[at]):
            return None
        since_midnight = (t - datetime.combine(t.date(), datetime.min.time())).total_seconds() / 86400.0
        return float(self.cum[at]) + (since_midnight if self.workday[at] else 0.0)


def _data_end(lake: Lake) -> datetime | None:
    """The latest local time the complaints table knows of: 'now' for a dataset."""
    meta = _published_meta(lake) if lake.has_rollups(lake_mod.COMPLAINT_ROLLUPS) else None
    if meta and meta.get("data_end"):  # kept beside the facts when they were built (times, not settings)
        return datetime.fromisoformat(meta["data_end"])
    if meta is not None:
        df = lake.query(
            "SELECT max(greatest(received_local, coalesce(resolved_local, received_local))) AS t "
            "FROM " + _MATERIALISED["facts"]
        )
    else:
        df = lake.query(
            "SELECT max(greatest(timezone(z.timezone, received_at), "
            "coalesce(timezone(z.timezone, resolved_at), timezone(z.timezone, received_at)))) AS t "
            "FROM complaints JOIN centers z USING (center)"
        )
    v = df["t"].iloc[0] if len(df) else None
    return None if v is None or pd.isna(v) else pd.Timestamp(v).to_pydatetime()


def as_of(lake: Lake, filters: Filters) -> datetime:
    """End of the period (midnight after its last day), but not later than the data."""
    period_end = datetime.combine(filters.end + timedelta(days=1), datetime.min.time())
    data_end = _data_end(lake)
    return min(period_end, data_end) if data_end is not None else period_end


def _calls_denominator(lake: Lake, filters: Filters, scope: Scope, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Inbound calls offered (or, when the view is limited to teams, handled), by ``by``."""
    agent_level = calls.is_agent_level(filters, scope, by)
    # No agent-day figure is used: the queue-level table leaves the agent-day rollup out.
    read = _denominator_filters(lake, filters, by)
    df = calls.metrics(lake, read, scope, by, m.ServiceSettings(), agent_days=False)
    col = "answered" if agent_level else "offered"
    if read != filters:
        month = pd.to_datetime(df["month"])
        df = df[(month >= pd.Timestamp(filters.start)) & (month <= pd.Timestamp(filters.end))]
    # Built column by column: a selection and a rename of the metrics' frame cost more.
    return pd.DataFrame({**{b: df[b].array for b in by}, "calls": df[col].array})


def _denominator_filters(lake: Lake, filters: Filters, by: tuple[str, ...]) -> Filters:
    """The period the call counts are read for: by month over whole months, the whole
    history's (one table per selection, sliced; see calls.history_span), so the review's
    months and its previous and year-ago months share it; otherwise the filters'."""
    if tuple(by) == ("month",) and calls.whole_months(filters):
        return calls.history_span(lake, filters)
    return filters


def _apply(sums: dict | pd.DataFrame, keys) -> dict:
    frame = pd.DataFrame([sums]) if isinstance(sums, dict) else sums
    out = {}
    for k in keys:
        v = m.get(k).compute(frame, m.ServiceSettings()).iloc[0]
        out[k] = None if pd.isna(v) else float(v)
    return out


# Dimensions the period's sums are kept by (``_period_sums``): the breakdowns, the Pareto's
# cause, the time bucket and the whole selection ("all").
_CUBE_KEYS = {
    "level": "CAST(level AS VARCHAR)",
    **{d: "coalesce(CAST(" + _DIM_COLUMN[d] + " AS VARCHAR), '—')" for d in BREAKDOWNS if d != "level"},
    "bucket": "CAST(date_trunc($grain, received_local) AS VARCHAR)",
    "all": "NULL",
}


def _period_sums(
    lake: Lake,
    filters: Filters,
    scope: Scope,
    settings: ComplaintSettings,
    grain: str | None = None,
    dims: tuple[str, ...] | None = None,
    last_month: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The sums of ``_SUMS`` for the period by each of ``_CUBE_KEYS`` (columns dim, key and
    the sums; the "all" row also counts repeat complainers), in one query. Kept in the
    lake's cache: a page's summary, trend, breakdowns and Pareto all read it (the page asks
    for it first, see ``prefetch``). ``dims``: the dimensions the caller reads; when the
    whole cube is not cached, only those are computed (the review reads one or two of a
    month: a statement's cost is mostly planning its branches). ``last_month``: dimensions
    also summed over the period's last calendar month alone (dim ``"last_month:<d>"``): the
    review's month beside its trend, in the same statement."""
    grain = grain if grain in ("day", "week", "month") else "day"
    dims_all = tuple(d for d in _CUBE_KEYS if d != "agent" or scope.individuals)
    key = ("complaints.period_sums", filters, scope, settings, grain)
    if last_month:
        if not set(last_month) <= set(dims_all) - {"all", "bucket"}:
            raise ValueError(f"a last month's sums go by {', '.join(BREAKDOWNS)}, not {last_month!r}")
        dims = tuple(d for d in dims_all if d in (dims or ()))
        key = (*key, dims, last_month)
    elif dims is None or lake.is_cached(key):
        dims = dims_all
    else:
        dims = tuple(d for d in dims_all if d in dims)
        key = (*key, dims)
    # (dim label, dimension, rows): the period's, then its last month's (see ``last_month``)
    parts = [(d, d, "") for d in dims]
    parts += [("last_month:" + d, d, " WHERE CAST(received_local AS DATE) >= $last_month") for d in last_month]
    branches = []
    for label, d, where in parts:  # d and its expression come from the fixed map above
        repeaters = (
            "(SELECT count(*) FROM (SELECT customer_id FROM g WHERE customer_id IS NOT NULL "
            "GROUP BY customer_id HAVING count(*) > 1))"
            if label == "all"
            else "CAST(NULL AS BIGINT)"
        )
        month_end = label == "bucket" and grain == "month"
        sums_from = (
            _AT_MONTH_END_SUMS + " FROM g LEFT JOIN own USING (_month)" if month_end else _NO_MONTH_END_SUMS + " FROM g"
        )
        branches.append(
            "SELECT '"
            + label
            + "' AS dim, "
            + _CUBE_KEYS[d]
            + " AS key, "
            + _SUMS
            + ", "
            + repeaters
            + " AS repeat_complainers, "
            + sums_from
            + where
            + " GROUP BY ALL"
        )
    select = " UNION ALL ".join(branches)
    if "bucket" in dims and grain == "month":
        select = _OWN_MONTH_END_CTE + select
    extra = {"grain": grain} if "bucket" in dims else {}
    if last_month:
        extra["last_month"] = filters.end.replace(day=1)
    return lake.cached(key, lambda: _facts_query(lake, filters, scope, settings, select, extra=extra))


def _part(sums: pd.DataFrame, dim: str) -> pd.DataFrame:
    rows = (sums["dim"] == dim).to_numpy()
    return pd.DataFrame({c: sums[c].array[rows] for c in sums.columns if c not in ("dim", "repeat_complainers")})


_HISTORY_PARTS = ("band", "open", "month")


def _history(
    lake: Lake, filters: Filters, scope: Scope, settings: ComplaintSettings, parts: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Everything received up to the period's end, in one query: open complaints by age band
    (with counts per level), all open ones, and complaints per month of receipt. ``parts``:
    those the caller reads; only they are computed when the whole is not cached (as
    ``_period_sums``' dims)."""
    key = ("complaints.history", filters, scope, settings)
    if parts is None or lake.is_cached(key):
        parts = _HISTORY_PARTS
    else:
        parts = tuple(p for p in _HISTORY_PARTS if p in parts)
        key = (*key, parts)
    band, params = _band_case()
    levels = (
        "count(*) FILTER (WHERE level = 1) AS level1, count(*) FILTER (WHERE level = 2) AS level2, "
        "count(*) FILTER (WHERE level = 3) AS level3"
    )
    none = "CAST(NULL AS BIGINT) AS level1, CAST(NULL AS BIGINT) AS level2, CAST(NULL AS BIGINT) AS level3"
    selects = {
        "band": "SELECT 'band' AS part, " + band + " AS key, count(*) AS n, " + levels + " FROM g WHERE is_open "
        "GROUP BY ALL",
        "open": "SELECT 'open' AS part, CAST(NULL AS VARCHAR) AS key, count(*) AS n, " + none + " FROM g WHERE is_open",
        "month": "SELECT 'month' AS part, CAST(date_trunc('month', received_local) AS VARCHAR) AS key, count(*) AS n, "
        + none
        + " FROM g GROUP BY ALL",
    }
    sql = " UNION ALL ".join(selects[p] for p in parts)
    extra = params if "band" in parts else {}
    return lake.cached(key, lambda: _facts_query(lake, filters, scope, settings, sql, with_start=False, extra=extra))


def prefetch(lake: Lake, filters: Filters, scope: Scope, settings: ComplaintSettings | None = None) -> None:
    """What the complaints page shows of the period, read together: the whole cube of the
    period's sums and the history (each one statement), and the calls the rates divide by
    (this period's and the previous one's trend buckets and the queues) in one statement
    per source. The page's functions then find them in the lake's cache; the previous
    period's summary reads only its totals."""
    settings = settings or ComplaintSettings()
    _period_sums(lake, filters, scope, settings, filters.grain)
    _history(lake, filters, scope, settings)
    bucket = filters.grain if filters.grain in ("day", "week", "month") else "day"
    prefetch_calls(lake, [(filters, bucket), (calls.previous_period(filters), bucket), (filters, "queue")], scope)


def prefetch_calls(lake: Lake, requests, scope: Scope) -> None:
    """The calls the rates divide by for several (filters, grouping) pairs, read together
    (``calls.metrics_many``: one statement per source) into the lake's cache, where
    ``_calls_denominator`` finds them."""
    calls.metrics_many(
        lake,
        [(_denominator_filters(lake, f, (by,)), (by,)) for f, by in requests],
        scope,
        m.ServiceSettings(),
        agent_days=False,
    )


def _band_case() -> tuple[str, dict]:
    """CASE giving an age its band of AGE_BANDS (bounds as bound parameters)."""
    whens, params = [], {}
    for i, (key, lo, hi) in enumerate(AGE_BANDS):
        whens.append(f"WHEN age_workdays >= $band_lo{i} AND age_workdays < $band_hi{i} THEN $band_key{i}")
        params.update({f"band_lo{i}": float(lo), f"band_hi{i}": float(hi), f"band_key{i}": key})
    return "CASE " + " ".join(whens) + " END", params


# --- public functions ------------------------------------------------------------------------


def _rows(lake: Lake, filters: Filters, scope: Scope, settings: ComplaintSettings) -> pd.DataFrame:
    """The complaints the page lists, one row each as known at ``as_of``, from one statement:
    those received in the period (the drill-down list, the repeat complainers) and those still
    open at its end, older ones included (the backlog); ``in_period`` tells them apart. Three
    statements before, ~11 ms each at 52.5 M calls, mostly planning."""
    band, band_params = _band_case()
    out = _facts_query(
        lake,
        filters,
        scope,
        settings,
        "SELECT complaint_id, received_local, center, level, channel, category, cause, queue, team, agent_id, "
        "customer_id, valid, first_response_workdays, resolution_workdays, is_open, age_workdays, "
        "first_response_local, resolved_local, CAST(received_local AS DATE) >= $start AS in_period, "
        + band
        + " AS age_band FROM g WHERE CAST(received_local AS DATE) >= $start OR is_open",
        with_start=False,
        extra={**band_params, "start": filters.start},
    )
    out["level"] = out["level"].astype("Int64")
    return out


def _listed(
    lake: Lake,
    filters: Filters,
    scope: Scope,
    settings: ComplaintSettings | None,
    name: str,
    make: Callable[[pd.DataFrame], pd.DataFrame],
) -> pd.DataFrame:
    """``make(rows)`` of ``_rows``' frame, kept in the lake's cache: a repeat view is a lookup,
    not the filter and sort again (``name`` tells the lists apart)."""
    settings = settings or ComplaintSettings()
    key = ("complaints.listed", name, filters, scope, settings)
    return lake.cached(key, lambda: make(_rows(lake, filters, scope, settings)))


def complaint_rows(
    lake: Lake, filters: Filters, scope: Scope, settings: ComplaintSettings | None = None
) -> pd.DataFrame:
    """The complaints received in the period, one row each, for the drill-down list.

    Times are local wall-clock times. The responsible agent appears only when the Scope
    shows individuals; the customer id is shown only then too."""

    def listed(rows: pd.DataFrame) -> pd.DataFrame:
        rows = rows[rows["in_period"].to_numpy(dtype=bool)].sort_values(["received_local", "complaint_id"])
        people = ["agent_id", "customer_id"] if scope.individuals else []
        out = rows[
            ["complaint_id", "received_local", "center", "level", "channel", "category", "cause", "queue", "team"]
            + people
            + ["valid", "first_response_workdays", "resolution_workdays", "is_open", "age_workdays"]
            + ["first_response_local", "resolved_local"]
        ]
        names = {"received_local": "received_at", "agent_id": "agent"}
        names.update(first_response_local="first_response_at", resolved_local="resolved_at")
        return out.rename(columns=names).reset_index(drop=True)

    return _listed(lake, filters, scope, settings, "rows", listed)


def summary(lake: Lake, filters: Filters, scope: Scope, settings: ComplaintSettings | None = None) -> dict:
    """One value per complaint metric of the registry for the whole selection,
    plus ``calls`` (the denominator) and ``repeat_complainers``."""
    settings = settings or ComplaintSettings()
    cube = _period_sums(lake, filters, scope, settings, filters.grain, dims=("all",))
    row = cube[cube["dim"] == "all"].iloc[0]
    sums = {
        k: (float(row[k]) if k.endswith("_sum") else int(row[k]))
        for k in cube.columns[2:]
        if k not in AT_MONTH_END  # the bucket rows' own-end judgement
    }
    repeaters = sums.pop("repeat_complainers")
    # The calls per bucket of the trend, summed (additive): the page's trend reads the same table.
    bucket = filters.grain if filters.grain in ("day", "week", "month") else "day"
    calls_total = _calls_denominator(lake, filters, scope, (bucket,))["calls"].sum(min_count=1)
    sums["calls"] = float(calls_total) if pd.notna(calls_total) else np.nan
    hist = _history(lake, filters, scope, settings, parts=("open",))
    sums["open"] = int(hist.loc[hist["part"] == "open", "n"].sum())
    out = _apply(sums, [k for k in COMPLAINT_KEYS if m.get(k).compute is not None])
    out["calls"] = None if pd.isna(sums["calls"]) else sums["calls"]
    out["repeat_complainers"] = repeaters
    return out


def by_period(
    lake: Lake, filters: Filters, scope: Scope, settings: ComplaintSettings | None = None, grain: str | None = None
) -> pd.DataFrame:
    """Complaints, valid, level 3, calls, rate per 10,000 calls and share resolved within
    target per day, week or month of receipt."""
    settings = settings or ComplaintSettings()
    grain = grain or filters.grain
    if grain not in ("day", "week", "month"):
        raise ValueError(f"complaints go by day, week or month, not {grain!r}")
    sums = _part(_period_sums(lake, filters, scope, settings, grain, dims=("bucket",)), "bucket")
    return _by_period_frame(lake, filters, scope, grain, sums)


def _by_period_frame(lake: Lake, filters: Filters, scope: Scope, grain: str, sums: pd.DataFrame) -> pd.DataFrame:
    """``by_period``'s table from the period's sums by bucket."""
    counts = ["complaints", "valid", "level3", "within_target", "judgeable"]
    if grain == "month":  # each month also judged as at its own end (see _OWN_MONTH_END_CTE)
        counts += AT_MONTH_END
    den = _calls_denominator(lake, filters, scope, (grain,))
    # Buckets as calls.metrics makes them: the day, the Monday of the week, the 1st of the
    # month; the periods with calls, in order. Aligned by numpy (a few dozen rows): a merge
    # and a fill per column cost more than the statement's sums.
    buckets = pd.to_datetime(den[grain]).to_numpy(dtype="datetime64[us]")
    order = np.argsort(buckets, kind="stable")
    cols = {grain: buckets[order], "calls": den["calls"].array.take(order)}
    at = pd.Index(pd.to_datetime(sums["key"]).to_numpy(dtype="datetime64[us]")).get_indexer(cols[grain])
    for c in counts:  # a bucket without complaints counts 0 (position -1 takes the appended 0)
        cols[c] = np.append(sums[c].to_numpy(dtype="int64", na_value=0), 0)[at]
    for k in ("complaints_per_10k", "resolved_within_target"):  # the registry's formulas, on the columns
        cols[k] = np.asarray(m.get(k).compute(cols, None), dtype="float64")
    return pd.DataFrame(cols)


def judged_at_month_end(by_month: pd.DataFrame) -> pd.DataFrame:
    """A ``by_period`` frame by month with each month judged as at its own end (what was
    known then: a complaint still open had not yet missed its target unless already older
    than it) instead of at the period's end: its resolved within target recomputed."""
    out = by_month.assign(within_target=by_month[AT_MONTH_END[0]], judgeable=by_month[AT_MONTH_END[1]])
    out["resolved_within_target"] = m.get("resolved_within_target").compute(out, None)
    return out


def breakdown(
    lake: Lake,
    filters: Filters,
    scope: Scope,
    by: str,
    settings: ComplaintSettings | None = None,
    also: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Complaints by one dimension of ``BREAKDOWNS``: count, share of all, valid share,
    mean time to resolve and share resolved within target (and, by center or queue, the
    rate per 10,000 calls of that center or queue). ``also``: dimensions the caller asks for
    next (a Pareto's cause, another breakdown), summed in the same statement when the
    period's whole cube is not cached (see ``_period_sums``)."""
    if by not in BREAKDOWNS:
        raise ValueError(f"cannot break complaints down by {by!r}; choose from {', '.join(BREAKDOWNS)}")
    if by == "agent" and not scope.individuals:
        raise PermissionError("this role sees aggregates only, not individual agents")
    settings = settings or ComplaintSettings()
    sums = _part(_period_sums(lake, filters, scope, settings, filters.grain, dims=(by, *also)), by)
    return _breakdown_frame(lake, filters, scope, by, sums)


def _breakdown_frame(lake: Lake, filters: Filters, scope: Scope, by: str, sums: pd.DataFrame) -> pd.DataFrame:
    """``breakdown``'s table from the period's sums by ``by``."""
    sums = sums.rename(columns={"key": by})
    if sums.empty:
        return pd.DataFrame(
            columns=[by, "complaints", "share", "valid_share", "resolution_workdays", "resolved_within_target"]
        )
    if by == "level":
        sums[by] = pd.to_numeric(sums[by]).astype("Int64")
    sums = sums.sort_values(by, ignore_index=True)
    floats = m.float_columns(sums)
    out = {by: sums[by]}
    for k in ("complaints", "valid_share", "resolution_workdays", "resolved_within_target"):
        out[k] = m.floats(m.get(k).compute(floats, m.ServiceSettings()))
    out["complaints"] = out["complaints"].astype("int64")
    total = out["complaints"].sum()
    out = pd.DataFrame(
        {by: out[by], "complaints": out["complaints"], "share": out["complaints"] / total}
        | {k: out[k] for k in ("valid_share", "resolution_workdays", "resolved_within_target")}
    )
    if by in ("center", "queue"):
        den = _calls_denominator(lake, filters, scope, (by,))
        out = out.merge(den, on=by, how="left")
        out["complaints_per_10k"] = m.get("complaints_per_10k").compute(out, None)
        out = out.drop(columns="calls")
    return out.sort_values(["complaints", by], ascending=[False, True], ignore_index=True)


def pareto(
    lake: Lake,
    filters: Filters,
    scope: Scope,
    settings: ComplaintSettings | None = None,
    by: str = "cause",
    also: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Causes from the most frequent down, with the cumulative share; ``vital_few`` marks
    the causes that together make up the first 80 % (the one crossing 80 % included).
    ``also``: as for ``breakdown``."""
    if by not in ("cause", "category"):
        raise ValueError("a Pareto goes by cause or category")
    settings = settings or ComplaintSettings()
    return _pareto_frame(_part(_period_sums(lake, filters, scope, settings, filters.grain, dims=(by, *also)), by), by)


def _pareto_frame(counts: pd.DataFrame, by: str) -> pd.DataFrame:
    """``pareto``'s table from the period's sums by ``by``."""
    out = pd.DataFrame({by: counts["key"].astype("str"), "complaints": counts["complaints"].to_numpy(dtype="int64")})
    out = out.sort_values(["complaints", by], ascending=[False, True], ignore_index=True)
    total = out["complaints"].sum()
    out["share"] = out["complaints"] / total if total else np.nan
    out["cumulative_share"] = out["share"].cumsum()
    out["vital_few"] = (out["cumulative_share"] - out["share"]) < 0.8
    return out


def month_and_trend(
    lake: Lake, span: Filters, scope: Scope, settings: ComplaintSettings | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What the monthly review shows of complaints, from one statement: ``by_period`` of
    ``span`` by month, and ``breakdown`` by level and ``pareto`` by cause of its last month
    (``span`` ends on that month's last day, so both are judged at the same cut). Each was
    a statement of its own, ~15 ms at 52.5 M calls, mostly planning.
    """
    settings = settings or ComplaintSettings()
    sums = _period_sums(lake, span, scope, settings, "month", dims=("bucket",), last_month=("level", "cause"))
    month = span.with_(start=span.end.replace(day=1))
    return (
        _by_period_frame(lake, span, scope, "month", _part(sums, "bucket")),
        _breakdown_frame(lake, month, scope, "level", _part(sums, "last_month:level")),
        _pareto_frame(_part(sums, "last_month:cause"), "cause"),
    )


def open_backlog(lake: Lake, filters: Filters, scope: Scope, settings: ComplaintSettings | None = None) -> pd.DataFrame:
    """Complaints received up to the end of the period and not resolved by then (older
    ones included), with their age in working days and age band."""

    def listed(rows: pd.DataFrame) -> pd.DataFrame:
        rows = rows[rows["is_open"].to_numpy(dtype=bool)]
        # The oldest first (an unknown age last), then by receipt.
        rows = rows.sort_values(
            ["age_workdays", "received_local", "complaint_id"], ascending=[False, True, True], na_position="last"
        )
        cols = ["complaint_id", "received_local", "center", "level", "channel", "category", "queue", "team"]
        out = rows[cols + ["age_workdays", "age_band"]].rename(columns={"received_local": "received_at"})
        out["age_band"] = out["age_band"].astype("str")
        return out.reset_index(drop=True)

    return _listed(lake, filters, scope, settings, "open", listed)


def backlog_by_age(
    lake: Lake, filters: Filters, scope: Scope, settings: ComplaintSettings | None = None
) -> pd.DataFrame:
    """Open complaints at the end of the period by age band (working days) and level."""
    hist = _history(lake, filters, scope, settings or ComplaintSettings(), parts=("band",))
    bands = hist[(hist["part"] == "band") & hist["key"].notna()].rename(columns={"key": "age_band", "n": "open"})
    cols = ["open", "level1", "level2", "level3"]
    out = bands.set_index("age_band")[cols].reindex([key for key, _, _ in AGE_BANDS], fill_value=0)
    return out.astype("int64").rename_axis("age_band").reset_index()


def repeat_complainers(
    lake: Lake, filters: Filters, scope: Scope, settings: ComplaintSettings | None = None
) -> pd.DataFrame:
    """Customers who complained more than once in the period, most complaints first."""

    def listed(rows: pd.DataFrame) -> pd.DataFrame:
        rows = rows[rows["in_period"].to_numpy(dtype=bool) & rows["customer_id"].notna().to_numpy()]
        # Only the customers with two complaints or more are grouped: a group's causes are
        # joined in Python, and a whole group's month has ~1,400 customers of one complaint.
        counts = rows["customer_id"].value_counts()
        rows = rows[rows["customer_id"].isin(counts.index[counts.to_numpy() > 1])]
        per = rows.groupby("customer_id", sort=True)
        out = pd.DataFrame(
            {
                "complaints": per.size(),
                "first_received": per["received_local"].min(),
                "last_received": per["received_local"].max(),
                "max_level": per["level"].max(),
                # the customer's distinct causes, sorted, as one text
                "causes": per["cause"].agg(lambda c: ", ".join(sorted({str(x) for x in c.dropna()}))),
            }
        )
        out = out[out["complaints"] > 1].rename_axis("customer_id").reset_index()
        out["customer_id"] = out["customer_id"].astype("str")
        out["complaints"] = out["complaints"].astype("int64")
        out["max_level"] = out["max_level"].astype("Int64")
        out["causes"] = out["causes"].astype("str")
        return out.sort_values(["complaints", "last_received"], ascending=[False, False], ignore_index=True)

    return _listed(lake, filters, scope, settings, "repeat", listed)


def unusual_months(
    lake: Lake,
    filters: Filters,
    scope: Scope,
    settings: ComplaintSettings | None = None,
    window: int = UNUSUAL_WINDOW,
    min_history: int = UNUSUAL_MIN_HISTORY,
    threshold: float = UNUSUAL_Z,
) -> pd.DataFrame:
    """Monthly complaint counts from the first month of data to the period's last month,
    each against the median of up to ``window`` previous months (robust z-score; see the
    module's docstring). ``unusual`` is True/False, NA when the history is too short."""
    hist = _history(lake, filters, scope, settings or ComplaintSettings(), parts=("month",))
    monthly = hist[hist["part"] == "month"].rename(columns={"key": "month"})
    if monthly.empty:
        return pd.DataFrame(columns=["month", "complaints", "baseline", "spread", "z", "unusual"])
    counts = pd.Series(monthly["n"].to_numpy(dtype="int64"), index=pd.to_datetime(monthly["month"]).dt.to_period("M"))
    full = pd.period_range(counts.index.min(), pd.Period(filters.end, "M"), freq="M")
    counts = counts.reindex(full, fill_value=0).sort_index()
    rows = []
    values = counts.to_numpy(dtype="float64")
    for i, (p, n) in enumerate(zip(counts.index, values)):
        hist = values[max(0, i - window) : i]
        if len(hist) < min_history:
            rows.append(
                {
                    "month": p.start_time,
                    "complaints": int(n),
                    "baseline": np.nan,
                    "spread": np.nan,
                    "z": np.nan,
                    "unusual": pd.NA,
                }
            )
            continue
        med = float(np.median(hist))
        mad = float(np.median(np.abs(hist - med)))
        spread = max(1.4826 * mad, np.sqrt(med), 1.0)
        z = (n - med) / spread
        rows.append(
            {
                "month": p.start_time,
                "complaints": int(n),
                "baseline": med,
                "spread": spread,
                "z": z,
                "unusual": bool(abs(z) >= threshold),
            }
        )
    out = pd.DataFrame(rows)
    out["unusual"] = out["unusual"].astype("boolean")
    out["month"] = pd.to_datetime(out["month"]).astype("datetime64[us]")
    return out


def month_filters(month: date, centers: tuple[str, ...] = ()) -> Filters:
    """The Filters of one calendar month."""
    start = month.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Filters(start=start, end=end, centers=centers, grain="month")
