"""Importing a file: read → map → validate → keep rejects and the source → one batch → rollups.

Crash safety: everything is first written where readers do not look (batch folders
under a temporary name, ``_rejects/<batch>.parquet``, ``_sources/<hash>/``); only
then are the batches renamed into place (the commit: the ledger has them, and the
audit log records the import at once), new centers and queues first and the rows
last; then the rollups of the touched months are built and published together with
the batches (``lake.rebuild_rollups``), so readers switch from before to after in one
step. A kill before the renames leaves the lake as it was (the next import deletes the
temporaries); a kill after them leaves a committed, unpublished batch that readers do
not see; the next import, a re-run of the same one or ``python -m analytics repair``
rebuilds its months and publishes it, and says so. Either way the second run completes
the first.

Idempotence: the ledger key is the SHA-256 of the file's bytes, the mapping's bytes
and the options that change the rows (table, --center, --timezone).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from analytics import audit, engines, lake, schema
from analytics import coverage_build as _staffing_month  # noqa: F401  (lake.repair builds it too)
from analytics.ingest import batch
from analytics.ingest.mapping import Mapping, load_mapping
from analytics.ingest.readers import ReadError, read_source
from analytics.ingest.validate import (
    REJECT_COLUMNS,
    WARNINGS,
    Context,
    ImportSettings,
    Validated,
    validate,
)

REJECTS = "_rejects"
SOURCES = "_sources"
# Test hook: seconds to sleep after everything is prepared and before the commit, so a
# test can kill the import at its most delicate moment.
PAUSE_ENV = "CALLCENTER_INGEST_PAUSE_BEFORE_COMMIT"
# Test hook: seconds to sleep after the commit and before the rollups are published.
PAUSE_AFTER_ENV = "CALLCENTER_INGEST_PAUSE_AFTER_COMMIT"
ROLLUP_TABLES = ("calls", "agent_intervals")
# The rollups join employees (agent -> team), so new HR data changes every month's rollups.
REBUILD_ALL_ON = ("employees",)


@dataclass
class ImportReport:
    file: str
    table: str
    batch_id: str | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    warnings: list[tuple[str, dict]] = field(default_factory=list)  # (code, values), see WARNINGS
    months: tuple[str, ...] = ()
    skipped_as_duplicate: bool = False
    error: str | None = None
    rejects_path: str | None = None
    rejects: pd.DataFrame | None = None
    # What this run repaired: batches an interrupted import had committed but not published.
    repaired: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None and (self.rows_accepted > 0 or self.skipped_as_duplicate)

    def lines(self) -> list[str]:
        """The report as text lines for the command line."""
        out = [f"{self.file} → {self.table}"]
        out += [f"  repaired: {line}" for line in repaired_lines(self.repaired)]
        if self.error and not self.rows_read:
            return out + [f"  error: {self.error}"]
        if self.skipped_as_duplicate:
            return out + [
                f"  already imported as batch {self.batch_id} ({self.rows_accepted} rows)"
                + ("" if self.repaired else ": nothing changed")
            ]
        if self.error:  # nothing accepted: the reasons, as for a partial import
            out.append(f"  error: {self.error}")
        out.append(f"  rows read {self.rows_read}, accepted {self.rows_accepted}, rejected {self.rows_rejected}")
        for code, k in self.rejected_by_reason.items():
            out.append(f"    rejected {code}: {k}")
        if self.rejects is not None and len(self.rejects):
            for r in self.rejects.head(10).itertuples():
                out.append(f"    {r.file}:{r.line} [{r.column}] {r.reason}")
            if len(self.rejects) > 10:
                out.append(f"    … {len(self.rejects) - 10} more in {self.rejects_path}")
        for code, values in self.warnings:
            out.append("  warning: " + WARNINGS[code].format(**values))
        out.append(
            f"  batch {self.batch_id or '(none: nothing accepted)'}"
            + (f", months {', '.join(self.months)}" if self.months else "")
        )
        if self.rejects_path:
            out.append(f"  rejected rows kept in {self.rejects_path}")
        return out


def repaired_lines(repaired: dict) -> list[str]:
    """What lake.repair (or an import that did its work) published, in words."""
    if not repaired:
        return []
    batches = ", ".join(f"{t} {b.removeprefix('batch=')}" for t, bs in repaired.get("batches", {}).items() for b in bs)
    months = ", ".join(repaired.get("months", [])) or "none"
    facts = (
        ["complaint facts rebuilt (missing, or built with other complaint settings or another calendar)"]
        if repaired.get("complaint_facts")
        else []
    )
    if repaired.get("qa_month"):
        facts.append("QA evaluations rollup rebuilt (missing, or older than the QA, employee or center batches)")
    if repaired.get("coverage_month"):
        facts.append(
            "staffing month precomputed for "
            + ", ".join(repaired["coverage_month"])
            + " (missing, older than its rollups, or built at other settings or targets)"
        )
    if not batches and not repaired.get("months") and facts:
        return facts
    if not batches and repaired.get("rollup_format"):
        why = f"written by an older version; now in rollup format {repaired['rollup_format']}"
        return [f"rollups rebuilt for months {months} ({why})", *facts]
    if not batches:
        return [f"rollups rebuilt for months {months} (their files were missing)", *facts]
    return [
        f"published {batches}, left unpublished by an interrupted import; rollups rebuilt for months {months}",
        *facts,
    ]


def import_hash(data_path: Path, mapping: Mapping, table: str, center: str | None, zone: str | None) -> str:
    h = hashlib.sha256()
    h.update(batch.file_hash(data_path).encode())
    for part in (mapping.text, table.encode(), (center or "").encode(), (zone or "").encode()):
        h.update(b"\0")
        h.update(part)
    return h.hexdigest()


def _context(root: Path, name: str, table: str, center: str | None, zone: str | None) -> Context:
    ctx = Context(file=name, default_center=center, new_center_zone=zone)
    if not root.is_dir():
        return ctx
    # Every committed batch, published or not: a key in an unpublished batch is still taken.
    lk = lake.Lake(root, lock_down=False, all_committed=True)
    ctx.zones = lk.zones()
    q = lk.query("SELECT queue, center FROM queues")
    ctx.queue_centers = dict(zip(q["queue"], q["center"]))
    emp = lk.query("SELECT employee_id FROM employees")["employee_id"]
    ctx.employees = set(emp) if len(emp) else None
    t = schema.TABLES[table]

    def existing_keys(keys: pd.DataFrame) -> np.ndarray:
        # The incoming keys travel as a registered Arrow table; the join runs in DuckDB.
        cur = lk.con.cursor()
        arrow = pa.Table.from_pandas(keys.assign(_i=np.arange(len(keys))), preserve_index=False)
        cur.register("incoming", arrow)
        on = " AND ".join(f"k.{c} = t.{c}" for c in t.key)  # identifiers from the schema
        hit = cur.execute("SELECT k._i FROM incoming k SEMI JOIN " + t.name + " t ON " + on).df()["_i"].to_numpy()
        cur.close()
        mask = np.zeros(len(keys), dtype=bool)
        mask[hit] = True
        return mask

    ctx.existing_keys = existing_keys
    return ctx


def _write_parquet_atomic(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(batch.TMP_PREFIX + path.name)
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def _keep_source(root: Path, digest: str, data_path: Path, name: str, mapping: Mapping) -> str:
    """Copy the source file (and its mapping) under _sources/<hash>/ so every batch can be
    traced to, and re-imported from, the exact bytes it came from."""
    final = root / SOURCES / digest[:16]
    rel = f"{SOURCES}/{digest[:16]}/{name}"
    if final.is_dir():
        return rel
    tmp = root / SOURCES / f"{batch.TMP_PREFIX}{digest[:16]}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    shutil.copyfile(data_path, tmp / name)
    if mapping.text:
        (tmp / ("mapping-" + (mapping.name or "mapping.toml"))).write_bytes(mapping.text)
    try:
        os.rename(tmp, final)
    except OSError:  # another run kept the same bytes meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
    return rel


def _clean_orphans(root: Path) -> None:
    """Rejects and source copies of imports that died before their commit."""
    batch.remove_stale_temporaries(root)
    for d in (root / REJECTS, root / SOURCES):
        for tmp in d.glob(f"{batch.TMP_PREFIX}*") if d.is_dir() else ():
            shutil.rmtree(tmp, ignore_errors=True) if tmp.is_dir() else tmp.unlink(missing_ok=True)
    rej = root / REJECTS
    if rej.is_dir():
        committed = set(batch.read_ledger(root)["batch_id"])
        for f in rej.glob("*.parquet"):
            if not f.stem.startswith("none-") and f.stem not in committed:
                f.unlink(missing_ok=True)


def _stale_rollup_months(root: Path, months: tuple[str, ...]) -> list[str]:
    """Months whose rollups are missing or older than the newest batch holding that month."""
    stale = []
    for m in months:
        newest = max(
            (p.stat().st_mtime for t in ROLLUP_TABLES for p in (root / t).glob(f"batch=*/month={m}")), default=0
        )
        files = [root / "_rollups" / r / f"month={m}" / "data.parquet" for r in lake.ROLLUPS]
        if any(not f.is_file() or f.stat().st_mtime < newest for f in files):
            stale.append(m)
    return stale


def import_file(
    root: Path | str,
    table: str,
    path: Path | str,
    *,
    mapping: Mapping | Path | str | None = None,
    timezone: str | None = None,
    center: str | None = None,
    settings: ImportSettings | None = None,
    display_name: str | None = None,
    progress: Callable[[float, str], None] | None = None,
    actor: str = "command line",
) -> ImportReport:
    """Import one file into ``table`` of the dataset at ``root``; never raises for bad data.
    ``actor`` (who imports) goes to the audit log with the outcome."""
    root = Path(root).resolve()
    path = Path(path)
    name = display_name or path.name
    step = progress or (lambda f, msg: None)
    if table not in schema.TABLES:
        return ImportReport(name, table, error=f"unknown table {table!r}")
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping, table)
    zone = timezone or mapping.timezone
    if zone:
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(zone)
        except Exception:
            return ImportReport(
                name, table, error=f"unknown time zone {zone!r} (use an IANA name such as Asia/Shanghai)"
            )
    root.mkdir(parents=True, exist_ok=True)
    try:
        report = _import(root, table, path, name, mapping, zone, center, settings, step, actor)
    except Exception as e:  # a defect of ours must still end as a clear message and an audit line
        logging.getLogger(__name__).exception("import of %s into %s failed", name, table)
        report = ImportReport(
            name, table, error=f"the import failed ({type(e).__name__}: {str(e)[:200]}); nothing was published"
        )
        _audit_outcome(root, report, actor, failed=True)
        return report
    step(1.0, "done")
    return report


def _audit_outcome(root: Path, report: ImportReport, actor: str, failed: bool = False) -> None:
    """Refused (nothing accepted, unreadable file) and failed imports leave an audit line too."""
    action = "import_failed" if failed else "import_refused"
    audit.record(
        root,
        action,
        f"{report.table} from {report.file}",
        user=actor,
        error=report.error,
        rows_read=report.rows_read,
        rejected_by_reason=report.rejected_by_reason or None,
    )


def _import(
    root: Path, table: str, path: Path, name: str, mapping: Mapping, zone, center, settings, step, actor
) -> ImportReport:
    _clean_orphans(root)
    settings = settings or _settings(root)
    digest = import_hash(path, mapping, table, center, zone)

    step(0.05, "ledger")
    ledger = batch.read_ledger(root)
    same = ledger[(ledger["table"] == table) & (ledger["content_hash"] == digest)]
    if len(same):
        row = same.iloc[0]
        months = tuple(row["months"])
        repaired = {}
        if lake.read_published(root) is not None:
            repaired = lake.repair(root)  # a previous run committed and died before publishing
        else:
            stale = _stale_rollup_months(root, months) if table in ROLLUP_TABLES else []
            if stale:  # a dataset without a manifest: rebuild what is older than its batches
                engines.rebuild_rollups(root, stale)
                repaired = {"batches": {table: [f"batch={row['batch_id']}"]}, "months": stale}
        _ensure_dataset_info(root)
        return ImportReport(
            name,
            table,
            batch_id=row["batch_id"],
            rows_accepted=int(row["rows_accepted"]),
            rows_rejected=int(row["rows_rejected"]),
            months=months,
            skipped_as_duplicate=True,
            repaired=repaired,
        )

    step(0.1, "reading")
    try:
        source = read_source(path, mapping, display_name=name)
    except ReadError as e:
        report = ImportReport(name, table, error=str(e))
        _audit_outcome(root, report, actor)
        return report
    step(0.35, "validating")
    ctx = _context(root, name, table, center, zone)
    v: Validated = validate(source, table, mapping, ctx, settings)
    report = ImportReport(
        name,
        table,
        rows_read=v.rows_read,
        rows_accepted=len(v.accepted),
        rows_rejected=v.rows_rejected,
        rejected_by_reason=v.rejected_by_reason,
        warnings=v.warnings,
        rejects=v.rejects,
    )
    step(0.6, "writing")
    if not len(v.accepted):
        # Nothing to commit: keep the rejects under a name derived from the content so a
        # re-run rewrites the same file instead of adding one.
        if len(v.rejects):
            rp = root / REJECTS / f"none-{digest[:16]}.parquet"
            _write_parquet_atomic(v.rejects, rp)
            report.rejects_path = str(rp.relative_to(root))
        report.error = report.error or ("no row could be accepted" if v.rows_read else "the file holds no rows")
        _audit_outcome(root, report, actor)
        return report

    zones = dict(ctx.zones)
    if v.new_centers is not None:
        zones.update(dict(zip(v.new_centers["center"], v.new_centers["timezone"])))
    src_rel = _keep_source(root, digest, path, name, mapping)
    extra = {
        "file_name": name,
        "rows_read": v.rows_read,
        "rejected_by_reason": v.rejected_by_reason,
        "source_file": src_rel,
        "mapping": mapping.name or None,
    }
    prepared = []
    with lake.import_lock(root):
        try:
            for tname, frame in (("centers", v.new_centers), ("queues", v.new_queues)):
                if frame is not None and len(frame):
                    full = frame.reindex(columns=schema.TABLES[tname].column_names)
                    p = batch.prepare_batch(
                        root, tname, full, source=f"{name} (new {tname})", zones=zones, extra={"file_name": name}
                    )
                    if isinstance(p, batch.PreparedBatch):
                        prepared.append(p)
            main = batch.prepare_batch(
                root,
                table,
                v.accepted,
                source=name,
                source_hash=digest,
                rows_rejected=v.rows_rejected,
                zones=zones,
                extra=extra,
            )
            if isinstance(main, batch.BatchResult):  # another import of the same content won the race
                for p in prepared:
                    batch.discard_batch(p)
                report.batch_id, report.skipped_as_duplicate = main.batch_id, True
                return report
            prepared.append(main)
            if len(v.rejects):
                rp = root / REJECTS / f"{main.result.batch_id}.parquet"
                _write_parquet_atomic(v.rejects, rp)
                report.rejects_path = str(rp.relative_to(root))
            # Leftovers of an interrupted import, published below with this batch.
            pending = lake.unpublished_batches(root) if lake.read_published(root) is not None else {}
            lake.start_manifest(root)
            pause = float(os.environ.get(PAUSE_ENV, "0") or 0)
            if pause:
                print("ingest: prepared, committing", file=sys.stderr, flush=True)
                time.sleep(pause)
            for p in prepared:  # reference rows first, so the rows' center and queue exist when they appear
                batch.commit_batch(p)
        except BaseException:
            for p in prepared:
                if p.tmp.exists():
                    batch.discard_batch(p)
            raise
        report.batch_id = main.result.batch_id
        report.months = main.result.months
        # Recorded at the commit, before the rollups: a kill from here on cannot hide the import.
        audit.record(
            root,
            "import",
            f"{table} from {name}",
            user=actor,
            batch_id=report.batch_id,
            rows_accepted=report.rows_accepted,
            rows_rejected=report.rows_read - report.rows_accepted,
            warnings=[c for c, _ in report.warnings] or None,
        )
        pause = float(os.environ.get(PAUSE_AFTER_ENV, "0") or 0)
        if pause:
            print("ingest: committed, building rollups", file=sys.stderr, flush=True)
            time.sleep(pause)
        step(0.75, "rollups")
        if table in REBUILD_ALL_ON and lake.has_dataset(root):
            months = None
        else:
            months = list(report.months) if table in ROLLUP_TABLES else []
        rebuilt = engines.rebuild_rollups(root, months, progress=lambda f, m: step(0.75 + 0.25 * f, m))
        if pending:
            report.repaired = {"batches": pending, "months": sorted(set(rebuilt) - set(report.months))}
    _ensure_dataset_info(root)
    return report


def import_files(root, table, paths, **kw) -> list[ImportReport]:
    return [import_file(root, table, p, **kw) for p in paths]


def _settings(root: Path) -> ImportSettings:
    """The "import" object of <dataset>/settings.json, if any (analytics.settings owns the file)."""
    from analytics import settings as dataset_settings

    return ImportSettings.from_dict(dataset_settings.load(root).section("import"))


def _ensure_dataset_info(root: Path) -> None:
    """Mark the dataset as holding imported data. A demo dataset that receives real rows
    becomes "imported" too: demo mode (no sign-in) must never open real data."""
    info = lake.dataset_info(root)
    if info.get("kind") != "imported":
        lake.write_dataset_info(
            root,
            {
                **info,
                "kind": "imported",
                "created_at": info.get("created_at") or pd.Timestamp.now(tz="UTC").isoformat(),
                **({"was_demo": True} if info.get("kind") == "demo" else {}),
            },
        )


def read_rejects(root: Path | str, batch_id: str) -> pd.DataFrame:
    f = Path(root) / REJECTS / f"{batch_id}.parquet"
    return pd.read_parquet(f) if f.is_file() else pd.DataFrame(columns=REJECT_COLUMNS)


# --- uploads (the Data page) ------------------------------------------------------------

UPLOAD_TYPES = ("csv", "txt", "tsv", "xlsx", "parquet", "log")
MAX_UPLOAD_MB = 200  # matches server.maxUploadSize in .streamlit/config.toml
MAPPINGS_DIR = Path(__file__).resolve().parents[2] / "mappings"


MAX_UPLOAD_NAME = 200  # characters; file systems refuse names above 255 bytes


def check_upload(name: str, size: int) -> str | None:
    """None when an upload may be imported, else the reason code (name, type, size or empty)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if (
        not base.strip(" .")
        or len(name) > MAX_UPLOAD_NAME
        or base != name
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in name)
    ):
        return "name"  # "..", ".", a path, control characters or a name too long to store
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES and not Path(name).name.lower().startswith("queue_log"):
        return "type"
    if size > MAX_UPLOAD_MB * 1024 * 1024:
        return "size"
    if size == 0:
        return "empty"
    return None


def available_mappings(folder: Path = MAPPINGS_DIR) -> dict[str, Path]:
    return {p.name: p for p in sorted(Path(folder).glob("*.toml"))}


class _Upload:
    """Upload bytes in a private temporary folder under a name of our own: "upload" plus the
    upload's extension (which tells the reader the format), or "queue_log". The person's
    file name is only ever shown (``display_name``), never used as a path."""

    def __init__(self, name: str, data: bytes):
        import tempfile

        self.dir = Path(tempfile.mkdtemp(prefix="callcenter-upload-"))
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        suffix = Path(base).suffix.lower()
        if base.lower().startswith("queue_log"):
            safe = "queue_log" + (suffix if suffix in (".log", ".txt") else "")
        else:
            safe = "upload" + (suffix if f"{suffix}".lstrip(".") in UPLOAD_TYPES else "")
        self.path = self.dir / safe
        self.path.write_bytes(data)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def load_upload_mapping(choice: str | None, data: bytes | None, table: str) -> Mapping:
    """A shipped mapping by file name, or an uploaded TOML's bytes, or the identity mapping."""
    import tomllib

    from analytics.ingest.mapping import parse_mapping

    if data is not None:
        try:
            return parse_mapping(tomllib.loads(data.decode("utf-8")), data, "uploaded.toml", table)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            from analytics.ingest.mapping import MappingError

            raise MappingError(f"uploaded mapping: not valid TOML: {e}") from None
    if choice:
        return load_mapping(available_mappings()[choice], table)
    return load_mapping(None, table)


@dataclass
class Preview:
    frame: pd.DataFrame  # first rows, source headers
    columns: dict[str, str | None]  # source header -> canonical column (None: not imported)
    missing: list[str]  # required canonical columns the file lacks
    format: str
    encoding: str | None


def preview_upload(name: str, data: bytes, mapping: Mapping, table: str, rows: int = 20) -> Preview:
    """What the file looks like and how its columns map, before anything is written."""
    from analytics.ingest.readers import LINE

    with _Upload(name, data) as path:
        src = read_source(path, mapping)
    rename = mapping.rename(src.columns)
    have = set(rename.values()) | set(mapping.defaults)
    derivable = {"center"}
    missing = [c for c in schema.TABLES[table].required_columns if c not in have and c not in derivable]
    head = src.frame.drop(columns=[LINE]).head(rows)
    return Preview(head, {c: rename.get(c) for c in src.columns}, missing, src.format, src.encoding)


def import_upload(root: Path | str, table: str, name: str, data: bytes, **kw) -> ImportReport:
    problem = check_upload(name, len(data))
    shown = name[:MAX_UPLOAD_NAME].encode("unicode_escape").decode("ascii") if problem == "name" else name
    if problem:
        return ImportReport(shown, table, error=f"the upload cannot be imported ({UPLOAD_PROBLEMS[problem]})")
    with _Upload(name, data) as path:
        return import_file(root, table, path, display_name=name, **kw)


UPLOAD_PROBLEMS = {
    "name": f"its file name must be a plain name of at most {MAX_UPLOAD_NAME} characters",
    "type": "unsupported file type",
    "size": f"larger than {MAX_UPLOAD_MB} MB",
    "empty": "the file is empty",
}
