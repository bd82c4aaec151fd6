"""Canonical tables and columns: the one source of truth.

Validation, the Parquet writer, the demo generator, the docs and the tests all
read these definitions. Types are DuckDB SQL types; every timestamp is stored as
UTC ``TIMESTAMPTZ`` and bucketed in the center's own time zone when queried.

Identifiers that queries may group or sort by come from the allowlists at the end
of this file, never from user text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # DuckDB type: VARCHAR, TIMESTAMPTZ, DATE, DOUBLE, INTEGER, BOOLEAN
    required: bool
    description: str
    unit: str = ""
    allowed: tuple = ()  # allowed values for code columns; empty = free
    # Longest text a VARCHAR cell may hold: codes and ids are short, free text is longer.
    max_chars: int = 64


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # Column whose month (in the center's local time) partitions the table; None = unpartitioned.
    month_column: str | None = None
    derived: tuple[str, ...] = field(default=())  # computed in queries, never imported

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


C = Column

# --- bounds: what a sane value is, per column (validation rejects anything outside) ---
MAX_CODE_CHARS = 64  # the default Column.max_chars: codes, ids, zones
FREE_TEXT_CHARS = 1000  # names, reasons, causes
# Control characters (NUL included) are refused in every text cell; free text may hold
# tabs and line breaks, which a quoted CSV field or an Excel cell can legitimately carry.
CONTROL_CHARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
CODE_CONTROL_CHARS = r"[\x00-\x1f\x7f]"
# Instants and dates outside these windows are typing errors (year 9999, 1900 for a call);
# inside the window, an instant later than "now" plus the import's tolerance is "in the future".
TIMESTAMP_WINDOW = ("1990-01-01", "2100-01-01")
DATE_WINDOW = ("1900-01-01", "2100-12-31")
# Durations (unit "s") are at most ImportSettings.max_duration_s (a day unless the
# dataset's settings say otherwise); INTEGER columns must fit 32 bits.
INT32_RANGE = (-(2**31), 2**31 - 1)
# Inclusive ranges of numeric columns; every other column whose unit is seconds, calls,
# km or a count must be >= 0 (durations also at most the maximum above).
VALUE_RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("calls", "csat"): (1, 5),
    ("appraisals", "csat"): (1, 5),
    ("appraisals", "engagement"): (1, 5),
    ("appraisals", "qa_score"): (0, 100),
    ("appraisals", "score"): (0, 100),
    ("appraisals", "attendance_rate"): (0, 1),
    ("qa_evaluations", "score"): (0, 100),
    ("employees", "star_level"): (0, 5),
    ("employees", "pay_band"): (1, 5),
    ("employees", "birth_year"): (1900, 2100),
    ("role_events", "from_star"): (0, 5),
    ("role_events", "to_star"): (0, 5),
    ("queues", "service_level_target"): (0, 1),
}
NON_NEGATIVE_UNITS = ("s", "calls", "count", "km")

ROLES = (
    "csr",
    "senior_csr",
    "team_leader",
    "supervisor",
    "operations_manager",
    "quality_inspector",
    "trainer",
    "complaint_specialist",
    "wfm_analyst",
    "outbound_csr",
)
EVENT_TYPES = ("hire", "promotion", "lateral_move", "demotion", "star_change", "team_change", "exit")
EXIT_TYPES = ("voluntary", "involuntary")
CATEGORIES = ("common", "complex")
DIRECTIONS = ("inbound", "outbound")
COMPLAINT_CHANNELS = ("phone", "on_site", "letter", "media")
COMPLAINT_LEVELS = (1, 2, 3)
QA_GRADES = ("good", "medium", "poor")

CENTERS = Table(
    "centers",
    "Call centers; every local-time bucket uses the center's IANA zone.",
    (
        C("center", "VARCHAR", True, "Center code, e.g. SH-A"),
        C("name_zh", "VARCHAR", False, "Name in Chinese", max_chars=FREE_TEXT_CHARS),
        C("name_en", "VARCHAR", False, "Name in English", max_chars=FREE_TEXT_CHARS),
        C("timezone", "VARCHAR", True, "IANA time zone, e.g. Asia/Shanghai"),
    ),
    key=("center",),
)

QUEUES = Table(
    "queues",
    "Queues (skills / hunt groups) calls wait in.",
    (
        C("queue", "VARCHAR", True, "Queue code"),
        C("center", "VARCHAR", True, "Center the queue belongs to"),
        C("name_zh", "VARCHAR", False, "Name in Chinese", max_chars=FREE_TEXT_CHARS),
        C("name_en", "VARCHAR", False, "Name in English", max_chars=FREE_TEXT_CHARS),
        C("direction", "VARCHAR", False, "inbound or outbound", allowed=DIRECTIONS),
        C("service_level_seconds", "INTEGER", False, "Answer-within threshold T for this queue", "s"),
        C("service_level_target", "DOUBLE", False, "Target share answered within T", "fraction"),
    ),
    key=("queue",),
)

CALLS = Table(
    "calls",
    "One row per call that entered a queue (or was dialled out).",
    (
        C("call_id", "VARCHAR", True, "Unique call id"),
        C("queue", "VARCHAR", True, "Queue code"),
        C("arrived_at", "TIMESTAMPTZ", True, "Entered the queue (UTC)"),
        C("answered_at", "TIMESTAMPTZ", False, "Reached an agent; empty when not answered (UTC)"),
        C("ended_at", "TIMESTAMPTZ", True, "Caller or agent hung up, or caller abandoned (UTC)"),
        C("center", "VARCHAR", False, "Center code (from the queue when absent)"),
        C("direction", "VARCHAR", False, "inbound or outbound", allowed=DIRECTIONS),
        C("agent_id", "VARCHAR", False, "Employee id of the agent who handled it"),
        C("talk_s", "DOUBLE", False, "Talk time", "s"),
        C("hold_s", "DOUBLE", False, "Hold time", "s"),
        C("acw_s", "DOUBLE", False, "After-call work", "s"),
        C("category", "VARCHAR", False, "common or complex (non-common) issue", allowed=CATEGORIES),
        C("transferred", "BOOLEAN", False, "Transferred to another queue (e.g. the specialist line)"),
        C("csat", "INTEGER", False, "Customer satisfaction 1-5", "score"),
        C("resolved_first_contact", "BOOLEAN", False, "Resolved without a repeat contact"),
    ),
    key=("call_id",),
    month_column="arrived_at",
    derived=("wait_s", "abandoned", "short_abandoned", "answered_within_t"),
)

AGENT_INTERVALS = Table(
    "agent_intervals",
    "Seconds per agent per 15-minute interval: staffed, available (idle, ready) and handling.",
    (
        C("agent_id", "VARCHAR", True, "Employee id"),
        C("interval_start", "TIMESTAMPTZ", True, "Start of the 15-minute interval (UTC)"),
        C("center", "VARCHAR", True, "Center code"),
        C("queue", "VARCHAR", False, "Main queue served in the interval"),
        C("staffed_s", "DOUBLE", True, "Signed in", "s"),
        C("available_s", "DOUBLE", True, "Ready and idle", "s"),
        C("handling_s", "DOUBLE", True, "Talk + hold + after-call work", "s"),
    ),
    key=("agent_id", "interval_start"),
    month_column="interval_start",
)

EMPLOYEES = Table(
    "employees",
    "HR master: one row per person ever employed. Protected attributes serve fairness audits only.",
    (
        C("employee_id", "VARCHAR", True, "Employee id"),
        C("name", "VARCHAR", False, "Display name", max_chars=FREE_TEXT_CHARS),
        C("center", "VARCHAR", True, "Center code"),
        C("team", "VARCHAR", False, "Current (or last) team code"),
        C("role", "VARCHAR", True, "Current (or last) role", allowed=ROLES),
        C("star_level", "INTEGER", False, "CSR star level 0-5", "level"),
        C("hire_date", "DATE", True, "First day"),
        C("exit_date", "DATE", False, "Last day; empty while employed"),
        C("exit_type", "VARCHAR", False, "voluntary or involuntary", allowed=EXIT_TYPES),
        C("exit_reason", "VARCHAR", False, "Reason given at exit", max_chars=FREE_TEXT_CHARS),
        C("pay_band", "INTEGER", False, "Pay band 1 (lowest) to 5", "band"),
        C("shift_pattern", "VARCHAR", False, "day, rotating or split shifts"),
        C("education", "VARCHAR", False, "Highest education", max_chars=FREE_TEXT_CHARS),
        C("commute_km", "DOUBLE", False, "Commute distance", "km"),
        C("gender", "VARCHAR", False, "Protected: fairness audit only"),
        C("birth_year", "INTEGER", False, "Protected: fairness audit only"),
        C("marital_status", "VARCHAR", False, "Protected: fairness audit only"),
    ),
    key=("employee_id",),
)

PROTECTED_COLUMNS = ("gender", "birth_year", "marital_status")

ROLE_EVENTS = Table(
    "role_events",
    "Career events with dates: hire, promotion, lateral move, demotion, star change, team change, exit.",
    (
        C("employee_id", "VARCHAR", True, "Employee id"),
        C("event_date", "DATE", True, "Date the change took effect"),
        C("event_type", "VARCHAR", True, "Kind of event", allowed=EVENT_TYPES),
        C("from_role", "VARCHAR", False, "Role before", allowed=ROLES),
        C("to_role", "VARCHAR", False, "Role after", allowed=ROLES),
        C("from_team", "VARCHAR", False, "Team before"),
        C("to_team", "VARCHAR", False, "Team after"),
        C("from_star", "INTEGER", False, "Star level before", "level"),
        C("to_star", "INTEGER", False, "Star level after", "level"),
        C("reason", "VARCHAR", False, "Free text", max_chars=FREE_TEXT_CHARS),
    ),
    key=("employee_id", "event_date", "event_type"),
)

APPRAISALS = Table(
    "appraisals",
    "Monthly appraisal per employee (月度考核).",
    (
        C("employee_id", "VARCHAR", True, "Employee id"),
        C("month", "DATE", True, "First day of the appraised month"),
        C("calls_handled", "INTEGER", False, "Calls handled in the month", "calls"),
        C("attendance_rate", "DOUBLE", False, "Share of scheduled shifts attended", "fraction"),
        C("late_count", "INTEGER", False, "Times late", "count"),
        C("qa_score", "DOUBLE", False, "Mean QA score 0-100", "score"),
        C("csat", "DOUBLE", False, "Mean customer satisfaction 1-5", "score"),
        C("engagement", "DOUBLE", False, "Engagement survey 1-5", "score"),
        C("valid_complaints", "INTEGER", False, "Valid complaints attributed", "count"),
        C("score", "DOUBLE", False, "Overall appraisal score 0-100", "score"),
        C("rating", "VARCHAR", False, "A, B, C or D", allowed=("A", "B", "C", "D")),
    ),
    key=("employee_id", "month"),
)

COMPLAINTS = Table(
    "complaints",
    "Complaints (投诉): escalation level, channel, verification and handling times.",
    (
        C("complaint_id", "VARCHAR", True, "Complaint id"),
        C("received_at", "TIMESTAMPTZ", True, "Received (UTC)"),
        C("center", "VARCHAR", True, "Center code"),
        C("level", "INTEGER", True, "1 center, 2 group, 3 regulator / media", allowed=COMPLAINT_LEVELS),
        C("channel", "VARCHAR", True, "phone, on_site, letter or media", allowed=COMPLAINT_CHANNELS),
        C("category", "VARCHAR", False, "Type of complaint", max_chars=FREE_TEXT_CHARS),
        C("cause", "VARCHAR", False, "Root cause after verification", max_chars=FREE_TEXT_CHARS),
        C("queue", "VARCHAR", False, "Queue of the call complained about"),
        C("call_id", "VARCHAR", False, "Call complained about"),
        C("agent_id", "VARCHAR", False, "Responsible agent"),
        C("team", "VARCHAR", False, "Responsible team"),
        C("customer_id", "VARCHAR", False, "Complainant (for repeat complainers)"),
        C("valid", "BOOLEAN", False, "Judged valid (有效) after verification"),
        C("first_response_at", "TIMESTAMPTZ", False, "First response (UTC)"),
        C("resolved_at", "TIMESTAMPTZ", False, "Resolved (UTC)"),
        C("callback_at", "TIMESTAMPTZ", False, "Follow-up callback (回访) (UTC)"),
        C("closed_at", "TIMESTAMPTZ", False, "Closed (UTC)"),
    ),
    key=("complaint_id",),
    month_column="received_at",
)

QA_EVALUATIONS = Table(
    "qa_evaluations",
    "Quality inspections of recorded calls (质检).",
    (
        C("evaluation_id", "VARCHAR", True, "Evaluation id"),
        C("call_id", "VARCHAR", False, "Call reviewed"),
        C("agent_id", "VARCHAR", True, "Agent reviewed"),
        C("evaluator_id", "VARCHAR", False, "Quality inspector"),
        C("evaluated_at", "TIMESTAMPTZ", True, "When reviewed (UTC)"),
        C("method", "VARCHAR", False, "realtime, sampled, sales_review or side_by_side"),
        C("score", "DOUBLE", True, "Score 0-100", "score"),
        C("grade", "VARCHAR", False, "good, medium or poor", allowed=QA_GRADES),
    ),
    key=("evaluation_id",),
)

TARGETS = Table(
    "targets",
    "Targets that override the metric registry's defaults.",
    (
        C("metric", "VARCHAR", True, "Metric key from the registry"),
        C("scope_type", "VARCHAR", True, "global, center or queue", allowed=("global", "center", "queue")),
        C("scope_value", "VARCHAR", False, "Center or queue code; empty for global"),
        C("target", "DOUBLE", True, "Target value in the metric's unit"),
        C("valid_from", "DATE", False, "First day the target applies"),
    ),
    key=("metric", "scope_type", "scope_value", "valid_from"),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        CENTERS,
        QUEUES,
        CALLS,
        AGENT_INTERVALS,
        EMPLOYEES,
        ROLE_EVENTS,
        APPRAISALS,
        COMPLAINTS,
        QA_EVALUATIONS,
        TARGETS,
    )
}

# --- allowlists for identifiers in SQL -------------------------------------------------

# Time grains a query may bucket by (local time of the center).
TIME_GRAINS = ("interval15", "interval30", "hour", "day", "week", "month")
# Recurring parts of local time, for profiles and heatmaps (hour 0-23, ISO weekday 1 = Monday).
TIME_PARTS = ("hour_of_day", "weekday")
# Dimensions a query may group by.
DIMENSIONS = ("center", "queue", "team", "agent")
GROUPINGS = TIME_GRAINS + TIME_PARTS + DIMENSIONS

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
    "DATE": pa.date32(),
    "DOUBLE": pa.float64(),
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
}


def arrow_schema(table: Table) -> pa.Schema:
    """The Parquet schema of a canonical table."""
    return pa.schema([pa.field(c.name, _ARROW_TYPES[c.dtype], nullable=not c.required) for c in table.columns])


def reference_markdown() -> str:
    """The column reference that docs/schema.md is generated from."""
    lines = [
        "# Canonical tables",
        "",
        "Generated from `analytics/schema.py` by `python -m analytics schema-doc`; do not edit by hand.",
        "",
    ]
    for t in TABLES.values():
        lines += [
            f"## `{t.name}`",
            "",
            t.description,
            "",
            "| column | type | required | unit | description |",
            "|---|---|---|---|---|",
        ]
        for c in t.columns:
            desc = c.description + (f" ({', '.join(map(str, c.allowed))})" if c.allowed else "")
            lines.append(f"| `{c.name}` | {c.dtype} | {'yes' if c.required else ''} | {c.unit} | {desc} |")
        if t.derived:
            lines += ["", "Derived in queries, never imported: " + ", ".join(f"`{d}`" for d in t.derived) + "."]
        lines.append("")
    return "\n".join(lines)


# The tables a person may import, in the order they are offered (calls first: what most
# imports bring). Every table of the schema; a test keeps the two in step.
IMPORT_ORDER: tuple[str, ...] = (
    "calls",
    "employees",
    "role_events",
    "appraisals",
    "complaints",
    "qa_evaluations",
    "agent_intervals",
    "centers",
    "queues",
    "targets",
)
