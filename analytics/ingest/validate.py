"""Validation: text cells from a reader in, typed canonical rows and reasoned rejects out.

All checks are vectorised over the whole frame (pandas on Arrow strings), so a million
calls validate in seconds. Every problem names the source file, the 1-based source
line (header = line 1), the canonical column (or the source header when a column is
missing) and why, as a stable ``code`` (for counts and translations) and an English
``reason`` with the offending value. A row with several problems is rejected once and
listed once per problem.

Time: an offset or ``Z`` in a timestamp is honoured; a naive timestamp is read in its
center's IANA zone. A naive time that does not exist there (spring-forward gap) or
exists twice (autumn fold) is rejected, never shifted: only the source knows which
instant was meant.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics import schema
from analytics.ingest.mapping import Mapping
from analytics.ingest.readers import LINE, Source

# Notes that do not reject a row: (code, values); English text for the command line
# here, both languages for the Data page in i18n/strings_data.py.
WARNINGS = {
    "ignored_columns": "columns not imported (not in the mapping): {columns}",
    "new_centers": "new centers created in zone {zone}: {centers}",
    "new_queues": "new queues created: {queues}",
    "no_employees": "no employees in the dataset yet: agent ids are not checked",
    "unknown_agents": "{n} rows name agents missing from employees (first on lines {lines})",
    "queue_log_skipped": "{n} queue_log lines without a call row (member, pause and ring events) skipped",
    "queue_log_join_failed": "{n} callers could not join a queue (JOINEMPTY/JOINUNAVAIL): not offered",
    "excel_sheets": "read sheet {sheet}; the workbook also has {sheets} (pick another with source.sheet in "
    "the mapping)",
    "durations_clamped": "{n} answered calls had talk + hold longer than answered→ended by more than {tol} s "
    "(clock skew between the switch's timers and its timestamps): kept, durations cut to "
    "the span (first on lines {lines})",
}

REJECT_COLUMNS = ["file", "line", "column", "code", "reason", "values"]
# Every reason code a reject can carry (readers' codes included); the Data page
# translates each one (i18n/strings_data.py checks the list is complete).
REASON_CODES = (
    "missing_column",
    "required_empty",
    "not_allowed",
    "not_a_number",
    "not_an_integer",
    "out_of_range",
    "not_a_boolean",
    "not_a_date",
    "not_a_timestamp",
    "no_time_zone",
    "dst_gap",
    "dst_fold",
    "in_future",
    "queue_center_mismatch",
    "no_center",
    "unknown_center",
    "order_answered_before_arrived",
    "order_ended_before_answered",
    "order_ended_before_arrived",
    "order_exit_before_hire",
    "order_before_received",
    "duration_exceeds_span",
    "talk_without_answer",
    "interval_misaligned",
    "month_not_first_day",
    "unknown_agent",
    "duplicate_in_file",
    "duplicate_in_lake",
    "column_count",
    "queue_log_malformed",
    "queue_log_unended",
    "queue_log_orphan",
    "queue_log_incomplete",
    "control_character",
    "too_long",
    "out_of_window",
    "excel_formula_no_value",
)

TRUE = {"true", "t", "yes", "y", "1", "是", "对", "true.", "1.0"}
FALSE = {"false", "f", "no", "n", "0", "否", "错", "0.0"}

# Bounds per column live in the schema; these names stay for callers that used them here.
RANGES = schema.VALUE_RANGES
NON_NEGATIVE_UNITS = schema.NON_NEGATIVE_UNITS
INTERVAL_S = 900
# Tables whose lake view appends every batch: a key seen before would count twice, so it
# is rejected. Reference tables (people, queues...) are re-exported whole: the newest
# batch wins per key, so a known key there is an update, not a duplicate.
APPEND_ONLY = tuple(t.name for t in schema.TABLES.values() if t.month_column)
AGENT_COLUMNS = {
    "calls": "agent_id",
    "agent_intervals": "agent_id",
    "complaints": "agent_id",
    "qa_evaluations": "agent_id",
    "role_events": "employee_id",
    "appraisals": "employee_id",
}


@dataclass(frozen=True)
class ImportSettings:
    clock_skew_s: float = 2.0  # ended may precede answered by this much (clocks of two systems)
    # talk + hold may exceed ended - answered by this much and are kept as given; beyond
    # it the call is still kept (its timestamps are the facts) and the durations are cut
    # to the span, counted in the report (docs/import.md, "Clock skew").
    duration_tolerance_s: float = 2.0
    max_duration_s: float = 86_400.0  # a duration above this (seconds) is a typing error
    future_tolerance_s: float = 300.0  # a timestamp this far past "now" is rejected
    unknown_agent: str = "warn"  # "warn" or "reject" an agent missing from employees
    now: pd.Timestamp | None = None  # fixed in tests

    @classmethod
    def from_dict(cls, data: dict) -> ImportSettings:
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__ and k != "now"}
        s = cls(**known)
        if s.unknown_agent not in ("warn", "reject"):
            raise ValueError("import setting unknown_agent must be 'warn' or 'reject'")
        return s


@dataclass
class Context:
    """What the lake already knows, and what the command line adds."""

    file: str
    zones: dict[str, str] = field(default_factory=dict)  # known center -> zone
    queue_centers: dict[str, str] = field(default_factory=dict)  # known queue -> center
    employees: set[str] | None = None  # None: no HR data in the lake
    default_center: str | None = None  # --center
    new_center_zone: str | None = None  # --timezone (or the mapping's)
    existing_keys: Callable[[pd.DataFrame], np.ndarray] | None = None  # rows whose key is in the lake


@dataclass
class Validated:
    accepted: pd.DataFrame  # canonical columns, typed
    rejects: pd.DataFrame  # REJECT_COLUMNS, one row per problem
    rows_read: int
    rows_rejected: int
    warnings: list[tuple[str, dict]]
    new_centers: pd.DataFrame | None  # centers to create (with the given zone)
    new_queues: pd.DataFrame | None  # queues to create under their center

    @property
    def rejected_by_reason(self) -> dict[str, int]:
        if self.rejects.empty:
            return {}
        return {k: int(v) for k, v in self.rejects.groupby("code")["line"].nunique().sort_index().items()}


class _Problems:
    def __init__(self, n: int):
        self.n = n
        self.parts: list[pd.DataFrame] = []
        self.bad = np.zeros(n, dtype=bool)

    def add(self, mask, column: str, code: str, reason) -> None:
        mask = np.asarray(mask, dtype=bool) if not isinstance(mask, pd.Series) else mask.fillna(False).to_numpy(bool)
        if not mask.any():
            return
        pos = np.flatnonzero(mask)
        # Reasons that quote values are lambdas, built only when a row fails; add() calls them
        # at once, so their loop variables are the current ones (ruff's B023 does not apply).
        if callable(reason):
            reason = reason()
        if isinstance(reason, pd.Series):
            reasons = reason.to_numpy(dtype=object)[pos]
        else:
            reasons = np.full(len(pos), reason, dtype=object)
        self.parts.append(pd.DataFrame({"pos": pos, "column": column, "code": code, "reason": reasons}))
        self.bad[pos] = True

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(
                {
                    "pos": pd.Series([], dtype="int64"),
                    "column": pd.Series([], dtype="str"),
                    "code": pd.Series([], dtype="str"),
                    "reason": pd.Series([], dtype="str"),
                }
            )
        return pd.concat(self.parts, ignore_index=True)


def _q(s: pd.Series) -> pd.Series:
    """Values quoted for a reason text."""
    return "'" + s.fillna("").astype("str").str.slice(0, 60) + "'"


def _num(x: float) -> str:
    """A bound as a person reads it: 5, 0.5, 86400, 2147483647 (never 2.14748e+09)."""
    return f"{int(x)}" if float(x).is_integer() else f"{x:g}"


def _q_visible(s: pd.Series) -> pd.Series:
    """Values quoted for a reason text with control characters shown as \\xNN (a NUL in a
    reason would itself be an invisible, unprintable character)."""
    return (
        "'"
        + s.fillna("")
        .astype("str")
        .str.slice(0, 60)
        .map(lambda v: v.encode("unicode_escape").decode("ascii"), na_action="ignore")
        + "'"
    )


def _text_bounds(s: pd.Series, col: schema.Column) -> tuple[np.ndarray, np.ndarray]:
    """(too long, holds a control character) masks of a text column, computed in Arrow."""
    arr = _arrow(s)
    long = pc.fill_null(pc.greater(pc.utf8_length(arr), col.max_chars), False)
    pattern = schema.CODE_CONTROL_CHARS if col.max_chars <= schema.MAX_CODE_CHARS else schema.CONTROL_CHARS
    ctrl = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
    return long.to_numpy(zero_copy_only=False), ctrl.to_numpy(zero_copy_only=False)


def _arrow(s: pd.Series) -> pa.Array:
    """The Arrow strings behind a text column (zero-copy for pandas' Arrow-backed str)."""
    arr = pa.array(s)
    return arr.cast(pa.string()) if arr.type != pa.string() else arr


def _lookup(s: pd.Series, table: dict) -> pd.Series:
    """``s.map(table)`` for text, by index lookup: Series.map walks a million Arrow strings
    one by one in Python."""
    if not table:
        return pd.Series(np.nan, index=s.index, dtype="str")
    keys = pd.Index(list(table), dtype="str")
    pos = keys.get_indexer(s)
    vals = np.array(list(table.values()) + [None], dtype=object)
    return pd.Series(vals[pos], index=s.index, dtype="str")


def _to_number(s: pd.Series) -> pd.Series:
    """Text to float64; Arrow's cast is several times faster than pandas' parser when every
    cell is a clean number, which is the common case, so try it first."""
    try:
        arr = _arrow(s)
        return pd.Series(
            pc.cast(pc.utf8_trim_whitespace(arr), pa.float64()).to_numpy(zero_copy_only=False),
            index=s.index,
            dtype="float64",
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pd.to_numeric(s, errors="coerce").astype("float64")


def _parse_times(s: pd.Series, fmt: str | None) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(UTC instants for aware values, naive local datetimes, unparseable mask)."""
    present = s.notna()
    if fmt == "epoch":
        num = pd.to_numeric(s, errors="coerce")
        aware = pd.to_datetime(num, unit="s", utc=True, errors="coerce")
        naive = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
        return aware, naive, present & aware.isna()
    # An offset follows a time of day: "…09:00:00Z", "…09:00+08:00", "…09:00:00+08" (DuckDB's style).
    # (pyarrow's RE2 runs this over a million cells in a fraction of a second; pandas' str.contains
    # falls back to Python for it.)
    arr = _arrow(s)
    has_offset = pd.Series(
        pc.fill_null(
            pc.match_substring_regex(arr, r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s?(?:Z|[+-]\d{2}(?::?\d{2})?)$"), False
        ).to_numpy(zero_copy_only=False),
        index=s.index,
    )
    aware = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us, UTC]")
    naive = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    if has_offset.any():
        aware.loc[has_offset] = pd.to_datetime(s[has_offset], format="ISO8601", utc=True, errors="coerce")
    plain = present & ~has_offset
    if plain.any():
        parsed = pd.to_datetime(s[plain], format=fmt or "ISO8601", errors="coerce")
        if fmt and parsed.isna().any():  # a file may mix the declared format with ISO dates
            retry = parsed.isna()
            parsed.loc[retry] = pd.to_datetime(s[plain][retry], format="ISO8601", errors="coerce")
        naive.loc[plain] = parsed.astype("datetime64[us]")
    bad = present & aware.isna() & naive.isna()
    return aware, naive, bad


def validate(
    source: Source, table_name: str, mapping: Mapping, ctx: Context, settings: ImportSettings | None = None
) -> Validated:
    settings = settings or ImportSettings()
    table = schema.TABLES[table_name]
    raw = source.frame.reset_index(drop=True)
    n = len(raw)
    lines = raw[LINE].to_numpy()
    probs = _Problems(n)
    warnings: list[tuple[str, dict]] = list(source.notes)
    now = settings.now if settings.now is not None else pd.Timestamp.now(tz="UTC")

    # 1. columns: source headers -> canonical names, then constants from the mapping.
    rename = mapping.rename(source.columns)
    df = pd.DataFrame(index=raw.index)
    for src_col, canon in rename.items():
        if canon not in df.columns:
            df[canon] = raw[src_col].astype("str")
    ignored = [c for c in source.columns if c not in rename]
    if ignored:
        warnings.append(("ignored_columns", {"columns": ", ".join(map(str, ignored))}))
    defaults = dict(mapping.defaults)
    if "center" in table.column_names and ctx.default_center and "center" not in df.columns:
        defaults.setdefault("center", ctx.default_center)
    for col, value in defaults.items():
        if col not in df.columns:
            df[col] = pd.Series(str(value), index=df.index, dtype="str")
        else:
            df[col] = df[col].fillna(str(value))
    derivable = {"center"} if table_name in ("calls",) else set()
    missing = [c for c in table.required_columns if c not in df.columns and c not in derivable]
    if missing:
        for c in missing:
            probs.add(
                np.ones(n, bool),
                c,
                "missing_column",
                f"required column {c!r} is not in the file (headers: {', '.join(map(str, source.columns))})",
            )
        return _finish(raw, source, table, df.iloc[0:0], probs, ctx, warnings, None, None)
    for c in table.column_names:
        if c not in df.columns:
            df[c] = pd.Series(np.nan, index=df.index, dtype="str")

    # 2. codes: the mapping's value maps, then the schema's allowed values.
    for col, vmap in mapping.values.items():
        mapped = _lookup(df[col], vmap)
        df[col] = mapped.where(mapped.notna(), df[col]).astype("str")

    out: dict[str, pd.Series] = {}
    for c in table.columns:
        s = df[c.name]
        present = s.notna()
        if c.required:
            probs.add(~present, c.name, "required_empty", f"required value {c.name} is empty")
        if c.dtype == "VARCHAR":
            too_long, control = _text_bounds(s, c)
            probs.add(
                control,
                c.name,
                "control_character",
                lambda: "value " + _q_visible(s) + " contains a control character (e.g. NUL or a bare CR)",
            )
            probs.add(
                too_long,
                c.name,
                "too_long",
                lambda: "value " + _q_visible(s) + f"… is longer than {c.max_chars} characters",
            )
            if c.allowed:
                allowed = {str(a) for a in c.allowed}
                lowered = s.str.lower()
                s = lowered.where(lowered.isin(allowed), s)
                probs.add(
                    present & ~s.isin(allowed),
                    c.name,
                    "not_allowed",
                    lambda: "value " + _q(s) + f" is not one of {', '.join(sorted(allowed))}",
                )
            out[c.name] = s
        elif c.dtype in ("INTEGER", "DOUBLE"):
            num = _to_number(s)
            # "inf" and "nan" parse as floats but are no values; blank them like any non-number.
            num = num.where(np.isfinite(num))
            probs.add(present & num.isna(), c.name, "not_a_number", lambda: "value " + _q(s) + " is not a number")
            if c.dtype == "INTEGER":
                probs.add(
                    num.notna() & (num % 1 != 0),
                    c.name,
                    "not_an_integer",
                    lambda: "value " + _q(s) + " is not a whole number",
                )
            if c.allowed:
                probs.add(
                    num.notna() & ~num.isin([float(a) for a in c.allowed]),
                    c.name,
                    "not_allowed",
                    lambda: "value " + _q(s) + f" is not one of {', '.join(map(str, c.allowed))}",
                )
            lo_hi = RANGES.get((table_name, c.name))
            if lo_hi is None and c.unit == "s":
                lo_hi = (0, settings.max_duration_s)
            elif lo_hi is None and c.unit in NON_NEGATIVE_UNITS:
                lo_hi = (0, schema.INT32_RANGE[1] if c.dtype == "INTEGER" else np.inf)
            elif lo_hi is None and c.dtype == "INTEGER":
                lo_hi = schema.INT32_RANGE
            if lo_hi is not None:
                lo, hi = lo_hi
                if lo == 0 and (not np.isfinite(hi) or c.unit == "s"):
                    what = "zero or more" + (f" and at most {_num(hi)}" if np.isfinite(hi) else "")
                else:
                    what = f"between {_num(lo)} and {_num(hi)}"
                probs.add(
                    num.notna() & ((num < lo) | (num > hi)),
                    c.name,
                    "out_of_range",
                    lambda: "value " + _q(s) + f" must be {what}",
                )
            # A non-integer (or out-of-range) value in an INTEGER column is already a problem;
            # blank it so the cast is safe.
            if c.dtype == "INTEGER":
                fits = (num % 1 == 0) & (num >= schema.INT32_RANGE[0]) & (num <= schema.INT32_RANGE[1])
                out[c.name] = num.where(fits).astype("Int32")
            else:
                out[c.name] = num.astype("float64")
        elif c.dtype == "BOOLEAN":
            low = s.str.lower()
            val = pd.Series(pd.NA, index=s.index, dtype="boolean")
            val[low.isin(TRUE)] = True
            val[low.isin(FALSE)] = False
            probs.add(present & val.isna(), c.name, "not_a_boolean", lambda: "value " + _q(s) + " is not true/false")
            out[c.name] = val
        elif c.dtype == "DATE":
            fmt = mapping.time_format_for(c.name)
            _, naive, bad = _parse_times(s, None if fmt == "epoch" else fmt)
            probs.add(bad, c.name, "not_a_date", lambda: "value " + _q(s) + " is not a date")
            not_midnight = naive.notna() & (naive != naive.dt.normalize())
            probs.add(
                not_midnight, c.name, "not_a_date", lambda: "value " + _q(s) + " has a time of day; a date is expected"
            )
            lo, hi = (pd.Timestamp(x) for x in schema.DATE_WINDOW)
            outside = naive.notna() & ((naive < lo) | (naive > hi))
            probs.add(
                outside,
                c.name,
                "out_of_window",
                lambda: "date " + _q(s) + f" is outside {schema.DATE_WINDOW[0]} … {schema.DATE_WINDOW[1]}",
            )
            out[c.name] = naive.where(~outside).dt.normalize()
        # TIMESTAMPTZ are parsed below, once every row knows its center's zone.

    # 3. centers and queues: every call row must know its center, hence its zone.
    new_centers = new_queues = None
    zones = dict(ctx.zones)
    if "center" in table.column_names:
        center = out["center"]
        if "queue" in out and ctx.queue_centers:
            from_queue = _lookup(out["queue"], ctx.queue_centers)
            clash = center.notna() & from_queue.notna() & (center != from_queue)
            probs.add(
                clash,
                "center",
                "queue_center_mismatch",
                lambda: "queue " + _q(out["queue"]) + " belongs to center " + _q(from_queue) + ", not " + _q(center),
            )
            center = center.where(center.notna(), from_queue)
        if ctx.default_center:
            center = center.fillna(ctx.default_center)
        out["center"] = center.astype("str")
        probs.add(
            center.isna(),
            "center",
            "no_center",
            "no center: the file has none, the queue is new, and no --center was given",
        )
        unknown = sorted(set(center.dropna().unique()) - set(zones))
        if unknown and ctx.new_center_zone:
            new_centers = pd.DataFrame(
                {"center": unknown, "name_zh": None, "name_en": None, "timezone": ctx.new_center_zone}
            ).astype("str")
            for u in unknown:
                zones[u] = ctx.new_center_zone
            warnings.append(("new_centers", {"zone": ctx.new_center_zone, "centers": ", ".join(unknown)}))
        elif unknown:
            probs.add(
                center.isin(unknown),
                "center",
                "unknown_center",
                lambda: "center " + _q(center) + " is not in the dataset; give --timezone to create it",
            )
        if "queue" in out and table_name in ("calls", "agent_intervals"):
            q = out["queue"]
            fresh = q.notna() & ~q.isin(list(ctx.queue_centers)) & center.isin(list(zones))
            if fresh.any():
                nq = (
                    pd.DataFrame({"queue": q[fresh], "center": center[fresh]})
                    .drop_duplicates("queue")
                    .sort_values("queue", ignore_index=True)
                )
                two = pd.DataFrame({"queue": q[fresh], "center": center[fresh]}).drop_duplicates()
                split = two["queue"].duplicated(keep=False)
                if split.any():  # one new queue code seen under two centers in one file
                    bad_q = set(two.loc[split, "queue"])
                    probs.add(
                        q.isin(bad_q),
                        "queue",
                        "queue_center_mismatch",
                        lambda: "queue " + _q(q) + " appears under more than one center in this file",
                    )
                    nq = nq[~nq["queue"].isin(bad_q)]
                new_queues = pd.DataFrame(
                    {c.name: pd.Series([None] * len(nq), dtype="str") for c in schema.QUEUES.columns}
                )
                new_queues["queue"] = nq["queue"].to_numpy()
                new_queues["center"] = nq["center"].to_numpy()
                new_queues["direction"] = "inbound"
                new_queues["service_level_seconds"] = pd.Series([pd.NA] * len(nq), dtype="Int32")
                new_queues["service_level_target"] = np.nan
                warnings.append(("new_queues", {"queues": ", ".join(nq["queue"])}))
        row_zone = _lookup(center, zones)
    else:
        zone = zones.get(ctx.default_center) if ctx.default_center else None
        zone = zone or ctx.new_center_zone
        row_zone = pd.Series(zone, index=raw.index, dtype="str")

    # 4. timestamps, each row in its center's zone.
    for c in table.columns:
        if c.dtype != "TIMESTAMPTZ":
            continue
        s = df[c.name]
        aware, naive, bad = _parse_times(s, mapping.time_format_for(c.name))
        probs.add(bad, c.name, "not_a_timestamp", lambda: "value " + _q(s) + " is not a date and time")
        # Outside the window (year 9999, 1900 for a call): rejected here, before time-zone
        # arithmetic that would overflow at the ends of the calendar.
        w_lo, w_hi = (pd.Timestamp(x) for x in schema.TIMESTAMP_WINDOW)
        out_naive = naive.notna() & ((naive < w_lo) | (naive > w_hi))
        out_aware = aware.notna() & ((aware < w_lo.tz_localize("UTC")) | (aware > w_hi.tz_localize("UTC")))
        probs.add(
            out_naive | out_aware,
            c.name,
            "out_of_window",
            lambda: "time " + _q(s) + f" is outside {schema.TIMESTAMP_WINDOW[0]} … {schema.TIMESTAMP_WINDOW[1]}",
        )
        naive = naive.where(~out_naive)
        aware = aware.where(~out_aware)
        result = aware.copy()
        need_zone = naive.notna()
        probs.add(
            need_zone & row_zone.isna() & ("center" not in table.column_names),
            c.name,
            "no_time_zone",
            lambda: "value " + _q(s) + " has no UTC offset and no --center/--timezone tells its zone",
        )
        zoned = need_zone & row_zone.notna()
        for zone, idx in naive[zoned].groupby(row_zone[zoned]).groups.items():
            local = naive.loc[idx]
            early = local.dt.tz_localize(zone, ambiguous=np.ones(len(local), bool), nonexistent="NaT")
            late = local.dt.tz_localize(zone, ambiguous=np.zeros(len(local), bool), nonexistent="NaT")
            gap = early.isna()
            fold = ~gap & (early != late)
            probs.add(
                pd.Series(gap, index=local.index).reindex(raw.index, fill_value=False),
                c.name,
                "dst_gap",
                lambda: "local time " + _q(s) + f" does not exist in {zone} (clocks jump forward); give a UTC offset",
            )
            probs.add(
                pd.Series(fold, index=local.index).reindex(raw.index, fill_value=False),
                c.name,
                "dst_fold",
                lambda: "local time " + _q(s) + f" happens twice in {zone} (clocks go back); give a UTC offset",
            )
            result.loc[idx] = early.where(~fold).dt.tz_convert("UTC")
        probs.add(
            result > now + pd.Timedelta(seconds=settings.future_tolerance_s),
            c.name,
            "in_future",
            lambda: "time " + _q(s) + " is in the future",
        )
        out[c.name] = result

    # 5. rules between columns.
    skew = pd.Timedelta(seconds=settings.clock_skew_s)
    tol = settings.duration_tolerance_s
    if table_name == "calls":
        arr, ans, end = out["arrived_at"], out["answered_at"], out["ended_at"]
        probs.add(
            ans.notna() & arr.notna() & (ans < arr - skew),
            "answered_at",
            "order_answered_before_arrived",
            lambda: "answered " + _q(df["answered_at"]) + " before arrived " + _q(df["arrived_at"]),
        )
        probs.add(
            end.notna() & ans.notna() & (end < ans - skew),
            "ended_at",
            "order_ended_before_answered",
            lambda: "ended " + _q(df["ended_at"]) + " before answered " + _q(df["answered_at"]),
        )
        probs.add(
            end.notna() & arr.notna() & ans.isna() & (end < arr - skew),
            "ended_at",
            "order_ended_before_arrived",
            lambda: "ended " + _q(df["ended_at"]) + " before arrived " + _q(df["arrived_at"]),
        )
        # Clock skew: the timestamps are the facts of a call. Durations that disagree with
        # them by up to the tolerance are kept as given; beyond it the call is still kept and
        # hold, then talk, are cut to the answered→ended span. Never a rejected call.
        span = (end - ans).dt.total_seconds().clip(lower=0)
        talk, hold = out["talk_s"], out["hold_s"]
        parts = talk.fillna(0) + hold.fillna(0)
        over = (
            ans.notna()
            & end.notna()
            & (talk.notna() | hold.notna())
            & (parts > span + tol)
            & ~pd.Series(probs.bad, index=raw.index)
        )
        if over.any():
            new_hold = hold.where(~over, np.minimum(hold, span))
            new_talk = talk.where(~over, np.minimum(talk, span - new_hold.fillna(0)))
            out["hold_s"], out["talk_s"] = new_hold, new_talk
            first = lines[np.flatnonzero(over.to_numpy())[:5]]
            warnings.append(
                ("durations_clamped", {"n": int(over.sum()), "tol": f"{tol:g}", "lines": ", ".join(map(str, first))})
            )
        talk = out["talk_s"]
        # The source's answered cell, not the parsed one: a bad answered time is its own problem.
        probs.add(
            df["answered_at"].isna() & (talk.fillna(0) > 0),
            "talk_s",
            "talk_without_answer",
            lambda: "talk time " + _q(df["talk_s"]) + " on a call that was never answered",
        )
    elif table_name == "agent_intervals":
        st = out["interval_start"]
        probs.add(
            st.notna() & ((st.dt.minute % 15 != 0) | (st.dt.second != 0)),
            "interval_start",
            "interval_misaligned",
            lambda: "interval start " + _q(df["interval_start"]) + " is not on a 15-minute boundary",
        )
        probs.add(
            out["staffed_s"] > INTERVAL_S + tol,
            "staffed_s",
            "out_of_range",
            lambda: "staffed " + _q(df["staffed_s"]) + f" s is more than the {INTERVAL_S} s of an interval",
        )
        probs.add(
            out["available_s"].fillna(0) + out["handling_s"].fillna(0) > out["staffed_s"] + tol,
            "available_s",
            "duration_exceeds_span",
            "available + handling is more than staffed",
        )
    elif table_name == "employees":
        probs.add(
            out["exit_date"].notna() & (out["exit_date"] < out["hire_date"]),
            "exit_date",
            "order_exit_before_hire",
            lambda: "exit " + _q(df["exit_date"]) + " before hire " + _q(df["hire_date"]),
        )
    elif table_name == "appraisals":
        m = out["month"]
        probs.add(
            m.notna() & (m.dt.day != 1),
            "month",
            "month_not_first_day",
            lambda: "month " + _q(df["month"]) + " is not the first day of a month",
        )
    elif table_name == "complaints":
        for col in ("first_response_at", "resolved_at", "callback_at", "closed_at"):
            probs.add(
                out[col].notna() & (out[col] < out["received_at"] - skew),
                col,
                "order_before_received",
                lambda: col + " " + _q(df[col]) + " before received " + _q(df["received_at"]),
            )

    # 6. references: agents that HR does not know.
    acol = AGENT_COLUMNS.get(table_name)
    if acol:
        if ctx.employees is None:
            if out[acol].notna().any():
                warnings.append(("no_employees", {}))
        else:
            unknown_agent = out[acol].notna() & ~out[acol].isin(list(ctx.employees))
            if unknown_agent.any():
                if settings.unknown_agent == "reject":
                    probs.add(
                        unknown_agent, acol, "unknown_agent", lambda: "agent " + _q(out[acol]) + " is not an employee"
                    )
                else:
                    first = lines[np.flatnonzero(unknown_agent.to_numpy())[:5]]
                    warnings.append(
                        ("unknown_agents", {"n": int(unknown_agent.sum()), "lines": ", ".join(map(str, first))})
                    )

    # 7. duplicates: within the file (keep the first), then against the lake.
    keys = list(table.key)
    keyed = pd.DataFrame({k: out[k] for k in keys})
    has_key = keyed.notna().all(axis=1) if all(table.column(k).required for k in keys) else keyed.notna().any(axis=1)
    dup = has_key & keyed.duplicated(keep="first")
    if dup.any():
        first_line = (
            pd.Series(lines, index=raw.index).groupby([keyed[k] for k in keys], dropna=False).transform("first")
        )
        probs.add(dup, keys[0], "duplicate_in_file", lambda: "same key as line " + first_line.astype("str"))
    if table_name in APPEND_ONLY and ctx.existing_keys is not None:
        cand = has_key & ~dup
        if cand.any():
            seen = pd.Series(False, index=raw.index)
            seen[cand] = ctx.existing_keys(keyed[cand].reset_index(drop=True))
            probs.add(
                seen, keys[0], "duplicate_in_lake", lambda: "this key was imported before (same " + "+".join(keys) + ")"
            )

    accepted = pd.DataFrame({c: out[c] for c in table.column_names})
    # Only accepted rows create centers and queues: a rejected row (a queue code with a NUL,
    # a call in year 9999) must not leave a new queue behind.
    good = ~probs.bad
    if new_queues is not None:
        new_queues = new_queues[new_queues["queue"].isin(set(out["queue"][good].dropna()))].reset_index(drop=True)
        warnings = [w for w in warnings if w[0] != "new_queues"]
        if len(new_queues):
            warnings.append(("new_queues", {"queues": ", ".join(new_queues["queue"])}))
        else:
            new_queues = None
    if new_centers is not None:
        new_centers = new_centers[new_centers["center"].isin(set(out["center"][good].dropna()))]
        warnings = [w for w in warnings if w[0] != "new_centers"]
        if len(new_centers):
            warnings.append(("new_centers", {"zone": ctx.new_center_zone, "centers": ", ".join(new_centers["center"])}))
        else:
            new_centers = None
    return _finish(raw, source, table, accepted, probs, ctx, warnings, new_centers, new_queues)


def _finish(raw, source, table, accepted, probs: _Problems, ctx: Context, warnings, new_centers, new_queues):
    problems = probs.frame()
    good = ~probs.bad
    if len(accepted):
        accepted = accepted[good].reset_index(drop=True)
    # Rejected rows keep their original cells as text (JSON object of source header -> value).
    bad_pos = np.flatnonzero(probs.bad)
    values = {}
    if len(bad_pos):
        cells = raw.iloc[bad_pos][[c for c in source.columns if c in raw.columns]]
        values = dict(
            zip(
                bad_pos,
                (
                    json.dumps({k: v for k, v in r.items() if isinstance(v, str)}, ensure_ascii=False)
                    for r in cells.to_dict("records")
                ),
            )
        )
    lines = raw[LINE].to_numpy()
    rej = pd.DataFrame(
        {
            "file": ctx.file,
            "line": lines[problems["pos"].to_numpy()] if len(problems) else pd.Series([], dtype="int64"),
            "column": problems["column"].astype("str"),
            "code": problems["code"].astype("str"),
            "reason": problems["reason"].astype("str"),
            "values": [values.get(p, "") for p in problems["pos"]],
        }
    )
    if source.problems:
        extra = pd.DataFrame(
            [
                {
                    "file": ctx.file,
                    "line": p[0],
                    "column": p[1],
                    "code": p[2],
                    "reason": p[3],
                    "values": json.dumps({"_raw": p[4]}, ensure_ascii=False),
                }
                for p in source.problems
            ]
        )
        rej = pd.concat([rej, extra], ignore_index=True)
    rej = rej.astype({"file": "str", "column": "str", "code": "str", "reason": "str", "values": "str"})
    rej["line"] = rej["line"].astype("int64")
    rej = rej.sort_values(["line", "column"], kind="stable", ignore_index=True)
    rows_read = len(raw) + len(source.problems)
    rows_rejected = int(probs.bad.sum()) + len(source.problems)
    return Validated(accepted, rej, rows_read, rows_rejected, warnings, new_centers, new_queues)
