"""Two first visitors never generate the demo into the same folder at once: a file lock
beside the folder makes the second wait, and then it finds the dataset made."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from analytics import lake
from analytics.commands import demo
from tests.conftest import ROOT


def _fake_build(calls: list, lock: threading.Lock):
    """A stand-in generator: slow, and writes a published calls batch like the real one."""
    import pandas as pd

    from analytics.ingest.importer import import_file

    def build(out, scale, seed, progress):
        with lock:
            calls.append(("start", time.monotonic()))
        time.sleep(1.0)
        out.mkdir(parents=True, exist_ok=True)
        f = out.parent / f"{out.name}-calls.csv"
        pd.DataFrame(
            {
                "call_id": ["c1"],
                "queue": ["Q1"],
                "arrived_at": ["2026-10-01 09:00:00"],
                "answered_at": [""],
                "ended_at": ["2026-10-01 09:00:30"],
            }
        ).to_csv(f, index=False)
        assert import_file(out, "calls", f, center="C1", timezone="Asia/Shanghai").ok
        with lock:
            calls.append(("end", time.monotonic()))
        return {"kind": "demo"}

    return build


def test_two_sessions_at_once_generate_once(tmp_path, monkeypatch):
    calls, lock = [], threading.Lock()
    monkeypatch.setattr(demo, "_build_demo", _fake_build(calls, lock))
    out = tmp_path / "demo"
    results = []
    threads = [threading.Thread(target=lambda: results.append(demo.ensure_demo(out))) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert [c[0] for c in calls] == ["start", "end"], "generated exactly once"
    assert sorted(results, key=lambda r: r is None) == [{"kind": "demo"}, None]
    assert lake.has_dataset(out)


def test_a_generator_in_another_process_holds_the_lock(tmp_path, monkeypatch):
    out = tmp_path / "demo"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from analytics.commands.demo import generation_lock\n"
            f"with generation_lock({str(out)!r}):\n    print('held', flush=True); time.sleep(2)",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        calls, lock = [], threading.Lock()
        monkeypatch.setattr(demo, "_build_demo", _fake_build(calls, lock))
        t0 = time.monotonic()
        demo.ensure_demo(out)
        assert calls[0][1] - t0 > 0.5, "waited for the other process to let go"
    finally:
        holder.wait(timeout=30)


def test_a_folder_with_files_but_no_dataset_is_refused(tmp_path):
    out = tmp_path / "demo"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    import pytest

    with pytest.raises(FileExistsError):
        demo.ensure_demo(out)
