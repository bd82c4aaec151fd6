"""The cut's position in working days, worked out in Python and bound into every complaint
statement, against the SQL definition it replaced (``complaints._workday_pos`` over the
working-day index) and against hand-worked values."""

from __future__ import annotations

from datetime import datetime

import pytest

from analytics import complaints, lake
from analytics.settings import ComplaintSettings
from tests.conftest import build_dataset


@pytest.fixture(scope="module")
def lk(tmp_path_factory):
    emp = [
        {"employee_id": "A1", "name": "甲一", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2024-01-01"}
    ]
    rows = [
        {
            "complaint_id": f"P{i}",
            "received_at": at,
            "center": "C1",
            "level": 1,
            "channel": "phone",
            "agent_id": "A1",
            "team": "T1",
            "valid": True,
        }  # fmt: skip
        for i, at in enumerate(["2026-09-28 02:00:00", "2026-10-09 02:00:00", "2026-10-20 02:00:00"])
    ]
    return lake.Lake(build_dataset(tmp_path_factory.mktemp("wd") / "ds", employees=emp, complaints=rows))


TIMES = [
    datetime(2026, 10, 9, 0, 0),  # Friday 9 October: a working day after the National Day week
    datetime(2026, 10, 9, 18, 0),  # three quarters of it
    datetime(2026, 10, 3, 12, 0),  # National Day holiday: no part of the day counts
    datetime(2026, 10, 10, 6, 0),  # Saturday 10 October 2026: a make-up working day in CN
    datetime(2026, 10, 21, 23, 59, 59),
    datetime(2031, 1, 1),  # beyond the index
]


def _sql_position(lk, settings, t):
    sql = (
        "SELECT "
        + complaints._workday_pos("CAST($t AS TIMESTAMP)")
        + " AS pos FROM {index} w WHERE w.day = CAST(CAST($t AS TIMESTAMP) AS DATE)"
    )
    df = complaints._query(lk, settings, sql, {"t": t})
    return None if df.empty or df["pos"].isna().iloc[0] else float(df["pos"].iloc[0])


@pytest.mark.parametrize("settings", [ComplaintSettings(), ComplaintSettings(resolve_within_workdays=3.0)])
def test_position_equals_the_index_expression(lk, settings):
    # The default settings read the published index, the other settings one computed now.
    assert complaints.materialised(lk, settings) == (settings == ComplaintSettings())
    for t in TIMES:
        assert complaints._workday_position(lk, settings, t) == _sql_position(lk, settings, t), t


def test_hand_worked_positions(lk):
    s = ComplaintSettings()
    at = {t: complaints._workday_position(lk, s, t) for t in TIMES}
    # A working day's position grows with the hour; a holiday's stays at its midnight's.
    assert at[TIMES[1]] - at[TIMES[0]] == pytest.approx(0.75)
    # 9 October (Fri) midnight -> 10 October (make-up Saturday) 06:00: one day and a quarter.
    assert at[TIMES[3]] - at[TIMES[0]] == pytest.approx(1.25)
    holiday_noon = at[TIMES[2]]
    holiday_midnight = complaints._workday_position(lk, s, datetime(2026, 10, 3))
    assert holiday_noon == holiday_midnight
    assert at[TIMES[5]] is None
