"""Checks that a copy of a dataset folder is complete and readable.

Backing up is copying the folder while no import runs (batches are immutable files,
so `rsync -a` or any file backup works); restoring is copying it back. The check
reads every batch manifest, confirms its Parquet files are there and hold the rows
the manifest says, that every batch is published and the published rollups cover
every month with calls, that the users file parses, and that the audit log's hash
chain is intact (no line edited or deleted).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from analytics import audit, schema
from analytics.ingest.batch import MANIFEST, TMP_PREFIX
from analytics.lake import ROLLUPS, read_published, unpublished_batches


def check(root: Path) -> list[str]:
    """Problems found (empty when the copy is complete)."""
    root = Path(root)
    problems: list[str] = []
    if not (root / "dataset.json").is_file():
        problems.append("dataset.json is missing")
    months_with_calls: set[str] = set()
    for table in schema.TABLES:
        for bdir in sorted((root / table).glob("batch=*")):
            mf = bdir / MANIFEST
            if not mf.is_file():
                problems.append(f"{bdir.relative_to(root)}: no {MANIFEST}")
                continue
            manifest = json.loads(mf.read_text(encoding="utf-8"))
            rows = 0
            for f in bdir.rglob("*.parquet"):
                try:
                    rows += pq.ParquetFile(f).metadata.num_rows
                except Exception as e:  # a truncated or corrupt copy
                    problems.append(f"{f.relative_to(root)}: unreadable ({type(e).__name__})")
            if rows != manifest["rows_accepted"]:
                problems.append(
                    f"{bdir.relative_to(root)}: {rows} rows in its files, {manifest['rows_accepted']} in its manifest"
                )
            if table == "calls":
                months_with_calls |= set(manifest.get("months", []))
        for tmp in (root / table).glob(f"{TMP_PREFIX}*"):
            problems.append(f"{tmp.relative_to(root)}: a half-written batch (the copy was taken during an import)")
    published = read_published(root)
    if published is not None:
        for table, names in unpublished_batches(root, published).items():
            problems.append(
                f"{table}: batches {', '.join(names)} are committed but not published "
                "(an import was interrupted; run `python -m analytics repair`)"
            )
        for rollup, files in published.get("rollups", {}).items():
            for rel in files.values():
                if not (root / rel).is_file():
                    problems.append(f"{rel}: published but missing")
    for rollup in ROLLUPS:
        if published is not None:
            have = {m for m, rel in published.get("rollups", {}).get(rollup, {}).items() if (root / rel).is_file()}
        else:
            have = {
                p.parent.name.removeprefix("month=") for p in (root / "_rollups" / rollup).glob("month=*/data*.parquet")
            }
        missing = sorted(months_with_calls - have)
        if missing:
            problems.append(
                f"rollup {rollup} lacks months {', '.join(missing)} "
                "(rebuild with `python -m analytics repair` after restoring, or a re-import)"
            )
    f = root / "_users.json"
    if f.is_file():
        try:
            json.loads(f.read_text(encoding="utf-8"))
        except ValueError:
            problems.append(f"{f.relative_to(root)}: does not parse")
    # The audit log's hash chain: an edited, inserted or deleted line is named.
    problems += [f"audit log: {p}" for p in audit.verify(root)]
    return problems
