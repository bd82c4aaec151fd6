"""Where data lives, the DuckDB connection over it, its views and its rollups.

Layout of a dataset folder::

    <dataset>/dataset.json                      what the dataset is (demo or imported)
    <dataset>/<table>/batch=<id>/[month=YYYY-MM/]part-0.parquet   append-only batches
    <dataset>/_rollups/<rollup>/month=YYYY-MM/data.parquet        rebuilt per month
    <dataset>/_rollups/complaint_facts/month=YYYY-MM/...           complaints with working-day
    <dataset>/_rollups/workday_index/month=all/...                 ages (analytics.complaint_facts)

    <dataset>/_published.json                   what readers see (see below)

Readers get one locked-down in-memory DuckDB connection per process and dataset:
views over the Parquet files, external access limited to the table folders and the
rollups (never ``_users.json`` or ``_audit/``), configuration locked, memory capped.
Every query runs on its own cursor because a DuckDB connection is not thread-safe and
Streamlit serves sessions from threads.

Consistent reads: an import commits its batch (a folder rename: the ledger has it),
then builds the rollups of the months it touched as new files of a new *generation*,
then publishes ``_published.json`` — the batches and rollup files readers use — in
one ``os.replace``. Readers list only what the published manifest names, so they see
the dataset before the import or after it, never a mix. A batch committed but never
published (an import killed in between) is bypassed by readers, named in
``Lake.unpublished``, and published by the next import, a re-run of the same import,
or ``python -m analytics repair``, which rebuild its months first. A dataset written
before manifests existed has none: readers then see every committed file, as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analytics import schema
from analytics.staging import TMP_PREFIX, fsync_file


def default_dataset() -> Path:
    """The dataset the app opens: $CALLCENTER_DATASET, else data/demo (read at each call
    so tests and deployments can point elsewhere)."""
    return Path(os.environ.get("CALLCENTER_DATASET", "data/demo"))


MEMORY_LIMIT = os.environ.get("CALLCENTER_DUCKDB_MEMORY", "2GB")

# Thresholds (seconds) whose counts the rollups keep, so a service-level threshold T or a
# short-abandon threshold from this list is answered from rollups; any other value falls
# back to the raw calls (slower, same numbers).
WAIT_THRESHOLDS = (3, 5, 10, 15, 20, 25, 30, 40, 45, 60, 90, 120, 180, 300)
# Handle-time targets (seconds) whose "handled within" counts the rollups keep.
HANDLE_THRESHOLDS = (120, 180, 240, 300, 360, 420, 480, 600, 900)
# Handle-time histogram bin width and top (the last bin holds everything above).
HANDLE_BIN_S = 30
HANDLE_TOP_S = 1800

ROLLUPS = ("queue_interval", "agent_day", "handle_hist", "queue_day", "agent_month")
# queue_day is queue_interval summed per day (~50x fewer rows): totals, days, weeks, months
# and queues read it; only views below a day need the intervals. A dataset written before
# it existed derives it from queue_interval on the fly (see calls._sources).
# agent_month: the answered calls of the month per agent and category (the scorecards'
# measures: CSAT, first-contact resolution, handle time within each threshold), format 3.
BASE_ROLLUPS = ROLLUPS[:3]
# What the published rollups hold, recorded as ``rollup_format`` in ``_published.json``
# (absent: 1). 2: queue_interval (and queue_day, its daily sums) hold ``wait_abandoned_s``,
# the time abandoned callers waited, so caller patience is read from the rollups. Readers
# ask ``Lake.has_rollups(..., min_format=2)`` and fall back to the raw calls below it; the
# next rebuild of a dataset published with an older format (an import, ``repair``) rebuilds
# every month, so that no month's file lacks a column the format promises. 3: the agent_month
# rollup exists for every month (analytics.scorecard reads it instead of the raw calls).
# 4: queue_interval (and queue_day) hold the answered calls' satisfaction and first-contact
# resolution (csat_sum, csat_n, fcr_yes, fcr_n): the service-level page's satisfaction table
# reads the day rollup instead of a month of raw calls (~0.1 s at 52 M calls, linear in them).
ROLLUP_FORMAT = 4
# Complaints materialised at import (analytics.complaint_facts): built from the complaints
# table, not per month of calls, but published, listed and read like the rollups above.
COMPLAINT_ROLLUPS = ("complaint_facts", "workday_index")
# QA evaluations deduplicated once per import, per local month (analytics.qa_month).
QA_ROLLUPS = ("qa_month",)
# The staffing page's month precomputed at import (analytics.coverage_month): per month of
# calls, published after the month's rollups it is computed from.
COVERAGE_ROLLUPS = ("coverage_month", "coverage_profile", "coverage_projection", "coverage_check")
# What is computed from the published rollups after they are published, as modules with
# ``rebuild(root, months, generation)`` and ``stale_months(root, published=None)``: they
# register themselves on import (analytics.coverage_build, imported by the rollup builders'
# entry points: analytics.engines, analytics.ingest), since the lake imports no reader.
DERIVED: list = []
# Rows per Parquet row group of the large rollups: a month of a 50 M-call group is
# ~230 k queue-intervals, which as one row group is decoded by one thread; sorted by day,
# smaller groups also let a one-day drill-down skip the rest of the month.
ROLLUP_ROW_GROUP = 32_768

# Result cache per Lake (query results and derived frames, see Lake.cached): the most
# recent results, keyed by the query text and parameters (or a derived frame's arguments).
# Each entry records what it read: the tables and rollup views its SQL names and, when the
# caller says so, the months (see Lake.query). A refresh compares a token per (table or
# rollup, month) with the previous one and drops only the entries that read a changed one,
# so an import of October keeps September's results and an import of calls keeps what read
# only HR tables. Results larger than CACHE_MAX_ROW_BYTES are not kept; the whole cache
# stays under CACHE_MAX_BYTES.
CACHE_ENTRIES = int(os.environ.get("CALLCENTER_QUERY_CACHE", "256"))
CACHE_MAX_BYTES = int(os.environ.get("CALLCENTER_QUERY_CACHE_MB", "256")) * 2**20
# A quarter of the whole: a month of queue-intervals' coverage is 24 MB in a 50 M-call
# dataset, so staffing stays cached up to ~130 M calls while four such entries still fit.
CACHE_MAX_ROW_BYTES = CACHE_MAX_BYTES // 4

# Reference tables small enough to hold in the connection (a row per center, queue, person,
# role change, appraisal or target): copied in when their files change, so the many queries
# that join them read no Parquet and run no newest-batch window (employees: 9.6 -> 0.9 ms a
# query at 52 M calls, 17 batches; a quality view joins it three times). qa_evaluations
# (1.5 M rows at 52 M calls) and the month-partitioned tables stay views over their files.
IN_MEMORY_TABLES = frozenset({"centers", "queues", "employees", "role_events", "appraisals", "targets"})

# Views a query may read, as the words that name them in SQL text. A query's dependencies
# are the names its text contains (a column or parameter spelled like a table only adds a
# dependency: conservative, never stale).
_VIEW_NAMES = tuple(schema.TABLES) + tuple(
    "rollup_" + r for r in ROLLUPS + COMPLAINT_ROLLUPS + QA_ROLLUPS + COVERAGE_ROLLUPS
)
_VIEW_WORDS = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _VIEW_NAMES), key=len, reverse=True)) + r")\b")
_MONTHLY_VIEWS = frozenset(
    [t.name for t in schema.TABLES.values() if t.month_column]
    + ["rollup_" + r for r in ROLLUPS + QA_ROLLUPS + COVERAGE_ROLLUPS]
)
ALL_MONTHS = None  # a dependency on every month of a view


def sql_views(sql: str) -> frozenset[str]:
    """The tables and rollup views ``sql`` names (by word; over-inclusion is harmless)."""
    return frozenset(_VIEW_WORDS.findall(sql))


def _month_range(months) -> tuple[str, str] | None:
    """None (every month), a 'YYYY-MM' or a (first, last) pair such as ``Filters.months``."""
    if months is None:
        return None
    if isinstance(months, str):
        return (months, months)
    first, last = months
    return (str(first), str(last))


def _merge_deps(into: dict, deps: dict) -> None:
    """Union of dependencies: per view, the span of months covering both (None: all)."""
    for view, span in deps.items():
        if view not in into:
            into[view] = span
        else:
            old = into[view]
            into[view] = None if old is None or span is None else (min(old[0], span[0]), max(old[1], span[1]))


def _depends_on(deps: dict, changed: dict[str, set]) -> bool:
    """Whether an entry with ``deps`` (view -> month span or None) read a changed (view, month)."""
    for view, span in deps.items():
        months = changed.get(view)
        if not months:
            continue
        if span is None or None in months:
            return True
        if any(span[0] <= mth <= span[1] for mth in months):
            return True
    return False


def freeze(value):
    """A hashable cache-key part for nested dicts, lists and scalars (a scalar keeps its
    type's name: 1 and 1.0 and True are different parameters)."""
    if isinstance(value, dict):
        return tuple(sorted((k, freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return (type(value).__name__, value)


def _mtime_ns(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:  # removed since it was listed: the next refresh sees the change
        return -1


def _changed_tokens(old: dict, new: dict) -> dict[str, set]:
    """view -> months (None: the whole view) whose token differs between two refreshes."""
    changed: dict[str, set] = {}
    for key in old.keys() | new.keys():
        if old.get(key) != new.get(key):
            changed.setdefault(key[0], set()).add(key[1])
    return changed


def dataset_info(root: Path) -> dict:
    f = Path(root) / "dataset.json"
    return json.loads(f.read_text(encoding="utf-8")) if f.is_file() else {}


def write_dataset_info(root: Path, info: dict) -> None:
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / "dataset.json.tmp"
    tmp.write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, root / "dataset.json")


PUBLISHED = "_published.json"
LOCK_FILE = ".import.lock"
ROLLUP_DIR = "_rollups"
_GEN_FILE = re.compile(r"^data-g(\d+)\.parquet$")


def read_published(root: Path) -> dict | None:
    """The published manifest, or None for a dataset written before manifests existed."""
    f = Path(root) / PUBLISHED
    try:
        return json.loads(f.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def committed_batches(root: Path) -> dict[str, list[str]]:
    """Every committed batch folder name per table (the ledger), published or not."""
    out = {}
    for table in schema.TABLES:
        tdir = Path(root) / table
        if tdir.is_dir():
            names = sorted(p.name for p in tdir.iterdir() if p.name.startswith("batch=") and p.is_dir())
            if names:
                out[table] = names
    return out


def unpublished_batches(root: Path, published: dict | None = None) -> dict[str, list[str]]:
    """Committed batches the published manifest does not list (an import died before publishing)."""
    published = read_published(root) if published is None else published
    if published is None:
        return {}
    listed = {t: set(b) for t, b in published.get("batches", {}).items()}
    out = {}
    for table, names in committed_batches(root).items():
        missing = [b for b in names if b not in listed.get(table, set())]
        if missing:
            out[table] = missing
    return out


_held: dict[tuple[Path, int], int] = {}
_held_lock = threading.RLock()


@contextlib.contextmanager
def import_lock(root: Path):
    """One writer at a time per dataset, across processes (an exclusive flock on a file in
    the dataset folder); re-entrant within a process, so an import may call the rollup
    builder that takes it too."""
    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    key = (root, threading.get_ident())  # re-entrant for this thread only, never across threads
    with _held_lock:
        depth = _held.get(key, 0)
        if depth:
            _held[key] = depth + 1
    if depth:
        try:
            yield
        finally:
            with _held_lock:
                _held[key] -= 1
        return
    # flock locks belong to an open file: a second thread opening the file waits like a process.
    fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with _held_lock:
            _held[key] = 1
        try:
            yield
        finally:
            with _held_lock:
                _held.pop(key, None)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def has_dataset(root: Path) -> bool:
    """Whether readers would see calls: published ones (or, without a manifest, any)."""
    root = Path(root)
    if not root.is_dir():
        return False
    published = read_published(root)
    if published is not None:
        return bool(published.get("batches", {}).get("calls"))
    return any((root / "calls").glob("batch=*/**/*.parquet"))


def start_manifest(root: Path) -> None:
    """A new dataset publishes an empty manifest before its first commit, so that readers
    see nothing of it until its first batches are published with their rollups."""
    root = Path(root)
    if read_published(root) is None and not committed_batches(root):
        publish(root, {}, 0, {"rollup_format": ROLLUP_FORMAT})


def _table_files(root: Path, table: str, batches: Iterable[str] | None = None) -> list[str]:
    """Parquet files of ``table``: of the listed batch folders, or of every committed one."""
    tdir = Path(root) / table
    if batches is None:
        return sorted(str(p) for p in tdir.glob("batch=*/**/*.parquet"))
    return sorted(str(p) for b in batches for p in (tdir / b).glob("**/*.parquet"))


def _rollup_files(root: Path, rollup: str, published: dict | None = None) -> list[str]:
    """Rollup files of ``rollup``: those the manifest publishes, or (no manifest) all on disk."""
    if published is not None:
        return sorted(str(Path(root) / rel) for rel in published.get("rollups", {}).get(rollup, {}).values())
    return sorted(str(p) for p in (Path(root) / ROLLUP_DIR / rollup).glob("month=*/data*.parquet"))


def _empty_select(table: schema.Table) -> str:
    cols = ", ".join(f"CAST(NULL AS {c.dtype}) AS {c.name}" for c in table.columns)
    # The same hidden columns as a view over files, so a dataset of calls alone (no
    # agent intervals yet) still answers the queries and rollups that read them.
    hidden = ", CAST(NULL AS VARCHAR) AS _month" if table.month_column else ""
    return f"SELECT {cols}{hidden}, CAST(NULL AS VARCHAR) AS _batch WHERE false"


def _quote_list(paths: list[str]) -> str:
    # View definitions cannot hold bound parameters; these are file paths the lake itself
    # listed under the dataset folder (never user text), quoted as SQL string literals.
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def _table_view_sql(root: Path, table: schema.Table, batches: Iterable[str] | None = None) -> str:
    files = _table_files(root, table.name, batches)
    if not files:
        return _empty_select(table)
    cols = ", ".join(table.column_names)
    src = (
        f"read_parquet({_quote_list(files)}, hive_partitioning = true, union_by_name = true, "
        "hive_types = {'batch': VARCHAR" + (", 'month': VARCHAR" if table.month_column else "") + "})"
    )
    if table.month_column:
        return f"SELECT {cols}, month AS _month, batch AS _batch FROM {src}"
    # Reference tables (people, queues, targets) are re-exported whole by their source
    # systems: the newest batch wins for each key.
    key = ", ".join(table.key)
    return (
        f"SELECT {cols}, batch AS _batch FROM {src} "
        f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY batch DESC) = 1"
    )


class Lake:
    """Read access to one dataset folder."""

    def __init__(
        self, root: Path, *, lock_down: bool = True, memory_limit: str = MEMORY_LIMIT, all_committed: bool = False
    ):
        # all_committed: see every committed batch, published or not (the rollup builder and
        # the importer's checks, which run under import_lock); readers see the published ones.
        self.root = Path(root).resolve()
        self.all_committed = all_committed
        self.unpublished: dict[str, list[str]] = {}
        self.manifest: dict | None = None  # the published manifest the views were built from
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET TimeZone = 'UTC'")
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._batch_memo: tuple | None = None  # (table folders' mtimes, batch counts): _batch_counts
        self._months: dict[str, list[str]] = {}
        self._in_memory: dict[str, tuple] = {}  # IN_MEMORY_TABLES -> the files their copy holds
        self._rollups_present: set[str] = set()
        self._rollup_format = 1
        self._cache: OrderedDict = OrderedDict()  # key -> (frame, bytes, dependencies)
        self._cache_bytes = 0
        self._cache_lock = threading.Lock()
        # (view, month or None) -> token of the files behind it, as of the last refresh; a
        # refresh drops the cached entries that read a (view, month) whose token changed.
        self._tokens: dict[tuple[str, str | None], tuple] = {}
        self._generation = 0  # bumped by each refresh: results computed across one are not kept
        self._recording = threading.local()  # per thread: dependencies of the cached() computing
        self.cache_hits = self.cache_misses = 0
        if lock_down:
            # The table folders and the rollups only: never _users.json, _audit/ or settings.
            allowed = [str(self.root / d) + os.sep for d in (*schema.TABLES, ROLLUP_DIR)]
            self.con.execute("SET allowed_directories = ?", [allowed])
            self.con.execute("SET enable_external_access = false")
            self.con.execute("SET autoinstall_known_extensions = false")
            self.con.execute("SET autoload_known_extensions = false")
            self.con.execute("SET memory_limit = ?", [memory_limit])
            self.con.execute("SET lock_configuration = true")
        self.refresh()

    def _current_signature(self) -> tuple:
        if not self.all_committed:
            try:
                st = (self.root / PUBLISHED).stat()
                # Published: the manifest names every file, so its identity is the signature;
                # plus the committed batch folders, to notice an unpublished one.
                return ("published", st.st_mtime_ns, st.st_size, st.st_ino, self._batch_counts())
            except FileNotFoundError:
                pass
        entries = []
        for sub in list(schema.TABLES) + [
            f"_rollups/{r}" for r in ROLLUPS + COMPLAINT_ROLLUPS + QA_ROLLUPS + COVERAGE_ROLLUPS
        ]:
            d = self.root / sub
            if d.is_dir():
                entries.append(
                    (
                        sub,
                        tuple(
                            sorted(
                                (p.name, p.stat().st_mtime_ns) for p in d.iterdir() if not p.name.startswith(TMP_PREFIX)
                            )
                        ),
                    )
                )
        return tuple(entries)

    def _batch_counts(self) -> tuple:
        """Committed batch folders per table, listed again only when a table folder's
        modification time moved (a batch is committed by renaming its folder into it).
        Pages ask for the lake several times a run: listing every batch folder each time
        was ~10 ms of a cached rerun at 52 M calls. A change the times miss (a coarse clock)
        only delays noticing an unpublished batch: a publish changes the manifest itself."""
        times = tuple((t, _mtime_ns(str(self.root / t))) for t in schema.TABLES)
        memo = self._batch_memo
        if memo is None or memo[0] != times:
            memo = (times, tuple((t, len(b)) for t, b in committed_batches(self.root).items()))
            self._batch_memo = memo  # one assignment: threads see the old pair or the new
        return memo[1]

    def refresh(self) -> bool:
        """(Re)create the views when batches or rollups changed on disk; True if they did."""
        sig = self._current_signature()
        if sig == self._signature:
            return False
        with self._lock:
            published = None if self.all_committed else read_published(self.root)
            self.unpublished = unpublished_batches(self.root, published) if published is not None else {}
            if self.unpublished:  # readers bypass them; the next import or `repair` publishes them
                logging.getLogger(__name__).warning(
                    "%s: batches committed but not published (an interrupted import): %s; readers see the "
                    "dataset without them until `python -m analytics repair --dataset %s` or the next import",
                    self.root,
                    self.unpublished,
                    self.root,
                )
            cur = self.con.cursor()
            months = {}
            tokens: dict[tuple[str, str | None], tuple] = {}
            for table in schema.TABLES.values():
                batches = None if published is None else published.get("batches", {}).get(table.name, [])
                files = _table_files(self.root, table.name, batches)
                # The name is the schema's table name, the body lists files the lake found.
                if table.name not in IN_MEMORY_TABLES:
                    cur.execute(
                        "CREATE OR REPLACE VIEW " + table.name + " AS " + _table_view_sql(self.root, table, batches)
                    )
                elif self._in_memory.get(table.name) != tuple(files):
                    cur.execute(
                        "CREATE OR REPLACE TABLE " + table.name + " AS " + _table_view_sql(self.root, table, batches)
                    )
                    self._in_memory[table.name] = tuple(files)
                if table.month_column:
                    # Batches are append-only folders: a month's files name what it holds.
                    by_month: dict[str, list[str]] = {}
                    for f in files:
                        month = next((p[len("month=") :] for p in Path(f).parts if p.startswith("month=")), None)
                        by_month.setdefault(month, []).append(f)
                    months[table.name] = sorted(m for m in by_month if m is not None)
                    tokens.update({(table.name, m): tuple(fs) for m, fs in by_month.items()})
                else:
                    tokens[(table.name, None)] = tuple(files)
            present = set()
            for rollup in ROLLUPS + COMPLAINT_ROLLUPS + QA_ROLLUPS + COVERAGE_ROLLUPS:
                files = _rollup_files(self.root, rollup, published)
                for f in files:
                    # A rebuilt month is a new generation's file (or, without a manifest, the
                    # same file rewritten): its name and modification time tell.
                    month = Path(f).parent.name[len("month=") :]
                    tokens[("rollup_" + rollup, month)] = (f, _mtime_ns(f))
                if files:
                    present.add(rollup)
                    # rollup names come from ROLLUPS; the files are the lake's own listing
                    cur.execute(
                        "CREATE OR REPLACE VIEW rollup_"
                        + rollup
                        + " AS SELECT * FROM read_parquet("
                        + _quote_list(files)
                        + ", hive_partitioning = true, hive_types = {'month': VARCHAR})"
                    )
                else:
                    cur.execute("DROP VIEW IF EXISTS rollup_" + rollup)
            # What the views were built on, so queries ask these instead of listing files again.
            self._months, self._rollups_present = months, present
            # without a manifest the files' format is unknown: the oldest
            self._rollup_format = int((published or {}).get("rollup_format", 1))
            self.manifest = published
            self._signature = sig
            self._invalidate(_changed_tokens(self._tokens, tokens))
            self._tokens = tokens
        return True

    def _invalidate(self, changed: dict[str, set]) -> None:
        """Drop the cached results that read a changed (view, month); keep the rest."""
        with self._cache_lock:
            self._generation += 1
            for key in [k for k, (_, _, deps) in self._cache.items() if _depends_on(deps, changed)]:
                self._cache_bytes -= self._cache.pop(key)[1]

    @property
    def data_version(self) -> int:
        """Changes whenever a refresh saw the files change (or the cache was cleared): for a
        cache outside the lake (a page's) to key on, so it never outlives an import."""
        return self._generation

    def clear_cache(self) -> None:
        with self._cache_lock:
            self._generation += 1
            self._cache.clear()
            self._cache_bytes = 0

    def months(self, table: str) -> list[str]:
        """The month partitions (``YYYY-MM``, center-local) that hold files of ``table``."""
        if table not in schema.TABLES or not schema.TABLES[table].month_column:
            raise KeyError(f"{table} is not split by month")
        return list(self._months.get(table, []))

    def has_rollups(self, rollups: Iterable[str] = BASE_ROLLUPS, min_format: int = 1) -> bool:
        """Whether the views were built with these rollups (as of the last refresh), published
        in ``min_format`` or later (see ROLLUP_FORMAT)."""
        return self._rollup_format >= min_format and all(r in self._rollups_present for r in rollups)

    def query(self, sql: str, params: list | dict | None = None, months=None) -> pd.DataFrame:
        """Run one read query on a fresh cursor; values travel only as bound parameters.

        Results come from the bounded cache when the same query with the same parameters
        ran before and nothing it read changed since (see CACHE_ENTRIES). ``months``: the
        months the query reads of the month-partitioned tables and rollups it names (a
        'YYYY-MM', or a (first, last) pair such as ``Filters.months``), so an import into
        other months keeps its result; None (unknown) depends on every month.
        """

        def run() -> pd.DataFrame:
            cur = self.con.cursor()
            try:
                return cur.execute(sql, params or []).df()
            finally:
                cur.close()

        span = _month_range(months)
        deps = {v: (span if v in _MONTHLY_VIEWS else ALL_MONTHS) for v in sql_views(sql)}
        return self.cached(("sql", sql, freeze(params or [])), run, depends=deps)

    def cached(self, key: tuple, compute: Callable[[], pd.DataFrame], depends: dict | None = None) -> pd.DataFrame:
        """``compute()``'s frame, kept in the bounded LRU under ``key``.

        Queries use it, and so do derived frames that several pages and the review ask for
        with the same arguments (e.g. complaint rows with working-day ages), so one home
        holds every cached result and one bound (entries and bytes) limits them all.
        ``key`` must be hashable and name everything the result depends on but the data.
        What it depends on of the data is recorded: the dependencies of every query (and
        cached frame) ``compute`` asks the lake for, plus ``depends`` (view name -> month
        span as in ``query``'s ``months``, or None for all months) for what it reads
        otherwise. A refresh that changes any of them drops the entry.

        A hit is a shallow copy: with pandas' copy-on-write a caller that adds a column or
        sets a value changes its own frame, never the cached one. ``compute`` may also return
        an immutable object with an ``nbytes`` attribute (e.g. ``careers.CareerData``): it
        is kept and returned as is, counted at that size.
        """
        if CACHE_ENTRIES <= 0:
            return self._record(compute, depends)[0]
        try:
            hash(key)
        except TypeError:
            return self._record(compute, depends)[0]
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                self.cache_hits += 1
                self._note(hit[2])
                return hit[0].copy(deep=False) if isinstance(hit[0], pd.DataFrame) else hit[0]
            generation = self._generation
        df, deps = self._record(compute, depends)
        size = frame_nbytes(df) if isinstance(df, pd.DataFrame) else int(df.nbytes)
        with self._cache_lock:
            self.cache_misses += 1
            # Not kept when a refresh ran meanwhile: the views may have changed under compute().
            if size <= CACHE_MAX_ROW_BYTES and generation == self._generation:
                old = self._cache.pop(key, None)
                if old is not None:
                    self._cache_bytes -= old[1]
                self._cache[key] = (df.copy(deep=False) if isinstance(df, pd.DataFrame) else df, size, deps)
                self._cache_bytes += size
                while self._cache and (len(self._cache) > CACHE_ENTRIES or self._cache_bytes > CACHE_MAX_BYTES):
                    _, (_, sz, _) = self._cache.popitem(last=False)
                    self._cache_bytes -= sz
        return df

    def is_cached(self, key: tuple) -> bool:
        """Whether ``cached`` holds ``key`` now (without counting a hit or refreshing it)."""
        with self._cache_lock:
            return key in self._cache

    def _note(self, deps: dict) -> None:
        """Add ``deps`` to every cached() computation running on this thread."""
        for rec in getattr(self._recording, "stack", ()):
            _merge_deps(rec, deps)

    def _record(self, compute: Callable[[], pd.DataFrame], depends: dict | None) -> tuple[pd.DataFrame, dict]:
        """Run ``compute`` and collect the dependencies of what it asks the lake for."""
        stack = self._recording.__dict__.setdefault("stack", [])
        deps: dict = {}
        _merge_deps(deps, {v: _month_range(span) for v, span in (depends or {}).items()})
        stack.append(deps)
        try:
            df = compute()
        finally:
            stack.pop()
        self._note(deps)
        return df, deps

    def count(self, table: str) -> int:
        if table not in schema.TABLES:
            raise KeyError(table)
        sql = "SELECT count(*) AS n FROM " + table  # name checked against the schema above
        return int(self.query(sql)["n"].iloc[0])

    def zones(self) -> dict[str, str]:
        df = self.query("SELECT center, timezone FROM centers")
        return dict(zip(df["center"], df["timezone"]))


def frame_nbytes(df: pd.DataFrame) -> int:
    """What ``df`` holds in memory, as ``df.memory_usage(index=True, deep=True).sum()``
    counts it, at a fraction of the cost. The cache sizes every frame it keeps, a dozen per
    page view, and ``memory_usage`` builds a Series per column to do it; here a column of
    numbers or dates is its item size times the rows, and only the others (strings, codes,
    objects) are asked.
    """
    n, rows = int(df.index.memory_usage(deep=True)), len(df)
    for i, dtype in enumerate(df.dtypes):
        if isinstance(dtype, np.dtype) and dtype.kind != "O":
            n += dtype.itemsize * rows
        else:
            n += int(df.iloc[:, i].memory_usage(index=False, deep=True))
    return n


_lakes: dict[Path, Lake] = {}
_lakes_lock = threading.Lock()


def open_lake(root: Path | str) -> Lake:
    """The process's one locked-down connection for a dataset, refreshed if files changed."""
    key = Path(root).resolve()
    with _lakes_lock:
        lake = _lakes.get(key)
        if lake is None:
            lake = _lakes[key] = Lake(key)
        else:
            lake.refresh()
    return lake


# --- rollups --------------------------------------------------------------------------


def _handle_columns(thresholds, condition: str = "answered AND talk_s IS NOT NULL") -> list[str]:
    return [f"count(*) FILTER (WHERE {condition} AND handle_s <= {int(t)}) AS handled_le_{int(t)}" for t in thresholds]


def _wait_columns(wait_thresholds, handle_thresholds) -> str:
    # Thresholds are whole numbers from this module or validated settings, never text.
    parts = []
    for t in map(int, wait_thresholds):
        parts.append(f"count(*) FILTER (WHERE answered AND wait_s <= {t}) AS answered_le_{t}")
        parts.append(f"count(*) FILTER (WHERE NOT answered AND wait_s <= {t}) AS abandoned_le_{t}")
    parts += _handle_columns(handle_thresholds)
    return ",\n  ".join(parts)


# The team each person belonged to from valid_from (inclusive) to valid_to (exclusive; NULL:
# still), from the career events that set a team: a hire, promotion, lateral move, demotion
# or team change (its to_team; NULL after a move to a role without a team). Calls and agent
# intervals take the team of their local day from here, so a team's past months keep the
# people it had then; a person without such events keeps the HR master's team.
TEAM_SPANS_SQL = """
SELECT employee_id, valid_from, team,
  lead(valid_from) OVER (PARTITION BY employee_id ORDER BY valid_from) AS valid_to
FROM (
  SELECT employee_id, event_date AS valid_from, max(to_team) AS team
  FROM role_events
  WHERE event_type IN ('hire', 'promotion', 'lateral_move', 'demotion', 'team_change')
  GROUP BY employee_id, event_date
) team_events
"""

# The local-time view of calls that the rollups and the raw drill-down both read.
CALL_FACTS_SQL = (
    """
SELECT c.call_id, c.center, c.queue, coalesce(c.direction, 'inbound') AS direction,
  c.agent_id, CASE WHEN s.employee_id IS NULL THEN e.team ELSE s.team END AS team, c.category,
  timezone(z.timezone, c.arrived_at) AS local_ts,
  c.answered_at IS NOT NULL AS answered,
  epoch(coalesce(c.answered_at, c.ended_at) - c.arrived_at) AS wait_s,
  c.talk_s, c.hold_s, c.acw_s,
  coalesce(c.talk_s, 0) + coalesce(c.hold_s, 0) + coalesce(c.acw_s, 0) AS handle_s,
  coalesce(c.transferred, false) AS transferred, c.csat, c.resolved_first_contact, c._month
FROM calls c
JOIN centers z ON z.center = c.center
LEFT JOIN employees e ON e.employee_id = c.agent_id
LEFT JOIN ("""
    + TEAM_SPANS_SQL
    + """) s ON s.employee_id = c.agent_id
  AND s.valid_from <= CAST(timezone(z.timezone, c.arrived_at) AS DATE)
  AND (s.valid_to IS NULL OR CAST(timezone(z.timezone, c.arrived_at) AS DATE) < s.valid_to)
"""
)

INTERVAL_FACTS_SQL = (
    """
SELECT a.agent_id, a.center, a.queue, CASE WHEN s.employee_id IS NULL THEN e.team ELSE s.team END AS team,
  timezone(z.timezone, a.interval_start) AS local_ts,
  a.staffed_s, a.available_s, a.handling_s, a._month
FROM agent_intervals a
JOIN centers z ON z.center = a.center
LEFT JOIN employees e ON e.employee_id = a.agent_id
LEFT JOIN ("""
    + TEAM_SPANS_SQL
    + """) s ON s.employee_id = a.agent_id
  AND s.valid_from <= CAST(timezone(z.timezone, a.interval_start) AS DATE)
  AND (s.valid_to IS NULL OR CAST(timezone(z.timezone, a.interval_start) AS DATE) < s.valid_to)
"""
)


MONTH_WHERE = "_month = $month"


def rollup_sql(
    rollup: str, where: str = MONTH_WHERE, wait_thresholds=WAIT_THRESHOLDS, handle_thresholds=HANDLE_THRESHOLDS
) -> str:
    """The query of one rollup over the rows ``where`` selects.

    The rollup builder runs it per month; a drill-down with thresholds the stored rollups
    lack runs the same query over its period, so both paths share one definition.
    """
    if rollup == "queue_interval":
        return f"""
WITH c AS (SELECT * FROM ({CALL_FACTS_SQL}) WHERE {where}),
calls_agg AS (
  SELECT center, queue, direction, time_bucket(INTERVAL 15 MINUTE, local_ts) AS interval_start,
  count(*) AS offered,
  count(*) FILTER (WHERE answered) AS answered,
  count(*) FILTER (WHERE NOT answered) AS abandoned,
  sum(wait_s) FILTER (WHERE answered) AS wait_answered_s,
  sum(wait_s) FILTER (WHERE NOT answered) AS wait_abandoned_s,
  count(*) FILTER (WHERE answered AND talk_s IS NOT NULL) AS handled,
  sum(talk_s) AS talk_s, sum(hold_s) AS hold_s, sum(acw_s) AS acw_s,
  count(*) FILTER (WHERE transferred) AS transferred,
  CAST(sum(csat) FILTER (WHERE answered) AS BIGINT) AS csat_sum, count(csat) FILTER (WHERE answered) AS csat_n,
  count(*) FILTER (WHERE answered AND resolved_first_contact) AS fcr_yes,
  count(resolved_first_contact) FILTER (WHERE answered) AS fcr_n,
  {_wait_columns(wait_thresholds, handle_thresholds)}
  FROM c GROUP BY ALL),
staff AS (
  SELECT center, queue, time_bucket(INTERVAL 15 MINUTE, local_ts) AS interval_start,
  sum(staffed_s) AS staffed_s, sum(available_s) AS available_s, sum(handling_s) AS handling_s
  FROM ({INTERVAL_FACTS_SQL}) WHERE {where} AND queue IS NOT NULL GROUP BY ALL)
SELECT coalesce(k.center, s.center) AS center, coalesce(k.queue, s.queue) AS queue,
  coalesce(k.direction, q.direction, 'inbound') AS direction,
  coalesce(k.interval_start, s.interval_start) AS interval_start,
  CAST(coalesce(k.interval_start, s.interval_start) AS DATE) AS day,
  k.* EXCLUDE (center, queue, direction, interval_start),
  s.staffed_s, s.available_s, s.handling_s
FROM calls_agg k FULL JOIN staff s
  ON k.center = s.center AND k.queue = s.queue AND k.interval_start = s.interval_start
LEFT JOIN queues q ON q.queue = coalesce(k.queue, s.queue)
"""
    if rollup == "agent_day":
        return f"""
WITH c AS (
  SELECT center, agent_id, team, CAST(local_ts AS DATE) AS day, count(*) AS handled,
    sum(wait_s) AS wait_answered_s, sum(talk_s) AS talk_s, sum(hold_s) AS hold_s, sum(acw_s) AS acw_s,
    count(*) FILTER (WHERE transferred) AS transferred,
    {", ".join(_handle_columns(handle_thresholds, "true"))}
  FROM ({CALL_FACTS_SQL}) WHERE {where} AND answered AND agent_id IS NOT NULL
    AND talk_s IS NOT NULL GROUP BY ALL),
i AS (
  SELECT center, agent_id, team, CAST(local_ts AS DATE) AS day,
    sum(staffed_s) AS staffed_s, sum(available_s) AS available_s, sum(handling_s) AS handling_s,
    mode(queue ORDER BY queue) AS main_queue
  FROM ({INTERVAL_FACTS_SQL}) WHERE {where} GROUP BY ALL)
SELECT coalesce(c.center, i.center) AS center, coalesce(c.agent_id, i.agent_id) AS agent_id,
  coalesce(c.team, i.team) AS team, coalesce(c.day, i.day) AS day, i.main_queue AS queue,
  coalesce(q.direction, 'inbound') AS direction,
  coalesce(c.handled, 0) AS handled, c.wait_answered_s, c.talk_s, c.hold_s, c.acw_s,
  coalesce(c.transferred, 0) AS transferred,
  {", ".join(f"coalesce(c.handled_le_{t}, 0) AS handled_le_{t}" for t in map(int, handle_thresholds))},
  i.staffed_s, i.available_s, i.handling_s
FROM c FULL JOIN i ON c.agent_id = i.agent_id AND c.day = i.day
LEFT JOIN queues q ON q.queue = i.main_queue
"""
    if rollup == "queue_day":
        return queue_day_sql("(" + rollup_sql("queue_interval", where, wait_thresholds, handle_thresholds) + ")")
    if rollup == "agent_month":
        # Per agent and category, the answered calls of the month partition (``_month``, as
        # every rollup): what analytics.scorecard's raw query counts, with no join, so the
        # same calls (the reader joins employees for the scope, as the raw query does).
        # handle_s is summed over the handled calls (talk_s known) only.
        return f"""
SELECT agent_id, coalesce(category, 'unknown') AS category,
  count(*) AS answered,
  count(*) FILTER (WHERE talk_s IS NOT NULL) AS handled,
  sum(handle_s) FILTER (WHERE talk_s IS NOT NULL) AS handle_s,
  {", ".join(_handle_columns(handle_thresholds, "talk_s IS NOT NULL"))},
  count(*) FILTER (WHERE transferred) AS transferred,
  CAST(sum(csat) AS BIGINT) AS csat_sum, count(csat) AS csat_n,
  count(*) FILTER (WHERE resolved_first_contact) AS fcr_yes, count(resolved_first_contact) AS fcr_n
FROM (
  SELECT agent_id, category, talk_s, coalesce(talk_s, 0) + coalesce(hold_s, 0) + coalesce(acw_s, 0) AS handle_s,
    transferred, csat, resolved_first_contact
  FROM calls WHERE {where} AND answered_at IS NOT NULL AND agent_id IS NOT NULL) c
GROUP BY agent_id, coalesce(category, 'unknown')
"""
    if rollup == "handle_hist":
        return f"""
SELECT center, queue, direction, coalesce(category, 'unknown') AS category, CAST(local_ts AS DATE) AS day,
  least(floor(handle_s / {HANDLE_BIN_S}) * {HANDLE_BIN_S}, {HANDLE_TOP_S}) AS bin_s,
  count(*) AS calls, sum(talk_s) AS talk_s, sum(hold_s) AS hold_s, sum(acw_s) AS acw_s,
  count(*) FILTER (WHERE transferred) AS transferred
FROM ({CALL_FACTS_SQL}) WHERE {where} AND answered AND talk_s IS NOT NULL
GROUP BY ALL
"""
    raise KeyError(rollup)


def queue_day_sql(source: str) -> str:
    """queue_interval rows of ``source`` (a relation name or a parenthesised query) summed
    per queue and day; every measure column is additive, whatever thresholds it holds."""
    # 'month' is the partition column when the source is the stored rollup.
    return (
        "SELECT center, queue, direction, day, sum(COLUMNS(lambda c: c NOT IN ('center', 'queue', "
        "'direction', 'interval_start', 'day', 'month'))) FROM " + source + " GROUP BY center, queue, direction, day"
    )


def month_rollup_table(lake: Lake, rollup: str, month: str, tables: dict):
    """One rollup of one month on DuckDB, as an Arrow table (``tables``: the month's rollups so far)."""
    cur = lake.con.cursor()
    if rollup == "queue_day":  # from the month's queue intervals, not the raw calls again
        cur.register("qi_month", tables["queue_interval"])
        return cur.sql(queue_day_sql("qi_month")).to_arrow_table()
    return cur.sql(rollup_sql(rollup), params={"month": month}).to_arrow_table()


def month_rollup_tables(lake: Lake, month: str, compute=month_rollup_table) -> dict:
    """The rollup Arrow tables of one local month, computed from ``lake``'s raw tables by
    ``compute`` (DuckDB's ``month_rollup_table``, or an engine's, see analytics.engines)."""
    tables = {}
    for rollup in ROLLUPS:
        rel = compute(lake, rollup, month, tables)
        if "day" in rel.column_names:
            keys = [
                k for k in ("day", "interval_start", "center", "queue", "agent_id", "category") if k in rel.column_names
            ]
            rel = rel.sort_by([(k, "ascending") for k in keys])
        elif rollup == "agent_month":  # one file whatever order the threads finished in
            rel = rel.sort_by([("agent_id", "ascending"), ("category", "ascending")])
        tables[rollup] = rel
    return tables


def write_month_rollups(root: Path, month: str, tables: dict, generation: int) -> dict[str, str]:
    """Write one month's rollup Arrow tables as files of ``generation``; returns rollup ->
    path relative to ``root``. Nothing reads them until ``publish`` names them."""
    out = {}
    for rollup, rel in tables.items():
        out_dir = Path(root) / ROLLUP_DIR / rollup / f"month={month}"
        out_dir.mkdir(parents=True, exist_ok=True)
        final = out_dir / f"data-g{generation}.parquet"
        tmp = out_dir / f"{TMP_PREFIX}data-g{generation}.parquet"
        pq.write_table(rel, tmp, compression="zstd", row_group_size=ROLLUP_ROW_GROUP)
        fsync_file(tmp)
        os.replace(tmp, final)
        out[rollup] = str(final.relative_to(root))
    return out


def _rollup_months_on_disk(root: Path) -> dict[str, dict[str, str]]:
    """rollup -> month -> file, for a dataset without a manifest (its files as they are)."""
    out: dict[str, dict[str, str]] = {}
    for rollup in ROLLUPS:
        for f in sorted((Path(root) / ROLLUP_DIR / rollup).glob("month=*/data*.parquet")):
            out.setdefault(rollup, {})[f.parent.name[len("month=") :]] = str(f.relative_to(root))
    return out


def _batch_months(root: Path, table: str, batches: Iterable[str]) -> set[str]:
    months: set[str] = set()
    for b in batches:
        mf = Path(root) / table / b / "_batch.json"
        if mf.is_file():
            months |= set(json.loads(mf.read_text(encoding="utf-8")).get("months", []))
    return months


def publish(root: Path, rollups: dict[str, dict[str, str]], generation: int, extra: dict | None = None) -> dict:
    """Switch readers to every committed batch and these rollup files, in one os.replace.
    ``extra``: more top-level keys (e.g. ``complaint_facts``: what the facts were built with)."""
    root = Path(root)
    manifest = {
        "generation": generation,
        "published_at": pd.Timestamp.now(tz="UTC").isoformat(),
        "batches": committed_batches(root),
        "rollups": rollups,
        **(extra or {}),
    }
    tmp = root / (TMP_PREFIX + PUBLISHED)
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, root / PUBLISHED)
    _remove_old_generations(root, manifest)
    return manifest


def _remove_old_generations(root: Path, manifest: dict) -> None:
    """Delete rollup files two generations old: a reader that refreshed just before this
    publication may still be reading the previous generation's files, never older ones."""
    keep = {rel for files in manifest["rollups"].values() for rel in files.values()}
    for f in Path(root).glob(f"{ROLLUP_DIR}/*/month=*/*.parquet"):
        m = _GEN_FILE.match(f.name)
        gen = int(m.group(1)) if m else 0  # data.parquet: written before generations
        if str(f.relative_to(root)) not in keep and gen < manifest["generation"] - 1:
            f.unlink(missing_ok=True)


def rebuild_rollups(root: Path, months: Iterable[str] | None = None, progress=None, computer=None) -> list[str]:
    """Rebuild the rollups of the given local months (all months when None), computed by
    ``computer(root, lake)`` (a month/rollup -> Arrow function; DuckDB's by default, another
    engine's through ``analytics.engines.rebuild_rollups``), together with
    those of any batch committed but never published, then publish them with every
    committed batch in one step (see the module's "Consistent reads").

    Per month: compute the month's rollup tables (``month_rollup_tables``), then write them
    as files of the new generation (``write_month_rollups``). Returns the months rebuilt.
    """
    root = Path(root).resolve()
    with import_lock(root):
        previous = read_published(root)
        generation = (previous or {}).get("generation", 0) + 1
        rollups = (
            _rollup_months_on_disk(root)
            if previous is None
            else {r: dict(f) for r, f in previous.get("rollups", {}).items()}
        )
        lake = Lake(root, lock_down=False, all_committed=True)
        compute = computer(root, lake) if computer is not None else month_rollup_table
        all_months = sorted(
            set(lake.query("SELECT DISTINCT _month AS m FROM calls")["m"].dropna())
            | set(lake.query("SELECT DISTINCT _month AS m FROM agent_intervals")["m"].dropna())
        )
        wanted = set(all_months) if months is None else set(months)
        pending = unpublished_batches(root, previous) if previous is not None else {}
        for table in ("calls", "agent_intervals"):
            wanted |= _batch_months(root, table, pending.get(table, []))
        if "employees" in pending:  # agent -> team changes every month's rollups
            wanted = set(all_months)
        if (previous or {}).get("rollup_format", 1) < ROLLUP_FORMAT:  # older files lack columns
            wanted = set(all_months)
        todo = sorted(wanted & set(all_months))
        steps = max(1, len(todo))
        for done, month in enumerate(todo, start=1):
            tables = month_rollup_tables(lake, month, compute)
            for rollup, rel in write_month_rollups(root, month, tables, generation).items():
                rollups.setdefault(rollup, {})[month] = rel
            if progress:
                progress(done / steps, f"rollups {month}")
        complaint_meta = _rebuild_complaint_facts(root, lake, previous, pending, rollups, todo, months, generation)
        qa_meta = _rebuild_qa_month(root, lake, previous, rollups, months, generation)
        lake.con.close()
        # Months that no longer hold rows (none today: batches are append-only) drop out.
        rollups = {
            r: {m: f for m, f in files.items() if r in COMPLAINT_ROLLUPS + QA_ROLLUPS or m in set(all_months)}
            for r, files in rollups.items()
        }
        extra = {"rollup_format": ROLLUP_FORMAT}
        if complaint_meta:
            extra["complaint_facts"] = complaint_meta
        if qa_meta:
            extra["qa_month"] = qa_meta
        for r in COVERAGE_ROLLUPS:  # its meta kept until DERIVED below (coverage_build) replaces it
            if (previous or {}).get(r):
                extra[r] = previous[r]
            # not the months rebuilt here (they follow their rollups) nor files lost from a copy
            kept = {m: p for m, p in rollups.pop(r, {}).items() if m not in todo and (root / p).is_file()}
            if kept:
                rollups[r] = kept
        publish(root, rollups, generation, extra)
        for derived in DERIVED:  # they read the rollups just published: computed and published after them
            derived.rebuild(root, todo, generation)
    return todo


def _rebuild_complaint_facts(
    root: Path, lake: Lake, previous: dict | None, pending: dict, rollups: dict, todo, months, generation: int
) -> dict | None:
    """Write the complaint facts of the months that need them and the working-day index
    (see analytics.complaint_facts) into ``rollups``; returns the manifest's meta for them.

    Every complaint month is rebuilt when the settings, the calendar over the facts' span,
    the span's first day or the facts' version changed, or on a full rebuild (``months``
    None); otherwise only the months of new complaint batches, of the rebuilt call months
    (``todo``) and any month missing. Complaints are few (a handful per 10,000 calls): this
    is a small query and a vectorised working-day sum, on DuckDB whatever the engine."""
    from analytics import complaint_facts as cf
    from analytics import settings as settings_mod

    settings = settings_mod.load_complaints(root)
    span = cf.span(lake)
    if span is None:  # no complaints (yet)
        for r in COMPLAINT_ROLLUPS:
            rollups.pop(r, None)
        return None
    base, end = span
    have = (rollups.get(cf.FACTS) or {}) if previous is not None else {}
    all_months = sorted(set(lake.query("SELECT DISTINCT _month AS m FROM complaints")["m"].dropna()))
    old = (previous or {}).get("complaint_facts")
    still_good = (
        months is not None and old is not None and old.get("base") == base.isoformat() and cf.matches(old, settings)
    )
    if still_good:
        wanted = set(_batch_months(root, "complaints", pending.get("complaints", []))) | set(todo)
        wanted |= {m for m in all_months if m not in have or not (Path(root) / have[m]).is_file()}
        wanted &= set(all_months)
    else:
        wanted = set(all_months)
    if wanted:
        df = cf.facts(lake, settings, base, sorted(wanted))
        for month, part in df.groupby("_month", sort=True):
            table = pa.Table.from_pandas(part.drop(columns="_month"), preserve_index=False)
            written = write_month_rollups(root, month, {cf.FACTS: table}, generation)
            rollups.setdefault(cf.FACTS, {})[month] = written[cf.FACTS]
    rollups[cf.FACTS] = {m: f for m, f in rollups.get(cf.FACTS, {}).items() if m in set(all_months)}
    idx = pa.Table.from_pandas(cf.workday_index(base, end, settings.calendar), preserve_index=False)
    written = write_month_rollups(root, cf.INDEX_MONTH, {cf.INDEX: idx}, generation)
    rollups[cf.INDEX] = {cf.INDEX_MONTH: written[cf.INDEX]}
    return cf.meta_for(settings, base, end, cf.data_end(lake))


def _rebuild_qa_month(root: Path, lake: Lake, previous: dict | None, rollups: dict, months, generation: int):
    """Rebuild the whole qa_month rollup (analytics.qa_month) into ``rollups`` when a batch of
    what it depends on was added since it was built, a file is missing or on a full rebuild
    (``months`` None); returns the manifest's meta for it (None without evaluations)."""
    from analytics import qa_month as qm

    batches = committed_batches(root)
    if not batches.get("qa_evaluations"):
        rollups.pop(qm.ROLLUP, None)
        return None
    have = rollups.get(qm.ROLLUP) or {}
    old = (previous or {}).get(qm.ROLLUP)
    if (
        months is not None
        and have
        and qm.matches(old, batches)
        and all((Path(root) / rel).is_file() for rel in have.values())
    ):
        return old
    files = {}
    for month, table in qm.split_by_month(qm.build(lake)).items():
        files[month] = write_month_rollups(root, month, {qm.ROLLUP: table}, generation)[qm.ROLLUP]
    rollups[qm.ROLLUP] = files
    return qm.meta_for(batches)


def qa_month_stale(root: Path, published: dict | None = None) -> bool:
    """Whether the published qa_month rollup is missing or was built from other batches of
    qa_evaluations, employees or centers than those published (readers then read the view)."""
    from analytics import qa_month as qm

    published = read_published(root) if published is None else published
    if published is None or not published.get("batches", {}).get("qa_evaluations"):
        return False
    files = published.get("rollups", {}).get(qm.ROLLUP, {})
    if not files or any(not (Path(root) / rel).is_file() for rel in files.values()):
        return True
    return not qm.matches(published.get(qm.ROLLUP), published.get("batches", {}))


def complaint_facts_stale(root: Path, published: dict | None = None) -> bool:
    """Whether the published complaint facts are missing or were built with other settings
    or another calendar than those in force now (readers then compute them on the fly)."""
    from analytics import complaint_facts as cf
    from analytics import settings as settings_mod

    published = read_published(root) if published is None else published
    if published is None or not published.get("batches", {}).get("complaints"):
        return False
    files = published.get("rollups", {}).get(cf.FACTS, {})
    if not files or any(not (Path(root) / rel).is_file() for rel in files.values()):
        return True
    return not cf.matches(published.get("complaint_facts"), settings_mod.load_complaints(root))


def repair(root: Path) -> dict:
    """Publish batches an interrupted import committed but never published, and rebuild rollup
    months that are missing (a damaged or partly restored copy); returns what was repaired
    ({"batches": {table: [...]}, "months": [...]}, empty when nothing was stale)."""
    root = Path(root).resolve()
    with import_lock(root):
        published = read_published(root)
        pending = unpublished_batches(root, published) if published is not None else {}
        missing: set[str] = set()
        if published is not None:
            batches = published.get("batches", {})
            with_rows = _batch_months(root, "calls", batches.get("calls", [])) | _batch_months(
                root, "agent_intervals", batches.get("agent_intervals", [])
            )
            for rollup in ROLLUPS:
                files = published.get("rollups", {}).get(rollup, {})
                missing |= {m for m in with_rows if m not in files or not (root / files[m]).is_file()}
        stale = complaint_facts_stale(root, published)
        # rollups of an older format: rebuild_rollups rebuilds every month
        outdated = published is not None and published.get("rollup_format", 1) < ROLLUP_FORMAT
        qa_stale = qa_month_stale(root, published)
        coverage_stale = sorted({m for d in DERIVED for m in d.stale_months(root, published)}) if published else []
        if not pending and not missing and not stale and not outdated and not qa_stale:
            if not coverage_stale:
                return {}
            for derived in DERIVED:
                derived.rebuild(root, derived.stale_months(root), published.get("generation", 0) + 1)
            return {"coverage_month": coverage_stale}
        months = rebuild_rollups(root, sorted(missing))
        coverage_stale = []
        for derived in DERIVED:  # months rebuild_rollups did not rebuild
            if stale_months := derived.stale_months(root):
                derived.rebuild(root, stale_months, read_published(root).get("generation", 0) + 1)
                coverage_stale += stale_months
    out = {"batches": pending, "months": months}
    if outdated:
        out["rollup_format"] = ROLLUP_FORMAT
    if qa_stale:
        out["qa_month"] = True
    if coverage_stale:
        out["coverage_month"] = coverage_stale
    return {**out, "complaint_facts": True} if stale else out
