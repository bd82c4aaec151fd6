"""Complaint (投诉) analytics: counts, rates, escalation, handling times in working days,
backlog, causes, repeat complainers and unusual months.

Every function takes (lake, filters, scope[, settings]) like ``analytics.calls``. The rows
come from one query (``_rows``) whose filter and Scope predicate are bound parameters
inside the SQL; complaints are few (a handful per 10,000 calls), so the working-day
arithmetic and the small aggregations run in pandas over those rows.

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

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from analytics import calls, workdays
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


# --- rows ----------------------------------------------------------------------------------

_ROWS_SQL = """
WITH c AS (
  SELECT cp.complaint_id, cp.center, cp.level, cp.channel, cp.category, cp.cause, cp.queue, cp.team,
    cp.agent_id, cp.customer_id, cp.valid, cp.call_id, cp._month,
    timezone(z.timezone, cp.received_at) AS received_local,
    timezone(z.timezone, cp.first_response_at) AS first_response_local,
    timezone(z.timezone, cp.resolved_at) AS resolved_local,
    timezone(z.timezone, cp.closed_at) AS closed_local
  FROM complaints cp JOIN centers z USING (center)
)
SELECT * EXCLUDE (_month) FROM c WHERE {where} ORDER BY received_local, complaint_id
"""


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


def _data_end(lake: Lake) -> datetime | None:
    """The latest local time the complaints table knows of: 'now' for a dataset."""
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


def _rows(
    lake: Lake,
    filters: Filters,
    scope: Scope,
    settings: ComplaintSettings,
    with_start: bool = True,
    open_only: bool = False,
) -> pd.DataFrame:
    """``open_only``: only complaints still unresolved at the end of the period (the backlog
    reads all history up to then, so this is filtered in the query, not in pandas).

    Kept in the lake's bounded cache: the summary, trend, breakdowns and Pareto of one page
    (and the review's three months) ask for the same rows, and the working-day ages are
    the costly part."""
    return lake.cached(
        ("complaints._rows", filters, scope, settings, with_start, open_only),
        lambda: _compute_rows(lake, filters, scope, settings, with_start, open_only),
    )


def _compute_rows(
    lake: Lake, filters: Filters, scope: Scope, settings: ComplaintSettings, with_start: bool, open_only: bool
) -> pd.DataFrame:
    cut = pd.Timestamp(as_of(lake, filters))
    where, params = _predicate(filters, scope, with_start)
    if open_only:
        where += " AND (resolved_local IS NULL OR resolved_local >= $cut)"
        params["cut"] = cut.to_pydatetime()
    df = lake.query(_ROWS_SQL.format(where=where), params)
    for col in ("received_local", "first_response_local", "resolved_local", "closed_local"):
        df[col] = pd.to_datetime(df[col])
    # What was known at the end of the period: later responses and resolutions are not yet.
    for col in ("first_response_local", "resolved_local", "closed_local"):
        df[col] = df[col].where(df[col] < cut)
    df["first_response_workdays"] = workdays.workdays_between(
        df["received_local"], df["first_response_local"], settings.calendar
    )
    df["resolution_workdays"] = workdays.workdays_between(df["received_local"], df["resolved_local"], settings.calendar)
    df["is_open"] = df["resolved_local"].isna()
    age = (
        workdays.workdays_between(
            df["received_local"], pd.Series([cut] * len(df), dtype="datetime64[us]"), settings.calendar
        )
        if len(df)
        else np.array([])
    )
    df["age_workdays"] = np.where(df["is_open"], age, np.nan)
    target = settings.resolve_within_workdays
    within = df["resolution_workdays"] <= target
    missed_open = df["is_open"] & (df["age_workdays"] > target)
    df["judgeable"] = ~df["is_open"] | missed_open
    df["within_target"] = within & ~df["is_open"]
    df["level"] = pd.to_numeric(df["level"]).astype("Int64")
    return df


def _sum_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Each complaint's share of the additive sums the complaint metrics divide: summed
    over a selection (``_sums``) or per group (``breakdown``)."""
    return pd.DataFrame(
        {
            "complaints": np.ones(len(df), dtype="int64"),
            "valid": df["valid"].fillna(False).astype(bool).astype("int64"),
            "judged": df["valid"].notna().astype("int64"),
            "level3": (df["level"] == 3).fillna(False).astype("int64"),
            "first_response_sum": df["first_response_workdays"].fillna(0.0),
            "responded": df["first_response_workdays"].notna().astype("int64"),
            "resolution_sum": df["resolution_workdays"].fillna(0.0),
            "resolved": df["resolution_workdays"].notna().astype("int64"),
            "within_target": df["within_target"].astype("int64"),
            "judgeable": df["judgeable"].astype("int64"),
        },
        index=df.index,
    )


def _sums(df: pd.DataFrame) -> dict:
    totals = _sum_columns(df).sum()
    return {k: (float(v) if k.endswith("_sum") else int(v)) for k, v in totals.items()}


def _calls_denominator(lake: Lake, filters: Filters, scope: Scope, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Inbound calls offered (or, when the view is limited to teams, handled), by ``by``."""
    agent_level = calls.is_agent_level(filters, scope, by)
    df = calls.metrics(lake, filters, scope, by, m.ServiceSettings())
    col = "answered" if agent_level else "offered"
    return df[list(by) + [col]].rename(columns={col: "calls"})


def _apply(sums: dict | pd.DataFrame, keys) -> dict:
    frame = pd.DataFrame([sums]) if isinstance(sums, dict) else sums
    out = {}
    for k in keys:
        v = m.get(k).compute(frame, m.ServiceSettings()).iloc[0]
        out[k] = None if pd.isna(v) else float(v)
    return out


# --- public functions ------------------------------------------------------------------------


def complaint_rows(
    lake: Lake, filters: Filters, scope: Scope, settings: ComplaintSettings | None = None
) -> pd.DataFrame:
    """The complaints received in the period, one row each, for the drill-down list.

    Times are local wall-clock times. The responsible agent appears only when the Scope
    shows individuals; the customer id is shown only then too."""
    settings = settings or ComplaintSettings()
    df = _rows(lake, filters, scope, settings)
    out = df.rename(
        columns={
            "received_local": "received_at",
            "first_response_local": "first_response_at",
            "resolved_local": "resolved_at",
            "agent_id": "agent",
        }
    )
    cols = [
        "complaint_id",
        "received_at",
        "center",
        "level",
        "channel",
        "category",
        "cause",
        "queue",
        "team",
        "agent",
        "customer_id",
        "valid",
        "first_response_workdays",
        "resolution_workdays",
        "is_open",
        "age_workdays",
        "first_response_at",
        "resolved_at",
    ]
    if not scope.individuals:
        cols = [c for c in cols if c not in ("agent", "customer_id")]
    return out[cols].reset_index(drop=True)


def summary(lake: Lake, filters: Filters, scope: Scope, settings: ComplaintSettings | None = None) -> dict:
    """One value per complaint metric of the registry for the whole selection,
    plus ``calls`` (the denominator) and ``repeat_complainers``."""
    settings = settings or ComplaintSettings()
    df = _rows(lake, filters, scope, settings)
    sums = _sums(df)
    den = _calls_denominator(lake, filters, scope)
    sums["calls"] = float(den["calls"].iloc[0]) if len(den) and pd.notna(den["calls"].iloc[0]) else np.nan
    sums["open"] = int(open_backlog(lake, filters, scope, settings)["complaint_id"].count())
    out = _apply(sums, [k for k in COMPLAINT_KEYS if m.get(k).compute is not None])
    out["calls"] = None if pd.isna(sums["calls"]) else sums["calls"]
    counts = df["customer_id"].dropna().value_counts()
    out["repeat_complainers"] = int((counts > 1).sum())
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
    df = _rows(lake, filters, scope, settings)
    # Buckets as calls.metrics makes them: the day, the Monday of the week, the 1st of the month.
    freq = {"day": "D", "week": "W-SUN", "month": "M"}[grain]
    df[grain] = df["received_local"].dt.to_period(freq).dt.start_time
    g = df.groupby(grain)
    agg = pd.DataFrame(
        {
            "complaints": g.size(),
            "valid": g["valid"].apply(lambda s: int(s.fillna(False).astype(bool).sum())),
            "level3": g["level"].apply(lambda s: int((s == 3).sum())),
            "within_target": g["within_target"].sum(),
            "judgeable": g["judgeable"].sum(),
        }
    ).reset_index()
    den = _calls_denominator(lake, filters, scope, (grain,))
    den[grain] = pd.to_datetime(den[grain]).astype("datetime64[us]")
    agg[grain] = pd.to_datetime(agg[grain]).astype("datetime64[us]")
    out = den.merge(agg, on=grain, how="left")
    for c in ("complaints", "valid", "level3", "within_target", "judgeable"):
        out[c] = out[c].fillna(0).astype("int64")
    out["complaints_per_10k"] = m.get("complaints_per_10k").compute(out, None)
    out["resolved_within_target"] = m.get("resolved_within_target").compute(out, None)
    return out.sort_values(grain, ignore_index=True)


def breakdown(
    lake: Lake, filters: Filters, scope: Scope, by: str, settings: ComplaintSettings | None = None
) -> pd.DataFrame:
    """Complaints by one dimension of ``BREAKDOWNS``: count, share of all, valid share,
    mean time to resolve and share resolved within target (and, by center or queue, the
    rate per 10,000 calls of that center or queue)."""
    if by not in BREAKDOWNS:
        raise ValueError(f"cannot break complaints down by {by!r}; choose from {', '.join(BREAKDOWNS)}")
    if by == "agent" and not scope.individuals:
        raise PermissionError("this role sees aggregates only, not individual agents")
    settings = settings or ComplaintSettings()
    df = _rows(lake, filters, scope, settings).rename(columns={"agent_id": "agent"})
    if df.empty:
        return pd.DataFrame(
            columns=[by, "complaints", "share", "valid_share", "resolution_workdays", "resolved_within_target"]
        )
    df[by] = df[by].astype("str").where(df[by].notna(), "—") if by != "level" else df[by]
    # The sums of _sums per group, in one groupby (an agent breakdown has thousands of groups).
    parts = _sum_columns(df).assign(**{by: df[by]})
    sums = parts.groupby(by, dropna=False, sort=True).sum().reset_index()
    out = pd.DataFrame({by: sums[by]})
    for k in ("complaints", "valid_share", "resolution_workdays", "resolved_within_target"):
        out[k] = m.get(k).compute(sums, m.ServiceSettings()).to_numpy(dtype="float64")
    out["complaints"] = out["complaints"].astype("int64")
    out.insert(2, "share", out["complaints"] / out["complaints"].sum())
    if by in ("center", "queue"):
        den = _calls_denominator(lake, filters, scope, (by,))
        out = out.merge(den, on=by, how="left")
        out["complaints_per_10k"] = m.get("complaints_per_10k").compute(out, None)
        out = out.drop(columns="calls")
    return out.sort_values(["complaints", by], ascending=[False, True], ignore_index=True)


def pareto(
    lake: Lake, filters: Filters, scope: Scope, settings: ComplaintSettings | None = None, by: str = "cause"
) -> pd.DataFrame:
    """Causes from the most frequent down, with the cumulative share; ``vital_few`` marks
    the causes that together make up the first 80 % (the one crossing 80 % included)."""
    if by not in ("cause", "category"):
        raise ValueError("a Pareto goes by cause or category")
    df = _rows(lake, filters, scope, settings or ComplaintSettings())
    counts = df[by].astype("str").where(df[by].notna(), "—").value_counts()
    out = pd.DataFrame({by: counts.index.astype("str"), "complaints": counts.to_numpy(dtype="int64")})
    out = out.sort_values(["complaints", by], ascending=[False, True], ignore_index=True)
    total = out["complaints"].sum()
    out["share"] = out["complaints"] / total if total else np.nan
    out["cumulative_share"] = out["share"].cumsum()
    out["vital_few"] = (out["cumulative_share"] - out["share"]) < 0.8
    return out


def open_backlog(lake: Lake, filters: Filters, scope: Scope, settings: ComplaintSettings | None = None) -> pd.DataFrame:
    """Complaints received up to the end of the period and not resolved by then (older
    ones included), with their age in working days and age band."""
    settings = settings or ComplaintSettings()
    df = _rows(lake, filters, scope, settings, with_start=False, open_only=True)
    df = df[df["is_open"]].copy()
    df["age_band"] = pd.Series(pd.NA, index=df.index, dtype="str")
    for key, lo, hi in AGE_BANDS:
        df.loc[(df["age_workdays"] >= lo) & (df["age_workdays"] < hi), "age_band"] = key
    cols = [
        "complaint_id",
        "received_local",
        "center",
        "level",
        "channel",
        "category",
        "queue",
        "team",
        "age_workdays",
        "age_band",
    ]
    return (
        df[cols]
        .rename(columns={"received_local": "received_at"})
        .sort_values("age_workdays", ascending=False, ignore_index=True)
    )


def backlog_by_age(
    lake: Lake, filters: Filters, scope: Scope, settings: ComplaintSettings | None = None
) -> pd.DataFrame:
    """Open complaints at the end of the period by age band (working days) and level."""
    b = open_backlog(lake, filters, scope, settings)
    rows = []
    for key, _, _ in AGE_BANDS:
        part = b[b["age_band"] == key]
        rows.append(
            {"age_band": key, "open": len(part), **{f"level{lv}": int((part["level"] == lv).sum()) for lv in (1, 2, 3)}}
        )
    return pd.DataFrame(rows)


def repeat_complainers(
    lake: Lake, filters: Filters, scope: Scope, settings: ComplaintSettings | None = None
) -> pd.DataFrame:
    """Customers who complained more than once in the period, most complaints first."""
    df = _rows(lake, filters, scope, settings or ComplaintSettings())
    df = df[df["customer_id"].notna()]
    # Most customers complain once: keep the repeaters before the per-customer text join.
    counts = df["customer_id"].value_counts()
    df = df[df["customer_id"].isin(counts.index[counts > 1])]
    g = df.groupby("customer_id")
    out = pd.DataFrame(
        {
            "complaints": g.size(),
            "first_received": g["received_local"].min(),
            "last_received": g["received_local"].max(),
            "max_level": g["level"].max(),
            "causes": g["cause"].apply(lambda s: ", ".join(sorted(set(s.dropna().astype(str))))),
        }
    )
    out = out[out["complaints"] > 1].reset_index()
    out["customer_id"] = out["customer_id"].astype("str")
    return out.sort_values(["complaints", "last_received"], ascending=[False, False], ignore_index=True)


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
    df = _rows(lake, filters, scope, settings or ComplaintSettings(), with_start=False)
    if df.empty:
        return pd.DataFrame(columns=["month", "complaints", "baseline", "spread", "z", "unusual"])
    months = df["received_local"].dt.to_period("M")
    counts = months.value_counts()
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
