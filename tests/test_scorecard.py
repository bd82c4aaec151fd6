"""The monthly appraisal: components, weights, score, rank, the command and its scope.

Expected values are worked out by hand from the rows below (the comments say how)."""

from __future__ import annotations

import csv
import math
import io
import json
from datetime import date

import pandas as pd
import pytest

from analytics import scorecard as sc
from analytics import users
from analytics.__main__ import main
from analytics.access import Scope
from analytics.commands._month import resolve_month
from tests.conftest import build_dataset

# --- pure parts --------------------------------------------------------------------------


def test_missing_weight_is_spread_proportionally():
    w = {"a": 0.5, "b": 0.3, "c": 0.2}
    # b missing: (0.5*80 + 0.2*50) / (0.5 + 0.2) = 50 / 0.7
    assert sc.weighted_score({"a": 80, "b": None, "c": 50}, w) == pytest.approx(71.428571, abs=1e-5)
    # all present: 0.5*80 + 0.3*60 + 0.2*50 = 68
    assert sc.weighted_score({"a": 80, "b": 60, "c": 50}, w) == pytest.approx(68.0)
    assert sc.weighted_score({"a": None, "b": None, "c": None}, w) is None
    # a component with weight 0 does not count, even when present
    assert sc.weighted_score({"a": 80, "b": 10, "c": 50}, {"a": 0.5, "b": 0.0, "c": 0.5}) == pytest.approx(65.0)


def test_component_scales():
    assert sc.output_component(35) == pytest.approx(50.0)  # half of 70 a day
    assert sc.output_component(140) == 100.0  # capped
    assert sc.attitude_component(0.9, 2) == pytest.approx(80.0)  # 90 - 2 x 5
    assert sc.attitude_component(0.1, 5) == 0.0  # never below 0
    assert sc.csat_component(4.0) == pytest.approx(75.0)  # (4 - 1) / 4
    assert sc.csat_component(1.0) == 0.0
    assert sc.complaints_component(1, 10) == pytest.approx(75.0)
    assert sc.complaints_component(5, 10) == 0.0
    assert sc.complaints_component(0, 0) is None  # no calls, nothing to judge
    assert sc.qa_grade(85.0) == "good" and sc.qa_grade(84.9) == "medium" and sc.qa_grade(69.9) == "poor"


def test_rank_is_per_team_best_first_ties_share():
    import pandas as pd

    scores = pd.Series([70.0, 90.0, 90.0, 50.0, None])
    teams = pd.Series(["T1", "T1", "T1", "T2", "T2"])
    assert sc.rank_in_team(scores, teams).tolist() == [3, 1, 1, 1, pd.NA]


def test_default_weights_are_the_domain_defaults():
    w = sc.weights_for(sc.DEFAULT_WEIGHTS, "csr")
    assert w == {
        "output": 0.2,
        "qa": 0.2,
        "fcr": 0.1,
        "attitude": 0.15,
        "teamwork": 0.1,
        "csat": 0.15,
        "complaints": 0.1,
    }


def test_weights_table_is_saved_without_losing_other_settings(tmp_path):
    (tmp_path / "settings.json").write_text('{"answer_within_s": 30}', encoding="utf-8")
    sc.save_weights(tmp_path, {"outbound_csr": {"output": 60, "csat": 40}})
    data = json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))
    assert data["answer_within_s"] == 30
    table = sc.load_weights(tmp_path)
    assert sc.weights_for(table, "outbound_csr")["output"] == pytest.approx(0.6)
    assert sc.weights_for(table, "csr")["output"] == pytest.approx(0.2)  # untouched default
    with pytest.raises(ValueError):
        sc.save_weights(tmp_path, {"csr": {"output": -1}})
    with pytest.raises(ValueError):
        sc.save_weights(tmp_path, {"csr": {"charm": 10}})


def test_month_last_is_the_previous_calendar_month():
    assert resolve_month("last", date(2026, 12, 2)) == date(2026, 11, 1)
    assert resolve_month("last", date(2027, 1, 1)) == date(2026, 12, 1)
    assert resolve_month("2026-10") == date(2026, 10, 1)
    for bad in ("2026-13", "26-10", "October", ""):
        with pytest.raises(ValueError):
            resolve_month(bad)


# --- a hand-made month -------------------------------------------------------------------
# Center C1 (Asia/Shanghai, UTC+8). October 2026. Team T1: A1, A2; team T2: B1.


def _call(i, agent, day, talk, category="common", csat=None, fcr=None, transferred=False):
    # arrives 02:00 UTC = 10:00 local on `day`, answered 10 s later
    return {
        "call_id": f"K{i}",
        "queue": "Q1",
        "center": "C1",
        "direction": "inbound",
        "arrived_at": f"2026-10-{day:02d} 02:00:00",
        "answered_at": f"2026-10-{day:02d} 02:00:10",
        "ended_at": f"2026-10-{day:02d} 03:00:00",
        "agent_id": agent,
        "talk_s": talk,
        "hold_s": 0.0,
        "acw_s": 0.0,
        "category": category,
        "transferred": transferred,
        "csat": csat,
        "resolved_first_contact": fcr,
    }


def _interval(agent, day):
    return {
        "agent_id": agent,
        "interval_start": f"2026-10-{day:02d} 02:00:00",
        "center": "C1",
        "queue": "Q1",
        "staffed_s": 900.0,
        "available_s": 100.0,
        "handling_s": 800.0,
    }


@pytest.fixture(scope="module")
def month_ds(tmp_path_factory):
    emp = [
        {"employee_id": "A1", "name": "甲一", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2024-01-01"},
        {"employee_id": "A2", "name": "甲二", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2024-01-01"},
        {"employee_id": "B1", "name": "乙一", "center": "C1", "team": "T2", "role": "csr", "hire_date": "2024-01-01"},
        # left before October: not on the scorecard
        {
            "employee_id": "X9",
            "name": "离职",
            "center": "C1",
            "team": "T1",
            "role": "csr",
            "hire_date": "2020-01-01",
            "exit_date": "2026-08-31",
        },
        # a team leader is not an agent
        {
            "employee_id": "L1",
            "name": "组长",
            "center": "C1",
            "team": "T1",
            "role": "team_leader",
            "hire_date": "2020-01-01",
        },
    ]
    calls = [
        # A1: 4 calls over 2 staffed days -> 2 a day -> output 100*2/70.
        # common 200 s and 400 s (target 300: one within), complex 500 s and 700 s (target 600: one within)
        # csat 5, 3 -> mean 4 -> 75; fcr 3 yes of 4 -> 75; one transfer
        _call(1, "A1", 5, 200, "common", csat=5, fcr=True),
        _call(2, "A1", 5, 400, "common", csat=3, fcr=True),
        _call(3, "A1", 6, 500, "complex", fcr=True, transferred=True),
        _call(4, "A1", 6, 700, "complex", fcr=False),
        # A2: 1 call on 1 staffed day; csat 1 -> 0; fcr no -> 0
        _call(5, "A2", 7, 100, "common", csat=1, fcr=False),
        # B1: 2 calls on 1 day; csat 5 -> 100; fcr yes -> 100
        _call(6, "B1", 8, 100, "common", csat=5, fcr=True),
        _call(7, "B1", 8, 100, "common", csat=5, fcr=True),
        # September call of A1: not in October's figures
        {
            **_call(8, "A1", 1, 100),
            "arrived_at": "2026-09-10 02:00:00",
            "answered_at": "2026-09-10 02:00:10",
            "ended_at": "2026-09-10 03:00:00",
        },
    ]
    intervals = [_interval("A1", 5), _interval("A1", 6), _interval("A2", 7), _interval("B1", 8)]
    appraisals = [
        {"employee_id": "A1", "month": "2026-10-01", "attendance_rate": 0.9, "late_count": 2},  # 90 - 10 = 80
        {"employee_id": "A2", "month": "2026-10-01", "attendance_rate": 1.0, "late_count": 0},  # 100
        {"employee_id": "B1", "month": "2026-10-01", "attendance_rate": 1.0, "late_count": 1},  # 95
    ]
    qa = [
        # A1: 80 and 90 -> 85 (good). A2: 60 (poor). B1: none in October (one in September)
        {
            "evaluation_id": "E1",
            "agent_id": "A1",
            "evaluator_id": "Q9",
            "evaluated_at": "2026-10-05 03:00:00",
            "score": 80.0,
            "grade": "medium",
        },
        {
            "evaluation_id": "E2",
            "agent_id": "A1",
            "evaluator_id": "Q9",
            "evaluated_at": "2026-10-06 03:00:00",
            "score": 90.0,
            "grade": "good",
        },
        {
            "evaluation_id": "E3",
            "agent_id": "A2",
            "evaluator_id": "Q9",
            "evaluated_at": "2026-10-07 03:00:00",
            "score": 60.0,
            "grade": "poor",
        },
        # 2026-09-30 20:00 UTC is 2026-10-01 04:00 in Shanghai: counts in October for B1 -> 70
        {
            "evaluation_id": "E4",
            "agent_id": "B1",
            "evaluator_id": "Q9",
            "evaluated_at": "2026-09-30 20:00:00",
            "score": 70.0,
            "grade": "medium",
        },
    ]
    complaints = [
        # A2: one valid complaint -> 75; B1: one not valid -> 100
        {
            "complaint_id": "P1",
            "received_at": "2026-10-07 05:00:00",
            "center": "C1",
            "level": 1,
            "channel": "phone",
            "agent_id": "A2",
            "team": "T1",
            "valid": True,
        },
        {
            "complaint_id": "P2",
            "received_at": "2026-10-08 05:00:00",
            "center": "C1",
            "level": 1,
            "channel": "phone",
            "agent_id": "B1",
            "team": "T2",
            "valid": False,
        },
    ]
    root = build_dataset(
        tmp_path_factory.mktemp("scorecard") / "ds",
        employees=emp,
        calls=calls,
        agent_intervals=intervals,
        appraisals=appraisals,
        qa_evaluations=qa,
        complaints=complaints,
    )
    users.add(root, "lead1", "team_leader", "a-long-pass-123", centers=("C1",), teams=("T1",))
    users.add(root, "boss", "executive", "a-long-pass-123", centers=("C1",))
    users.add(root, "people", "hr", "a-long-pass-123", centers=("C1",))
    return root


# A1 by hand: output 100*2/70 = 2.857143; qa 85; fcr 75; attitude 80; teamwork missing; csat 75; complaints 100.
# Weights present 0.9: (0.2*2.857143 + 0.2*85 + 0.1*75 + 0.15*80 + 0.15*75 + 0.1*100) / 0.9
#   = (0.571429 + 17 + 7.5 + 12 + 11.25 + 10) / 0.9 = 58.321429 / 0.9 = 64.801587
A1 = {"output": 2.86, "qa": 85.0, "fcr": 75.0, "attitude": 80.0, "teamwork": None, "csat": 75.0, "complaints": 100.0}
A1_SCORE = 64.8
# A2: output 100/70 = 1.428571; qa 60; fcr 0; attitude 100; csat 0; complaints 75.
#   (0.285714 + 12 + 0 + 15 + 0 + 7.5) / 0.9 = 34.785714 / 0.9 = 38.650794
A2_SCORE = 38.65
# B1: output 2.857143; qa 70; fcr 100; attitude 95; csat 100; complaints 100.
#   (0.571429 + 14 + 10 + 14.25 + 15 + 10) / 0.9 = 63.821429 / 0.9 = 70.912698
B1_SCORE = 70.91


def _run_json(capsys, *argv) -> dict:
    assert main(["scorecard", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_scorecard_json_by_hand(month_ds, capsys):
    doc = _run_json(capsys, "--dataset", str(month_ds), "--month", "2026-10", "--format", "json")
    assert doc["month"] == "2026-10"
    assert doc["weights"]["output"] == pytest.approx(0.2) and sum(doc["weights"].values()) == pytest.approx(1.0)
    rows = {r["employee_id"]: r for r in doc["rows"]}
    assert set(rows) == {"A1", "A2", "B1"}  # not X9 (left), not L1 (team leader)
    assert set(rows["A1"]) == {"employee_id", "name", "team", "components", "score", "rank"}
    for comp, value in A1.items():
        assert rows["A1"]["components"][comp] == (pytest.approx(value, abs=0.01) if value is not None else None)
    assert rows["A1"]["score"] == pytest.approx(A1_SCORE, abs=0.01)
    assert rows["A2"]["score"] == pytest.approx(A2_SCORE, abs=0.01)
    assert rows["B1"]["score"] == pytest.approx(B1_SCORE, abs=0.01)
    assert (rows["A1"]["rank"], rows["A2"]["rank"], rows["B1"]["rank"]) == (1, 2, 1)
    assert rows["A1"]["name"] == "甲一" and rows["B1"]["team"] == "T2"


def test_measures_behind_the_components(month_ds):
    from analytics import lake

    df = sc.agent_month(lake.open_lake(month_ds), date(2026, 10, 1), Scope.everything()).set_index("employee_id")
    a1 = df.loc["A1"]
    assert a1["answered"] == 4 and a1["agent_days"] == 2 and a1["transferred"] == 1
    assert a1["aht_common_s"] == pytest.approx(300.0) and a1["aht_complex_s"] == pytest.approx(600.0)
    assert a1["within_target_share"] == pytest.approx(0.5)  # 200 s common and 500 s complex
    assert a1["qa_grade"] == "good" and df.loc["A2", "qa_grade"] == "poor"
    assert df.loc["A2", "valid_complaints"] == 1 and df.loc["B1", "valid_complaints"] == 0


def test_csv_has_the_same_rows(month_ds, capsys):
    assert main(["scorecard", "--dataset", str(month_ds), "--month", "2026-10", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == ["month", "employee_id", "name", "team", *sc.COMPONENTS, "score", "rank"]
    by_id = {r["employee_id"]: r for r in rows}
    assert float(by_id["B1"]["score"]) == pytest.approx(B1_SCORE, abs=0.01)
    assert by_id["A1"]["teamwork"] == ""


def test_team_leader_sees_only_its_team(month_ds, capsys):
    doc = _run_json(capsys, "--dataset", str(month_ds), "--month", "2026-10", "--user", "lead1")
    assert {r["employee_id"] for r in doc["rows"]} == {"A1", "A2"}
    # asking for another team returns nothing of it
    doc = _run_json(capsys, "--dataset", str(month_ds), "--month", "2026-10", "--user", "lead1", "--team", "T2")
    assert doc["rows"] == []


def test_team_option_and_hr_reads(month_ds, capsys):
    doc = _run_json(capsys, "--dataset", str(month_ds), "--month", "2026-10", "--team", "T2")
    assert [r["employee_id"] for r in doc["rows"]] == ["B1"]
    doc = _run_json(capsys, "--dataset", str(month_ds), "--month", "2026-10", "--user", "people")
    assert len(doc["rows"]) == 3


def test_executive_is_refused_individual_rows(month_ds, capsys):
    assert main(["scorecard", "--dataset", str(month_ds), "--month", "2026-10", "--user", "boss"]) == 2
    assert "may not see individuals" in capsys.readouterr().err


def test_bad_month_is_one_line(month_ds, capsys):
    assert main(["scorecard", "--dataset", str(month_ds), "--month", "2026/10"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1


def test_agent_drilldown_respects_scope(month_ds):
    from analytics import lake

    lk = lake.open_lake(month_ds)
    lead = Scope.for_role("team_leader", centers=("C1",), teams=("T1",))
    days = sc.agent_days(lk, date(2026, 10, 1), lead, "A1")
    assert days["day"].dt.day.tolist() == [5, 6] and days["answered"].tolist() == [2, 2]
    assert sc.agent_days(lk, date(2026, 10, 1), lead, "B1").empty  # other team
    assert sc.agent_evaluations(lk, date(2026, 10, 1), lead, "A1")["score"].tolist() == [80.0, 90.0]
    assert sc.agent_complaints(lk, date(2026, 10, 1), lead, "A2")["valid"].tolist() == [True]
    assert sc.agent_complaints(lk, date(2026, 10, 1), lead, "B1").empty


def test_columnwise_scores_match_the_row_formulas(month_ds):
    """agent_month computes components and scores column by column; the per-value functions
    (checked by hand above) must give the same numbers row by row."""
    import math

    from analytics import lake

    weights = {**sc.DEFAULT_WEIGHTS, "csr": {**sc.DEFAULT_WEIGHTS["csr"], "qa": 0.0, "csat": 40.0}}
    df = sc.agent_month(lake.open_lake(month_ds), date(2026, 10, 1), Scope.everything(), weights=weights)
    assert len(df) == 3
    for r in df.to_dict("records"):
        comps = {
            "output": sc.output_component(r["answered_per_day"]),
            "qa": None if sc._missing(r["qa_score"]) else sc._clip(r["qa_score"]),
            "fcr": sc.share_component(r["fcr"]),
            "attitude": sc.attitude_component(r["attendance_rate"], r["late_count"]),
            "teamwork": None,
            "csat": sc.csat_component(r["csat"]),
            "complaints": sc.complaints_component(r["valid_complaints"], r["answered"]),
        }
        for c, v in comps.items():
            got = r[f"c_{c}"]
            assert (v is None and math.isnan(got)) or got == pytest.approx(v, rel=1e-12), (r["employee_id"], c)
        assert r["score"] == pytest.approx(sc.weighted_score(comps, sc.weights_for(weights, r["role"])), rel=1e-12)


def test_scores_per_role_by_hand():
    import pandas as pd

    table = {
        "csr": {c: 0.0 for c in sc.COMPONENTS} | {"output": 1.0, "qa": 1.0},
        "senior_csr": {c: 0.0 for c in sc.COMPONENTS} | {"output": 3.0, "qa": 1.0},
    }
    nan = float("nan")
    df = pd.DataFrame(
        {
            "role": ["csr", "senior_csr", None, "team_leader", "csr"],
            **{f"c_{c}": [nan] * 5 for c in sc.COMPONENTS},
        }
    )
    df["c_output"] = [80.0, 80.0, 80.0, nan, nan]
    df["c_qa"] = [40.0, 40.0, nan, 40.0, nan]
    got = sc._scores(df, table).tolist()
    # csr: (80 + 40) / 2; senior: (3*80 + 40) / 4 = 70; no role -> csr row, qa missing: 80;
    # a role without a row -> csr, output missing: 40; nothing present: no score.
    assert got[:4] == [60.0, 70.0, 80.0, 40.0] and math.isnan(got[4])


def test_teams_are_whole_teams_of_the_full_month(month_ds):
    from analytics import lake

    lk = lake.open_lake(month_ds)
    full = sc.agent_month(lk, date(2026, 10, 1), Scope.everything())
    t2 = sc.agent_month(lk, date(2026, 10, 1), Scope.everything(), ("T2",))
    assert t2["employee_id"].tolist() == ["B1"] and t2["rank"].tolist() == [1]
    assert t2.iloc[0]["score"] == full.set_index("employee_id").loc["B1", "score"]


def test_team_trend_months_by_hand_computed_together_then_cached_each(month_ds):
    """September and October in one trend, on a lake that has computed neither: the months
    are computed together, and each month's cards are then in the cache on their own."""
    from analytics import lake

    lk = lake.Lake(month_ds)  # a fresh lake: an empty cache
    trend = sc.team_trend(lk, date(2026, 10, 1), Scope.everything(), months=2)
    got = {(str(r.month)[:7], r.team): r for r in trend.itertuples(index=False)}
    # September: A1's one call of the 10th only (no staffed day, no QA, no appraisal, no csat or
    # fcr), so only the complaints component (answered > 0, no valid complaint: 100) is present.
    # A2 and B1 have nothing in September; X9 left on 31 August.
    assert set(got) == {("2026-09", "T1"), ("2026-10", "T1"), ("2026-10", "T2")}
    sep = got[("2026-09", "T1")]
    assert (sep.agents, sep.answered, sep.score) == (1, 1, pytest.approx(100.0))
    assert math.isnan(sep.qa_score)
    # October T1: A1 and A2, 4 + 1 answered on 2 + 1 staffed days, QA (85 + 60) / 2, the mean score.
    oct1 = got[("2026-10", "T1")]
    assert (oct1.agents, oct1.answered, oct1.agent_days) == (2, 5, 3)
    assert oct1.answered_per_day == pytest.approx(5 / 3)
    assert oct1.qa_score == pytest.approx(72.5)
    assert oct1.score == pytest.approx((64.801587 + 38.650794) / 2, abs=1e-4)
    assert oct1.valid_complaints == 1 and oct1.late_count == 2
    assert oct1.attendance_rate == pytest.approx(0.95)
    oct2 = got[("2026-10", "T2")]
    assert (oct2.agents, oct2.answered, oct2.qa_score) == (1, 2, pytest.approx(70.0))
    assert oct2.score == pytest.approx(70.912698, abs=1e-4)
    # Each month now answers from the cache: October's cards are A1, A2 and B1 by hand.
    before = lk.cache_misses
    oct_cards = sc.agent_month(lk, date(2026, 10, 1), Scope.everything())
    assert lk.cache_misses == before
    assert oct_cards.set_index("employee_id")["score"].round(2).to_dict() == {
        "A1": A1_SCORE,
        "A2": A2_SCORE,
        "B1": B1_SCORE,
    }


def test_team_summary_sums_counts_and_averages_means():
    cards = pd.DataFrame(
        {
            "team": ["T1", "T1", None],
            "employee_id": ["a", "b", "c"],
            "answered": [10.0, 20.0, 5.0],
            "agent_days": [2.0, 3.0, 1.0],
            "handled": [10.0, 10.0, 5.0],
            "handle_s": [1000.0, 3000.0, 500.0],
            "within_target": [5.0, 5.0, 5.0],
            "transferred": [1.0, 2.0, 0.0],
            "csat_sum": [8.0, 4.0, float("nan")],
            "csat_n": [2.0, 2.0, 0.0],
            "fcr_yes": [1.0, 1.0, 0.0],
            "fcr_n": [2.0, 2.0, 0.0],
            "qa_score": [80.0, float("nan"), 60.0],
            "valid_complaints": [0.0, 1.0, 0.0],
            "attendance_rate": [1.0, 0.8, 0.9],
            "late_count": [1.0, 2.0, 0.0],
            "score": [70.0, 50.0, 40.0],
        }
    )
    out = sc.team_summary(cards)
    t1 = out[out["team"] == "T1"].iloc[0]
    assert (t1["agents"], t1["answered"], t1["agent_days"]) == (2, 30.0, 5.0)
    assert t1["answered_per_day"] == pytest.approx(6.0) and t1["aht_s"] == pytest.approx(200.0)
    assert t1["csat"] == pytest.approx(3.0) and t1["fcr"] == pytest.approx(0.5)
    assert t1["qa_score"] == pytest.approx(80.0) and t1["qa_grade"] == "medium"  # the mean skips NaN
    assert t1["attendance_rate"] == pytest.approx(0.9) and t1["score"] == pytest.approx(60.0)
    assert t1["within_target_share"] == pytest.approx(0.5) and t1["transfer_share"] == pytest.approx(0.1)
    none = out[out["team"].isna()].iloc[0]  # a team-less agent keeps a row of their own
    assert none["agents"] == 1 and math.isnan(none["csat"]) and none["qa_grade"] == "poor"


def test_agent_evaluations_by_local_month(month_ds):
    from analytics import lake

    lk = lake.open_lake(month_ds)
    # E4 at 2026-09-30 20:00 UTC is 1 October 04:00 in Shanghai: October's, not September's.
    octo = sc.agent_evaluations(lk, date(2026, 10, 1), Scope.everything(), "B1")
    assert octo["score"].tolist() == [70.0] and str(octo["day"].iloc[0])[:10] == "2026-10-01"
    assert sc.agent_evaluations(lk, date(2026, 9, 1), Scope.everything(), "B1").empty
