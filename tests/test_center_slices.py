"""A selection of centers' whole history summed from every center's (calls.metrics over
``history_span``, workforce.monthly), and the review's complaints in one statement
(complaints.month_and_trend): the same tables as the statements they replace, filtered in
SQL (whose figures test_metrics, test_workforce and test_complaints check by hand), and
another center or month costs no new statement."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics import calls, complaints, workforce
from analytics import lake as lake_mod
from analytics.access import Scope
from analytics.filters import Filters
from analytics.metrics import ServiceSettings
from tests.conftest import build_dataset
from tests.test_workforce import E

EVERYONE = Scope.everything()


@pytest.fixture()
def demo(demo_dataset):
    lk = lake_mod.Lake(demo_dataset)
    yield lk
    lk.con.close()


def _centers(lk) -> list[str]:
    return calls.filter_options(lk, EVERYONE)["centers"]["center"].tolist()


def _span(lk, centers) -> Filters:
    last = calls.filter_options(lk, EVERYONE)["last_day"]
    return calls.history_span(lk, Filters(start=last.replace(day=1), end=last, centers=centers, grain="month"))


def _filtered_in_sql(lk, f, scope, by, settings) -> pd.DataFrame:
    """The table as read before: one statement with the centers in its WHERE."""
    return calls._finish(calls._queue_sums(lk, f, scope, by, settings), None, by, settings, False, [])


def _selections(centers):
    return [(centers[0],), tuple(centers[:2]), (centers[-1],), ("NO-SUCH-CENTER",)]


@pytest.mark.parametrize("settings", [ServiceSettings(), ServiceSettings(answer_within_s=25, short_abandon_s=3)])
def test_center_history_equals_the_filtered_statement(demo, settings):
    # The second settings are not kept in the rollups: both sides read the raw calls.
    centers = _centers(demo)
    assert len(centers) >= 2
    for scope in (EVERYONE, Scope.for_role("executive", centers=(centers[0],))):
        for sel in _selections(centers):
            span = _span(demo, sel)
            for by in [(), ("month",), ("queue",), ("month", "queue")]:
                got = calls.metrics(demo, span, scope, by, settings, agent_days=False)
                want = _filtered_in_sql(demo, span, scope, by, settings)
                assert len(got) == len(want), (scope.role, sel, by)
                if len(want):
                    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-12)
    # metrics_many (the review's call) gives the same tables
    span = _span(demo, tuple(centers[:2]))
    by_month, by_queue = calls.metrics_many(
        demo, [(span, ("month",)), (span, ("month", "queue"))], EVERYONE, settings, agent_days=False
    )
    pd.testing.assert_frame_equal(by_month, _filtered_in_sql(demo, span, EVERYONE, ("month",), settings), rtol=1e-12)
    pd.testing.assert_frame_equal(
        by_queue, _filtered_in_sql(demo, span, EVERYONE, ("month", "queue"), settings), check_dtype=False, rtol=1e-12
    )


def test_another_center_reads_no_calls(demo, monkeypatch):
    centers = _centers(demo)
    read = []
    real = calls._queue_sums
    monkeypatch.setattr(calls, "_queue_sums", lambda *a: read.append(a[1]) or real(*a))
    calls.metrics(demo, _span(demo, (centers[0],)), EVERYONE, ("month",), agent_days=False)
    assert len(read) == 1 and read[0].centers == ()  # every center's history, once
    calls.metrics(demo, _span(demo, (centers[1],)), EVERYONE, ("month", "queue"), agent_days=False)
    calls.metrics(demo, _span(demo, tuple(centers[:2])), EVERYONE, (), agent_days=False)
    assert len(read) == 1
    # Not a history span, or with agent-days: filtered in SQL as before.
    month = _span(demo, (centers[0],))
    month = month.with_(start=month.end.replace(day=1))
    calls.metrics(demo, month, EVERYONE, ("month",), agent_days=False)
    assert read[-1].centers == (centers[0],)
    calls.metrics(demo, _span(demo, (centers[0],)), EVERYONE, ("month",), agent_days=True)
    assert read[-1].centers == (centers[0],) and len(read) == 3


def test_workforce_centers_equal_the_filtered_statement(demo, monkeypatch):
    centers = _centers(demo)
    statements = []
    real = demo.query
    monkeypatch.setattr(demo, "query", lambda *a, **k: statements.append(a[0]) or real(*a, **k))
    periods = [Filters(date(2025, 1, 1), date(2026, 12, 31)), Filters(date(2026, 3, 5), date(2026, 3, 20))]
    for scope in (EVERYONE, Scope.for_role("center_manager", centers=(centers[-1],))):
        for sel in _selections(centers):
            for period in periods:
                f = period.with_(centers=sel)
                got = workforce.monthly(demo, f, scope)
                want = demo.con.execute(*workforce._monthly_sql(f, scope, by_center=False)).df()
                assert got["month"].tolist() == pd.to_datetime(want["month"]).tolist()
                for col in workforce._COUNTS:
                    assert got[col].tolist() == want[col].astype("int64").tolist(), (scope.role, sel, col)
    # one statement per period and scope, whatever the centers
    assert len(statements) == len(periods) * 2


def test_workforce_a_person_counts_to_their_own_center(tmp_path):
    # test_workforce's people (figures worked out by hand there): C1 ends October with E1
    # and E2, C2 with E8; each center alone, the two together, and a center without people.
    lk = lake_mod.Lake(build_dataset(tmp_path / "ds", employees=E))
    months = Filters(date(2026, 9, 1), date(2026, 10, 31))
    one, two, both, nobody = (
        workforce.monthly(lk, months.with_(centers=c), EVERYONE) for c in (("C1",), ("C2",), ("C1", "C2"), ("C9",))
    )
    assert one["headcount_end"].tolist() == [3, 2] and two["headcount_end"].tolist() == [1, 1]
    assert (one["hires"].iloc[1], one["leavers"].iloc[1]) == (2, 3)
    assert both["headcount_end"].tolist() == [4, 3]
    for col in workforce._COUNTS:
        assert (one[col] + two[col]).tolist() == both[col].tolist()
        assert nobody[col].tolist() == [0, 0]
    assert nobody["turnover_annualised"].isna().all()
    lk.con.close()


def test_review_complaints_in_one_statement_equal_their_functions(demo, monkeypatch):
    centers = _centers(demo)
    for sel in [(), (centers[0],)]:
        last = calls.filter_options(demo, EVERYONE)["last_day"]
        for month_end in (last, last.replace(day=1) - pd.Timedelta(days=1)):
            month_end = pd.Timestamp(month_end).date()
            span = Filters(date(month_end.year - 1, month_end.month, 1), month_end, centers=sel, grain="month")
            month = span.with_(start=month_end.replace(day=1))
            trend, levels, causes = complaints.month_and_trend(demo, span, EVERYONE)
            pd.testing.assert_frame_equal(trend, complaints.by_period(demo, span, EVERYONE, grain="month"))
            pd.testing.assert_frame_equal(levels, complaints.breakdown(demo, month, EVERYONE, "level"))
            pd.testing.assert_frame_equal(causes, complaints.pareto(demo, month, EVERYONE))
            assert levels["complaints"].sum() == causes["complaints"].sum() > 0
            assert trend["complaints"].iloc[-1] == levels["complaints"].sum()
    demo.clear_cache()
    statements = []
    real = demo.query
    monkeypatch.setattr(demo, "query", lambda *a, **k: statements.append(a[0]) or real(*a, **k))
    span = _span(demo, ())
    span = span.with_(start=date(span.end.year - 1, span.end.month, 1))
    complaints.month_and_trend(demo, span, EVERYONE)
    assert sum("last_month:" in s for s in statements) == 1
    with pytest.raises(ValueError):
        complaints._period_sums(demo, span, EVERYONE, complaints.ComplaintSettings(), "month", last_month=("all",))
