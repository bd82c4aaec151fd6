"""An audit nobody can skip: a hash chain that names an edited, inserted or deleted line
(`audit verify`, `backup check`); refused, failed and committed imports and command-line
reports are recorded; the DuckDB connection cannot reach _users.json or _audit/."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from analytics import audit, backup, lake
from analytics.ingest import importer
from analytics.ingest.importer import import_file
from tests.conftest import ROOT


def _log(tmp_path, n=5) -> tuple[Path, Path, list[str]]:
    for i in range(n):
        audit.record(tmp_path, "export", f"file {i}", user="u", rows=i)
    f = next((tmp_path / "_audit").glob("audit-*.jsonl"))
    return tmp_path, f, f.read_text(encoding="utf-8").splitlines()


def test_an_intact_chain_verifies_and_the_reader_hides_its_fields(tmp_path):
    root, _, lines = _log(tmp_path)
    assert audit.verify(root) == []
    assert all(json.loads(x)["prev"] and json.loads(x)["hash"] for x in lines)
    assert json.loads(lines[0])["prev"] == "0" * 64
    log = audit.read(root)
    assert "hash" not in log.columns and "prev" not in log.columns and log["rows"].tolist() == [4, 3, 2, 1, 0]


@pytest.mark.parametrize(
    "damage,words",
    [
        ("edit", "was edited"),  # a value changed, hash left alone
        ("edit_rehash", "does not follow"),  # a value changed and its own hash recomputed
        ("delete_middle", "does not follow"),
        ("delete_last", "lines were deleted"),
        ("insert_plain", "without a hash inside the chain"),
    ],
)
def test_each_kind_of_tampering_is_named(tmp_path, damage, words):
    import hashlib

    root, f, lines = _log(tmp_path)
    if damage == "edit":
        lines[2] = lines[2].replace('"file 2"', '"file X"')
    elif damage == "edit_rehash":
        body = lines[2][: lines[2].rindex(', "hash"')].replace('"file 2"', '"file X"') + "}"
        lines[2] = body[:-1] + f', "hash": "{hashlib.sha256(body.encode()).hexdigest()}"}}'
    elif damage == "delete_middle":
        del lines[2]
    elif damage == "delete_last":
        del lines[-1]
    elif damage == "insert_plain":
        lines.insert(3, json.dumps({"at": "2026-01-01", "action": "export", "what": "forged"}))
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = audit.verify(root)
    assert problems and any(words in p for p in problems), problems
    assert any(words in p for p in backup.check(root))


def test_audit_verify_command_exit_codes(tmp_path):
    root, f, lines = _log(tmp_path)
    cmd = [sys.executable, "-m", "analytics", "audit", "verify", "--dataset", str(root)]
    ok = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "intact" in ok.stdout, ok.stderr
    f.write_text("\n".join(lines[:1] + lines[2:]) + "\n", encoding="utf-8")
    bad = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and ":2: does not follow" in bad.stdout


def test_concurrent_writers_keep_one_chain(tmp_path):
    code = (
        "import sys; from analytics import audit\n"
        "for i in range(40): audit.record(sys.argv[1], 'export', f'p{sys.argv[2]}-{i}')"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path), str(k)], cwd=ROOT) for k in range(3)]
    for p in procs:
        assert p.wait(timeout=120) == 0
    assert len(audit.read(tmp_path)) == 120
    assert audit.verify(tmp_path) == []


# --- what is recorded -----------------------------------------------------------------------


def _calls(path: Path, rows: str) -> Path:
    path.write_text("call_id,queue,arrived_at,answered_at,ended_at\n" + rows, encoding="utf-8")
    return path


def test_refused_and_failed_imports_are_recorded(tmp_path, monkeypatch):
    ds = tmp_path / "ds"
    # Refused: nothing accepted.
    r = import_file(
        ds,
        "calls",
        _calls(tmp_path / "bad.csv", "c1,Q1,yesterday,,2026-10-01 09:00:30\n"),
        center="C1",
        timezone="Asia/Shanghai",
        actor="ops",
    )
    assert not r.ok
    # Refused: the file cannot be read at all.
    (tmp_path / "x.parquet").write_bytes(b"not parquet")
    assert import_file(ds, "calls", tmp_path / "x.parquet", actor="ops").error
    # Failed: a defect inside the import ends as a message and an audit line, not a traceback.
    monkeypatch.setattr(importer, "validate", lambda *a, **k: 1 / 0)
    failed = import_file(
        ds,
        "calls",
        _calls(tmp_path / "ok.csv", "c2,Q1,2026-10-01 09:00:00,,2026-10-01 09:00:30\n"),
        center="C1",
        timezone="Asia/Shanghai",
        actor="ops",
    )
    assert failed.error.startswith("the import failed (ZeroDivisionError")
    log = audit.read(ds)
    assert log["action"].tolist() == ["import_failed", "import_refused", "import_refused"]
    assert set(log["user"]) == {"ops"} and log["rejected_by_reason"].iloc[2] == {"not_a_timestamp": 1}
    assert audit.verify(ds) == []


def test_a_command_line_report_is_recorded(demo_dataset, tmp_path):
    ds = tmp_path / "ds"
    shutil.copytree(demo_dataset, ds, ignore=shutil.ignore_patterns("_audit"))
    month = max(lake.Lake(ds).months("calls"))
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "report",
            "monthly",
            "--dataset",
            str(ds),
            "--month",
            month,
            "--out",
            str(tmp_path / "r.html"),
            "--lang",
            "en",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    log = audit.read(ds)
    assert log["action"].iloc[0] == "report" and month in log["what"].iloc[0]


# --- the connection's reach -----------------------------------------------------------------


def test_the_connection_reads_tables_and_rollups_but_not_users_audit_or_settings(demo_dataset, tmp_path):
    ds = tmp_path / "ds"
    shutil.copytree(demo_dataset, ds)
    (ds / "_users.json").write_text("{}")
    audit.record(ds, "export", "x")
    (ds / "settings.json").write_text("{}")
    lk = lake.Lake(ds)
    assert lk.count("calls") > 0 and lk.has_rollups()
    for target in (
        "_users.json",
        "_audit/" + next((ds / "_audit").glob("*.jsonl")).name,
        "settings.json",
        "dataset.json",
        "_published.json",
    ):
        with pytest.raises(duckdb.Error, match="(?i)permission|disabled|not allowed"):
            lk.con.execute("SELECT * FROM read_text(?)", [str(ds / target)]).fetchall()
    with pytest.raises(duckdb.Error):
        lk.con.execute("SET allowed_directories = ['/']")
