"""Complaint metrics on a hand-made table; expected values worked out by hand.

Center C1 is in Asia/Shanghai (UTC+8); times below are written in local time and
converted. The period is October 2026 (国庆 10-01..07 off, Saturday 10-10 worked)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from analytics import complaints as cmp
from analytics import lake
from analytics.access import Scope
from analytics.filters import Filters
from tests.conftest import build_dataset

OCT = Filters(date(2026, 10, 1), date(2026, 10, 31), grain="month")


def utc(y, mo, d, h=0, mi=0):
    """A Shanghai wall-clock time as UTC."""
    return datetime(y, mo, d, h, mi, tzinfo=timezone(timedelta(hours=8))).astimezone(timezone.utc)


def _complaint(cid, received, level, channel, cause, **kw):
    return {
        "complaint_id": cid,
        "received_at": received,
        "center": "C1",
        "level": level,
        "channel": channel,
        "cause": cause,
        "category": "cat_" + cause,
        **kw,
    }


COMPLAINTS = [
    # K0: September, outside the period; resolved 10-08 12:00 (so not in October's backlog).
    _complaint(
        "K0",
        utc(2026, 9, 30, 12),
        1,
        "phone",
        "policy",
        queue="Q1",
        team="T1",
        customer_id="W",
        valid=False,
        first_response_at=utc(2026, 9, 30, 13),
        resolved_at=utc(2026, 10, 8, 12),
    ),
    # K1: Fri 10-09 18:00; first response 20:00 (2 h = 0.0833 wd); resolved Mon 10-12 06:00:
    # 0.25 (Fri) + 1 (Sat 10-10 worked, 调休) + 0.25 (Mon) = 1.5 wd -> within 2.
    _complaint(
        "K1",
        utc(2026, 10, 9, 18),
        1,
        "phone",
        "long_wait",
        queue="Q1",
        team="T1",
        agent_id="A1",
        customer_id="X",
        valid=True,
        first_response_at=utc(2026, 10, 9, 20),
        resolved_at=utc(2026, 10, 12, 6),
    ),
    # K2: level 3 by media, Fri 10-16 18:00; first response Mon 06:00 = 0.5 wd; resolved Wed 10-21 06:00:
    # 0.25 + 1 + 1 + 0.25 = 2.5 wd -> missed. Same customer as K1: a repeat complainer.
    _complaint(
        "K2",
        utc(2026, 10, 16, 18),
        3,
        "media",
        "attitude",
        customer_id="X",
        valid=False,
        first_response_at=utc(2026, 10, 19, 6),
        resolved_at=utc(2026, 10, 21, 6),
    ),
    # K3: letter, Thu 10-29 12:00, not yet judged, still open at the end of October: age
    # 0.5 (Thu) + 1 (Fri) = 1.5 wd -> not yet due, counted neither way.
    _complaint("K3", utc(2026, 10, 29, 12), 2, "letter", "long_wait", queue="Q1", team="T1", customer_id="Y"),
    # K4: Tue 10-20 10:00, open: 14/24 + 3 (Wed-Fri) + 5 (10-26..30) = 8.5833 wd -> overdue, missed.
    _complaint(
        "K4",
        utc(2026, 10, 20, 10),
        1,
        "phone",
        "long_wait",
        queue="Q1",
        team="T2",
        agent_id="A2",
        customer_id="Z",
        valid=True,
    ),
    # K5: November; only moves the end of the data past October, so October ends at 11-01 00:00.
    _complaint("K5", utc(2026, 11, 2, 9), 1, "phone", "policy", queue="Q1", team="T1", customer_id="V"),
]


def _calls():
    # 8 inbound calls offered in October (answered, 10 s wait): the rate's denominator.
    rows = []
    for i in range(8):
        t0 = utc(2026, 10, 12 + i, 10)
        rows.append(
            {
                "call_id": f"c{i}",
                "queue": "Q1",
                "center": "C1",
                "direction": "inbound",
                "arrived_at": t0,
                "answered_at": t0 + timedelta(seconds=10),
                "ended_at": t0 + timedelta(seconds=100),
                "agent_id": "A1",
                "talk_s": 90,
                "hold_s": 0,
                "acw_s": 0,
                "category": "common",
            }
        )
    return rows


@pytest.fixture(scope="module")
def lk(tmp_path_factory):
    root = build_dataset(
        tmp_path_factory.mktemp("cmp"),
        complaints=COMPLAINTS,
        calls=_calls(),
        employees=[
            {"employee_id": "A1", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2024-01-01"},
            {"employee_id": "A2", "center": "C1", "team": "T2", "role": "csr", "hire_date": "2024-01-01"},
        ],
    )
    return lake.open_lake(root)


def test_summary_of_october(lk):
    s = cmp.summary(lk, OCT, Scope.everything())
    assert s["complaints"] == 4  # K1-K4; K0 is September, K5 November
    assert s["calls"] == 8
    assert s["complaints_per_10k"] == pytest.approx(4 / 8 * 10000)
    assert s["level3_complaints"] == 1  # K2
    assert s["valid_share"] == pytest.approx(2 / 3)  # K1, K4 valid of K1, K2, K4 judged (K3 not yet)
    assert s["first_response_workdays"] == pytest.approx((2 / 24 + 0.5) / 2)  # K1 and K2 responded
    assert s["resolution_workdays"] == pytest.approx((1.5 + 2.5) / 2)  # K1 and K2 resolved
    assert s["resolved_within_target"] == pytest.approx(1 / 3)  # K1 of K1, K2, K4 (K3 not yet due)
    assert s["open_backlog"] == 2  # K3 and K4
    assert s["repeat_complainers"] == 1  # customer X (K1, K2)


def test_rows_carry_working_day_times(lk):
    rows = cmp.complaint_rows(lk, OCT, Scope.everything()).set_index("complaint_id")
    assert list(rows.index) == ["K1", "K2", "K4", "K3"]  # by time received: 10-09, 10-16, 10-20, 10-29
    assert rows.loc["K1", "resolution_workdays"] == pytest.approx(1.5)
    assert rows.loc["K4", "age_workdays"] == pytest.approx(14 / 24 + 8)
    assert rows.loc["K3", "age_workdays"] == pytest.approx(1.5)
    assert pd.api.types.is_string_dtype(rows["channel"])


def test_backlog_by_age_band(lk):
    b = cmp.backlog_by_age(lk, OCT, Scope.everything()).set_index("age_band")
    assert b.loc["1to2", "open"] == 1 and b.loc["1to2", "level2"] == 1  # K3, 1.5 wd, level 2
    assert b.loc["ge5", "open"] == 1 and b.loc["ge5", "level1"] == 1  # K4, 8.6 wd, level 1
    assert b.loc["lt1", "open"] == 0 and b.loc["2to5", "open"] == 0


def test_breakdown_by_level_and_pareto(lk):
    by = cmp.breakdown(lk, OCT, Scope.everything(), "level").set_index("level")
    assert by["complaints"].to_dict() == {1: 2, 2: 1, 3: 1}  # K1+K4, K3, K2
    assert by.loc[1, "share"] == pytest.approx(0.5)
    par = cmp.pareto(lk, OCT, Scope.everything())
    assert list(par["cause"]) == ["long_wait", "attitude"]  # K1, K3, K4 then K2
    assert list(par["cumulative_share"]) == pytest.approx([0.75, 1.0])
    q = cmp.breakdown(lk, OCT, Scope.everything(), "queue").set_index("queue")
    assert q.loc["Q1", "complaints"] == 3  # K1, K3, K4 (K2 has no queue)
    assert q.loc["Q1", "complaints_per_10k"] == pytest.approx(3 / 8 * 10000)


def test_scope_limits_teams_and_individuals(lk):
    team = cmp.summary(lk, OCT, Scope(teams=("T1",)))
    assert team["complaints"] == 2  # K1 and K3 belong to team T1
    agg = Scope(individuals=False)
    assert "agent" not in cmp.complaint_rows(lk, OCT, agg).columns
    with pytest.raises(PermissionError):
        cmp.breakdown(lk, OCT, agg, "agent")
    with pytest.raises(ValueError):
        cmp.breakdown(lk, OCT, Scope.everything(), "customer_id; DROP TABLE x")


def test_repeat_complainers(lk):
    rep = cmp.repeat_complainers(lk, OCT, Scope.everything())
    assert list(rep["customer_id"]) == ["X"] and int(rep["complaints"].iloc[0]) == 2 and rep["max_level"].iloc[0] == 3


def test_unusual_months_rule(tmp_path):
    # Monthly counts Apr 2, May 2, Jun 2, Jul 4, Aug 10.
    counts = {4: 2, 5: 2, 6: 2, 7: 4, 8: 10}
    rows = [
        _complaint(f"U{mo}-{i}", utc(2026, mo, 10 + i, 10), 1, "phone", "policy")
        for mo, n in counts.items()
        for i in range(n)
    ]
    lk = lake.open_lake(build_dataset(tmp_path, complaints=rows))
    out = cmp.unusual_months(lk, Filters(date(2026, 4, 1), date(2026, 8, 31)), Scope.everything())
    assert list(out["complaints"]) == [2, 2, 2, 4, 10]
    assert out["unusual"].iloc[:3].isna().all()  # fewer than 3 previous months: no judgement
    # Jul: median 2, MAD 0 -> spread max(0, √2, 1) = 1.414; z = 2 / 1.414 = 1.41 -> usual.
    assert out["z"].iloc[3] == pytest.approx(2 / 2**0.5) and not out["unusual"].iloc[3]
    # Aug: previous [2, 2, 2, 4], median 2, MAD 0 -> z = 8 / 1.414 = 5.66 -> unusual.
    assert out["z"].iloc[4] == pytest.approx(8 / 2**0.5) and out["unusual"].iloc[4]
