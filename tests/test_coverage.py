"""Required against staffed from the lake, the plan's arithmetic and the forecast's day types,
on hand-made tables whose expected values were worked out by hand."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

from analytics import coverage, lake, staffing
from analytics.access import Scope
from analytics.filters import Filters
from analytics.metrics import ServiceSettings
from tests.conftest import build_dataset

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Shanghai


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    # 10:00-10:15: 50 calls of 180 s handle time -> 50 x 180 / 900 = 10 Erlangs, the
    # reference case 1 workload (100 calls per 30 min), which needs 14 agents for 80 % in 20 s.
    calls = [
        {
            "call_id": f"c{i}",
            "queue": "Q1",
            "center": "C1",
            "direction": "inbound",
            "arrived_at": T0 + timedelta(seconds=i * 17),
            "answered_at": T0 + timedelta(seconds=i * 17 + 5),
            "ended_at": T0 + timedelta(seconds=i * 17 + 185),
            "agent_id": f"A{i % 12}",
            "talk_s": 180.0,
            "hold_s": 0.0,
            "acw_s": 0.0,
            "category": "common",
        }
        for i in range(50)
    ]
    intervals = (
        # 12 agents signed in for the whole busy interval: 2 short of the 14 required.
        [
            {
                "agent_id": f"A{i}",
                "interval_start": T0,
                "center": "C1",
                "queue": "Q1",
                "staffed_s": 900,
                "available_s": 150,
                "handling_s": 750,
            }
            for i in range(12)
        ]
        # 10:15-10:30: no calls, 3 agents signed in: 3 spare.
        + [
            {
                "agent_id": f"A{i}",
                "interval_start": T0 + timedelta(minutes=15),
                "center": "C1",
                "queue": "Q1",
                "staffed_s": 900,
                "available_s": 900,
                "handling_s": 0,
            }
            for i in range(3)
        ]
    )
    root = build_dataset(tmp_path_factory.mktemp("cov"), calls=calls, agent_intervals=intervals)
    return lake.open_lake(root)


def test_required_against_staffed_per_interval(tiny):
    f = Filters(date(2026, 3, 2), date(2026, 3, 2))
    df = coverage.coverage(
        tiny, f, Scope.everything(), ServiceSettings(), coverage.CoverageSettings(target_sl=0.8, shrinkage=0.3)
    )
    busy, quiet = df.iloc[0], df.iloc[1]
    assert busy["interval15"] == datetime(2026, 3, 2, 10, 0) and quiet["interval15"] == datetime(2026, 3, 2, 10, 15)
    assert busy["offered"] == 50 and busy["aht_s"] == pytest.approx(180)
    assert busy["staffed_agents"] == pytest.approx(12)
    assert busy["traffic_erlangs"] == pytest.approx(10)
    assert busy["required_agents"] == 14 and busy["gap_agents"] == pytest.approx(-2) and bool(busy["short"])
    assert busy["scheduled_agents"] == 20  # ceil(14 / 0.7), reference case 1c
    assert quiet["required_agents"] == 0 and quiet["gap_agents"] == pytest.approx(3) and not bool(quiet["short"])
    s = coverage.shortfall_summary(df)
    assert s["intervals"] == 1 and s["intervals_short"] == 1 and s["share_short"] == 1.0
    assert s["agent_hours_short"] == pytest.approx(2 * 0.25)
    assert s["required_agent_hours"] == pytest.approx(14 * 0.25)
    assert s["staffed_agent_hours"] == pytest.approx((12 + 3) * 0.25)


def test_gap_heatmap_cells(tiny):
    f = Filters(date(2026, 3, 2), date(2026, 3, 2))
    df = coverage.coverage(tiny, f, Scope.everything(), ServiceSettings())
    cells = coverage.gap_by_weekday_and_time(df).set_index(["weekday", "time"])["gap_agents"]
    assert cells[(1, "10:00")] == pytest.approx(-2) and cells[(1, "10:15")] == pytest.approx(3)


def test_monthly_plan_by_hand():
    # Base November 2026: 21 working days (Mon-Fri, no holiday). December 2026: 23.
    plan = coverage.monthly_plan(
        2100.0,
        date(2026, 11, 1),
        headcount=16,
        plan=coverage.PlanSettings(
            months=1, annual_turnover=0.24, training_weeks=4, shrinkage=0.25, hours_per_fte_day=8
        ),
    )
    r = plan.iloc[0]
    assert r["month"] == date(2026, 12, 1) and r["working_days"] == 23
    assert r["required_agent_hours"] == pytest.approx(2100 * 23 / 21)  # 2300 h
    assert r["agents_needed"] == 17  # ceil(2300 / (8 x 23 x 0.75))
    assert r["expected_leavers"] == 0  # 16 x 0.24 / 12 = 0.32: no whole person
    assert r["headcount_start"] == 16 and r["expected_without_hiring"] == 16
    assert r["hires_needed"] == 1  # 17 - 16
    assert r["start_training_by"] == date(2026, 11, 3)  # 4 weeks before 1 December
    assert r["late_by_days"] == 0  # no "today" given
    assert bool(r["statutory_calendar"])
    enough = coverage.monthly_plan(
        2100.0,
        date(2026, 11, 1),
        headcount=18,
        plan=coverage.PlanSettings(months=1, annual_turnover=0.24, shrinkage=0.25),
    )
    assert enough.iloc[0]["hires_needed"] == 0 and enough.iloc[0]["start_training_by"] is None


def test_plan_counts_whole_people_and_says_how_late():
    # 100 agents at 30 % a year (2.5 % a month), no workload so no hires. Expected leavers
    # 2.5, then 97.5 x 0.025 = 2.4375, then 95.0625 x 0.025 = 2.3766: running totals 2.5,
    # 4.9375, 7.314 round to 2 (half to even), 5, 7: whole leavers 2, 3, 2.
    plan = coverage.monthly_plan(
        0.0,
        date(2026, 11, 1),
        headcount=100,
        plan=coverage.PlanSettings(months=3, annual_turnover=0.30, training_weeks=4),
        today=date(2026, 11, 30),
    )
    assert plan["expected_leavers"].tolist() == [2, 3, 2]
    assert plan["headcount_start"].tolist() == [100, 98, 95]  # nobody is needed: no hires
    for col in ("headcount_start", "expected_leavers", "expected_without_hiring", "hires_needed"):
        assert all(float(v).is_integer() for v in plan[col]), col
    # A month that needs hires whose training should have started before the data's last day.
    late = coverage.monthly_plan(
        2100.0,
        date(2026, 11, 1),
        headcount=16,
        plan=coverage.PlanSettings(
            months=1, annual_turnover=0.24, training_weeks=4, shrinkage=0.25, hours_per_fte_day=8
        ),
        today=date(2026, 11, 30),
    )
    assert late.iloc[0]["start_training_by"] == date(2026, 11, 3) and late.iloc[0]["late_by_days"] == 27


def test_plan_beyond_the_calendar_is_flagged():
    plan = coverage.monthly_plan(1000.0, date(2026, 11, 1), 10, coverage.PlanSettings(months=3))
    assert plan["statutory_calendar"].tolist() == [True, False, False]  # December 2026, then 2027


def test_forecast_day_types():
    assert coverage.day_type(date(2026, 10, 1)) == "holiday"  # National Day
    assert coverage.day_type(date(2026, 10, 10)) == "adjusted_workday"  # Saturday made a working day
    assert coverage.day_type(date(2026, 10, 12)) == "workday-1"  # an ordinary Monday
    assert coverage.day_type(date(2026, 10, 11)) == "weekend-7"  # an ordinary Sunday


def test_forecast_uses_earlier_days_of_the_same_type(tiny):
    # The forecast for Monday 2026-03-09 is the mean of earlier Mondays: only 2026-03-02 has data.
    f = Filters(date(2026, 3, 9), date(2026, 3, 9))
    df = coverage.coverage(tiny, f, Scope.everything(), ServiceSettings(), coverage.CoverageSettings(basis="forecast"))
    row = df[df["interval15"] == datetime(2026, 3, 9, 10, 0)].iloc[0]
    assert row["offered"] == 50 and row["aht_s"] == pytest.approx(180)
    assert row["staffed_agents"] == 0 and row["required_agents"] == 14  # nobody was rostered that day


# --- caller patience, Erlang A on a profile, the attrition projection ------------------------------


def test_caller_patience_is_waiting_time_over_abandons(tiny, monkeypatch):
    # The tiny month: 50 answered calls, each waited 5 s, none abandoned: no estimate.
    pat = coverage.caller_patience(tiny, date(2026, 3, 1), Scope.everything())
    assert pat.iloc[0]["abandoned"] == 0 and pat["patience_s"].isna().all()


def test_caller_patience_by_hand(tmp_path, monkeypatch):
    # Answered after 10 s and 30 s (patience not used up), abandoned after 20 s and 40 s:
    # exponential patience, maximum likelihood: (10 + 30 + 20 + 40) / 2 abandons = 50 s.
    waits = [(10, True), (30, True), (20, False), (40, False)]
    calls = [
        {
            "call_id": f"p{i}",
            "queue": "Q1",
            "center": "C1",
            "direction": "inbound",
            "arrived_at": T0 + timedelta(minutes=i),
            "answered_at": T0 + timedelta(minutes=i, seconds=w) if ans else None,
            "ended_at": T0 + timedelta(minutes=i, seconds=w + (60 if ans else 0)),
            "talk_s": 60.0 if ans else None,
        }
        for i, (w, ans) in enumerate(waits)
    ]
    lk = lake.open_lake(build_dataset(tmp_path / "p", calls=calls))
    monkeypatch.setattr(coverage, "MIN_ABANDONS_FOR_PATIENCE", 2)
    pat = coverage.caller_patience(lk, date(2026, 3, 1), Scope.everything()).iloc[0]
    assert (pat["offered"], pat["abandoned"]) == (4, 2) and pat["patience_s"] == pytest.approx(50.0)
    monkeypatch.setattr(coverage, "MIN_ABANDONS_FOR_PATIENCE", 3)
    assert coverage.caller_patience(lk, date(2026, 3, 1), Scope.everything())["patience_s"].isna().all()


def test_profile_service_level_uses_the_reference_cases():
    # Q1: reference case 3 (10 Erlangs, AHT 180 s, 14 agents, patience 300 s): Erlang A SL(20 s)
    # 0.916792. Q2: case 1b (13 agents, no patience known): Erlang C 0.7956, reached here
    # as 26 staffed agents halved by the staff factor. A row without calls weighs nothing.
    profile = pd.DataFrame(
        [
            {
                "queue": "Q1",
                "day_type": "peak",
                "time": "10:00",
                "offered": 50.0,
                "aht_s": 180.0,
                "staffed_agents": 14.0,
                "days": 3,
            },
            {
                "queue": "Q1",
                "day_type": "peak",
                "time": "03:00",
                "offered": 0.0,
                "aht_s": None,
                "staffed_agents": 1.0,
                "days": 3,
            },
            {
                "queue": "Q2",
                "day_type": "peak",
                "time": "10:00",
                "offered": 50.0,
                "aht_s": 180.0,
                "staffed_agents": 26.0,
                "days": 3,
            },
        ]
    )
    sl = coverage.profile_service_level(profile, 20, {"Q1": 300.0}, staff_factor={"Q2": 0.5}).set_index("queue")
    # (the 20 s threshold is rounded to 0.1111 AHT for the cache: a few 1e-5 off)
    assert sl.loc["Q1", "service_level"] == pytest.approx(0.916792, abs=2e-4)
    assert sl.loc["Q1", "model"] == "erlang_a"
    assert sl.loc["Q2", "service_level"] == pytest.approx(0.7956, abs=1e-4)
    assert sl.loc["Q2", "model"] == "erlang_c"


def test_projection_totals_weigh_queues_by_calls():
    proj = pd.DataFrame(
        [
            {
                "scenario": "expected",
                "month": date(2027, 1, 1),
                "queue": "A",
                "calls": 300.0,
                "service_level": 0.9,
                "service_level_base": 0.95,
                "agents_start": 10.0,
                "hires": 0,
                "expected_leavers": 1.0,
                "in_training": 0.0,
                "productive": 9.5,
            },
            {
                "scenario": "expected",
                "month": date(2027, 1, 1),
                "queue": "B",
                "calls": 100.0,
                "service_level": 0.5,
                "service_level_base": 0.55,
                "agents_start": 4.0,
                "hires": 0,
                "expected_leavers": 0.5,
                "in_training": 0.0,
                "productive": 3.7,
            },
        ]
    )
    r = coverage.projection_totals(proj).iloc[0]
    assert r["service_level"] == pytest.approx((300 * 0.9 + 100 * 0.5) / 400)  # 0.80
    assert r["service_level_change"] == pytest.approx(-0.05)
    assert r["expected_leavers"] == pytest.approx(1.5) and r["productive"] == pytest.approx(13.2)


@pytest.fixture(scope="module")
def staffed_lake(tmp_path_factory):
    # Four agents hired in 2020 who staffed Q1 in March 2026, one hired 10 days before the
    # end of March (in training, no intervals yet: their team's queue).
    t = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
    emp = [
        {
            "employee_id": f"A{i}",
            "name": f"a{i}",
            "center": "C1",
            "team": "T1",
            "role": "csr",
            "hire_date": "2020-01-01",
        }
        for i in range(4)
    ]
    emp.append(
        {"employee_id": "N1", "name": "n", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2026-03-22"}
    )
    intervals = [
        {
            "agent_id": f"A{i}",
            "interval_start": t,
            "center": "C1",
            "queue": "Q1",
            "staffed_s": 900,
            "available_s": 900,
            "handling_s": 0,
        }
        for i in range(4)
    ]
    root = build_dataset(tmp_path_factory.mktemp("hc"), employees=emp, agent_intervals=intervals)
    return lake.open_lake(root)


def test_headcount_outlook_with_a_flat_rate_by_hand(staffed_lake):
    plan = coverage.ProjectionSettings(months=1, training_weeks=4, leaver_model="turnover", annual_turnover=0.365)
    out = coverage.headcount_outlook(staffed_lake, date(2026, 3, 31), Scope.everything(), plan, date(2026, 3, 1))
    r = out[out["scenario"] == "expected"].set_index("queue").loc["Q1"]
    # 0.365 a year = 0.001 a day. April: 30 days after 31 March, mid-month 15 days.
    assert r["agents_start"] == pytest.approx(5)
    assert r["expected_leavers"] == pytest.approx(5 * (1 - np.exp(-0.030)))  # 0.1478
    # N1 is 26 days in on 15 April: still in training (4 weeks = 28 days).
    assert r["in_training"] == pytest.approx(np.exp(-0.015))
    assert r["productive"] == pytest.approx(4 * np.exp(-0.015))


def test_headcount_outlook_what_if(staffed_lake):
    plan = coverage.ProjectionSettings(
        months=2, training_weeks=4, leaver_model="turnover", annual_turnover=0.365, extra_hires=2, attrition_cut=0.5
    )
    out = coverage.headcount_outlook(staffed_lake, date(2026, 3, 31), Scope.everything(), plan, date(2026, 3, 1))
    w = out[out["scenario"] == "what_if"].set_index("month")
    april, may = w.loc[date(2026, 4, 1)], w.loc[date(2026, 5, 1)]
    assert april["hires"] == 2 and april["agents_start"] == pytest.approx(5)  # they join on 1 April
    # Half the leaving kept: P(leave by 30 April) = (1 - e^-0.030) / 2 for the five, and for
    # the two hires (1 - e^-0.029) / 2 (29 days on the books), all leaving within April.
    expect = 5 * (1 - np.exp(-0.030)) / 2 + 2 * (1 - np.exp(-0.029)) / 2
    assert april["expected_leavers"] == pytest.approx(expect)
    # Mid-May (45 days on) the hires are 44 days in: trained; N1 too.
    assert may["in_training"] == pytest.approx(0)


def test_model_check_puts_the_models_beside_the_calls(tiny):
    from analytics import staffing

    mc = coverage.model_check(tiny, date(2026, 3, 1), Scope.everything(), ServiceSettings()).set_index("queue")
    # All 50 calls were answered after 5 s: 100 % within 20 s. Twelve agents on 10 Erlangs:
    # Erlang C's SL(20 s) for that interval (the 10:15 interval has no calls and weighs nothing).
    assert mc.loc["Q1", "offered"] == 50 and mc.loc["Q1", "observed"] == pytest.approx(1.0)
    assert mc.loc["Q1", "erlang_c"] == pytest.approx(staffing.erlang_c(50, 180, 900, 12, 20).service_level)
    assert pd.isna(mc.loc["Q1", "erlang_a"])  # nobody hung up: no patience estimate, no Erlang A figure


@pytest.fixture(scope="module")
def impatient(tmp_path_factory):
    # One interval (Monday 10:00-10:15 local): 30 calls answered after 10 s (180 s talk) and
    # 30 hung up after 50 s. Exponential patience, maximum likelihood: all waiting time over
    # the abandons = (30 x 10 + 30 x 50) / 30 = 60 s. Offered 60 at AHT 180 s: 12 Erlangs.
    calls = [
        {
            "call_id": f"i{i}",
            "queue": "Q1",
            "center": "C1",
            "direction": "inbound",
            "arrived_at": T0 + timedelta(seconds=i * 14),
            "answered_at": T0 + timedelta(seconds=i * 14 + 10) if i % 2 == 0 else None,
            "ended_at": T0 + timedelta(seconds=i * 14 + (190 if i % 2 == 0 else 50)),
            "agent_id": f"A{i % 10}" if i % 2 == 0 else None,
            "talk_s": 180.0 if i % 2 == 0 else None,
            "hold_s": 0.0 if i % 2 == 0 else None,
            "acw_s": 0.0 if i % 2 == 0 else None,
            "category": "common",
        }
        for i in range(60)
    ]
    intervals = [  # 10 agents signed in for the whole interval
        {
            "agent_id": f"A{i}",
            "interval_start": T0,
            "center": "C1",
            "queue": "Q1",
            "staffed_s": 900,
            "available_s": 0,
            "handling_s": 900,
        }
        for i in range(10)
    ]
    return lake.open_lake(build_dataset(tmp_path_factory.mktemp("imp"), calls=calls, agent_intervals=intervals))


def test_coverage_uses_erlang_a_where_patience_is_known(impatient, monkeypatch):
    from analytics import staffing

    f = Filters(date(2026, 3, 2), date(2026, 3, 2))
    monkeypatch.setattr(coverage, "MIN_ABANDONS_FOR_PATIENCE", 30)
    impatient.clear_cache()
    row = coverage.coverage(impatient, f, Scope.everything(), ServiceSettings()).iloc[0]
    assert row["model"] == "erlang_a" and row["patience_s"] == pytest.approx(60.0)
    assert row["offered"] == 60 and row["aht_s"] == pytest.approx(180.0) and row["staffed_agents"] == pytest.approx(10)
    # The scalar Erlang A (truncated chain) on the same interval: an independent computation.
    need = staffing.required_agents(60, 180, 900, 20, 0.8, patience_s=60.0)
    assert row["required_agents"] == need.agents
    assert row["service_level_at_staffed"] == pytest.approx(staffing.erlang_a(60, 180, 900, 10, 20, 60.0).service_level)
    summary = coverage.model_summary(coverage.coverage(impatient, f, Scope.everything(), ServiceSettings()))
    assert summary == {"erlang_a_queues": 1, "erlang_c_queues": 0, "patience_min_s": 60.0, "patience_max_s": 60.0}
    # One abandon short of the minimum: no estimate, Erlang C (and the row says so).
    monkeypatch.setattr(coverage, "MIN_ABANDONS_FOR_PATIENCE", 31)
    impatient.clear_cache()
    row = coverage.coverage(impatient, f, Scope.everything(), ServiceSettings()).iloc[0]
    assert row["model"] == "erlang_c" and pd.isna(row["patience_s"])
    assert row["required_agents"] == staffing.required_agents(60, 180, 900, 20, 0.8).agents
    # Erlang C ignores the hang-ups and asks for more agents than Erlang A here.
    assert row["required_agents"] > need.agents


def test_observed_turnover_by_hand(tmp_path):
    # Month starts 2025-03-01 .. 2026-03-01 (13). E1 employed throughout: 13; E2 left on
    # 2025-09-15 (still employed on 2025-09-01): 7 month starts, and the one leaver; E3
    # joined 2025-06-10: 9 month starts; a team leader does not count. Turnover =
    # 1 leaver / ((13 + 7 + 9) / 13) = 13 / 29.
    def person(pid, role, hired, left=None):
        return {"employee_id": pid, "center": "C1", "team": "T1", "role": role, "hire_date": hired, "exit_date": left}

    people = [
        person("E1", "csr", "2020-01-01"),
        person("E2", "senior_csr", "2020-01-01", "2025-09-15"),
        person("E3", "csr", "2025-06-10"),
        person("E4", "team_leader", "2020-01-01", "2025-10-01"),
    ]
    lk = lake.open_lake(build_dataset(tmp_path / "hr", employees=people))
    assert coverage.observed_turnover(lk, date(2026, 3, 31), Scope.everything()) == pytest.approx(13 / 29)
    assert coverage.agent_headcount(lk, date(2025, 9, 1), Scope.everything()) == 3


def test_profile_service_level_equals_the_scalar_models_per_interval():
    # Every profile row by the scalar models (Erlang A's truncated chain with the rounded
    # ratios, Erlang C's formula), interpolated between whole agents and weighted by calls
    # x days, against the profile evaluated on arrays.
    from analytics import staffing

    rng = np.random.default_rng(5)
    rows = 60
    profile = pd.DataFrame(
        {
            "queue": rng.choice(["QA", "QB", "QC"], rows),
            "offered": rng.choice([0.0, 0.4, 3.0, 12.0, 40.0, 90.0], rows),
            "aht_s": rng.uniform(120, 420, rows),
            "staffed_agents": rng.uniform(0.2, 40, rows),
            "days": rng.integers(1, 12, rows),
        }
    )
    patience = {"QA": 110.0, "QB": 480.0, "QC": None}
    staff, volume = {"QA": 0.9}, {"QB": 1.2}
    got = coverage.profile_service_level(profile, 20, patience, staff, volume).set_index("queue")

    def one(n, a, aht, p):
        if p is None:
            return float(staffing._erlang_c_service_level(n, a, aht, 20))
        if n == 0:
            return 0.0
        return staffing._erlang_a_core(a, round(aht / p, 4), n, round(20 / aht, 4))[2]

    for q in ("QA", "QB", "QC"):
        part = profile[(profile["queue"] == q) & (profile["offered"] > 0)]
        num = den = 0.0
        for r in part.itertuples():
            offered, staffed = r.offered * volume.get(q, 1.0), r.staffed_agents * staff.get(q, 1.0)
            a = round(offered * r.aht_s / 900 / 0.05) * 0.05
            lo, hi = int(np.floor(staffed)), int(np.ceil(staffed))
            sl = 1.0
            if a > 0:
                sl_lo, sl_hi = one(lo, a, r.aht_s, patience[q]), one(hi, a, r.aht_s, patience[q])
                sl = sl_lo + (sl_hi - sl_lo) * (staffed - lo)
            num, den = num + sl * r.offered * r.days, den + r.offered * r.days
        assert got.loc[q, "service_level"] == pytest.approx(num / den, abs=1e-9)
        assert got.loc[q, "model"] == ("erlang_c" if q == "QC" else "erlang_a")


# --- caller patience from the rollups, and the fallback for rollups of an older format ----------


def _patience_calls():
    # Q1, Monday 10:00 Shanghai: 40 callers hung up after 10, 11, ..., 49 s and 20 were answered
    # after 5, 6, ..., 24 s; one outbound call (not a caller waiting) is left out.
    # Waiting time 10+...+49 = 1180 s and 5+...+24 = 290 s: 1470 s over 40 abandons = 36.75 s.
    rows = []
    for i in range(40):
        at = T0 + timedelta(seconds=30 * i)
        rows.append(
            {"call_id": f"ab{i}", "queue": "Q1", "center": "C1", "direction": "inbound", "arrived_at": at,
             "ended_at": at + timedelta(seconds=10 + i), "category": "common"}
        )  # fmt: skip
    for i in range(20):
        at = T0 + timedelta(seconds=30 * i + 7)
        rows.append(
            {"call_id": f"an{i}", "queue": "Q1", "center": "C1", "direction": "inbound", "arrived_at": at,
             "answered_at": at + timedelta(seconds=5 + i), "ended_at": at + timedelta(seconds=125 + i),
             "agent_id": "A1", "talk_s": 120.0, "hold_s": 0.0, "acw_s": 0.0, "category": "common"}
        )  # fmt: skip
    at = T0 + timedelta(minutes=5)
    rows.append(
        {"call_id": "out", "queue": "Q1", "center": "C1", "direction": "outbound", "arrived_at": at,
         "ended_at": at + timedelta(seconds=999), "category": "common"}
    )  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def patience_root(tmp_path_factory):
    staffed = [
        {"agent_id": "A1", "interval_start": T0 + timedelta(hours=3), "center": "C1", "queue": "Q1",
         "staffed_s": 900, "available_s": 900, "handling_s": 0}
    ]  # fmt: skip  # an interval with an agent signed in and no calls
    return build_dataset(tmp_path_factory.mktemp("pat"), calls=_patience_calls(), agent_intervals=staffed)


def _sums_and_sources(lk, monkeypatch):
    read = []
    real = lk.query

    def recording(sql, params=None, months=None):
        read.append(lake.sql_views(sql))
        return real(sql, params, months)

    monkeypatch.setattr(lk, "query", recording)
    sums = coverage._patience_sums(lk, date(2026, 3, 1), Scope.everything())
    pat = coverage.caller_patience(lk, date(2026, 3, 1), Scope.everything()).iloc[0]
    return sums, pat, read


def _check_by_hand(sums, pat):
    assert sums[["queue", "center", "offered", "abandoned"]].values.tolist() == [["Q1", "C1", 60, 40]]
    assert sums["waited_s"].iloc[0] == pytest.approx(1470.0)
    assert (pat["offered"], pat["abandoned"]) == (60, 40) and pat["patience_s"] == pytest.approx(36.75)


def test_caller_patience_is_read_from_the_queue_interval_rollup(patience_root, monkeypatch):
    lk = lake.Lake(patience_root)
    assert lake.read_published(patience_root)["rollup_format"] == lake.ROLLUP_FORMAT
    assert lk.has_rollups(("queue_interval",), min_format=2)
    sums, pat, read = _sums_and_sources(lk, monkeypatch)
    _check_by_hand(sums, pat)
    assert read == [frozenset({"rollup_queue_interval"})]  # no scan of the raw calls


def _as_written_by_older_code(src, dst):
    """A copy of ``src`` whose rollups lack wait_abandoned_s and whose manifest names no format."""
    import json
    import shutil

    import pyarrow.parquet as pq

    shutil.copytree(src, dst)
    for f in (dst / "_rollups").glob("queue_*/month=*/*.parquet"):
        t = pq.read_table(f)
        pq.write_table(t.drop_columns(["wait_abandoned_s"]), f)
    manifest = json.loads((dst / lake.PUBLISHED).read_text())
    del manifest["rollup_format"]
    (dst / lake.PUBLISHED).write_text(json.dumps(manifest))
    return dst


def test_rollups_of_an_older_format_fall_back_to_the_calls_until_repaired(patience_root, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    old = _as_written_by_older_code(patience_root, tmp_path / "old")
    lk = lake.Lake(old)
    assert lk.has_rollups(("queue_interval",)) and not lk.has_rollups(("queue_interval",), min_format=2)
    assert "wait_abandoned_s" not in set(lk.query("DESCRIBE rollup_queue_interval")["column_name"])
    sums, pat, read = _sums_and_sources(lk, monkeypatch)
    _check_by_hand(sums, pat)
    assert read == [frozenset({"calls"})]
    monkeypatch.undo()

    done = lake.repair(old)  # every month rebuilt in the current format
    assert done["months"] == ["2026-03"] and done["rollup_format"] == lake.ROLLUP_FORMAT
    assert lake.read_published(old)["rollup_format"] == lake.ROLLUP_FORMAT
    files = lake.read_published(old)["rollups"]
    for rollup in ("queue_interval", "queue_day"):
        assert "wait_abandoned_s" in pq.read_schema(old / files[rollup]["2026-03"]).names
    assert lake.repair(old) == {}  # nothing left to do
    sums, pat, read = _sums_and_sources(lake.Lake(old), monkeypatch)
    _check_by_hand(sums, pat)
    assert read == [frozenset({"rollup_queue_interval"})]


def test_required_agents_alone_equal_those_beside_the_service_level():
    df = pd.DataFrame(
        {"offered": [0, 50, 30, 12], "aht_s": [None, 180.0, 240.0, 200.0], "staffed_agents": [2.0, 12.0, 9.5, None]}
    )
    both = staffing.required_vs_staffed(df, 20, 0.8, 0.3, patience_s=[np.nan, 300.0, np.nan, 90.0])
    alone = staffing.required_vs_staffed(
        df, 20, 0.8, 0.3, patience_s=[np.nan, 300.0, np.nan, 90.0], service_levels=False
    )
    assert both["required_agents"].tolist() == alone["required_agents"].tolist()
    # no calls and 2 agents: 1 without any model; the two busy intervals with agents need one
    assert alone["service_level_at_staffed"].tolist()[0] == 1.0 and alone["service_level_at_staffed"][1:].isna().all()
    assert both["service_level_at_staffed"].notna().tolist() == [True, True, True, False]
    later = staffing.with_service_levels(alone, 20)
    pd.testing.assert_frame_equal(later, both)
    pd.testing.assert_frame_equal(staffing.with_service_levels(alone.iloc[[2]], 20), both.iloc[[2]])


def test_worst_intervals_are_the_first_rows_of_the_full_sort():
    """The page's worst-intervals table equals the first n rows of sorting every interval
    with calls by (gap, queue, interval), unknown gaps last: random frames with ties."""
    rng = np.random.default_rng(7)
    for _ in range(300):
        n = int(rng.integers(0, 90))
        gap = rng.integers(-6, 3, n).astype(float)
        gap[rng.random(n) < 0.3] = np.nan  # unknown staffing
        df = pd.DataFrame(
            {
                "gap_agents": gap,
                "queue": rng.choice(["Q1", "Q2", "Q3"], n),
                "interval15": pd.Timestamp("2026-10-01") + pd.to_timedelta(rng.permutation(n) * 15, "min"),
                "offered": rng.integers(0, 3, n),
            }
        )
        expected = df[df["offered"] > 0].sort_values(["gap_agents", "queue", "interval15"]).head(20)
        assert coverage.worst_intervals(df, 20).equals(expected)


def _reference_summaries(df: pd.DataFrame) -> tuple:
    """The staffing page's summaries written plainly over the busy rows (as they were before
    they went to column arrays): the reference for the faster ones."""
    busy = df[df["offered"] > 0]
    short = busy[busy["short"].fillna(False).astype(bool)]
    hours = coverage.INTERVAL_S / 3600
    shortfall = {
        "intervals": len(busy),
        "intervals_short": len(short),
        "share_short": len(short) / len(busy) if len(busy) else None,
        "agent_hours_short": float(-short["gap_agents"].sum() * hours),
        "required_agent_hours": float(busy["required_agents"].astype("float64").sum() * hours),
        "staffed_agent_hours": float(df["staffed_agents"].fillna(0).sum() * hours),
    }
    a = busy[busy["model"] == "erlang_a"]
    models = {
        "erlang_a_queues": int(a["queue"].nunique()),
        "erlang_c_queues": int(busy.loc[busy["model"] == "erlang_c", "queue"].nunique()),
        "patience_min_s": float(a["patience_s"].min()) if len(a) else None,
        "patience_max_s": float(a["patience_s"].max()) if len(a) else None,
    }
    g = df.groupby("interval15")
    per = pd.DataFrame({"gap_agents": g["gap_agents"].sum(min_count=1), "offered": g["offered"].sum()}).reset_index()
    ts = pd.to_datetime(per["interval15"])
    per["weekday"], per["time"] = ts.dt.day_of_week + 1, ts.dt.strftime("%H:%M")
    gaps = per.groupby(["weekday", "time"], as_index=False).agg(
        gap_agents=("gap_agents", "mean"), offered=("offered", "sum")
    )
    return shortfall, models, gaps


def _same(a, b) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and (math.isclose(a, b) or a != a and b != b))


def test_staffing_summaries_equal_their_plain_definitions():
    rng = np.random.default_rng(11)
    for _ in range(200):
        n = int(rng.integers(1, 400))
        gap = rng.integers(-6, 3, n).astype(float)
        gap[rng.random(n) < 0.3] = np.nan
        required = pd.array(rng.integers(0, 9, n), dtype="Int64")
        required[rng.random(n) < 0.2] = pd.NA
        short = pd.array(gap < 0, dtype="boolean")
        short[rng.random(n) < 0.2] = pd.NA
        patience = rng.uniform(20, 200, n)
        patience[rng.random(n) < 0.3] = np.nan
        df = pd.DataFrame(
            {
                "interval15": pd.Timestamp("2026-10-05") + pd.to_timedelta(rng.integers(0, 7 * 96, n) * 15, "min"),
                "queue": rng.choice(["Q1", "Q2", "Q3", "Q4"], n),
                "offered": rng.integers(0, 4, n),
                "staffed_agents": np.where(rng.random(n) < 0.2, np.nan, rng.uniform(0, 9, n)),
                "required_agents": required,
                "gap_agents": gap,
                "short": short,
                "model": pd.Categorical(rng.choice(["erlang_a", "erlang_c"], n)),
                "patience_s": patience,
            }
        )
        shortfall, models, gaps = _reference_summaries(df)
        got = coverage.shortfall_summary(df)
        assert got.keys() == shortfall.keys() and all(_same(got[k], shortfall[k]) for k in got), (got, shortfall)
        got = coverage.model_summary(df)
        assert all(_same(got[k], models[k]) for k in models), (got, models)
        pd.testing.assert_frame_equal(coverage.gap_by_weekday_and_time(df), gaps, check_dtype=False)
