"""Checks that a copy of a dataset folder is complete and readable.

Backing up is copying the folder while no import runs (batches are immutable files,
so `rsync -a` or any file backup works); restoring is copying it back. The check
reads every batch manifest, confirms its Parquet files are there and hold the rows
the manifest says, that the rollups cover every month with calls, and that the
users file and audit log parse.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from analytics import schema
from analytics.ingest.batch import MANIFEST, TMP_PREFIX
from analytics.lake import ROLLUPS


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
                problems.append(f"{bdir.relative_to(root)}: {rows} rows in its files, "
                                f"{manifest['rows_accepted']} in its manifest")
            if table == "calls":
                months_with_calls |= set(manifest.get("months", []))
        for tmp in (root / table).glob(f"{TMP_PREFIX}*"):
            problems.append(f"{tmp.relative_to(root)}: a half-written batch (the copy was taken during an import)")
    for rollup in ROLLUPS:
        have = {p.parent.name.removeprefix("month=") for p in (root / "_rollups" / rollup).glob("month=*/data.parquet")}
        missing = sorted(months_with_calls - have)
        if missing:
            problems.append(f"rollup {rollup} lacks months {', '.join(missing)} "
                            "(rebuild with a re-import or the demo command)")
    for f in [root / "_users.json", *sorted((root / "_audit").glob("*.jsonl"))]:
        if f.is_file():
            try:
                text = f.read_text(encoding="utf-8")
                json.loads(text) if f.suffix == ".json" else [json.loads(x) for x in text.splitlines() if x.strip()]
            except ValueError:
                problems.append(f"{f.relative_to(root)}: does not parse")
    return problems
