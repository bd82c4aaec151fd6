"""HR figures by team as held at the time (issue 16, item 3), on six hand-made people.

Teams T1 and T2 of center C1; the period is 2026-01-01 .. 2026-06-30 (181 days), so the
opening headcount is taken at the end of 2025-12-31 and the closing at the end of 06-30.

    A  csr, hired 2024-01-01 into T1, stays in T1.
    B  csr, hired 2024-01-01 into T1, moves to T2 on 2026-03-01.
    C  csr, hired 2024-01-01 into T1, moves to T2 on 2026-02-01, leaves (voluntary) 2026-05-15.
    D  csr, hired 2024-01-01 into T1, promoted to senior_csr in T1 on 2026-04-01, moves to
       T2 on 2026-05-01.
    E  csr, hired 2026-02-10 into T2.
    F  csr, hired 2024-01-01 into T1, leaves (involuntary) 2026-02-20 from T1.

The HR master holds today's (last) team: A T1, B T2, C T2, D T2, E T2, F T1. The old
figures grouped by that team; every expected value below was worked out by hand from the
dates above, and the "old" values show which assertions the current-team code fails.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics import careers, lake, workforce
from analytics.access import Scope
from analytics.filters import Filters
from tests.conftest import build_dataset

PERIOD = Filters(start=date(2026, 1, 1), end=date(2026, 6, 30))
HIRED = "2024-01-01"


def _person(eid, team, hire=HIRED, role="csr", exit_date=None, exit_type=None):
    return {
        "employee_id": eid,
        "name": f"Person {eid}",
        "center": "C1",
        "team": team,
        "role": role,
        "star_level": 1,
        "hire_date": hire,
        "exit_date": exit_date,
        "exit_type": exit_type,
        "exit_reason": "pay" if exit_date else None,
    }


def _ev(eid, day, etype, fr, to, ft, tt):
    return {
        "employee_id": eid,
        "event_date": day,
        "event_type": etype,
        "from_role": fr,
        "to_role": to,
        "from_team": ft,
        "to_team": tt,
    }


@pytest.fixture(scope="module")
def moves(tmp_path_factory):
    root = tmp_path_factory.mktemp("team_history")
    people = [
        _person("A", "T1"),
        _person("B", "T2"),
        _person("C", "T2", exit_date="2026-05-15", exit_type="voluntary"),
        _person("D", "T2", role="senior_csr"),
        _person("E", "T2", hire="2026-02-10"),
        _person("F", "T1", exit_date="2026-02-20", exit_type="involuntary"),
    ]
    events = [_ev(p, HIRED, "hire", None, "csr", None, "T1") for p in "ABCDF"]
    events += [
        _ev("E", "2026-02-10", "hire", None, "csr", None, "T2"),
        _ev("B", "2026-03-01", "team_change", "csr", "csr", "T1", "T2"),
        _ev("C", "2026-02-01", "team_change", "csr", "csr", "T1", "T2"),
        _ev("C", "2026-05-15", "exit", "csr", None, "T2", None),
        _ev("D", "2026-04-01", "promotion", "csr", "senior_csr", "T1", "T1"),
        _ev("D", "2026-05-01", "team_change", "senior_csr", "senior_csr", "T1", "T2"),
        _ev("F", "2026-02-20", "exit", "csr", None, "T1", None),
    ]
    return lake.open_lake(build_dataset(root, employees=people, role_events=events))


def _leader(team):
    return Scope.for_role("team_leader", centers=("C1",), teams=(team,))


# --- turnover and headcount by team ------------------------------------------------------


def test_turnover_by_team_counts_each_day_to_the_team_held_then(moves):
    tv = workforce.turnover_by(moves, PERIOD, Scope.everything(), "team").set_index("team")
    # T1 on 12-31: A B C D F = 5 (old, by today's team: A F = 2); on 06-30: A = 1; no
    # hires; F leaves from T1; B, C and D moved out: net transfers 1 - 5 - 0 + 1 = -3.
    assert tv.loc["T1", ["headcount_start", "headcount_end", "hires", "leavers"]].tolist() == [5, 1, 0, 1]
    assert tv.loc["T1", "transfers_net"] == -3
    # T2 on 12-31: nobody (old: B C D = 3); on 06-30: B D E = 3; hire E; C leaves from T2
    # after moving there; net transfers 3 - 0 - 1 + 1 = +3 (B, C, D in).
    assert tv.loc["T2", ["headcount_start", "headcount_end", "hires", "leavers"]].tolist() == [0, 3, 1, 1]
    assert tv.loc["T2", "transfers_net"] == 3
    # turnover = leavers / average headcount × 365 / 181 days
    assert tv.loc["T1", "turnover_annualised"] == pytest.approx(1 / 3 * 365 / 181)
    assert tv.loc["T2", "turnover_annualised"] == pytest.approx(1 / 1.5 * 365 / 181)  # old: 1 / 3


def test_team_totals_equal_the_organisation(moves):
    # Every person is in exactly one team on a day, so the teams add up to the whole.
    tv = workforce.turnover_by(moves, PERIOD, Scope.everything(), "team")
    whole = workforce.turnover_by(moves, PERIOD, Scope.everything(), "center").iloc[0]
    for col in ("headcount_start", "headcount_end", "hires", "leavers"):
        assert tv[col].sum() == whole[col]
    assert (whole["headcount_start"], whole["headcount_end"]) == (5, 4)  # A-D, F; then A, B, D, E


def test_monthly_headcount_of_a_team(moves):
    m = workforce.monthly(moves, PERIOD.with_(teams=("T1",)), Scope.everything())
    # T1 month by month: Jan 5 → 5; Feb 5 → 3 (C moves 02-01, F leaves 02-20); Mar 3 → 2
    # (B moves 03-01); Apr 2 → 2 (D promoted within T1); May 2 → 1 (D moves 05-01); Jun 1 → 1.
    # Old (today's team A, F): 2 2 1 1 1 1 at the month ends.
    assert m["headcount_start"].tolist() == [5, 5, 3, 2, 2, 1]
    assert m["headcount_end"].tolist() == [5, 3, 2, 2, 1, 1]
    assert m["leavers"].tolist() == [0, 1, 0, 0, 0, 0]
    net = m["headcount_end"] - m["headcount_start"] - m["hires"] + m["leavers"]
    assert net.tolist() == [0, -1, -1, 0, -1, 0]  # C, B, D moved out


def test_a_team_leader_sees_the_leavers_of_their_team(moves):
    # C left from T2 (after moving from T1) and F from T1: each counts to one team.
    t1 = workforce.leavers_by_reason(moves, PERIOD, _leader("T1"))
    t2 = workforce.leavers_by_reason(moves, PERIOD, _leader("T2"))
    assert t1[["exit_type", "leavers"]].values.tolist() == [["involuntary", 1]]
    assert t2[["exit_type", "leavers"]].values.tolist() == [["voluntary", 1]]
    # T1's leader sees T1's headcount history, not today's two people.
    tv = workforce.turnover_by(moves, PERIOD, _leader("T1"), "team")
    assert tv["team"].tolist() == ["T1"] and tv.loc[0, "headcount_start"] == 5


# --- careers ------------------------------------------------------------------------------


def test_promotions_and_moves_count_to_the_team_held_at_the_event(moves):
    t1 = careers.period_summary(careers.load(moves, PERIOD, _leader("T1")))
    t2 = careers.period_summary(careers.load(moves, PERIOD, _leader("T2")))
    # D was promoted in T1 (old: counted to T2, D's team today): T1 1, T2 0.
    assert (t1["promotions"], t2["promotions"]) == (1, 0)
    # Team moves count to the team left: C 02-01, B 03-01, D 05-01, all from T1.
    assert (t1["moves"]["team"], t2["moves"]["team"]) == (3, 0)
    # Person-days in the period while in the team:
    # T1: A 181, B 01-01..02-28 59, C 01-01..01-31 31, D 01-01..04-30 120, F 01-01..02-20 51 = 442
    # T2: B 03-01..06-30 122, C 02-01..05-15 104, D 05-01..06-30 61, E 02-10..06-30 141 = 428
    assert t1["person_years"] == pytest.approx(442 / 365.25)
    assert t2["person_years"] == pytest.approx(428 / 365.25)
    whole = careers.period_summary(careers.load(moves, PERIOD, Scope.everything()))
    assert whole["person_years"] == pytest.approx(870 / 365.25) and whole["promotions"] == 1


def test_flows_of_a_team(moves):
    def flows(scope):
        f = careers.flows(careers.load(moves, PERIOD, scope))
        return f.set_index(["source", "target"])["people"].to_dict()

    # T1: D's promotion and F's exit; T2: E's hire and C's exit (old T2: all of D, E, C).
    assert flows(_leader("T1")) == {("csr", "senior_csr"): 1, ("csr", "exit"): 1}
    assert flows(_leader("T2")) == {("hire", "csr"): 1, ("csr", "exit"): 1}


def test_people_on_the_last_day_are_the_team_of_that_day(moves):
    t1 = careers.candidates(careers.load(moves, PERIOD, _leader("T1")))
    t2 = careers.candidates(careers.load(moves, PERIOD, _leader("T2")))
    # B and D moved to T2: T1's leader no longer sees them as people of the team.
    assert t1[["employee_id", "team"]].values.tolist() == [["A", "T1"]]
    assert sorted(t2[["employee_id", "team"]].values.tolist()) == [["B", "T2"], ["D", "T2"], ["E", "T2"]]


def test_transitions_follow_people_only_while_in_scope(moves):
    # One window 2025-06-30 → 2026-06-30. In T1 on its first day: A B C D F (all csr).
    # A stays, F leaves from T1; B and D moved out and C left from T2: not followed.
    m = careers.transition_matrix(careers.load(moves, PERIOD, _leader("T1")))
    assert m.at["csr", "people"] == 2
    assert m.at["csr", "csr"] == pytest.approx(0.5) and m.at["csr", "exit"] == pytest.approx(0.5)
    assert m.loc["csr"].get("senior_csr", 0) == 0  # D's promotion was in T1, but D is in T2 at the end
    # The whole organisation: A B stay, D senior_csr, C F exit.
    w = careers.transition_matrix(careers.load(moves, PERIOD, Scope.everything()))
    assert w.at["csr", "people"] == 5
    assert np.allclose([w.at["csr", "csr"], w.at["csr", "senior_csr"], w.at["csr", "exit"]], [0.4, 0.2, 0.4])


def test_time_to_promotion_is_censored_when_people_leave_the_scope(moves):
    tbl = careers.time_to_first_promotion_table(careers.load(moves, PERIOD, _leader("T1"))).set_index("employee_id")
    # Hired into T1 on 2024-01-01: A B C D F (E was hired into T2). D promoted in T1 on
    # 2026-04-01 (821 days); B censored at its move 2026-03-01 (790 days), C at 2026-02-01
    # (762 days).
    assert sorted(tbl.index) == ["A", "B", "C", "D", "F"]
    assert tbl.loc[tbl["promoted"]].index.tolist() == ["D"]
    days = (tbl["months"] * careers.DAYS_PER_MONTH).round().astype(int)
    assert (days["D"], days["B"], days["C"]) == (821, 790, 762)


def test_event_range_and_people_of_a_team_include_those_who_moved_in(moves):
    d = careers.load(moves, PERIOD, _leader("T2"))
    # Everyone ever in T2 by the end: B C D E (their time in T1 is not counted above).
    assert sorted(d.people["employee_id"]) == ["B", "C", "D", "E"]
    assert isinstance(d.teams, pd.DataFrame) and set(d.teams["team"]) == {"T2"}


# --- attrition: individual rows by the team held on the features' date -------------------


def test_attrition_people_in_scope_by_the_team_held_on_the_day(moves):
    from analytics import attrition

    def ids(team, on=None):
        return sorted(attrition.people_in_scope(moves, _leader(team), on))

    # On 2026-02-15: T1 holds A B D F (C moved 02-01); T2 holds C and E (hired 02-10).
    assert ids("T1", date(2026, 2, 15)) == ["A", "B", "D", "F"]
    assert ids("T2", date(2026, 2, 15)) == ["C", "E"]
    # Today (no date): the team held now; leavers keep the team of their last day.
    assert ids("T1") == ["A", "F"] and ids("T2") == ["B", "C", "D", "E"]
