"""Workforce numbers on a hand-made employees table (analytics/workforce.py)."""

from __future__ import annotations

from datetime import date

import pytest

from analytics import lake, workforce
from analytics.access import Scope
from analytics.filters import Filters
from tests.conftest import build_dataset

E = [
    # E1: employed throughout: in every headcount.
    {"employee_id": "E1", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2020-01-01"},
    # E2: hired 10-15: an October hire, in October's closing headcount.
    {"employee_id": "E2", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2026-10-15"},
    # E3: last day 10-31 (voluntary): an October leaver, not in October's closing headcount.
    {
        "employee_id": "E3",
        "center": "C1",
        "team": "T1",
        "role": "csr",
        "hire_date": "2019-05-01",
        "exit_date": "2026-10-31",
        "exit_type": "voluntary",
    },
    # E4: last day 10-01 (involuntary): in October's opening headcount and an October leaver.
    {
        "employee_id": "E4",
        "center": "C1",
        "team": "T2",
        "role": "csr",
        "hire_date": "2025-01-01",
        "exit_date": "2026-10-01",
        "exit_type": "involuntary",
    },
    # E5: hired and gone within October: a hire and a (voluntary) leaver.
    {
        "employee_id": "E5",
        "center": "C1",
        "team": "T2",
        "role": "csr",
        "hire_date": "2026-10-03",
        "exit_date": "2026-10-20",
        "exit_type": "voluntary",
    },
    # E6: starts in November: nowhere in October.
    {"employee_id": "E6", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2026-11-01"},
    # E7: last day 09-30: a September leaver, not in October's opening headcount.
    {
        "employee_id": "E7",
        "center": "C1",
        "team": "T1",
        "role": "csr",
        "hire_date": "2018-01-01",
        "exit_date": "2026-09-30",
        "exit_type": "voluntary",
    },
    # E8: another center: counted only without a center filter.
    {"employee_id": "E8", "center": "C2", "team": "T9", "role": "csr", "hire_date": "2020-01-01"},
]


@pytest.fixture(scope="module")
def lk(tmp_path_factory):
    return lake.open_lake(build_dataset(tmp_path_factory.mktemp("wf"), employees=E))


def test_september_and_october_in_one_center(lk):
    df = workforce.monthly(lk, Filters(date(2026, 9, 1), date(2026, 10, 31), centers=("C1",)), Scope.everything())
    sep, oct_ = df.iloc[0], df.iloc[1]
    assert (sep["headcount_start"], sep["headcount_end"], sep["leavers"]) == (4, 3, 1)  # E1,E3,E4,E7; E7 leaves
    assert sep["turnover_annualised"] == pytest.approx(1 / 3.5 * 12)
    assert oct_["headcount_start"] == 3  # E1, E3, E4
    assert oct_["hires"] == 2  # E2, E5
    assert oct_["leavers"] == 3  # E3, E4, E5
    assert (oct_["leavers_voluntary"], oct_["leavers_involuntary"]) == (2, 1)
    assert oct_["headcount_end"] == 2  # E1, E2; and 3 + 2 - 3 = 2
    assert oct_["avg_headcount"] == pytest.approx(2.5)
    assert oct_["turnover_annualised"] == pytest.approx(3 / 2.5 * 12)


def test_scope_and_team_filters(lk):
    oct_ = Filters(date(2026, 10, 1), date(2026, 10, 31))
    everyone = workforce.monthly(lk, oct_, Scope.everything()).iloc[0]
    assert everyone["headcount_end"] == 3  # E1, E2 and E8 of C2
    team = workforce.monthly(lk, oct_, Scope(teams=("T2",))).iloc[0]
    assert (team["headcount_start"], team["hires"], team["leavers"], team["headcount_end"]) == (1, 1, 2, 0)  # E4, E5
    assert workforce.monthly(lk, oct_, Scope(centers=("C2",))).iloc[0]["headcount_end"] == 1  # E8
