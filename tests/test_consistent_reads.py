"""Readers see a dataset before an import or after it, never a mix; an import killed
between its commit and its rollups is bypassed by readers and completed (and reported)
by the next run, a re-run or `repair`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd

from analytics import audit, backup, lake
from analytics.ingest.importer import PAUSE_AFTER_ENV, import_file

ROOT = Path(__file__).resolve().parents[1]


def calls_csv(path: Path, start: str, hours: int, prefix: str) -> Path:
    """One call per hour from ``start`` (Shanghai time), every call answered: ``hours`` calls
    spread over as many months as the hours reach, so one import touches several months."""
    t0 = pd.Timestamp(start)
    arr = t0 + pd.to_timedelta(pd.RangeIndex(hours), unit="h")
    fmt = "%Y-%m-%d %H:%M:%S"
    pd.DataFrame(
        {
            "call_id": [f"{prefix}{i}" for i in range(hours)],
            "queue": "Q1",
            "arrived_at": arr.strftime(fmt),
            "answered_at": (arr + pd.Timedelta(seconds=10)).strftime(fmt),
            "ended_at": (arr + pd.Timedelta(seconds=130)).strftime(fmt),
            "talk_s": "120",
        }
    ).to_csv(path, index=False)
    return path


def totals(root: Path) -> tuple[int, int, tuple]:
    """(calls in the raw view, calls offered in the rollups, months) as one reader sees them."""
    lk = lake.open_lake(root)
    raw = int(lk.query("SELECT count(*) AS n FROM calls")["n"].iloc[0])
    rolled = (
        int(lk.query("SELECT coalesce(sum(offered), 0) AS n FROM rollup_queue_interval")["n"].iloc[0])
        if lk.has_rollups()
        else -1
    )
    months = (
        tuple(
            lk.query(
                "SELECT month, sum(offered) AS n FROM rollup_queue_interval GROUP BY month ORDER BY month"
            ).itertuples(index=False)
        )
        if lk.has_rollups()
        else ()
    )
    return raw, rolled, months


def _cmd(ds: Path, f: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "analytics",
        "ingest",
        "calls",
        str(f),
        "--dataset",
        str(ds),
        "--center",
        "C1",
        "--timezone",
        "Asia/Shanghai",
    ]


def _first(tmp_path) -> Path:
    ds = tmp_path / "ds"
    r = import_file(
        ds,
        "calls",
        calls_csv(tmp_path / "first.csv", "2026-06-01 00:00:00", 24 * 10, "f"),
        center="C1",
        timezone="Asia/Shanghai",
    )
    assert r.ok and r.rows_accepted == 240
    return ds


def test_a_reader_during_an_import_sees_only_the_before_and_after_totals(tmp_path):
    ds = _first(tmp_path)
    before = totals(ds)
    assert before[:2] == (240, 240)
    # 2,880 calls over June-September: four months of rollups rebuilt one after the other.
    f = calls_csv(tmp_path / "second.csv", "2026-06-15 00:00:00", 24 * 120, "s")
    seen, errors, stop = set(), [], threading.Event()

    def read_continuously():
        while not stop.is_set():
            try:
                seen.add(totals(ds))
            except Exception as e:  # a reader must never fail either
                errors.append(repr(e))

    reader = threading.Thread(target=read_continuously)
    reader.start()
    try:
        # Hold the import between its commit and its rollups, so the reader surely looks there.
        proc = subprocess.Popen(
            _cmd(ds, f),
            cwd=ROOT,
            env={**os.environ, PAUSE_AFTER_ENV: "2"},
            stderr=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, out + err
        assert "committed, building rollups" in err
    finally:
        stop.set()
        reader.join(timeout=60)
    after = totals(ds)
    assert after[:2] == (240 + 2880, 240 + 2880)
    assert not errors, errors[:3]
    assert seen <= {before, after}, sorted(seen - {before, after})
    assert before in seen  # the reader did read while the import ran (it started before it)


def test_a_kill_between_commit_and_rollups_is_bypassed_then_repaired_by_the_rerun(tmp_path):
    ds = _first(tmp_path)
    before = totals(ds)
    f = calls_csv(tmp_path / "second.csv", "2026-07-01 00:00:00", 24 * 40, "s")
    proc = subprocess.Popen(
        _cmd(ds, f),
        cwd=ROOT,
        env={**os.environ, PAUSE_AFTER_ENV: "60"},
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        for line in proc.stderr:
            if "committed, building rollups" in line:
                break
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    # Committed (in the ledger, recorded in the audit log) but not published: readers see before.
    log = audit.read(ds)
    assert (log["action"] == "import").sum() == 2, "the killed import was recorded at its commit"
    fresh = lake.Lake(ds)
    assert fresh.unpublished and list(fresh.unpublished) == ["calls"]
    assert totals(ds) == before and fresh.count("calls") == 240
    assert any("not published" in p for p in backup.check(ds))
    # Re-running the same import finds its batch and says what it repaired.
    done = subprocess.run(_cmd(ds, f), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "repaired: published calls" in done.stdout and "2026-07" in done.stdout, done.stdout
    assert "nothing changed" not in done.stdout
    after = totals(ds)
    assert after[:2] == (240 + 960, 240 + 960)
    assert [m for m, _ in after[2]] == ["2026-06", "2026-07", "2026-08"]
    assert lake.Lake(ds).unpublished == {} and backup.check(ds) == []


def test_repair_command_and_the_next_import_publish_leftovers(tmp_path):
    ds = _first(tmp_path)
    f = calls_csv(tmp_path / "second.csv", "2026-08-01 00:00:00", 48, "s")
    proc = subprocess.Popen(
        _cmd(ds, f),
        cwd=ROOT,
        env={**os.environ, PAUSE_AFTER_ENV: "60"},
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        for line in proc.stderr:
            if "committed, building rollups" in line:
                break
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert lake.Lake(ds).count("calls") == 240
    rep = subprocess.run(
        [sys.executable, "-m", "analytics", "repair", "--dataset", str(ds)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rep.returncode == 0 and "published calls" in rep.stdout and "2026-08" in rep.stdout, rep.stdout
    assert totals(ds)[:2] == (288, 288)
    again = subprocess.run(
        [sys.executable, "-m", "analytics", "repair", "--dataset", str(ds)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "nothing to repair" in again.stdout


def test_a_new_import_publishes_an_earlier_leftover_and_says_so(tmp_path):
    ds = _first(tmp_path)
    # A leftover made by hand: a committed batch the manifest does not list.
    manifest = json.loads((ds / lake.PUBLISHED).read_text())
    import_file(ds, "calls", calls_csv(tmp_path / "b.csv", "2026-09-01 00:00:00", 24, "b"))
    (ds / lake.PUBLISHED).write_text(json.dumps(manifest))
    assert lake.Lake(ds).count("calls") == 240
    r = import_file(ds, "calls", calls_csv(tmp_path / "c.csv", "2026-06-20 00:00:00", 24, "c"))
    assert r.ok and r.repaired and r.repaired["months"] == ["2026-09"]
    assert any(line.startswith("  repaired: published calls") for line in r.lines())
    assert totals(ds)[:2] == (288, 288)


def test_old_rollup_generations_are_removed_but_the_previous_one_is_kept(tmp_path):
    ds = _first(tmp_path)
    for i in range(3):
        import_file(ds, "calls", calls_csv(tmp_path / f"x{i}.csv", f"2026-06-0{i + 2} 00:00:00", 1, f"x{i}_"))
    files = sorted(p.name for p in (ds / "_rollups" / "queue_day" / "month=2026-06").iterdir())
    generation = json.loads((ds / lake.PUBLISHED).read_text())["generation"]
    assert files == [f"data-g{generation - 1}.parquet", f"data-g{generation}.parquet"]


def test_a_dataset_written_before_manifests_is_adopted_by_its_next_import(tmp_path):
    ds = _first(tmp_path)
    # Make it look like a dataset from before publication existed: no manifest, data.parquet files.
    (ds / lake.PUBLISHED).unlink()
    for f in ds.glob("_rollups/*/month=*/data-g*.parquet"):
        f.rename(f.with_name("data.parquet"))
    assert totals(ds)[:2] == (240, 240)  # read as it is, every committed file
    r = import_file(ds, "calls", calls_csv(tmp_path / "more.csv", "2026-08-01 00:00:00", 24, "m"))
    assert r.ok
    manifest = json.loads((ds / lake.PUBLISHED).read_text())
    # Files from before manifests lack the current rollup format's columns: every month is rebuilt in it.
    assert manifest["rollups"]["queue_day"]["2026-06"].endswith("month=2026-06/data-g1.parquet")
    assert manifest["rollup_format"] == lake.ROLLUP_FORMAT
    assert manifest["rollups"]["queue_day"]["2026-08"].endswith("data-g1.parquet")
    assert totals(ds)[:2] == (264, 264)
