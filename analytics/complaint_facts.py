"""Complaints materialised at import: one row per complaint with its local times, its
working-day durations and its resolution flag, per month of receipt, plus a per-day
working-day index, so the complaint pages only aggregate in SQL.

Built by ``lake.rebuild_rollups`` (every import, ``repair``) beside the other rollups and
published with them in ``_published.json``:

- ``_rollups/complaint_facts/month=YYYY-MM/``: the complaints received that local month
  with ``first_response_workdays`` and ``resolution_workdays`` (full durations, received to
  first response / resolution), ``resolved_within`` (resolution_workdays <= the target)
  and ``received_pos``: working days from the start of ``base`` to receipt;
- ``_rollups/workday_index/month=all/``: day -> ``workday`` flag and ``cum`` (working days
  from ``base`` strictly before that day), from ``base`` (the 1st of the earliest complaint
  month) to the last day any complaint time falls on.

An age "as of" a cut time is then a subtraction in SQL: the cut's position (``cum`` of its
day, plus the fraction of the day when that day is a working day) minus ``received_pos``.
The durations use ``analytics.workdays`` (the one home of working-day arithmetic) and so
depend on the calendar and on the target: the manifest keeps, under ``complaint_facts``,
the settings they were built with and a fingerprint of them and of the calendar's working
days over the index span (``meta``). Readers (``analytics.complaints``) use the
materialised tables only when the fingerprint of the settings in force matches; otherwise
they compute the same facts on the fly (slower, same numbers) until the next rebuild
(an import, ``python -m analytics repair``, or ``lake.rebuild_rollups(root, [])``).
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from analytics import workdays
from analytics.settings import ComplaintSettings

FACTS = "complaint_facts"
INDEX = "workday_index"
INDEX_MONTH = "all"  # the index is one small table, kept as one partition
VERSION = 1  # bump when the columns or their meaning change: old facts are then rebuilt

_FACTS_SQL = """
SELECT cp.complaint_id, cp.center, CAST(cp.level AS INTEGER) AS level, cp.channel, cp.category, cp.cause,
  cp.queue, cp.team, cp.agent_id, cp.customer_id, cp.valid, cp.call_id, cp._month,
  timezone(z.timezone, cp.received_at) AS received_local,
  timezone(z.timezone, cp.first_response_at) AS first_response_local,
  timezone(z.timezone, cp.resolved_at) AS resolved_local,
  timezone(z.timezone, cp.closed_at) AS closed_local
FROM complaints cp JOIN centers z USING (center)
WHERE len($months::VARCHAR[]) = 0 OR list_contains($months::VARCHAR[], cp._month)
ORDER BY cp._month, received_local, complaint_id
"""

_SPAN_SQL = """
SELECT min(cp._month) AS first_month,
  max(greatest(timezone(z.timezone, cp.received_at),
    coalesce(timezone(z.timezone, cp.first_response_at), timezone(z.timezone, cp.received_at)),
    coalesce(timezone(z.timezone, cp.resolved_at), timezone(z.timezone, cp.received_at)),
    coalesce(timezone(z.timezone, cp.closed_at), timezone(z.timezone, cp.received_at)))) AS last_ts,
  max(greatest(timezone(z.timezone, cp.received_at),
    coalesce(timezone(z.timezone, cp.resolved_at), timezone(z.timezone, cp.received_at)))) AS data_end
FROM complaints cp JOIN centers z USING (center)
"""

_TIME_COLS = ("received_local", "first_response_local", "resolved_local", "closed_local")


def _run(lake, sql: str, params: dict | None = None) -> pd.DataFrame:
    cur = lake.con.cursor()
    try:
        return cur.execute(sql, params or {}).df()
    finally:
        cur.close()


def span(lake) -> tuple[date, date] | None:
    """(base, end): the 1st of the earliest complaint month and the last day any complaint
    time falls on (or the end of the latest month, if later); None without complaints."""
    df = _run(lake, _SPAN_SQL)
    first, last = df["first_month"].iloc[0], df["last_ts"].iloc[0]
    if first is None or pd.isna(first) or last is None or pd.isna(last):
        return None
    base = date.fromisoformat(str(first) + "-01")
    return base, max(pd.Timestamp(last).date(), base)


def workday_index(base: date, end: date, country: str) -> pd.DataFrame:
    """day, workday flag and cum (working days from ``base`` strictly before ``day``)."""
    flags = workdays.workday_flags(base, end, country)
    days = [base + timedelta(days=i) for i in range(len(flags))]
    cum = np.concatenate([[0], np.cumsum(flags)[:-1]]) if len(flags) else np.array([], dtype="int64")
    return pd.DataFrame(
        {
            "day": pd.Series(days, dtype="object").astype("datetime64[s]").dt.date,
            "workday": flags.astype(bool),
            "cum": cum.astype("int64"),
        }
    )


@functools.lru_cache(maxsize=64)
def fingerprint(calendar: str, resolve_within: float, base: str, end: str) -> str:
    """What the facts depend on: the settings and the calendar's working days from base to end."""
    flags = workdays.workday_flags(date.fromisoformat(base), date.fromisoformat(end), calendar)
    doc = {
        "version": VERSION,
        "calendar": calendar,
        "resolve_within_workdays": float(resolve_within),
        "base": base,
        "end": end,
        "workdays": hashlib.sha256(np.packbits(flags).tobytes()).hexdigest(),
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def data_end(lake) -> datetime | None:
    """The latest local time the complaints know of (receipt or resolution): 'now' for a dataset."""
    v = _run(lake, _SPAN_SQL)["data_end"].iloc[0]
    return None if v is None or pd.isna(v) else pd.Timestamp(v).to_pydatetime()


def meta_for(settings: ComplaintSettings, base: date, end: date, last: datetime | None = None) -> dict:
    """What the manifest keeps beside the facts; ``data_end`` spares readers a query for it."""
    return {
        "data_end": None if last is None else last.isoformat(),
        "version": VERSION,
        "calendar": settings.calendar,
        "resolve_within_workdays": float(settings.resolve_within_workdays),
        "base": base.isoformat(),
        "end": end.isoformat(),
        "fingerprint": fingerprint(
            settings.calendar, float(settings.resolve_within_workdays), base.isoformat(), end.isoformat()
        ),
    }


def matches(meta: dict | None, settings: ComplaintSettings) -> bool:
    """Whether facts built with ``meta`` hold for ``settings`` and today's calendar."""
    if not meta or meta.get("version") != VERSION:
        return False
    try:
        return meta["fingerprint"] == fingerprint(
            settings.calendar, float(settings.resolve_within_workdays), meta["base"], meta["end"]
        )
    except (KeyError, ValueError):
        return False


def facts(lake, settings: ComplaintSettings, base: date, months: list[str] | None = None) -> pd.DataFrame:
    """The facts of the complaints received in ``months`` (all when None), ``_month`` kept."""
    df = _run(lake, _FACTS_SQL, {"months": list(months or [])})
    for col in _TIME_COLS:
        df[col] = pd.to_datetime(df[col]).astype("datetime64[us]")
    cal = settings.calendar
    n = len(df)
    df["first_response_workdays"] = (
        workdays.workdays_between(df["received_local"], df["first_response_local"], cal) if n else np.array([])
    )
    df["resolution_workdays"] = (
        workdays.workdays_between(df["received_local"], df["resolved_local"], cal) if n else np.array([])
    )
    df["resolved_within"] = (df["resolution_workdays"] <= settings.resolve_within_workdays).astype(bool)
    start = pd.Series([datetime.combine(base, datetime.min.time())] * n, dtype="datetime64[us]")
    df["received_pos"] = workdays.workdays_between(start, df["received_local"], cal) if n else np.array([])
    df["level"] = pd.to_numeric(df["level"]).astype("Int32")
    df["valid"] = df["valid"].astype("boolean")
    for col in ("first_response_workdays", "resolution_workdays", "received_pos"):
        df[col] = df[col].astype("float64")
    return df
