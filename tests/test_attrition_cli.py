"""The attrition command through a subprocess, on a small generated CSV."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tests.conftest import ROOT


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "analytics", "attrition", *args],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_evaluate_json(tmp_path):
    rng = np.random.default_rng(1)
    n = 300
    df = pd.DataFrame(
        {
            "emp": [f"E{i}" for i in range(n)],
            "tenure": rng.integers(1, 60, n),
            "team": rng.choice(["t1", "t2"], n),
            "gender": rng.choice(["f", "m"], n),
            "hired": pd.date_range("2020-01-01", periods=n, freq="D").astype("str"),
        }
    )
    df["status"] = np.where(rng.random(n) < 1 / (1 + np.exp((df["tenure"] - 20) / 8)), "left", "stayed")
    f = tmp_path / "hr.csv"
    df.to_csv(f, index=False)
    r = _run(
        "evaluate",
        "--input",
        str(f),
        "--target",
        "status",
        "--positive",
        "left",
        "--id",
        "emp",
        "--protected",
        "gender",
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    for key in (
        "n",
        "positives",
        "protocol",
        "roc_auc",
        "pr_auc",
        "brier",
        "precision_at_10pct",
        "features_used",
        "excluded",
        "fairness",
    ):
        assert key in out
    assert out["n"] == n and "gender" not in out["features_used"] and "gender" in out["fairness"]
    assert out["roc_auc"] > 0.7
    r = _run(
        "evaluate",
        "--input",
        str(f),
        "--target",
        "status",
        "--positive",
        "left",
        "--date",
        "hired",
        "--exclude",
        "emp",
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["protocol"].startswith("out-of-time")


def test_bad_input_is_one_line_exit_2(tmp_path):
    r = _run("evaluate", "--input", str(tmp_path / "missing.csv"), "--target", "x")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    f = tmp_path / "t.csv"
    pd.DataFrame({"a": [1, 2], "b": [0, 1]}).to_csv(f, index=False)
    r = _run("evaluate", "--input", str(f), "--target", "nope")
    assert r.returncode == 2 and "nope" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_score_csv(demo_dataset):
    r = _run("score", "--dataset", str(demo_dataset), "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith("employee_id,name,center,team,role,tenure_days,risk,band,drivers")


# --- attrition retention --------------------------------------------------------------------------


def _retention_lake(root):
    """11 people hired on 2021-01-01 (day 1), records declared from 2021-01-01, data to
    2022-06-30. T1 has 8 people: exits on day 30 (voluntary), 60 (involuntary) and 200
    (voluntary). T2 has 3 people: one exit on day 10 (voluntary)."""
    from datetime import date, timedelta

    from analytics import lake as lake_mod
    from analytics import users
    from tests.conftest import build_dataset

    hire = date(2021, 1, 1)

    def day(k):  # the date of tenure day k
        return str(hire + timedelta(days=k - 1))

    people = []
    exits = {"P1": (30, "voluntary"), "P2": (60, "involuntary"), "P3": (200, "voluntary"), "P9": (10, "voluntary")}
    for i in range(1, 12):
        pid = f"P{i}"
        row = {
            "employee_id": pid,
            "name": pid,
            "center": "C1",
            "team": "T1" if i <= 8 else "T2",
            "role": "csr",
            "hire_date": str(hire),
        }
        if pid in exits:
            row |= {"exit_date": day(exits[pid][0]), "exit_type": exits[pid][1]}
        people.append(row)
    build_dataset(root, employees=people, appraisals=[{"employee_id": "P4", "month": "2022-06-01", "score": 80.0}])
    lake_mod.write_dataset_info(root, {**lake_mod.dataset_info(root), "hr_observed_from": "2021-01-01"})
    users.add(root, "boss", "executive", "exec-pass-2026!")
    users.add(root, "lead2", "team_leader", "lead-pass-2026!", centers=("C1",), teams=("T2",))
    return root


def test_retention_command_exact_output(tmp_path):
    root = _retention_lake(tmp_path / "r")
    r = _run("retention", "--dataset", str(root), "--at", "90", "180", "365", "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert list(out) == ["observed_from", "as_of", "rows"]
    assert (out["observed_from"], out["as_of"]) == ("2021-01-01", "2022-06-30")
    # Exits on days 10 (11 at risk), 30 (10), 60 (9): 8/11 by day 90 and 180; day 200 (8): 7/11.
    assert [list(row) for row in out["rows"]] == [["group", "days", "retention", "at_risk"]] * 3
    got = [(row["group"], row["days"], row["retention"], row["at_risk"]) for row in out["rows"]]
    assert got == [
        ("all", 90, pytest.approx(8 / 11), 8),
        ("all", 180, pytest.approx(8 / 11), 8),
        ("all", 365, pytest.approx(7 / 11), 7),
    ]
    # Voluntary only: the day-60 exit is censored: 10/11 * 9/10 = 9/11, then * 7/8 at day 200.
    r = _run("retention", "--dataset", str(root), "--event", "voluntary", "--at", "90", "365", "--format", "json")
    got = [(row["days"], row["retention"]) for row in json.loads(r.stdout)["rows"]]
    assert got == [(90, pytest.approx(9 / 11)), (365, pytest.approx(63 / 88))]


def test_retention_command_obeys_the_users_scope(tmp_path):
    root = _retention_lake(tmp_path / "r")
    # The executive sees groups of 5 or more only: T2 (3 people) is suppressed.
    r = _run(
        "retention", "--dataset", str(root), "--by", "team", "--at", "90", "365", "--user", "boss", "--format", "json"
    )
    assert r.returncode == 0, r.stderr
    got = [(row["group"], row["days"], row["retention"], row["at_risk"]) for row in json.loads(r.stdout)["rows"]]
    # T1: exits on day 30 (8 at risk) and 60 (7): 6/8; day 200 (6 at risk): 5/8.
    assert got == [("T1", 90, pytest.approx(0.75), 6), ("T1", 365, pytest.approx(0.625), 5)]
    # T2's leader sees only T2: the day-10 exit of 3 people.
    r = _run("retention", "--dataset", str(root), "--at", "90", "--user", "lead2", "--format", "json")
    assert [(row["group"], row["retention"], row["at_risk"]) for row in json.loads(r.stdout)["rows"]] == [
        ("all", pytest.approx(2 / 3), 2)
    ]
    r = _run("retention", "--dataset", str(root), "--at", "90", "--user", "nobody")
    assert r.returncode == 2 and "nobody" in r.stderr
