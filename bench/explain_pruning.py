"""Check with EXPLAIN ANALYZE that rollup and raw scans prune month partitions.

python bench/explain_pruning.py DATASET [MONTH]   (prints 'Scanning Files: k/n' per query)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from analytics import lake as lake_mod  # noqa: E402

root, month = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "2026-10")
lk = lake_mod.Lake(root, lock_down=False)
cur = lk.con.cursor()
checks = {
    "rollup queue_interval, month BETWEEN $m0 AND $m1": (
        "SELECT sum(offered) FROM rollup_queue_interval WHERE month BETWEEN $m0 AND $m1",
        {"m0": month, "m1": month},
    ),
    "rollup queue_day": (
        "SELECT sum(offered) FROM rollup_queue_day WHERE month BETWEEN $m0 AND $m1",
        {"m0": month, "m1": month},
    ),
    "rollup agent_day": (
        "SELECT sum(handled) FROM rollup_agent_day WHERE month BETWEEN $m0 AND $m1",
        {"m0": month, "m1": month},
    ),
    "raw calls, _month = $m": ("SELECT count(*) FROM calls WHERE _month = $m", {"m": month}),
    "raw call facts (joins), as the rollup builder": (
        f"SELECT count(*) FROM ({lake_mod.CALL_FACTS_SQL}) WHERE _month = $m",
        {"m": month},
    ),
}
for label, (sql, p) in checks.items():
    plan = cur.execute("EXPLAIN ANALYZE " + sql, p).fetchall()[0][1]
    lines = sorted(
        {seg.strip(" │") for line in plan.splitlines() for seg in line.split("│") if "Scanning Files" in seg}
    )
    print(f"{label}: {', '.join(lines)}")
