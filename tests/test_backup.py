"""A copied dataset passes the backup check; a damaged copy names what is wrong."""

from __future__ import annotations

import shutil

from analytics import backup


def test_backup_check(demo_dataset, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(demo_dataset, copy)
    assert backup.check(copy) == []
    # Damage it: truncate one calls file and drop one rollup month.
    victim = sorted((copy / "calls").rglob("*.parquet"))[0]
    victim.write_bytes(victim.read_bytes()[:100])
    month = sorted((copy / "_rollups" / "agent_day").glob("month=*"))[0]
    shutil.rmtree(month)
    problems = backup.check(copy)
    assert any("unreadable" in p for p in problems)
    assert any("rollup agent_day lacks months " + month.name.removeprefix("month=") in p for p in problems)
