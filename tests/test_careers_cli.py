"""``python -m analytics careers`` through a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analytics", "careers", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_json_has_the_progression_figures(demo_dataset):
    r = run("--dataset", str(demo_dataset), "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["promotion_rate"] is None or out["promotion_rate"] >= 0
    assert "median_months_to_first_promotion" in out
    assert out["transition_matrix"]
    for role, row in out["transition_matrix"].items():
        assert abs(sum(row.values()) - 1) < 1e-9, role
        assert "stay" in row


def test_period_and_text(demo_dataset):
    r = run("--dataset", str(demo_dataset), "--from", "2026-01-01", "--to", "2026-06-30", "--format", "text")
    assert r.returncode == 0, r.stderr
    assert "transition_matrix (annual)" in r.stdout and "promotion_rate" in r.stdout


def test_bad_input_is_one_line_and_exit_2(demo_dataset, tmp_path):
    for args in (
        ["--dataset", str(demo_dataset), "--from", "2026-02-30"],
        ["--dataset", str(demo_dataset), "--from", "2026-06-01", "--to", "2026-01-01"],
        ["--dataset", str(demo_dataset), "--format", "xml"],
        ["--dataset", str(tmp_path / "missing")],
    ):
        r = run(*args)
        assert r.returncode == 2, args
        assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("careers: error:"), r.stderr
