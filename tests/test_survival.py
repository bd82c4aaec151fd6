"""Survival with delayed entry and time-varying role and team (analytics.survival).

Expected values come from outside the code under test: a table worked out by hand, and
lifelines 0.30 run in a separate environment (tests/fixtures/survival/make_reference.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import survival
from analytics.access import Scope
from analytics.lake import dataset_info, open_lake, write_dataset_info
from tests.conftest import build_dataset

FIX = Path(__file__).parent / "fixtures" / "survival"


def test_delayed_entry_by_hand():
    # A: day 0 to an exit on day 10.  B: enters the records on day 5 of tenure, exits day 20.
    # C: day 0, still employed at day 15 (censored).  D: enters on day 12, censored day 30.
    start = [0, 5, 0, 12]
    stop = [10, 20, 15, 30]
    event = [True, True, False, False]
    c = survival.kaplan_meier(start, stop, event)
    # Day 10: A, B, C at risk (D not yet in the records) -> 1 - 1/3.
    # Day 20: B and D at risk (C censored at 15) -> 2/3 * 1/2 = 1/3.
    assert survival.retention_at(c, 10) == pytest.approx(2 / 3)
    assert survival.retention_at(c, 20) == pytest.approx(1 / 3)
    assert list(c["at_risk"].iloc[1:]) == [3, 2]
    # Counting D from day 0 (the bias the module removes) would give 3/4 on day 10.
    naive = survival.kaplan_meier([0, 0, 0, 0], stop, event)
    assert survival.retention_at(naive, 10) == pytest.approx(3 / 4)


@pytest.fixture(scope="module")
def reference():
    return pd.read_csv(FIX / "episodes.csv"), json.loads((FIX / "reference.json").read_text())


def test_product_limit_matches_lifelines_with_entry(reference):
    ep, ref = reference
    people = ep.groupby("id").agg(entry=("start", "min"), stop=("stop", "max"), event=("event", "max"))
    c = survival.kaplan_meier(people["entry"], people["stop"], people["event"].astype(bool))
    for day, value in ref["km_with_entry"].items():
        assert survival.retention_at(c, int(day)) == pytest.approx(value, abs=1e-9), day
    # lifelines' event table counts people who enter ON an exit day as at risk that day
    # (their survival still excludes them); ours is the (start, stop] risk set.
    entrants = people["entry"].value_counts()
    for t, row in ref["km_event_table"].items():
        ours = int(c.loc[c["days"] == float(t), "at_risk"].iloc[0])
        assert ours == row["at_risk"] - int(entrants.get(int(t), 0)), t


def test_product_limit_matches_scikit_survival_with_entry(reference):
    from sksurv.nonparametric import kaplan_meier_estimator

    ep, _ = reference
    people = ep.groupby("id").agg(entry=("start", "min"), stop=("stop", "max"), event=("event", "max"))
    t, s = kaplan_meier_estimator(
        people["event"].to_numpy(dtype=bool),
        people["stop"].to_numpy(dtype=float),
        time_enter=people["entry"].to_numpy(dtype=float),
    )
    c = survival.kaplan_meier(people["entry"], people["stop"], people["event"].astype(bool))
    for day in (30, 90, 180, 365, 500):
        assert survival.retention_at(c, day) == pytest.approx(float(s[t <= day][-1]), abs=1e-12), day


def test_cox_counting_process_matches_lifelines(reference):
    ep, ref = reference
    fit = survival.cox(ep["start"], ep["stop"], ep["event"].astype(bool), ep[["senior", "x", "g"]])
    for name, coef in zip(fit.columns, fit.coef):
        assert coef == pytest.approx(ref["cox_coef"][name], abs=1e-6), name
    for name, se in zip(fit.columns, fit.se):
        assert se == pytest.approx(ref["cox_se"][name], rel=1e-4), name  # lifelines stops at its own tolerance
    assert fit.loglik == pytest.approx(ref["cox_loglik"], abs=1e-6)


def test_cox_recovers_a_planted_hazard_ratio():
    # 4000 people, exponential times; group 1 has twice the hazard; a third enter late.
    rng = np.random.default_rng(3)
    n = 4000
    g = (rng.random(n) < 0.5).astype(float)
    t = rng.exponential(200 / np.exp(np.log(2) * g))
    entry = np.where(rng.random(n) < 0.33, rng.uniform(0, 150, n), 0.0)
    keep = t > entry  # left truncation: who left before entry is never seen
    cens = entry + rng.uniform(50, 600, n)
    stop = np.minimum(t, cens)
    ev = t <= cens
    fit = survival.cox(entry[keep], stop[keep], ev[keep], pd.DataFrame({"g": g[keep]}))
    assert np.exp(fit.coef[0]) == pytest.approx(2.0, rel=0.12)


# --- episodes from a lake: delayed entry, time-varying role and team, scope in SQL ---------------


def _people_lake(root):
    emp = [
        # hired long before the records begin (first exit in 2021-03): enters on 2021-03-01
        {
            "employee_id": "E1",
            "name": "a",
            "center": "C1",
            "team": "T2",
            "role": "senior_csr",
            "hire_date": "2020-01-01",
            "exit_date": "2021-06-30",
            "exit_type": "voluntary",
        },
        # hired inside the window, promoted and moved to T2, still employed
        {
            "employee_id": "E2",
            "name": "b",
            "center": "C1",
            "team": "T2",
            "role": "senior_csr",
            "hire_date": "2021-04-01",
        },
        # hired inside the window as a CSR of T1, leaves involuntarily
        {
            "employee_id": "E3",
            "name": "c",
            "center": "C1",
            "team": "T1",
            "role": "csr",
            "hire_date": "2021-02-01",
            "exit_date": "2021-03-10",
            "exit_type": "involuntary",
        },
    ]
    ev = [
        {"employee_id": "E1", "event_date": "2020-01-01", "event_type": "hire", "to_role": "csr", "to_team": "T1"},
        {
            "employee_id": "E1",
            "event_date": "2020-09-01",
            "event_type": "promotion",
            "from_role": "csr",
            "to_role": "senior_csr",
            "from_team": "T1",
            "to_team": "T2",
        },
        {"employee_id": "E1", "event_date": "2021-06-30", "event_type": "exit", "from_role": "senior_csr"},
        {"employee_id": "E2", "event_date": "2021-04-01", "event_type": "hire", "to_role": "csr", "to_team": "T1"},
        {
            "employee_id": "E2",
            "event_date": "2021-05-01",
            "event_type": "star_change",
            "to_role": "csr",
            "to_team": "T1",
            "from_star": 1,
            "to_star": 2,
        },
        {
            "employee_id": "E2",
            "event_date": "2021-07-01",
            "event_type": "promotion",
            "from_role": "csr",
            "to_role": "senior_csr",
            "from_team": "T1",
            "to_team": "T2",
        },
        # E3 has no hire event: the master row stands in for the start
        {"employee_id": "E3", "event_date": "2021-03-10", "event_type": "exit", "from_role": "csr"},
        {"employee_id": "E1", "event_date": "2021-07-31", "event_type": "star_change", "to_star": 3},
    ]
    build_dataset(
        root, employees=emp, role_events=ev, appraisals=[{"employee_id": "E2", "month": "2021-07-01", "score": 80.0}]
    )
    return open_lake(root)


def test_episodes_delayed_entry_and_time_varying_role(tmp_path):
    lk = _people_lake(tmp_path / "p")
    w = survival.observation_window(lk)
    assert (str(w.observed_from), str(w.as_of), w.how) == ("2021-03-01", "2021-07-31", "inferred")
    ep = survival.episodes(lk, Scope(), w).set_index(["employee_id", "start"])
    # E1: hired 2020-01-01, enters on 2021-03-01 = tenure day 426 (start 425), senior in T2
    # (the promotion predates the window), leaves 2021-06-30 = day 547.
    e1 = ep.loc["E1"]
    assert len(e1) == 1 and e1.index[0] == 425
    assert (e1.iloc[0]["role"], e1.iloc[0]["team"], e1.iloc[0]["stop"]) == ("senior_csr", "T2", 547)
    assert bool(e1.iloc[0]["left_voluntary"])
    # E2: csr in T1 for 2021-04-01..06-30 (days 1..91), senior in T2 from 07-01 to 07-31 (92..122).
    e2 = ep.loc["E2"]
    assert [(s, r["role"], r["team"], r["stop"], bool(r["left"])) for s, r in e2.iterrows()] == [
        (0, "csr", "T1", 91, False),
        (91, "senior_csr", "T2", 122, False),
    ]
    # E3: hired 2021-02-01 before the window starts (2021-03-01): enters at day 28, exits day 38.
    e3 = ep.loc["E3"]
    assert [
        (s, r["role"], r["team"], r["stop"], bool(r["left"]), bool(r["left_voluntary"])) for s, r in e3.iterrows()
    ] == [(28, "csr", "T1", 38, True, False)]


def test_episodes_scope_is_the_team_held_at_the_time(tmp_path):
    lk = _people_lake(tmp_path / "p")
    ep = survival.episodes(lk, Scope.for_role("team_leader", teams=("T1",)))
    # T1's leader sees E2's months in T1 and E3, never E1 (in T2 for the whole window).
    assert sorted(zip(ep["employee_id"], ep["start"])) == [("E2", 0), ("E3", 28)]


def test_declared_window_wins(tmp_path):
    lk = _people_lake(tmp_path / "p")
    info = dataset_info(lk.root)
    write_dataset_info(lk.root, {**info, survival.OBSERVED_FROM_KEY: "2021-01-01"})
    w = survival.observation_window(lk)
    assert (str(w.observed_from), w.how) == ("2021-01-01", "declared")


def test_retention_suppresses_small_groups():
    ep = pd.DataFrame(
        {
            "employee_id": ["a", "b", "c", "d", "e", "f"],
            "role": ["x"] * 5 + ["y"],
            "start": [0] * 6,
            "stop": [100, 200, 400, 400, 50, 400],
            "left": [True, True, False, False, True, False],
        }
    )
    ep["left_voluntary"] = ep["left"]
    r = survival.retention(ep, [90, 180], by="role", min_group=4)
    assert set(r["group"]) == {"x"}  # y has one person
    # x at day 90: e left at 50 (1 of 5) -> 0.8, at risk 4; day 180: a at 100 (1 of 4) -> 0.6, at risk 3
    # day 180's risk set (3) is under 4 people, so that row is suppressed too.
    assert r[["days", "retention", "at_risk"]].values.tolist() == [[90, 0.8, 4]]
