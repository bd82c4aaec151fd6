"""Time the monthly review's analytics (``report.build_review``) for a month never asked
before: a fresh Lake each round (its cache empty), rounds interleaved with ``--cache off``
(no result cache at all, so no reuse within the review either).

    python bench/review.py --dataset /tmp/bench/large50 --month 2026-10 --rounds 5

Prints, per mode, the median and range of the rounds, the number of lake.query calls and the
time spent in queries per area (calls rollups, complaints, HR, other). A bench, never a test:
timings on a shared machine vary; compare figures taken in the same run.
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import lake as lake_mod  # noqa: E402
from analytics import report  # noqa: E402
from analytics.access import Scope  # noqa: E402


def _area(sql: str) -> str:
    # By word, as Lake's dependency tracking reads SQL (spelled out here so the script also
    # measures commits from before it).
    views = set(re.findall(r"\b(complaints|calls|employees|rollup_\w+)\b", sql))
    if "complaints" in views:
        return "complaints"
    if any(v.startswith("rollup_") for v in views) or "calls" in views:
        return "calls"
    if "employees" in views:
        return "hr"
    return "other"


def one_round(root: Path, month: date, cache: bool) -> tuple[float, int, dict]:
    saved = lake_mod.CACHE_ENTRIES
    lake_mod.CACHE_ENTRIES = saved if cache else 0
    lk = lake_mod.Lake(root)
    spent: dict[str, float] = {}
    calls = [0]
    original = lake_mod.Lake.query

    def timed(self, sql, params=None, *args, **kwargs):
        calls[0] += 1
        t = time.perf_counter()
        try:
            return original(self, sql, params, *args, **kwargs)
        finally:
            area = _area(sql)
            spent[area] = spent.get(area, 0.0) + (time.perf_counter() - t) * 1000

    lake_mod.Lake.query = timed
    try:
        t = time.perf_counter()
        report.build_review(lk, month, Scope.everything())
        total = (time.perf_counter() - t) * 1000
    finally:
        lake_mod.Lake.query = original
        lake_mod.CACHE_ENTRIES = saved
        lk.con.close()
    return total, calls[0], spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", type=Path, required=True)
    ap.add_argument("--month", default="2026-10")
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    month = date.fromisoformat(a.month + "-01")
    commit = subprocess.run(
        ["git", "-C", str(Path(__file__).parent), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print(f"{platform.node()} {platform.machine()} python {platform.python_version()} commit {commit or '?'}")
    results: dict[str, list] = {"cache on, fresh lake": [], "cache off": []}
    for _ in range(a.rounds):
        for mode in results:
            results[mode].append(one_round(a.dataset, month, cache=(mode == "cache on, fresh lake")))
    for mode, rounds in results.items():
        totals = [r[0] for r in rounds]
        areas = sorted({k for r in rounds for k in r[2]})
        per_area = ", ".join(f"{k} {statistics.median(r[2].get(k, 0.0) for r in rounds):.0f}" for k in areas)
        print(
            f"{mode:22s} median {statistics.median(totals):6.0f} ms (min {min(totals):.0f}, max {max(totals):.0f}); "
            f"lake.query calls {rounds[-1][1]}; ms in queries by area: {per_area}"
        )


if __name__ == "__main__":
    main()
