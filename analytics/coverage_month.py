"""The staffing page's month precomputed at import: the ``coverage_month`` rollup.

An unseen staffing view (another month, one queue or center) cost ~1.5 s at 52.5 M calls:
the month's interval load, Erlang A over each of its ~230 k queue-intervals and the
projection's load profile. The rollup holds, per month of calls, what the page opens with
for the whole organisation:

- ``_rollups/coverage_month/month=YYYY-MM/``: one row per inbound queue and 15-minute
  interval of the month's load (``coverage.interval_load``, every row, also those without
  calls or agents) with its coverage (``coverage.coverage``: required agents, gap, service
  level at the staffed number, model, patience; missing on rows coverage leaves out) and
  ``center``: the queue's center when all its rows of the month belong to one center;
- ``_rollups/coverage_profile/month=YYYY-MM/``: that load summed per queue, day type and
  time of day (``coverage.profile_sums``), with ``center``: the projection's and the model
  check's load profile (``coverage.load_profile``) without reading the month's rows;
- ``_rollups/coverage_projection/`` and ``_rollups/coverage_check/`` (``month=YYYY-MM``):
  ``coverage.attrition_projection`` as of the month's last day with the page's default
  plan (``ProjectionSettings()``) and ``coverage.model_check`` of the month, for the whole
  organisation. The projection also reads the HR tables and the months a year earlier
  (the season): the manifest entry records their batches and queue_interval files, and a
  reader uses it only while they are the published ones.

It is computed from the month's published rollups at the settings the page opens with:
the dataset's service settings (``analytics.settings``), the target service level in force
on the month's last day (the targets table, as views/staffing.py reads it) and
``CoverageSettings``' default shrinkage and occupancy, actual load. The manifest keeps,
under ``coverage_month``, per month the fingerprint of those settings, that of the service
settings alone (what the load depends on) and the queue_interval file it was computed from.

Readers (``analytics.coverage``) use a month's rows only when that file is the one
published (``current``) and the fingerprint of the settings they are asked for matches;
a filter (days, queues, centers) and the scope become a WHERE on it; a center filter or a
scope of some centers needs every queue of the month in one center (the rule of
``coverage._center_of_queues``). Anything else (other settings, a forecast, a stale or
missing month, Spark's lake, which has no manifest) is computed live: the same numbers.

``lake.rebuild_rollups`` (every import, ``repair``) has ``analytics.coverage_build`` compute
the months whose rollups it rebuilt, after publishing them; ``repair`` also rebuilds months
whose fingerprint no longer matches (settings or targets changed) or that are missing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import date

import pandas as pd

from analytics.access import Scope, scope_predicate
from analytics.filters import Filters

ROLLUP = "coverage_month"
PROFILE = "coverage_profile"  # the month's load summed per queue, day type and time of day
PROJECTION = "coverage_projection"  # the attrition projection as of the month's last day
CHECK = "coverage_check"  # the model check of the month
ROLLUPS = (ROLLUP, PROFILE, PROJECTION, CHECK)
# Tables whose batches the projection reads besides the month's calls and staffing (HR: who
# is employed, their tenure and team, the retention curve).
_MONTHLY_TABLES = ("calls", "agent_intervals", "complaints")
VERSION = 1  # bump when the columns or their meaning change: every month is then rebuilt

LOAD_COLUMNS = ("interval15", "queue", "offered", "answered", "aht_s", "service_level_actual", "staffed_agents")
COVERAGE_COLUMNS = LOAD_COLUMNS + (
    "traffic_erlangs",
    "required_agents",
    "scheduled_agents",
    "gap_agents",
    "service_level_at_staffed",
    "short",
    "model",
    "patience_s",
)
# Column lists for the reader's SELECT: fixed names (never from input).
_SELECT = {"load": ", ".join(LOAD_COLUMNS), "coverage": ", ".join(COVERAGE_COLUMNS)}
# Coverage leaves out intervals with neither calls nor agents (coverage._coverage).
_BUSY = " AND (offered > 0 OR coalesce(staffed_agents, 0) > 0)"


def _month_of(d: date) -> date:
    return d.replace(day=1)


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _fp(doc) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


def load_fingerprint(settings, model: dict) -> str:
    """What a month's load, its profile, projection and model check depend on besides the
    data: the service settings and the model's constants (``coverage.model_constants``)."""
    return _fp({"version": VERSION, "settings": asdict(settings), **model})


def fingerprint(settings, cov, model: dict) -> str:
    """What a month's coverage depends on besides the data: service and coverage settings."""
    return _fp({"version": VERSION, "settings": asdict(settings), "coverage": asdict(cov), **model})


def _add_months(d: date, k: int) -> date:
    n = d.year * 12 + d.month - 1 + k
    return date(n // 12, n % 12 + 1, 1)


def _projection_depends(manifest: dict, month: date) -> dict:
    """What the month's projection reads besides the month itself: the published batches of
    the tables not split by month, and the queue_interval files of the months a year
    earlier that its season index reads (None where there is none)."""
    batches = manifest.get("batches", {})
    qi = manifest.get("rollups", {}).get("queue_interval", {})
    year_before = [month_key(_add_months(month, k)) for k in range(-12, -5)]
    return {
        "batches": {t: list(b) for t, b in sorted(batches.items()) if t not in _MONTHLY_TABLES},
        "queue_interval": {m: qi.get(m) for m in year_before},
    }


# --- reading ------------------------------------------------------------------------------------


def _entry(lake, month: date) -> dict | None:
    """The month's manifest entry when its rows are published and current."""
    manifest = getattr(lake, "manifest", None)
    if not manifest or not lake.has_rollups((ROLLUP, PROFILE)):
        return None
    meta = manifest.get(ROLLUP) or {}
    if meta.get("version") != VERSION:
        return None
    m = month_key(month)
    entry = meta.get("months", {}).get(m)
    rollups = manifest.get("rollups", {})
    if not entry or m not in rollups.get(ROLLUP, {}) or m not in rollups.get(PROFILE, {}):
        return None
    if entry.get("queue_interval") != rollups.get("queue_interval", {}).get(m):
        return None
    return entry


def usable(lake, filters: Filters, scope: Scope, settings, cov=None, *, model: dict) -> bool:
    """Whether ``filters``' rows (within one month) can be read from the rollups: current,
    built at these settings (``cov`` None: the load and its profile sums only), and a
    center filter or scope only where every queue of the month is in one center."""
    if _month_of(filters.start) != _month_of(filters.end):
        return False
    entry = _entry(lake, filters.start)
    if entry is None:
        return False
    if cov is None:
        ok = entry.get("load_fingerprint") == load_fingerprint(settings, model)
    else:
        ok = cov.basis == "actual" and entry.get("fingerprint") == fingerprint(settings, cov, model)
    restricted = bool(filters.centers) or scope.centers is not None
    return ok and (entry.get("single_center", False) or not restricted)


def rows(lake, filters: Filters, scope: Scope, what: str = "coverage") -> pd.DataFrame:
    """The month's rows within ``filters``' days, queues and centers and ``scope``'s
    centers, typed as ``coverage.coverage`` (``what`` "coverage": the rows coverage keeps)
    or ``coverage.interval_load`` ("load") returns them. Check ``usable`` first."""
    from analytics import staffing

    pred, params = scope_predicate(scope.queue_level(), center="center", team=None)
    sql = (
        "SELECT "
        + _SELECT[what]  # a fixed column list
        + " FROM rollup_coverage_month WHERE month = $m AND interval15 >= $t0 AND interval15 < $t1"
        " AND (len($queues::VARCHAR[]) = 0 OR list_contains($queues::VARCHAR[], queue))"
        " AND (len($centers::VARCHAR[]) = 0 OR list_contains($centers::VARCHAR[], center)) AND "
        + pred
        + (_BUSY if what == "coverage" else "")
        + " ORDER BY interval15, queue"
    )
    m = month_key(filters.start)
    df = lake.query(
        sql,
        {
            "m": m,
            "t0": pd.Timestamp(filters.start).to_pydatetime(),
            "t1": (pd.Timestamp(filters.end) + pd.Timedelta(days=1)).to_pydatetime(),
            "queues": list(filters.queues),
            "centers": list(filters.centers),
            **params,
        },
        months=m,
    )
    if df.empty:  # the types the month's frame has (DuckDB gives an empty result objects)
        df = df.astype({c: "float64" for c in df.columns if c not in ("interval15", "queue", "short", "model")})
        df["queue"] = df["queue"].astype("str")
    df["interval15"] = df["interval15"].astype("datetime64[us]")
    for col in ("offered", "answered"):
        df[col] = df[col].astype("int64")
    if what == "coverage":
        for col in ("required_agents", "scheduled_agents"):
            df[col] = df[col].astype("Int64")
        df["short"] = df["short"].astype("boolean")
        df["model"] = pd.Categorical(df["model"].astype(object), categories=staffing.MODELS)
    return df


def required_agent_hours(lake, month: date, scope: Scope, interval_s: int) -> float:
    """The month's required agent-hours over intervals with calls (``coverage.shortfall_summary``),
    summed in SQL. Check ``usable`` first."""
    pred, params = scope_predicate(scope.queue_level(), center="center", team=None)
    m = month_key(month)
    df = lake.query(
        "SELECT sum(required_agents) AS n FROM rollup_coverage_month WHERE month = $m AND offered > 0 AND " + pred,
        {"m": m, **params},
        months=m,
    )
    n = df["n"].iloc[0]
    return float(0 if n is None or pd.isna(n) else n) * (interval_s / 3600)


def profile_sums(lake, month: date, scope: Scope) -> tuple[pd.DataFrame, pd.Series]:
    """``coverage.profile_sums`` of the month's load within ``scope``: the queues' sums
    (sorted by queue, day type and time, as the live groupby gives them) and the distinct
    days of the scope's load rows. Check ``usable(..., profile=True)`` first."""
    pred, params = scope_predicate(scope.queue_level(), center="center", team=None)
    m = month_key(month)
    sums = lake.query(
        "SELECT queue, day_type, time, offered, handle_s, answered, staffed, within FROM rollup_coverage_profile"
        " WHERE month = $m AND " + pred + " ORDER BY queue, day_type, time",
        {"m": m, **params},
        months=m,
    )
    days = lake.query(
        "SELECT DISTINCT CAST(interval15 AS DATE) AS day FROM rollup_coverage_month WHERE month = $m AND "
        + pred
        + " ORDER BY day",
        {"m": m, **params},
        months=m,
    )
    return sums, pd.to_datetime(days["day"])


def _precomputed(lake, month: date, rollup: str, settings, model: dict) -> bool:
    entry = _entry(lake, month)
    return (
        entry is not None
        and entry.get("load_fingerprint") == load_fingerprint(settings, model)
        and month_key(month) in lake.manifest.get("rollups", {}).get(rollup, {})
    )


_PROJECTION_SQL = (
    "SELECT scenario, queue, proj_month, agents_start, hires, expected_leavers, in_training, productive,"
    " productive_now, volume_index, staff_factor, calls, service_level, service_level_base, model, patience_s,"
    " service_level_change FROM rollup_coverage_projection WHERE month = $m ORDER BY _row"
)
_CHECK_SQL = (
    "SELECT queue, offered, observed, erlang_a, erlang_c, patience_s FROM rollup_coverage_check"
    " WHERE month = $m ORDER BY _row"
)


def projection(lake, month: date, settings, model: dict) -> pd.DataFrame | None:
    """``coverage.attrition_projection`` of the whole organisation as of ``month``'s last day
    with the default plan, as precomputed at import; None where it was not (other settings,
    or what it reads changed since)."""
    if not _precomputed(lake, month, PROJECTION, settings, model):
        return None
    if _entry(lake, month).get("projection") != _projection_depends(lake.manifest, month):
        return None
    m = month_key(month)
    df = lake.query(_PROJECTION_SQL, {"m": m}, months=m).rename(columns={"proj_month": "month"})
    df["month"] = pd.Series([d.date() for d in pd.to_datetime(df["month"])], index=df.index, dtype=object)
    df["hires"] = df["hires"].astype("int64")
    df.attrs["base_month"] = month.isoformat()
    return df


def model_check(lake, month: date, settings, model: dict) -> pd.DataFrame | None:
    """``coverage.model_check`` of the whole organisation as precomputed at import, or None."""
    if not _precomputed(lake, month, CHECK, settings, model):
        return None
    m = month_key(month)
    df = lake.query(_CHECK_SQL, {"m": m}, months=m)
    df["offered"] = df["offered"].astype("Int64")
    return df
