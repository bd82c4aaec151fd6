"""Each call metric on a hand-made table whose expected values were worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from analytics import calls, lake
from analytics.access import Scope
from analytics.filters import Filters
from analytics.metrics import REGISTRY, ServiceSettings, rag
from tests.conftest import build_dataset

# 2026-03-02 (a Monday) 10:00 in Shanghai is 02:00 UTC.
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
DAY = date(2026, 3, 2)


def _calls():
    """DOMAIN.md's service-level reference case: 400 calls offered in one interval."""
    rows = []
    n = 0

    def add(wait_s, answered, agent=None, talk=None, hold=None, acw=None, count=1):
        nonlocal n
        for _ in range(count):
            arrived = T0 + timedelta(seconds=n % 600)  # all within 10:00-10:14 local
            n += 1
            end = arrived + timedelta(seconds=wait_s + (talk or 0) + (hold or 0))
            rows.append(
                {
                    "call_id": f"c{n}",
                    "queue": "Q1",
                    "center": "C1",
                    "direction": "inbound",
                    "arrived_at": arrived,
                    "answered_at": arrived + timedelta(seconds=wait_s) if answered else None,
                    "ended_at": end,
                    "agent_id": agent,
                    "talk_s": talk,
                    "hold_s": hold,
                    "acw_s": acw,
                    "category": "common",
                    "transferred": False,
                }
            )

    # 200 answered within 20 s (10 s wait) - count for the service level; 150 by A1, 50 by A2.
    add(10, True, "A1", talk=100, hold=20, acw=30, count=150)  # handle 150 s
    add(10, True, "A2", talk=200, hold=0, acw=40, count=50)  # handle 240 s
    # 100 answered after 40 s - answered, but late; all by A2.
    add(40, True, "A2", talk=200, hold=0, acw=40, count=100)  # handle 240 s
    # 50 abandoned after 5 s - short abandons at a 10-s threshold.
    add(5, False, count=50)
    # 50 abandoned after 30 s - real abandons, beyond T as well.
    add(30, False, count=50)
    return rows


INTERVALS = [
    # A1: 900 s signed in, 600 handling, 200 idle, 100 on a break -> occupancy input.
    {
        "agent_id": "A1",
        "interval_start": T0,
        "center": "C1",
        "queue": "Q1",
        "staffed_s": 900,
        "available_s": 200,
        "handling_s": 600,
    },
    # A2: 900 s signed in, 300 handling, 600 idle.
    {
        "agent_id": "A2",
        "interval_start": T0,
        "center": "C1",
        "queue": "Q1",
        "staffed_s": 900,
        "available_s": 600,
        "handling_s": 300,
    },
]
EMPLOYEES = [
    {"employee_id": "A1", "name": "Agent One", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2024-01-01"},
    {"employee_id": "A2", "name": "Agent Two", "center": "C1", "team": "T2", "role": "csr", "hire_date": "2026-02-20"},
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = build_dataset(
        tmp_path_factory.mktemp("tiny"), calls=_calls(), agent_intervals=INTERVALS, employees=EMPLOYEES
    )
    return lake.open_lake(root)


F = Filters(start=DAY, end=DAY)
S10 = ServiceSettings(short_abandon_s=10)
EVERYONE = Scope.everything()


def one(lk, settings, **kw):
    return calls.totals(lk, F.with_(**kw) if kw else F, EVERYONE, settings)


# The service-level threshold 21 s is not kept in the rollups, so it forces the raw path;
# no call waited between 20 and 21 s, so both must give the same hand-worked numbers.
@pytest.mark.parametrize("t", [20, 21])
def test_service_level_formulas_reference_case(tiny, t):
    base = S10.with_(answer_within_s=t)
    assert one(tiny, base)["service_level"] == pytest.approx(200 / 350)  # 57.14 %
    assert one(tiny, base.with_(sl_formula="answered_only"))["service_level"] == pytest.approx(200 / 300)
    assert one(tiny, base.with_(sl_formula="abandons_count_against"))["service_level"] == pytest.approx(0.5)
    # Amazon style: the 50 callers who left within 5 s left within T too: (200 + 50) / 400.
    assert one(tiny, base.with_(sl_formula="abandons_within_t_count_for"))["service_level"] == pytest.approx(0.625)


@pytest.mark.parametrize("t", [20, 21])
def test_counts_rates_and_times(tiny, t):
    r = one(tiny, S10.with_(answer_within_s=t))
    assert (r["offered"], r["answered"], r["abandoned"], r["short_abandoned"]) == (400, 300, 100, 50)
    assert r["answer_rate"] == pytest.approx(0.75)
    assert r["abandon_rate"] == pytest.approx(0.25)
    assert r["asa_s"] == pytest.approx((200 * 10 + 100 * 40) / 300)  # 20 s
    assert r["aht_s"] == pytest.approx((150 * 150 + 150 * 240) / 300)  # 195 s
    assert r["talk_s"] == pytest.approx((150 * 100 + 150 * 200) / 300)  # 150 s
    assert r["hold_s"] == pytest.approx(150 * 20 / 300)  # 10 s
    assert r["acw_s"] == pytest.approx((150 * 30 + 150 * 40) / 300)  # 35 s
    assert r["transfer_rate"] == 0
    assert r["within_handle_target"] == 1.0  # all <= 300 s
    assert r["answered_per_agent_day"] == pytest.approx(300 / 2)  # 2 agent-days
    assert r["occupancy"] == pytest.approx(900 / (900 + 800))


def test_short_abandon_default_threshold_is_5_seconds(tiny):
    # With the default 5-s threshold the 5-s abandons are still short (<= 5 s).
    r = one(tiny, ServiceSettings())
    assert r["short_abandoned"] == 50
    r = one(tiny, ServiceSettings(short_abandon_s=3))
    assert r["short_abandoned"] == 0
    assert r["service_level"] == pytest.approx(200 / 400)


def test_handle_target_setting(tiny):
    # 180 s: only A1's 150 calls of 150 s are within; A2's 240-s calls are not.
    assert one(tiny, ServiceSettings(handle_target_s=180))["within_handle_target"] == pytest.approx(0.5)
    assert one(tiny, ServiceSettings(handle_target_s=181))["within_handle_target"] == pytest.approx(0.5)


def test_team_and_agent_rows_have_no_queue_measures(tiny):
    df = calls.metrics(tiny, F, EVERYONE, ("team", "agent"), S10)
    assert list(df["team"]) == ["T1", "T2"] and list(df["agent"]) == ["A1", "A2"]
    assert list(df["answered"]) == [150, 150]
    assert df["aht_s"].tolist() == pytest.approx([150, 240])
    assert df["asa_s"].tolist() == pytest.approx([10, (50 * 10 + 100 * 40) / 150])
    assert df["offered"].isna().all() and df["service_level"].isna().all()
    assert df["occupancy"].tolist() == pytest.approx([600 / 800, 300 / 900])


def test_scope_limits_team_rows(tiny):
    df = calls.metrics(tiny, F, Scope(teams=("T1",)), ("agent",), S10)
    assert list(df["agent"]) == ["A1"]
    with pytest.raises(PermissionError):
        calls.metrics(tiny, F, Scope(individuals=False), ("agent",), S10)


def test_grouping_columns_and_empty_period(tiny):
    df = calls.metrics(tiny, F, EVERYONE, ("interval15", "queue"), S10)
    assert list(df.columns[:10]) == [
        "interval15",
        "queue",
        "offered",
        "answered",
        "abandoned",
        "short_abandoned",
        "answer_rate",
        "service_level",
        "asa_s",
        "aht_s",
    ]
    assert len(df) == 1 and df["interval15"].iloc[0] == datetime(2026, 3, 2, 10, 0)
    assert df["answered_per_agent_day"].isna().all()  # agent-days do not split into intervals
    empty = calls.metrics(tiny, Filters(start=date(2026, 4, 1), end=date(2026, 4, 2)), EVERYONE, ("day",), S10)
    assert empty.empty
    with pytest.raises(ValueError):
        calls.metrics(tiny, F, EVERYONE, ("agent", "hour"), S10)
    with pytest.raises(ValueError):
        calls.metrics(tiny, F, EVERYONE, ("drop table calls",), S10)


def test_rag_against_targets():
    sl = REGISTRY["service_level"]
    assert rag(sl, 0.81, 0.80) == "green"
    assert rag(sl, 0.77, 0.80) == "amber"  # within 5 % of the target
    assert rag(sl, 0.70, 0.80) == "red"
    aht = REGISTRY["aht_s"]
    assert rag(aht, 290, 300) == "green" and rag(aht, 310, 300) == "amber" and rag(aht, 400, 300) == "red"
    assert rag(REGISTRY["occupancy"], 0.9, None) is None


def test_targets_table_overrides_defaults(tmp_path):
    from analytics.targets import current_targets

    root = build_dataset(
        tmp_path,
        calls=_calls()[:1],
        targets=[
            # A global service-level target from March 2026 replaces the registry's 0.80.
            {"metric": "service_level", "scope_type": "global", "target": 0.85, "valid_from": "2026-03-01"},
            # Not yet in force on 2026-03-02: ignored.
            {"metric": "answer_rate", "scope_type": "global", "target": 0.95, "valid_from": "2026-04-01"},
            # A complaint metric: the one registry covers every area, so its target is found too.
            {"metric": "resolved_within_target", "scope_type": "global", "target": 0.95, "valid_from": "2026-01-01"},
        ],
    )
    lk = lake.open_lake(root)

    t = current_targets(lk, DAY)
    assert t["service_level"] == 0.85 and t["answer_rate"] == 0.90 and t["resolved_within_target"] == 0.95
    assert current_targets(lk, DAY)["aht_s"] == 300.0


def _interval_calls(queue: str, waits_answered: list[int], waits_abandoned: list[int], start: datetime):
    rows = []
    for i, w in enumerate(waits_answered):
        arrived = start + timedelta(seconds=10 * i)
        rows.append(
            {
                "call_id": f"{queue}-a{i}",
                "queue": queue,
                "center": "C1",
                "direction": "inbound",
                "arrived_at": arrived,
                "answered_at": arrived + timedelta(seconds=w),
                "ended_at": arrived + timedelta(seconds=w + 100),
                "agent_id": "A1",
                "talk_s": 100,
                "hold_s": 0,
                "acw_s": 0,
                "category": "common",
                "transferred": False,
            }
        )
    for i, w in enumerate(waits_abandoned):
        arrived = start + timedelta(seconds=10 * i + 5)
        rows.append(
            {
                "call_id": f"{queue}-x{i}",
                "queue": queue,
                "center": "C1",
                "direction": "inbound",
                "arrived_at": arrived,
                "answered_at": None,
                "ended_at": arrived + timedelta(seconds=w),
                "agent_id": None,
                "category": "common",
                "transferred": False,
            }
        )
    return rows


@pytest.fixture(scope="module")
def two_queues(tmp_path_factory):
    """Q1 10:00: 6 answered in 5 s, 4 short abandons (3 s). Q2 10:00: 8 answered in 5 s,
    2 answered after 60 s. Q2 10:15: 4 calls only (below the minimum of 10)."""
    queues = [
        {"queue": q, "center": "C1", "direction": "inbound", "service_level_seconds": 20, "service_level_target": 0.8}
        for q in ("Q1", "Q2")
    ]
    rows = (
        _interval_calls("Q1", [5] * 6, [3] * 4, T0)
        + _interval_calls("Q2", [5] * 8 + [60] * 2, [], T0)
        + _interval_calls("Q2", [60] * 4, [], T0 + timedelta(minutes=15))
    )
    root = build_dataset(tmp_path_factory.mktemp("two"), calls=rows, queues=queues, employees=EMPLOYEES[:1])
    return lake.open_lake(root)


@pytest.mark.parametrize(
    "formula, worst_queue, worst_sl",
    [
        ("excl_short_abandons", "Q2", 0.8),  # Q1: 6 / (10 - 4) = 1.0; Q2: 8 / 10
        ("abandons_count_against", "Q1", 0.6),  # Q1: 6 / 10;             Q2: 8 / 10
        ("abandons_within_t_count_for", "Q2", 0.8),  # Q1: (6 + 4) / 10 = 1.0
        ("answered_only", "Q2", 0.8),  # Q1: 6 / 6 = 1.0
    ],
)
def test_worst_intervals_ranked_in_sql_by_the_chosen_formula(two_queues, formula, worst_queue, worst_sl):
    worst = calls.worst_intervals(two_queues, F, EVERYONE, ServiceSettings(sl_formula=formula), n=5, min_offered=10)
    assert list(worst["queue"]) == [worst_queue, "Q1" if worst_queue == "Q2" else "Q2"]  # 10:15 has 4 calls
    assert worst["service_level"].iloc[0] == pytest.approx(worst_sl)
    assert list(worst["offered"]) == [10, 10]
    assert worst["interval15"].iloc[0] == pd.Timestamp("2026-03-02 10:00")
