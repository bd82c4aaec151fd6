"""Append one batch of rows to a table of the Parquet lake, atomically, with a ledger entry.

A batch is a folder ``<dataset>/<table>/batch=<id>/`` holding Parquet files (one per
local month for month-partitioned tables) and ``_batch.json``, its ledger entry. The
folder is written under a temporary name and renamed into place in one step, so a
reader (or a crash) never sees half a batch, and the ledger entry exists exactly when
the rows do. The ledger is the set of these manifests: importing content whose hash
is already there is a no-op.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analytics import schema
from analytics.staging import TMP_PREFIX, fsync_file  # noqa: F401  (imported from here by other modules)

MANIFEST = "_batch.json"


@dataclass(frozen=True)
class BatchResult:
    table: str
    batch_id: str
    rows: int
    months: tuple[str, ...]
    skipped_as_duplicate: bool = False


def content_hash(df: pd.DataFrame) -> str:
    """A stable hash of a frame's content, used when there is no source file to hash."""
    h = hashlib.sha256()
    h.update(",".join(df.columns).encode())
    h.update(pd.util.hash_pandas_object(df, index=False).values.tobytes())
    return h.hexdigest()


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_ledger(root: Path) -> pd.DataFrame:
    """Every committed batch of every table, oldest first."""
    rows = []
    for table in schema.TABLES:
        tdir = Path(root) / table
        if not tdir.is_dir():
            continue
        for bdir in tdir.glob("batch=*"):
            mf = bdir / MANIFEST
            if mf.is_file():
                rows.append(json.loads(mf.read_text(encoding="utf-8")))
    cols = ["batch_id", "table", "source", "content_hash", "rows_accepted", "rows_rejected", "months", "written_at"]
    if not rows:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(rows)
    # File imports add fields (rows read, rejects per reason, source copy) after the common ones.
    extra = [c for c in df.columns if c not in cols]
    return df[cols + extra].sort_values("batch_id", ignore_index=True)


def _to_arrow(table: schema.Table, df: pd.DataFrame) -> pa.Table:
    missing = [c for c in table.column_names if c not in df.columns]
    if missing:
        raise ValueError(f"{table.name}: missing columns {missing}")
    arrays = []
    for col in table.columns:
        s = df[col.name]
        if col.dtype == "DATE":
            s = pd.to_datetime(s).dt.date
        elif col.dtype == "TIMESTAMPTZ":
            s = pd.to_datetime(s, utc=True)
        arrays.append(pa.array(s, type=schema.arrow_schema(table).field(col.name).type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema.arrow_schema(table))


def local_months(df: pd.DataFrame, table: schema.Table, zones: dict[str, str]) -> pd.Series:
    """'YYYY-MM' of each row's month column in its center's local time."""
    ts = pd.to_datetime(df[table.month_column], utc=True)
    out = pd.Series(index=df.index, dtype="str")
    for center, idx in df.groupby("center", dropna=False).groups.items():
        zone = zones.get(center)
        if zone is None:
            raise ValueError(
                f"{table.name}: center {center!r} is not in the centers table; "
                "import the centers first or give the center's time zone"
            )
        local = ts.loc[idx].dt.tz_convert(zone)
        # strftime on millions of rows takes seconds; format each distinct month once.
        codes, months = pd.factorize(local.dt.year * 100 + local.dt.month)
        labels = np.array([f"{m // 100:04d}-{m % 100:02d}" for m in months], dtype=object)
        out.loc[idx] = labels[codes]
    return out


@dataclass(frozen=True)
class PreparedBatch:
    """A batch fully written under its temporary name, waiting for ``commit_batch``."""

    tmp: Path
    final: Path
    result: BatchResult


def write_batch(
    root: Path,
    table_name: str,
    df: pd.DataFrame,
    *,
    source: str,
    source_hash: str | None = None,
    rows_rejected: int = 0,
    zones: dict[str, str] | None = None,
    extra: dict | None = None,
) -> BatchResult:
    """Write ``df`` (already validated, canonical columns) as one new batch of ``table_name``."""
    prepared = prepare_batch(
        root,
        table_name,
        df,
        source=source,
        source_hash=source_hash,
        rows_rejected=rows_rejected,
        zones=zones,
        extra=extra,
    )
    if isinstance(prepared, BatchResult):
        return prepared
    return commit_batch(prepared)


def prepare_batch(
    root: Path,
    table_name: str,
    df: pd.DataFrame,
    *,
    source: str,
    source_hash: str | None = None,
    rows_rejected: int = 0,
    zones: dict[str, str] | None = None,
    extra: dict | None = None,
) -> PreparedBatch | BatchResult:
    """Write the batch under a temporary name (invisible to readers); a BatchResult marked
    ``skipped_as_duplicate`` when the ledger already holds this content.

    Split from the commit so that a file import can prepare every batch it needs (new
    centers, new queues, the rows) and its rejects before making any of them visible.
    ``extra`` adds fields to the ledger entry (rows read, rejects per reason, source copy).
    """
    table = schema.TABLES[table_name]
    root = Path(root)
    digest = source_hash or content_hash(df[table.column_names])
    existing = read_ledger(root)
    same = existing[(existing["table"] == table_name) & (existing["content_hash"] == digest)]
    if len(same):
        row = same.iloc[0]
        return BatchResult(
            table_name, row["batch_id"], int(row["rows_accepted"]), tuple(row["months"]), skipped_as_duplicate=True
        )

    now = datetime.now(UTC)
    batch_id = now.strftime("%Y%m%dT%H%M%S%f") + "-" + digest[:8]
    tdir = root / table_name
    tdir.mkdir(parents=True, exist_ok=True)
    tmp = tdir / f"{TMP_PREFIX}{batch_id}-{uuid.uuid4().hex[:6]}"
    tmp.mkdir()
    try:
        months: list[str] = []
        if table.month_column and len(df):
            month = local_months(df, table, zones or {})
            for m, part in df.groupby(month, sort=True):
                mdir = tmp / f"month={m}"
                mdir.mkdir()
                pq.write_table(_to_arrow(table, part), mdir / "part-0.parquet", compression="zstd")
                months.append(str(m))
        else:
            pq.write_table(_to_arrow(table, df), tmp / "part-0.parquet", compression="zstd")
        manifest = {
            "batch_id": batch_id,
            "table": table_name,
            "source": source,
            "content_hash": digest,
            "rows_accepted": len(df),
            "rows_rejected": int(rows_rejected),
            "months": months,
            "written_at": now.isoformat(),
            **(extra or {}),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        for f in tmp.rglob("*"):
            if f.is_file():
                fsync_file(f)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return PreparedBatch(tmp, tdir / f"batch={batch_id}", BatchResult(table_name, batch_id, len(df), tuple(months)))


def commit_batch(prepared: PreparedBatch) -> BatchResult:
    os.rename(prepared.tmp, prepared.final)  # the commit point
    return prepared.result


def discard_batch(prepared: PreparedBatch) -> None:
    shutil.rmtree(prepared.tmp, ignore_errors=True)


def remove_stale_temporaries(root: Path) -> int:
    """Delete half-written batch folders left by a crashed import; returns how many."""
    n = 0
    for tmp in Path(root).glob(f"*/{TMP_PREFIX}*"):
        shutil.rmtree(tmp, ignore_errors=True)
        n += 1
    return n


def as_dict(result: BatchResult) -> dict:
    return asdict(result)
