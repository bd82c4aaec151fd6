"""The ``large`` demo scale: tens of millions of calls, written straight into a lake.

The ``default`` scale (two centers, ~3 M calls over 15 months) already takes ~2 GB in
memory, so 50 M calls cannot be built as one set of frames. The large scale is a group
of *regions*: region 1 is exactly the ``default`` dataset (same seed, same codes);
region k > 1 is the ``default`` generator run with its own seed (so its careers,
rosters, arrivals and queue simulation differ) whose codes are renamed so they never
clash: center ``SH`` becomes ``SH02``, queue ``SH-TAX`` becomes ``SH02-TAX``, team
``SH-T01`` ``SH02-T01``, employee ``SH00012`` ``SH0200012``, call ``SH-20250801-...``
``SH02-20250801-...`` (and so on for complaints, QA evaluations, role events).

Each region is generated, written as one batch per table through
``analytics.ingest.batch.write_batch`` (atomic, in the ledger, split per local month)
and dropped before the next one, so memory stays at one region's worth. The rollups
are rebuilt once at the end, month by month.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema
from . import config as C

# Columns holding codes that start with (or contain, after a prefix and a dash) a center code.
CODE_COLUMNS = (
    "center",
    "queue",
    "team",
    "agent_id",
    "employee_id",
    "call_id",
    "complaint_id",
    "evaluation_id",
    "evaluator_id",
    "from_team",
    "to_team",
    "scope_value",
)


def region_seed(seed: int, region: int) -> int:
    """Region 1 uses the dataset's seed (it is the default dataset); the others derive theirs."""
    return seed if region == 1 else seed * 1000 + region


def region_code(center: str, region: int) -> str:
    return center if region == 1 else f"{center}{region:02d}"


def _rename(s: pd.Series, region: int) -> pd.Series:
    codes = "|".join(c[0] for c in C.CENTERS)
    arr = pa.array(s, type=pa.string(), from_pandas=True)
    out = pc.replace_substring_regex(arr, pattern=rf"\b({codes})", replacement=rf"\1{region:02d}", max_replacements=1)
    return pd.Series(pd.array(out, dtype="str"), index=s.index, name=s.name)


def rename_region(frames: dict[str, pd.DataFrame], region: int) -> dict[str, pd.DataFrame]:
    """The frames of one region with its codes renamed (region 1 is returned as it is)."""
    if region == 1:
        return frames
    out = {}
    for name, df in frames.items():
        df = df.copy(deep=False)
        for col in CODE_COLUMNS:
            if col in df.columns and schema.TABLES[name].column(col).dtype == "VARCHAR":
                df[col] = _rename(df[col], region)
        if name == "centers":
            df["name_zh"] = df["name_zh"] + f" {region}区"
            df["name_en"] = df["name_en"] + f" (region {region})"
        out[name] = df
    return out


def build_large(
    out: Path,
    seed: int = 7,
    regions: int | None = None,
    base: str | None = None,
    progress: Callable[[float, str], None] | None = None,
    rollups: bool = True,
) -> dict:
    """Write ``regions`` regions of the ``base`` scale into the dataset folder ``out``.

    Returns what dataset.json records, with the time spent generating, writing
    (the batch path) and rebuilding rollups, and the rows written.
    """
    from analytics import engines
    from analytics.ingest import LOAD_ORDER
    from analytics.ingest.batch import remove_stale_temporaries, write_batch

    from .generator import generate

    spec = C.SCALES["large"]
    regions = int(regions or spec["regions"])
    base = base or spec["base"]
    report = progress or (lambda f, m: None)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out)
    rows = {t: 0 for t in schema.TABLES}
    gen_s = write_s = 0.0
    per_region = []
    for r in range(1, regions + 1):
        t0 = time.perf_counter()
        frames = generate(
            base,
            seed=region_seed(seed, r),
            progress=lambda f, m, r=r: report(0.85 * (r - 1 + 0.6 * f) / regions, f"region {r}/{regions}: {m}"),
        )
        frames = rename_region(frames, r)
        t1 = time.perf_counter()
        zones = dict(zip(frames["centers"]["center"], frames["centers"]["timezone"]))
        for name in LOAD_ORDER:
            write_batch(
                out, name, frames[name], zones=zones, source=f"demo(scale=large, seed={seed}, region={r}):{name}"
            )
            rows[name] += len(frames[name])
        t2 = time.perf_counter()
        per_region.append(
            {
                "region": r,
                "calls": len(frames["calls"]),
                "agent_intervals": len(frames["agent_intervals"]),
                "generate_s": round(t1 - t0, 2),
                "write_s": round(t2 - t1, 2),
            }
        )
        gen_s += t1 - t0
        write_s += t2 - t1
        del frames
        gc.collect()
        report(0.85 * r / regions, f"region {r}/{regions} written")
    t3 = time.perf_counter()
    if rollups:
        # engines.rebuild_rollups: the entry point that also builds the staffing month (lake.DERIVED)
        engines.rebuild_rollups(out, progress=lambda f, m: report(0.85 + 0.15 * f, m))
    rollup_s = time.perf_counter() - t3
    report(1.0, "done")
    return {
        "kind": "demo",
        "scale": "large",
        "seed": seed,
        "base": base,
        "regions": regions,
        "rows": rows,
        "generate_s": round(gen_s, 1),
        "load_s": round(write_s + rollup_s, 1),
        "write_s": round(write_s, 1),
        "rollup_s": round(rollup_s, 1),
        "per_region": per_region,
    }
