"""The attrition command through a subprocess, on a small generated CSV."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd

from tests.conftest import ROOT


def _run(*args):
    return subprocess.run([sys.executable, "-m", "analytics", "attrition", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_evaluate_json(tmp_path):
    rng = np.random.default_rng(1)
    n = 300
    df = pd.DataFrame({"emp": [f"E{i}" for i in range(n)], "tenure": rng.integers(1, 60, n),
                       "team": rng.choice(["t1", "t2"], n), "gender": rng.choice(["f", "m"], n),
                       "hired": pd.date_range("2020-01-01", periods=n, freq="D").astype("str")})
    df["status"] = np.where(rng.random(n) < 1 / (1 + np.exp((df["tenure"] - 20) / 8)), "left", "stayed")
    f = tmp_path / "hr.csv"
    df.to_csv(f, index=False)
    r = _run("evaluate", "--input", str(f), "--target", "status", "--positive", "left", "--id", "emp",
             "--protected", "gender", "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    for key in ("n", "positives", "protocol", "roc_auc", "pr_auc", "brier", "precision_at_10pct",
                "features_used", "excluded", "fairness"):
        assert key in out
    assert out["n"] == n and "gender" not in out["features_used"] and "gender" in out["fairness"]
    assert out["roc_auc"] > 0.7
    r = _run("evaluate", "--input", str(f), "--target", "status", "--positive", "left", "--date", "hired",
             "--exclude", "emp", "--format", "json")
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
