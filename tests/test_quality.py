"""Quality inspection analytics on a hand-made month; every expected value worked out by hand."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from analytics import lake, qa_month, quality
from analytics.access import Scope
from analytics.filters import Filters
from tests.conftest import build_dataset

OCT = Filters(date(2026, 10, 1), date(2026, 10, 31))


def _ev(i, agent, inspector, day, score):
    # 02:00 UTC is 10:00 in Shanghai, the same day
    return {
        "evaluation_id": f"E{i}",
        "agent_id": agent,
        "evaluator_id": inspector,
        "evaluated_at": f"2026-10-{day:02d} 02:00:00",
        "score": score,
        "method": "sampled",
    }


@pytest.fixture(scope="module", params=["rollup", "view"])
def lk(request, tmp_path_factory):
    """The same evaluations read from the qa_month rollup, and from the deduplicating view
    (the rollup's manifest entry made stale): every expected value holds for both."""
    emp = [
        {"employee_id": "A1", "name": "甲一", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2024-01-01"},
        {"employee_id": "A2", "name": "甲二", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2024-01-01"},
        {"employee_id": "B1", "name": "乙一", "center": "C1", "team": "T2", "role": "csr", "hire_date": "2024-01-01"},
        {"employee_id": "Q1", "name": "质一", "center": "C1", "role": "quality_inspector", "hire_date": "2020-01-01"},
        {"employee_id": "Q2", "name": "质二", "center": "C1", "role": "quality_inspector", "hire_date": "2020-01-01"},
    ]
    evs = [
        # A1: Q1 80 and 90, Q2 70 -> mean 80, medium
        _ev(1, "A1", "Q1", 5, 80.0),
        _ev(2, "A1", "Q1", 5, 90.0),
        _ev(3, "A1", "Q2", 5, 70.0),
        # A2: Q1 60, Q2 64 -> both poor, mean 62, poor
        _ev(4, "A2", "Q1", 6, 60.0),
        _ev(5, "A2", "Q2", 6, 64.0),
        # B1: Q2 90 only -> good; no colleague scored B1, so it does not count for calibration
        _ev(6, "B1", "Q2", 7, 90.0),
        _ev(7, "B1", "Q2", 7, 90.0),
        # September: outside the period
        {**_ev(8, "A1", "Q1", 1, 10.0), "evaluated_at": "2026-09-15 02:00:00"},
    ]
    calls = [
        {
            "call_id": "K1",
            "queue": "Q1",
            "center": "C1",
            "arrived_at": "2026-10-07 02:00:00",
            "answered_at": "2026-10-07 02:00:05",
            "ended_at": "2026-10-07 02:05:00",
            "agent_id": "B1",
            "talk_s": 200.0,
            "hold_s": 0.0,
            "acw_s": 0.0,
            "category": "common",
        }
    ]
    complaints = [
        {
            "complaint_id": "P1",
            "received_at": "2026-10-07 05:00:00",
            "center": "C1",
            "level": 1,
            "channel": "phone",
            "agent_id": "B1",
            "team": "T2",
            "valid": True,
        }
    ]
    root = build_dataset(
        tmp_path_factory.mktemp("quality") / "ds", employees=emp, qa_evaluations=evs, calls=calls, complaints=complaints
    )
    if request.param == "view":
        f = root / lake.PUBLISHED
        pub = json.loads(f.read_text(encoding="utf-8"))
        pub["qa_month"]["batches"]["qa_evaluations"] = ["batch=older"]
        f.write_text(json.dumps(pub), encoding="utf-8")
    out = lake.Lake(root)
    assert qa_month.current(out) == (request.param == "rollup")
    return out


def test_reviews_per_day(lk):
    df = quality.reviews_per_day(lk, OCT, Scope.everything()).set_index("evaluator")
    # Q1: 3 reviews on 2 days (5th, 6th); Q2: 4 reviews on 3 days (5th, 6th, 7th)
    assert df.loc["Q1", "reviews"] == 3 and df.loc["Q1", "days"] == 2
    assert df.loc["Q1", "per_day"] == pytest.approx(1.5)
    assert df.loc["Q2", "per_day"] == pytest.approx(4 / 3)
    assert df.loc["Q2", "vs_target"] == pytest.approx(4 / 3 / 60)
    assert df.loc["Q1", "name"] == "质一"


def test_grade_distribution_by_team(lk):
    df = quality.grade_distribution(lk, OCT, Scope.everything()).set_index("team")
    assert df.loc["T1", ["agents", "good", "medium", "poor"]].tolist() == [2, 0, 1, 1]
    assert df.loc["T2", ["agents", "good", "medium", "poor"]].tolist() == [1, 1, 0, 0]
    assert df.loc["T1", "poor_share"] == pytest.approx(0.5)


def test_calibration_compares_inspectors_on_the_same_agents(lk):
    df = quality.calibration(lk, OCT, Scope.everything()).set_index("evaluator")
    # Q1 on A1: 80 + 90 against Q2's 70 -> +10 +20; on A2: 60 against 64 -> -4.  (30 - 4) / 3
    assert df.loc["Q1", "offset"] == pytest.approx(26 / 3)
    assert df.loc["Q1", "flag"] == "lenient"
    # Q2 on A1: 70 against Q1's mean 85 -> -15; on A2: 64 against 60 -> +4; B1 unshared.  (-15 + 4) / 2
    assert df.loc["Q2", "offset"] == pytest.approx(-5.5)
    assert df.loc["Q2", "flag"] == "harsh"
    assert df.loc["Q2", "shared_agents"] == 2 and df.loc["Q2", "reviews"] == 4


def test_repeated_low_scores_and_next_step(lk):
    df = quality.repeated_low_scores(lk, OCT, Scope.everything())
    assert df["agent"].tolist() == ["A2"]
    row = df.iloc[0]
    assert row["poor"] == 2 and row["qa_score"] == pytest.approx(62.0)
    assert row["next_step"] == "signed_slip"  # the second problem: a signed QC reminder slip
    assert str(row["last_poor_day"])[:10] == "2026-10-06"


def test_worklist_reasons(lk):
    df = quality.worklist(lk, OCT, Scope.everything()).set_index("agent")
    assert set(df.index) == {"A2", "B1"}  # A1's mean 80 is not low, and A1 has no complaint
    assert df.loc["A2", "reasons"] == "low_qa"
    assert df.loc["B1", "reasons"] == "complaints"
    assert df.loc["B1", "name"] == "乙一" and df.loc["A2", "team"] == "T1"
    # two inspectors x 60 recordings a day shared over the list
    assert df["recordings"].sum() == pytest.approx(120, abs=1)


def test_scope_limits_every_view(lk):
    lead = Scope.for_role("team_leader", centers=("C1",), teams=("T1",))
    assert set(quality.worklist(lk, OCT, lead)["agent"]) == {"A2"}
    assert set(quality.grade_distribution(lk, OCT, lead)["team"]) == {"T1"}
    # Q2's B1 reviews are outside a T1 leader's scope: 2 reviews on 2 days
    assert quality.reviews_per_day(lk, OCT, lead).set_index("evaluator").loc["Q2", "reviews"] == 2
    with pytest.raises(PermissionError):
        quality.worklist(lk, OCT, Scope.for_role("executive"))


def test_a_period_without_poor_scores_has_no_repeated_low_scores(lk):
    # 7 October: B1's two 90s only. Mapping the last poor day by an empty Series raised.
    day = Filters(date(2026, 10, 7), date(2026, 10, 7))
    df = quality.repeated_low_scores(lk, day, Scope.everything())
    assert df.empty and "last_poor_day" in df.columns


def test_one_local_day_keeps_only_its_evaluations(lk):
    # 5 October (Shanghai): E1-E3. E4-E5 (6 October 10:00 local) fall inside the UTC margin
    # the query reads first and must still be left out by the local day.
    day = Filters(date(2026, 10, 5), date(2026, 10, 5))
    ev = quality.evaluations(lk, day, Scope.everything())
    assert sorted(ev["evaluation_id"]) == ["E1", "E2", "E3"]
    per = quality.reviews_per_day(lk, day, Scope.everything()).set_index("evaluator")
    assert per.loc["Q1", "reviews"] == 2 and per.loc["Q2", "reviews"] == 1


def test_evaluations_without_an_inspector_or_a_team(tmp_path):
    """An evaluation with no inspector counts in the reviews (as '—') but not in the
    calibration; an agent with no team is graded in a last row of no team."""
    emp = [
        {"employee_id": "A1", "name": "甲一", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2024-01-01"},
        {"employee_id": "N1", "name": "无组", "center": "C1", "role": "csr", "hire_date": "2024-01-01"},
        {"employee_id": "Q1", "name": "质一", "center": "C1", "role": "quality_inspector", "hire_date": "2020-01-01"},
    ]
    evs = [
        _ev(1, "A1", "Q1", 5, 90.0),
        _ev(2, "A1", None, 6, 50.0),  # the system's own check, no inspector
        _ev(3, "N1", "Q1", 6, 60.0),
        _ev(4, "N1", "Q1", 7, 66.0),
    ]
    lk = lake.Lake(build_dataset(tmp_path / "ds", employees=emp, qa_evaluations=evs))
    per_day = quality.reviews_per_day(lk, OCT, Scope.everything()).set_index("evaluator")
    assert per_day.loc["Q1", ["days", "reviews"]].tolist() == [3, 3]
    assert per_day.loc["—", ["days", "reviews"]].tolist() == [1, 1]
    calib = quality.calibration(lk, OCT, Scope.everything())
    # A1 was scored by Q1 and by no inspector: nobody shares an agent with Q1
    assert calib["evaluator"].tolist() == ["Q1"] and calib.loc[0, "shared_agents"] == 0
    assert calib.loc[0, "reviews"] == 3 and calib.loc[0, "mean_score"] == pytest.approx(72.0)
    grades = quality.grade_distribution(lk, OCT, Scope.everything())
    # A1: (90 + 50) / 2 = 70, medium; N1: 63, poor, in the row of no team, last
    assert grades["team"].iloc[0] == "T1" and grades["team"].isna().iloc[-1]
    assert grades[["agents", "good", "medium", "poor"]].values.tolist() == [[1, 0, 1, 0], [1, 0, 0, 1]]
    low = quality.repeated_low_scores(lk, OCT, Scope.everything())
    assert low["agent"].tolist() == ["N1"] and low.loc[0, "next_step"] == "signed_slip"


def _call(i, agent, day, talk_s):
    return {
        "call_id": f"K{i}",
        "queue": "Q1",
        "center": "C1",
        "arrived_at": f"2026-10-{day:02d} 02:00:{i % 60:02d}",
        "answered_at": f"2026-10-{day:02d} 02:00:{i % 60:02d}",
        "ended_at": f"2026-10-{day:02d} 03:00:00",
        "agent_id": agent,
        "talk_s": float(talk_s),
        "hold_s": 0.0,
        "acw_s": 0.0,
        "category": "common",
    }


def test_agents_to_review_reasons_and_order(tmp_path):
    """calls.agents_to_review, worked by hand. Two calls a day on 5-7 October each, E 1, 1
    and 4. Team AHT (6*600 + 6*100 + 18*300) / 30 = 320 s: A 600/320 = 1.875 (long), B
    100/320 (short), C, D, E 300/320 (within 30 %). E's daily output 1, 1, 4: sd sqrt(3) over
    mean 2 = 0.866 swings; D was hired 11 days before the period's end. Priority = |ratio - 1|
    + swing + 1 if new: D 1.0625, E 0.9286, A 0.875, B 0.6875; C meets no rule."""
    from analytics import calls

    emp = [
        {"employee_id": a, "name": a, "center": "C1", "team": "T1", "role": "csr", "hire_date": "2024-01-01"}
        for a in "ABCE"
    ] + [{"employee_id": "D", "name": "D", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2026-10-20"}]
    talk = {"A": 600, "B": 100, "C": 300, "D": 300, "E": 300}
    per_day = {a: {5: 2, 6: 2, 7: 2} for a in "ABCD"} | {"E": {5: 1, 6: 1, 7: 4}}
    rows, i = [], 0
    for agent, days in per_day.items():
        for day, n in days.items():
            for _ in range(n):
                i += 1
                rows.append(_call(i, agent, day, talk[agent]))
    lk = lake.Lake(build_dataset(tmp_path / "ds", employees=emp, calls=rows))
    df = calls.agents_to_review(lk, OCT, Scope.everything())
    assert df["agent"].tolist() == ["D", "E", "A", "B"]
    assert df["reasons"].tolist() == ["new_agent", "output_swings", "aht_long", "aht_short"]
    assert df["priority"].tolist() == pytest.approx([1.0625, 0.0625 + 3**0.5 / 2, 0.875, 0.6875])
    assert df.set_index("agent").loc["D", "tenure_days"] == 11


def test_agents_to_review_an_agent_nobody_employs(tmp_path):
    """An agent the calls name but the employees table does not: no team, name or tenure.
    A is employed (team T1, 300 s on 2 calls a day); X is not: 1, 1 and 4 calls of 900 s
    on 5-7 October. With no team X has no team AHT to be compared with (missing, as is the
    ratio: no AHT rule); its output swings (sd sqrt(3) over mean 2 = 0.866); with no hire
    date it is not a new agent and its tenure is missing, as its name."""
    from analytics import calls

    emp = [{"employee_id": "A", "name": "Ann", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2024-01-01"}]
    rows, i = [], 0
    for agent, days, talk in (("A", {5: 2, 6: 2, 7: 2}, 300), ("X", {5: 1, 6: 1, 7: 4}, 900)):
        for day, n in days.items():
            for _ in range(n):
                i += 1
                rows.append(_call(i, agent, day, talk))
    lk = lake.Lake(build_dataset(tmp_path / "ds", employees=emp, calls=rows))
    df = calls.agents_to_review(lk, OCT, Scope.everything())
    assert df["agent"].tolist() == ["X"]
    x = df.iloc[0]
    assert x["reasons"] == "output_swings"
    assert x["aht_s"] == pytest.approx(900)
    assert pd.isna(x["team_aht_s"]) and pd.isna(x["aht_vs_team"])
    assert x["output_swing"] == pytest.approx(3**0.5 / 2)
    assert x["days"] == 3 and x["handled"] == 6
    assert pd.isna(x["name"]) and pd.isna(x["tenure_days"]) and pd.isna(x["team"])


@pytest.mark.parametrize("facts", [True, False])
def test_valid_complaints_per_agent_from_the_facts_or_the_complaints(tmp_path, monkeypatch, facts):
    """The worklist's count: valid complaints received on the period's local days, per agent
    in scope by the agent's own team. 31 October 17:00 UTC is 1 November in Shanghai: out."""
    from analytics import complaints

    emp = [
        {"employee_id": "A1", "name": "甲一", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2024-01-01"},
        {"employee_id": "B1", "name": "乙一", "center": "C1", "team": "T2", "role": "csr", "hire_date": "2024-01-01"},
    ]

    def compl(i, agent, at, valid=True):
        return {"complaint_id": f"P{i}", "received_at": at, "center": "C1", "level": 1, "channel": "phone",
                "agent_id": agent, "team": "T1", "valid": valid}  # fmt: skip

    rows = [
        compl(1, "A1", "2026-10-02 02:00:00"),
        compl(2, "A1", "2026-10-20 02:00:00"),
        compl(3, "A1", "2026-10-21 02:00:00", valid=False),
        compl(4, "A1", "2026-10-31 17:00:00"),  # 1 November local
        compl(5, "B1", "2026-10-09 02:00:00"),  # the complaint says T1, the agent is in T2
        compl(6, "B1", "2026-09-30 02:00:00"),
    ]
    root = build_dataset(tmp_path / "ds", employees=emp, complaints=rows)
    monkeypatch.setattr(complaints, "materialised", lambda lake, settings: facts)
    read = []
    lk = lake.Lake(root)
    orig = lk.query
    monkeypatch.setattr(lk, "query", lambda sql, *a, **k: read.append(sql) or orig(sql, *a, **k))
    got = complaints.valid_by_agent(lk, OCT, Scope.everything()).set_index("agent_id")["valid_complaints"]
    assert got.to_dict() == {"A1": 2, "B1": 1}
    assert ("rollup_complaint_facts" in read[-1]) == facts
    lead = Scope.for_role("team_leader", centers=("C1",), teams=("T1",))
    assert complaints.valid_by_agent(lk, OCT, lead)["agent_id"].tolist() == ["A1"]
    # Neither A1 nor B1 has calls or evaluations: the worklist names them, their team and
    # center from the employees row the complaints' count joins (B1's own team, T2).
    work = quality.worklist(lk, OCT, Scope.everything()).set_index("agent")
    assert work[["name", "team", "center", "reasons", "valid_complaints"]].to_dict("index") == {
        "A1": {"name": "甲一", "team": "T1", "center": "C1", "reasons": "complaints", "valid_complaints": 2},
        "B1": {"name": "乙一", "team": "T2", "center": "C1", "reasons": "complaints", "valid_complaints": 1},
    }
    assert list(work.index) == ["A1", "B1"]  # priority: 2 complaints before 1
    assert not any("list_contains($ids" in sql for sql in read)  # no second lookup of the names
