"""The command line returns the numbers the pages show."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from analytics import calls, lake
from analytics.access import Scope
from analytics.filters import Filters
from tests.conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_metrics_json_by_month_matches_the_analytics(demo_dataset):
    p = run(
        "metrics",
        "--dataset",
        str(demo_dataset),
        "--from",
        "2026-09-01",
        "--to",
        "2026-10-31",
        "--by",
        "month",
        "--format",
        "json",
    )
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    assert [r["month"] for r in rows] == ["2026-09-01", "2026-10-01"]
    assert list(rows[0])[:9] == [
        "month",
        "offered",
        "answered",
        "abandoned",
        "short_abandoned",
        "answer_rate",
        "service_level",
        "asa_s",
        "aht_s",
    ]
    expected = calls.metrics(
        lake.open_lake(demo_dataset), Filters(date(2026, 9, 1), date(2026, 10, 31)), Scope.everything(), ("month",)
    )
    assert [r["offered"] for r in rows] == expected["offered"].tolist()
    assert [r["service_level"] for r in rows] == pytest.approx(expected["service_level"].tolist())
    assert all(0 < r["answer_rate"] <= 1 for r in rows)


def test_metrics_csv_by_team_and_agent(demo_dataset):
    p = run(
        "metrics",
        "--dataset",
        str(demo_dataset),
        "--by",
        "team",
        "--by",
        "agent",
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-07",
    )
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].startswith("team,agent,offered,answered,abandoned,short_abandoned,answer_rate,service_level")
    first = lines[1].split(",")
    assert first[2] == "" and int(first[3]) > 0  # offered is empty for an agent, answered is not


def test_metrics_bad_input_is_one_clear_line(tmp_path, demo_dataset):
    p = run("metrics", "--dataset", str(tmp_path / "nothing"))
    assert p.returncode == 2 and "holds no calls" in p.stderr and "Traceback" not in p.stderr
    p = run("metrics", "--dataset", str(demo_dataset), "--from", "2026-13-01")
    assert p.returncode == 2 and "YYYY-MM-DD" in p.stderr
    p = run("metrics", "--dataset", str(demo_dataset), "--from", "2026-10-05", "--to", "2026-10-01")
    assert p.returncode == 2 and "ends" in p.stderr and "Traceback" not in p.stderr


def test_demo_refuses_to_overwrite(demo_dataset):
    p = run("demo", "--out", str(demo_dataset), "--scale", "small")
    assert p.returncode == 2 and "already holds a dataset" in p.stderr
