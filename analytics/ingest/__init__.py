"""Getting rows into the lake: readers, mapping, validation, batches, ledger, rejects.

``ingest_frames`` is the path every source takes once its rows are canonical frames:
the demo generator today, file imports next.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from analytics import engines, lake, schema
from analytics.ingest.batch import BatchResult, remove_stale_temporaries, write_batch

# Reference tables first: later tables need the centers' time zones and the queues.
LOAD_ORDER = (
    "centers",
    "queues",
    "employees",
    "role_events",
    "targets",
    "appraisals",
    "calls",
    "agent_intervals",
    "complaints",
    "qa_evaluations",
)


def ingest_frames(
    root: Path, frames: dict[str, pd.DataFrame], *, source: str, progress: Callable[[float, str], None] | None = None
) -> list[BatchResult]:
    """Append canonical frames as one batch per table, then rebuild the touched months' rollups."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(root)
    unknown = set(frames) - set(schema.TABLES)
    if unknown:
        raise ValueError(f"unknown tables: {sorted(unknown)}")
    zones = dict(zip(frames["centers"]["center"], frames["centers"]["timezone"])) if "centers" in frames else {}
    if not zones and (root / "centers").is_dir():
        zones = lake.Lake(root, lock_down=False).zones()
    results = []
    tables = [t for t in LOAD_ORDER if t in frames]
    with lake.import_lock(root):
        lake.start_manifest(root)
        for i, name in enumerate(tables):
            if progress:
                progress(0.7 * i / len(tables), f"writing {name}")
            results.append(write_batch(root, name, frames[name], source=f"{source}:{name}", zones=zones))
        touched = sorted(
            {
                mo
                for r in results
                if r.table in ("calls", "agent_intervals") and not r.skipped_as_duplicate
                for mo in r.months
            }
        )

        def sub(f, msg):
            if progress:
                progress(0.7 + 0.3 * f, msg)

        # Rollups of the touched months, published with the new batches in one step.
        engines.rebuild_rollups(root, None if "employees" in frames else touched, progress=sub)
    if progress:
        progress(1.0, "done")
    return results


def __getattr__(name):
    # The file-import path loads on first use, so the demo generator's imports stay light.
    if name in ("import_file", "import_files", "ImportReport", "read_rejects"):
        from analytics.ingest import importer

        return getattr(importer, name)
    raise AttributeError(name)
