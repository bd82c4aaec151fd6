"""calls.metrics_many (a page's tables in one statement per source) and the handle-time
histogram's tables from one statement, on hand-made calls whose figures were worked out
by hand (DOMAIN.md's reference case, as in test_metrics), and against single calls."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from analytics import calls, lake
from analytics.access import Scope
from analytics.filters import Filters
from analytics.metrics import SUM_COLUMNS, ServiceSettings
from tests.conftest import build_dataset
from tests.test_metrics import EMPLOYEES, INTERVALS, _calls

MARCH = Filters(start=date(2026, 3, 1), end=date(2026, 3, 31))
FEB = Filters(start=date(2026, 2, 1), end=date(2026, 2, 28))
S10 = ServiceSettings(short_abandon_s=10)
EVERYONE = Scope.everything()


def _february():
    """The reference case moved 28 days back (Monday 2 February), without A2's calls and
    the 50 late abandons: 150 answered by A1 within 20 s, 50 abandoned after 5 s."""
    rows = []
    for r in _calls():
        if r["agent_id"] == "A2" or (r["answered_at"] is None and (r["ended_at"] - r["arrived_at"]).seconds > 5):
            continue
        shift = timedelta(days=28)
        rows.append(
            {
                **r,
                "call_id": "f" + r["call_id"],
                "arrived_at": r["arrived_at"] - shift,
                "answered_at": r["answered_at"] - shift if r["answered_at"] is not None else None,
                "ended_at": r["ended_at"] - shift,
            }
        )
    return rows


@pytest.fixture(scope="module")
def two_months(tmp_path_factory):
    feb_intervals = [{**i, "interval_start": i["interval_start"] - timedelta(days=28)} for i in INTERVALS[:1]]
    root = build_dataset(
        tmp_path_factory.mktemp("two_months"),
        calls=_calls() + _february(),
        agent_intervals=INTERVALS + feb_intervals,
        employees=EMPLOYEES,
    )
    return root


REQUESTS = [
    (MARCH, ()),
    (FEB, ()),
    (MARCH, ("day",)),
    (MARCH, ("team",)),
    (MARCH, ("agent",)),
    (MARCH, ("week", "queue")),
    (MARCH, ("weekday", "hour_of_day")),
    (MARCH.with_(start=date(2026, 3, 2), end=date(2026, 3, 2)), ("interval15",)),
    (MARCH.with_(teams=("T2",)), ()),
]


def _counting(lk, monkeypatch) -> list[str]:
    """The statements ``lk`` is asked for (text and parameters; repeats are cache hits)."""
    seen: list[str] = []
    query = lk.query

    def counted(sql, params=None, months=None):
        seen.append(sql + repr(sorted((params or {}).items())))
        return query(sql, params, months)

    monkeypatch.setattr(lk, "query", counted)
    return seen


def test_batched_figures_worked_by_hand(two_months):
    lk = lake.Lake(two_months)
    now, before, day, team, agent, _week, heat, i15, t2 = calls.metrics_many(lk, REQUESTS, EVERYONE, S10)
    r = now.iloc[0]
    assert (r["offered"], r["answered"], r["abandoned"], r["short_abandoned"]) == (400, 300, 100, 50)
    assert r["service_level"] == pytest.approx(200 / 350)
    assert r["aht_s"] == pytest.approx((150 * 150 + 150 * 240) / 300)
    assert r["answered_per_agent_day"] == pytest.approx(300 / 2)  # A1 and A2 on 2 March
    b = before.iloc[0]
    assert (b["offered"], b["answered"], b["short_abandoned"]) == (200, 150, 50)
    assert b["service_level"] == pytest.approx(150 / 150)  # short abandons leave the base
    assert b["answered_per_agent_day"] == pytest.approx(150 / 1)  # only A1 signed in
    assert list(day["day"]) == [pd.Timestamp("2026-03-02")] and day["offered"].tolist() == [400]
    assert list(team["team"]) == ["T1", "T2"] and team["answered"].tolist() == [150, 150]
    assert team["offered"].isna().all()  # queue measures do not split by team
    assert team["occupancy"].tolist() == pytest.approx([600 / 800, 300 / 900])
    assert agent["agent"].tolist() == ["A1", "A2"] and agent["aht_s"].tolist() == pytest.approx([150, 240])
    assert t2["answered"].tolist() == [150] and pd.isna(t2["offered"].iloc[0])
    # 2 March 2026 is a Monday; the calls arrived 10:00-10:10 local. Whole numbers, as alone.
    assert heat[["weekday", "hour_of_day"]].values.tolist() == [[1, 10]]
    assert str(heat["weekday"].dtype) == str(heat["hour_of_day"].dtype) == "int64"
    assert i15["interval15"].tolist() == [pd.Timestamp("2026-03-02 10:00")] and i15["offered"].tolist() == [400]


def test_batched_tables_equal_single_calls_and_are_cache_hits(two_months, monkeypatch):
    single_lake = lake.Lake(two_months)
    day_up = [r for r in REQUESTS if not set(r[1]) & set(calls.SUB_DAY)]
    # A team scope makes every table agent-level (agent-day rollup only, down to a day).
    for scope, requests, sources in (
        (EVERYONE, REQUESTS, 3),
        (Scope(centers=("C1",)), REQUESTS, 3),
        (Scope(centers=("C2",)), REQUESTS, 3),
        (Scope(teams=("T1",)), day_up, 1),
    ):
        single = [calls.metrics(single_lake, f, scope, by, S10) for f, by in requests]
        lk = lake.Lake(two_months)
        seen = _counting(lk, monkeypatch)
        many = calls.metrics_many(lk, requests, scope, S10)
        # One statement per source: queue-day, queue-interval, agent-day.
        assert len(set(seen)) == sources, [s[:60] for s in set(seen)]
        for (f, by), a, b in zip(requests, many, single):
            pd.testing.assert_frame_equal(a, b, check_exact=True, obj=f"{by} {f.teams}")
        hits, misses = lk.cache_hits, lk.cache_misses
        again = [calls.metrics(lk, f, scope, by, S10) for f, by in requests]
        assert (lk.cache_hits - hits, lk.cache_misses - misses) == (len(requests), 0)
        for a, b in zip(again, many):
            pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_a_threshold_not_in_the_rollups_reads_the_raw_calls_in_one_statement_too(two_months, monkeypatch):
    # 21 s is not kept in the rollups: the raw path; no call waited between 20 and 21 s.
    s21 = S10.with_(answer_within_s=21)
    lk = lake.Lake(two_months)
    seen = _counting(lk, monkeypatch)
    many = calls.metrics_many(lk, REQUESTS, EVERYONE, s21)
    assert not any("rollup_" in s for s in seen) and len(set(seen)) == 3
    assert many[0]["service_level"].iloc[0] == pytest.approx(200 / 350)
    assert many[1]["offered"].iloc[0] == 200
    single = [calls.metrics(lake.Lake(two_months), f, EVERYONE, by, s21) for f, by in REQUESTS]
    for (f, by), a, b in zip(REQUESTS, many, single):
        pd.testing.assert_frame_equal(a, b, rtol=1e-12, obj=str(by))


def test_without_agent_days_only_the_queue_source_is_read(two_months, monkeypatch):
    lk = lake.Lake(two_months)
    seen = _counting(lk, monkeypatch)
    now, before = calls.metrics_many(lk, [(MARCH, ("month",)), (FEB, ("month",))], EVERYONE, S10, agent_days=False)
    assert len(set(seen)) == 1 and "rollup_agent_day" not in seen[0] and "rollup_queue_day" in seen[0]
    assert now["offered"].tolist() == [400] and before["offered"].tolist() == [200]
    assert now["answered_per_agent_day"].isna().all()
    full = calls.metrics(lake.Lake(two_months), MARCH, EVERYONE, ("month",), S10)
    cols = [c for c in full.columns if c not in ("answered_per_agent_day",)]
    pd.testing.assert_frame_equal(now[cols], full[cols], check_exact=True)
    # Kept under its own key: the full table is still computed with its agent-days.
    assert calls.metrics(lk, MARCH, EVERYONE, ("month",), S10)["answered_per_agent_day"].iloc[0] == 150


def test_months_far_apart_are_read_by_separate_statements(two_months, monkeypatch):
    lk = lake.Lake(two_months)
    seen = _counting(lk, monkeypatch)
    far = Filters(start=date(2025, 3, 1), end=date(2025, 3, 31))
    a, b = calls.metrics_many(lk, [(MARCH, ()), (far, ())], EVERYONE, S10, agent_days=False)
    assert len(set(seen)) == 2  # a year apart: not one statement over the months between
    assert a["offered"].iloc[0] == 400 and pd.isna(b["offered"].iloc[0])


def test_batch_refuses_what_metrics_refuses(two_months):
    lk = lake.Lake(two_months)
    with pytest.raises(PermissionError):
        calls.metrics_many(lk, [(MARCH, ("agent",))], Scope(individuals=False), S10)
    with pytest.raises(ValueError):
        calls.metrics_many(lk, [(MARCH, ("team", "hour"))], EVERYONE, S10)
    with pytest.raises(ValueError):
        calls.metrics_many(lk, [(MARCH, ("drop table calls",))], EVERYONE, S10)


def test_handle_time_tables_worked_by_hand(two_months):
    lk = lake.Lake(two_months)
    day = MARCH.with_(start=date(2026, 3, 2), end=date(2026, 3, 2))
    tables = calls.handle_tables(lk, day, EVERYONE, {"common": 180}, S10)
    dist = tables["distribution"]
    # A1's 150 calls of 150 s fall in the 150-180 s bin, A2's 150 of 240 s in 240-270 s.
    assert dist[["category", "bin_s", "calls"]].values.tolist() == [["common", 150.0, 150], ["common", 240.0, 150]]
    cat = tables["by_category"].iloc[0]
    assert cat["handled"] == 300 and cat["aht_s"] == pytest.approx(195)
    assert cat["within_handle_target"] == pytest.approx(1.0)  # all within the 300-s default
    tgt = tables["by_category_targets"].iloc[0]
    assert tgt["target_s"] == 180 and tgt["within_category_target"] == pytest.approx(0.5)
    assert tgt["transferred"] == 0 and tgt["transfer_rate"] == 0
    # The public functions are slices of the same tables.
    pd.testing.assert_frame_equal(calls.handle_time_distribution(lk, day, EVERYONE, S10), dist)
    assert calls.by_category(lk, day, EVERYONE, S10)["handled"].tolist() == [300]
    empty = calls.handle_tables(lk, FEB.with_(start=date(2026, 2, 20)), EVERYONE, {"common": 180}, S10)
    assert all(t.empty for t in empty.values())


def test_history_span_is_the_same_for_every_period_inside(two_months):
    lk = lake.Lake(two_months)
    # Calls in February and March 2026: from a year before February to the end of March.
    want = (date(2025, 2, 1), date(2026, 3, 31))
    for f in (MARCH, FEB, Filters(start=date(2025, 3, 1), end=date(2026, 2, 28)), MARCH.with_(centers=("C1",))):
        span = calls.history_span(lk, f)
        assert (span.start, span.end) == want and span.centers == f.centers
    later = calls.history_span(lk, Filters(start=date(2026, 5, 1), end=date(2026, 5, 31)))
    assert (later.start, later.end) == (date(2025, 2, 1), date(2026, 5, 31))
    assert calls.whole_months(MARCH) and calls.whole_months(FEB)
    assert not calls.whole_months(MARCH.with_(end=date(2026, 3, 30)))
    # A month's row of the whole history's table is the month's own (figures by hand).
    hist = calls.metrics(lk, calls.history_span(lk, MARCH), EVERYONE, ("month",), S10)
    assert hist["offered"].tolist() == [200, 400] and hist["month"].tolist() == [
        pd.Timestamp("2026-02-01"),
        pd.Timestamp("2026-03-01"),
    ]


def test_the_service_level_pages_tables_read_two_rollups_and_equal_single_calls(two_months, monkeypatch):
    """The page shows queue figures only: its six tables come from the day and interval
    rollups (no agent-day statement), equal to the full single calls but for the agent-day
    columns, and the later calls of the page (metrics, totals) are cache hits."""
    lk = lake.Lake(two_months)
    seen = _counting(lk, monkeypatch)
    f = MARCH.with_(grain="week")
    many = calls.metrics_many(lk, calls.service_level_requests(f), EVERYONE, S10, agent_days=False)
    assert len(set(seen)) == 2 and not any("rollup_agent_day" in s for s in seen)
    assert {("rollup_queue_day" in s, "rollup_queue_interval" in s) for s in set(seen)} == {
        (True, False),
        (False, True),
    }
    full_lake = lake.Lake(two_months)
    for (g, by), got in zip(calls.service_level_requests(f), many):
        want = calls.metrics(full_lake, g, EVERYONE, by, S10)
        cols = [c for c in want.columns if c not in ("answered_per_agent_day",)]
        pd.testing.assert_frame_equal(got[cols], want[cols], check_exact=True, obj=str(by))
    assert many[0]["offered"].tolist() == [400] and many[0]["service_level"].iloc[0] == pytest.approx(200 / 350)
    n, misses = len(seen), lk.cache_misses
    assert calls.totals(lk, f, EVERYONE, S10, agent_days=False)["offered"] == 400
    assert calls.metrics(lk, f, EVERYONE, ("weekday", "hour_of_day"), S10, agent_days=False).equals(many[3])
    assert len(seen) == n and lk.cache_misses == misses  # no statement, no miss


def _sums(**columns) -> pd.DataFrame:
    """A table of queue sums: the given columns, every other sum 0."""
    n = len(next(iter(columns.values())))
    return pd.DataFrame({**{c: [0.0] * n for c in SUM_COLUMNS if c != "agent_days"}, **columns})


def test_finishing_joins_agent_days_like_a_left_merge_and_orders_by_key():
    """The finishing step on column arrays: agent-days go beside the queue sums of the same
    key (a day with calls but no agent-day gets none, a missing key meets the missing key,
    as a merge matches them), and rows come out in key order, missing last."""
    sums = _sums(
        queue=pd.array(["Q2", None, "Q1"], dtype="str"),
        offered=[10.0, 4.0, 20.0],
        answered=[8.0, 4.0, 18.0],
        handled=[8.0, 4.0, 18.0],
    )
    agents = pd.DataFrame({"queue": pd.array([None, "Q1", "Q9"], dtype="str"), "agent_days": [2, 3, 7]})
    out = calls._finish(sums, agents, ("queue",), ServiceSettings(), False, [])
    assert out["queue"].tolist()[:2] == ["Q1", "Q2"] and pd.isna(out["queue"].iloc[2])
    assert out["offered"].tolist() == [20, 10, 4]
    # handled per agent-day: Q1 18 / 3; Q2 has no agent-day; the unnamed queue 4 / 2
    per_day = out["answered_per_agent_day"].tolist()
    assert per_day[0] == pytest.approx(6.0) and pd.isna(per_day[1]) and per_day[2] == pytest.approx(2.0)
    # Two keys: the pair has to match, not each key alone.
    two = _sums(month=["m2", "m1", "m1"], queue=["Q1", "Q2", "Q1"], handled=[6.0, 9.0, 12.0])
    ad2 = pd.DataFrame({"month": ["m1", "m2"], "queue": ["Q1", "Q2"], "agent_days": [4, 5]})
    out2 = calls._finish(two, ad2, ("month", "queue"), ServiceSettings(), False, [])
    assert list(zip(out2["month"], out2["queue"])) == [("m1", "Q1"), ("m1", "Q2"), ("m2", "Q1")]
    got = out2["answered_per_agent_day"].tolist()
    assert got[0] == pytest.approx(3.0) and pd.isna(got[1]) and pd.isna(got[2])
