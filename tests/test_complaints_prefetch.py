"""The complaints page's reads together (complaints.prefetch) and the partial cube each
function computes alone: same figures, worked out by hand in test_complaints."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import calls, lake
from analytics import complaints as cmp
from analytics.access import Scope
from tests.conftest import build_dataset
from tests.test_complaints import COMPLAINTS, OCT, _calls

EVERYONE = Scope.everything()


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return build_dataset(
        tmp_path_factory.mktemp("cmp_prefetch"),
        complaints=COMPLAINTS,
        calls=_calls(),
        employees=[
            {"employee_id": "A1", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2024-01-01"},
            {"employee_id": "A2", "center": "C1", "team": "T2", "role": "csr", "hire_date": "2024-01-01"},
        ],
    )


def _page(lk, f, scope):
    """What the complaints view reads of the period, in its order."""
    out = {"summary": cmp.summary(lk, f, scope), "before": cmp.summary(lk, calls.previous_period(f), scope)}
    out["trend"] = cmp.by_period(lk, f, scope)
    for dim in ("level", "channel", "category", "queue", "team", "agent"):
        if dim != "agent" or scope.individuals:
            out[dim] = cmp.breakdown(lk, f, scope, dim)
    out["pareto"] = cmp.pareto(lk, f, scope)
    out["backlog"] = cmp.backlog_by_age(lk, f, scope)
    out["unusual"] = cmp.unusual_months(lk, f, scope)
    return out


def _counting(lk, monkeypatch) -> list[str]:
    seen: list[str] = []
    query = lk.query

    def counted(sql, params=None, months=None):
        seen.append(sql)
        return query(sql, params, months)

    monkeypatch.setattr(lk, "query", counted)
    return seen


def test_each_function_alone_gives_the_hand_worked_figures(root):
    # A fresh lake per call: each computes only the part of the cube it reads.
    s = cmp.summary(lake.Lake(root), OCT, EVERYONE)
    assert (s["complaints"], s["calls"], s["level3_complaints"], s["open_backlog"]) == (4, 8, 1, 2)
    assert s["resolved_within_target"] == pytest.approx(1 / 3) and s["repeat_complainers"] == 1
    by = cmp.breakdown(lake.Lake(root), OCT, EVERYONE, "level").set_index("level")
    assert by["complaints"].to_dict() == {1: 2, 2: 1, 3: 1}
    par = cmp.pareto(lake.Lake(root), OCT, EVERYONE)
    assert list(par["cause"]) == ["long_wait", "attitude"]
    q = cmp.breakdown(lake.Lake(root), OCT, EVERYONE, "queue").set_index("queue")
    assert q.loc["Q1", "complaints_per_10k"] == pytest.approx(3 / 8 * 10000)
    b = cmp.backlog_by_age(lake.Lake(root), OCT, EVERYONE).set_index("age_band")
    assert b.loc["1to2", "open"] == 1 and b.loc["ge5", "open"] == 1
    assert cmp.by_period(lake.Lake(root), OCT, EVERYONE)["complaints"].tolist() == [4]


@pytest.mark.parametrize("scope", [EVERYONE, Scope(teams=("T1",)), Scope(individuals=False)])
def test_prefetch_then_page_equals_each_function_alone(root, scope):
    lk = lake.Lake(root)
    cmp.prefetch(lk, OCT, scope)
    page = _page(lk, OCT, scope)
    fresh = {}
    for name in page:
        fresh_lake = lake.Lake(root)
        fresh[name] = _page_one(fresh_lake, name, scope)
    for name, got in page.items():
        if isinstance(got, dict):
            assert got == pytest.approx(fresh[name], nan_ok=True), name
        else:
            pd.testing.assert_frame_equal(got, fresh[name], obj=name)


def _page_one(lk, name, scope):
    f = OCT
    if name == "summary":
        return cmp.summary(lk, f, scope)
    if name == "before":
        return cmp.summary(lk, calls.previous_period(f), scope)
    if name == "trend":
        return cmp.by_period(lk, f, scope)
    if name == "pareto":
        return cmp.pareto(lk, f, scope)
    if name == "backlog":
        return cmp.backlog_by_age(lk, f, scope)
    if name == "unusual":
        return cmp.unusual_months(lk, f, scope)
    return cmp.breakdown(lk, f, scope, name)


def test_after_prefetch_the_period_is_read_from_the_cache(root, monkeypatch):
    lk = lake.Lake(root)
    cmp.prefetch(lk, OCT, EVERYONE)
    seen = _counting(lk, monkeypatch)
    cmp.summary(lk, OCT, EVERYONE)
    cmp.by_period(lk, OCT, EVERYONE)
    for dim in ("level", "queue", "agent"):
        cmp.breakdown(lk, OCT, EVERYONE, dim)
    cmp.pareto(lk, OCT, EVERYONE)
    cmp.backlog_by_age(lk, OCT, EVERYONE)
    cmp.unusual_months(lk, OCT, EVERYONE)
    assert seen == []  # every one a cache hit
    cmp.summary(lk, calls.previous_period(OCT), EVERYONE)
    # The previous period: its totals and open count only (the calls were prefetched).
    assert len(seen) == 2 and all("'bucket'" not in s and "'band'" not in s for s in seen)
