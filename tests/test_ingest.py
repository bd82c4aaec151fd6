"""File imports: formats and encodings, idempotence, crash safety, the command line,
a dataset of calls alone, and the Data page."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from analytics import lake
from analytics.ingest.batch import read_ledger
from analytics.ingest.importer import PAUSE_ENV, import_file
from analytics.ingest.mapping import MappingError, load_mapping, parse_mapping
from analytics.ingest.readers import detect_encoding, read_source

ROOT = Path(__file__).resolve().parents[1]
F = ROOT / "tests" / "fixtures" / "ingest"
CDR = ROOT / "mappings" / "cdr_example.toml"


def write_calls_csv(path: Path, n: int, start: str = "2026-10-05 08:00:00", prefix: str = "x") -> Path:
    """n well-formed calls, one every 7 s, two of three answered."""
    t0 = pd.Timestamp(start)
    arr = t0 + pd.to_timedelta(pd.RangeIndex(n) * 7, unit="s")
    answered = pd.RangeIndex(n) % 3 != 0
    ans = arr + pd.Timedelta(seconds=9)
    end = ans + pd.Timedelta(seconds=120)
    df = pd.DataFrame(
        {
            "call_id": [f"{prefix}{i}" for i in range(n)],
            "queue": "Q1",
            "arrived_at": arr.strftime("%Y-%m-%d %H:%M:%S"),
            "answered_at": pd.Series(ans.strftime("%Y-%m-%d %H:%M:%S")).where(answered, ""),
            "ended_at": pd.Series(end.strftime("%Y-%m-%d %H:%M:%S")).where(
                answered, pd.Series((arr + pd.Timedelta(seconds=30)).strftime("%Y-%m-%d %H:%M:%S"))
            ),
            "agent_id": pd.Series(["A1"] * n).where(answered, ""),
            "talk_s": pd.Series(["110"] * n).where(answered, ""),
        }
    )
    df.to_csv(path, index=False)
    return path


def snapshot(root: Path) -> tuple:
    """What readers can see: committed batch folders, rollup files and the ledger."""
    seen = sorted(str(p.relative_to(root)) for p in root.glob("*/batch=*/**/*") if p.is_file())
    rollups = sorted(str(p.relative_to(root)) for p in root.glob("_rollups/*/month=*/data*.parquet"))
    return tuple(seen), tuple(rollups), tuple(read_ledger(root)["batch_id"])


# --- formats and encodings -------------------------------------------------------------


def test_encodings_are_detected():
    assert detect_encoding("呼叫".encode()) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbf" + "呼叫".encode()) == "utf-8-sig"
    assert detect_encoding("呼叫编号,队列".encode("gbk")) == "gb18030"


def test_gbk_cdr_export_with_the_example_mapping(tmp_path):
    r = import_file(tmp_path / "ds", "calls", F / "cdr_gbk.csv", mapping=CDR, center="SH")
    assert r.ok and (r.rows_accepted, r.rows_rejected) == (3, 1)
    bad = r.rejects.iloc[0]
    assert (bad["line"], bad["column"], bad["code"]) == (5, "csat", "not_a_number") and "'六'" in bad["reason"]
    lk = lake.Lake(tmp_path / "ds")
    df = lk.query("SELECT call_id, category, transferred, arrived_at FROM calls ORDER BY call_id")
    assert df["category"].tolist() == ["common", None, "complex"] or df["category"].tolist()[0] == "common"
    assert df["transferred"].tolist() == [False, False, True]
    # 09:00:05 in Shanghai (the mapping's zone for the new center SH) is 01:00:05 UTC.
    assert str(df["arrived_at"].iloc[0]) == "2026-10-09 01:00:05+00:00"
    assert lk.zones() == {"SH": "Asia/Shanghai"}


def test_utf8_with_bom_excel_and_parquet_give_the_same_rows(tmp_path):
    src = write_calls_csv(tmp_path / "calls.csv", 30)
    text = src.read_text(encoding="utf-8")
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    df = pd.read_csv(src, dtype=str, keep_default_na=False)
    xlsx = tmp_path / "calls.xlsx"
    df.to_excel(xlsx, index=False)
    pq_file = tmp_path / "calls.parquet"
    typed = df.assign(talk_s=pd.to_numeric(df["talk_s"]), arrived_at=pd.to_datetime(df["arrived_at"]))
    typed.to_parquet(pq_file, index=False)
    frames = []
    for f in (src, bom, xlsx, pq_file):
        s = read_source(f, load_mapping(None, "calls"))
        assert s.columns[0] == "call_id" and s.frame["_line"].tolist()[:2] == [2, 3], f.name
        frames.append(s)
    for f in (bom, xlsx, pq_file):
        r = import_file(tmp_path / f.name.replace(".", "_"), "calls", f, center="C1", timezone="Asia/Shanghai")
        assert r.ok and r.rows_accepted == 30 and r.rows_rejected == 0, (f.name, r.lines())


def test_quoted_line_breaks_keep_true_line_numbers(tmp_path):
    f = tmp_path / "q.csv"
    f.write_text(
        "call_id,queue,arrived_at,ended_at,category\n"
        'a,Q1,2026-10-01 09:00:00,2026-10-01 09:01:00,"common"\n'
        "\n"
        'b,Q1,"2026-10-01\n09:00:00",2026-10-01 09:01:00,common\n'
        "c,Q1,2026-10-01 09:00:00,2026-10-01 09:01:00,weird\n",
        encoding="utf-8",
    )
    r = import_file(tmp_path / "ds", "calls", f, center="C1", timezone="Asia/Shanghai")
    got = set(zip(r.rejects["line"], r.rejects["code"]))
    assert (6, "not_allowed") in got  # c is on line 6: the blank line and the quoted break count
    assert (4, "not_a_timestamp") in got


def test_mapping_errors_name_the_key(tmp_path):
    with pytest.raises(MappingError, match=r"\[columns\] names columns \['caller'\]"):
        parse_mapping({"columns": {"主叫": "caller"}}, table="calls")
    with pytest.raises(MappingError, match="source.format"):
        parse_mapping({"source": {"format": "xml"}}, table="calls")
    assert load_mapping(CDR, "calls").columns["呼叫编号"] == "call_id"


# --- idempotence and crashes -----------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(tmp_path):
    f = write_calls_csv(tmp_path / "calls.csv", 50)
    r1 = import_file(tmp_path / "ds", "calls", f, center="C1", timezone="Asia/Shanghai")
    before = snapshot(tmp_path / "ds")
    r2 = import_file(tmp_path / "ds", "calls", f, center="C1", timezone="Asia/Shanghai")
    assert r2.skipped_as_duplicate and r2.batch_id == r1.batch_id
    assert snapshot(tmp_path / "ds") == before
    # The same rows under another name are a new file whose keys are all in the lake already.
    copy = tmp_path / "copy.csv"
    copy.write_bytes(f.read_bytes() + b"\n")
    r3 = import_file(tmp_path / "ds", "calls", copy, center="C1")
    assert not r3.ok and r3.rejected_by_reason == {"duplicate_in_lake": 50}
    assert lake.Lake(tmp_path / "ds").count("calls") == 50


def _ingest_cmd(ds: Path, f: Path) -> list[str]:
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


def test_an_import_killed_before_its_commit_leaves_the_lake_as_it_was(tmp_path):
    ds = tmp_path / "ds"
    import_file(
        ds, "calls", write_calls_csv(tmp_path / "first.csv", 20, prefix="f"), center="C1", timezone="Asia/Shanghai"
    )
    before = snapshot(ds)
    f = write_calls_csv(tmp_path / "second.csv", 2000, start="2026-11-02 08:00:00", prefix="s")
    # The hook sleeps after every file is written under its temporary name, before the renames.
    proc = subprocess.Popen(
        _ingest_cmd(ds, f),
        cwd=ROOT,
        env={**os.environ, PAUSE_ENV: "60"},
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert "prepared" in proc.stderr.readline()
        assert list(ds.glob("calls/.tmp-*")), "the batch is written under a temporary name"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert snapshot(ds) == before
    assert lake.Lake(ds).count("calls") == 20
    done = subprocess.run(_ingest_cmd(ds, f), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert lake.Lake(ds).count("calls") == 2020
    assert not list(ds.glob("*/.tmp-*")), "the re-run removed the leftovers"
    assert len(list((ds / "_rejects").glob("*"))) == 0 and "2026-11" in snapshot(ds)[1][-1]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_import_killed_at_a_random_moment_is_completed_by_a_rerun(tmp_path, seed):
    ds = tmp_path / "ds"
    f = write_calls_csv(tmp_path / "calls.csv", 20000)
    proc = subprocess.Popen(_ingest_cmd(ds, f), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(random.Random(seed).uniform(0.5, 3.0))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # Whatever the moment: either no batch of this file, or the whole batch, never part of one.
    n = lake.Lake(ds).count("calls") if ds.exists() else 0
    assert n in (0, 20000)
    done = subprocess.run(_ingest_cmd(ds, f), cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    lk = lake.Lake(ds)
    assert lk.count("calls") == 20000 and len(read_ledger(ds).query("table == 'calls'")) == 1
    assert lk.has_rollups()


# --- command line and a dataset of calls alone -------------------------------------------


def test_cli_report_and_exit_codes(tmp_path):
    ds = tmp_path / "ds"
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "ingest",
            "calls",
            str(F / "cdr_gbk.csv"),
            "--mapping",
            str(CDR),
            "--dataset",
            str(ds),
            "--center",
            "SH",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert "rows read 4, accepted 3, rejected 1" in ok.stdout and "cdr_gbk.csv:5 [csat]" in ok.stdout
    assert "batch " in ok.stdout and json.loads((ds / "dataset.json").read_text())["kind"] == "imported"
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "ingest",
            "calls",
            str(F / "calls_missing_column.csv"),
            "--dataset",
            str(ds),
            "--center",
            "SH",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "missing_column" in bad.stdout


def test_a_file_of_calls_alone_is_a_dataset_the_metrics_and_pages_work_on(tmp_path, monkeypatch):
    ds = tmp_path / "ds"
    r = import_file(ds, "calls", write_calls_csv(tmp_path / "calls.csv", 300), center="C1", timezone="Asia/Shanghai")
    assert r.ok
    out = subprocess.run(
        [sys.executable, "-m", "analytics", "metrics", "--dataset", str(ds), "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    row = json.loads(out.stdout)[0]
    assert row["offered"] == 300 and row["answered"] == 200
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CALLCENTER_DATASET", str(ds))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "en"
    _signed_in_admin(ds, at)
    at.run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Offered"] == "300"
    for page in ("views/handle_time.py", "views/data.py"):
        if (ROOT / page).exists():
            at.switch_page(page)
            at.run()
            assert not at.exception, (page, at.exception)


def _signed_in_admin(ds: Path, at) -> None:
    """Imported data needs sign-in: make an administrator and simulate their session."""
    from analytics import lake, users

    if lake.dataset_info(ds).get("kind") != "demo":
        if "admin1" not in users.load(ds):
            users.add(ds, "admin1", "admin", "admin-pass-123")
        at.session_state["auth_user"] = "admin1"


# --- the Data page ----------------------------------------------------------------------


def _page(ds: Path, monkeypatch, lang: str = "en"):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CALLCENTER_DATASET", str(ds))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = lang
    _signed_in_admin(ds, at)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_data_page_shows_target_report_rejects_and_ledger(tmp_path, monkeypatch, lang):
    ds = tmp_path / "ds"
    r = import_file(ds, "calls", F / "cdr_gbk.csv", mapping=CDR, center="SH")
    at = _page(ds, monkeypatch, lang)
    at.switch_page("views/data.py")
    at.session_state["data_report"] = r  # as if the upload had just been imported
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == ("Data" if lang == "en" else "数据导入")
    assert str(ds.resolve()) in at.info[0].value  # it says which dataset it writes to
    metrics = [m.value for m in at.metric]
    assert metrics == ["4", "3", "1"]
    frames = [e.value for e in at.dataframe]
    rejects = next(f for f in frames if "reject_line" in f.columns and "reject_values" in f.columns)
    assert rejects["reject_line"].tolist() == [5] and rejects["reject_column"].tolist() == ["csat"]
    ledger = next(f for f in frames if "ledger_batch" in f.columns)
    assert r.batch_id in ledger["ledger_batch"].tolist()
    assert len(at.get("download_button")) >= 3  # reasons, rejects, ledger


def test_data_page_on_the_demo_dataset_warns_where_it_writes(demo_dataset, monkeypatch):
    at = _page(demo_dataset, monkeypatch)
    at.switch_page("views/data.py")
    at.run()
    assert not at.exception, at.exception
    assert "demo dataset" in at.warning[0].value and str(Path(demo_dataset).resolve()) in at.warning[0].value
