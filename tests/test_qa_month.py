"""The qa_month rollup: QA evaluations deduplicated once per import, per local month.

Expected values are worked out by hand from the rows below; the pages' figures are checked
on both sources (the rollup and the deduplicating view) against the same hand values."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pyarrow.parquet as pq
import pytest

from analytics import lake, qa_month, quality
from analytics import scorecard as sc
from analytics.access import Scope
from analytics.filters import Filters
from analytics.ingest import ingest_frames
from tests.conftest import build_dataset, frame

SEP = Filters(date(2026, 9, 1), date(2026, 9, 30))
OCT = Filters(date(2026, 10, 1), date(2026, 10, 31))
EMP = [
    {"employee_id": "A1", "name": "甲一", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2024-01-01"},
    {"employee_id": "Q1", "name": "质一", "center": "C1", "role": "quality_inspector", "hire_date": "2020-01-01"},
]


def _ev(i, at, score, agent="A1"):
    return {
        "evaluation_id": f"E{i}",
        "agent_id": agent,
        "evaluator_id": "Q1",
        "evaluated_at": at,
        "score": score,
        "method": "sampled",
    }


# Shanghai is UTC+8: 2026-09-30 20:00 UTC is 1 October 04:00 local (October), 2026-09-30
# 15:00 UTC is 23:00 on 30 September (September). E9's agent is not in employees: no page
# shows it, so the rollup leaves it out.
EVS = [
    _ev(1, "2026-09-30 20:00:00", 80.0),
    _ev(2, "2026-09-30 15:00:00", 60.0),
    _ev(3, "2026-10-10 02:00:00", 90.0),
    _ev(9, "2026-10-10 02:00:00", 50.0, agent="ZZ"),
]


@pytest.fixture()
def ds(tmp_path):
    return build_dataset(tmp_path / "ds", employees=EMP, qa_evaluations=EVS)


def _rollup_rows(root) -> dict[str, list[tuple]]:
    pub = lake.read_published(root)
    out = {}
    for month, rel in sorted(pub["rollups"]["qa_month"].items()):
        t = pq.read_table(root / rel).to_pandas()
        out[month] = sorted(zip(t["evaluation_id"], t["score"], t["day"].astype(str)))
    return out


def _without_rollup_meta(root):
    """The manifest as a dataset would have it if the rollup were built from older batches."""
    f = root / lake.PUBLISHED
    pub = json.loads(f.read_text(encoding="utf-8"))
    pub["qa_month"]["batches"]["qa_evaluations"] = ["batch=older"]
    f.write_text(json.dumps(pub), encoding="utf-8")


def test_the_import_builds_one_partition_per_local_month(ds):
    assert _rollup_rows(ds) == {
        "2026-09": [("E2", 60.0, "2026-09-30")],
        "2026-10": [("E1", 80.0, "2026-10-01"), ("E3", 90.0, "2026-10-10")],
    }
    lk = lake.Lake(ds)
    assert qa_month.current(lk)
    assert not lake.qa_month_stale(ds)


def test_a_reexported_evaluation_moves_month_and_the_rollup_follows(ds):
    # E3 re-exported with another score, now evaluated in September (local 15 September).
    moved = {**_ev(3, "2026-09-15 02:00:00", 40.0)}
    ingest_frames(ds, {"qa_evaluations": frame("qa_evaluations", [moved])}, source="test2")
    assert _rollup_rows(ds) == {
        "2026-09": [("E2", 60.0, "2026-09-30"), ("E3", 40.0, "2026-09-15")],
        "2026-10": [("E1", 80.0, "2026-10-01")],
    }
    lk = lake.open_lake(ds)
    assert qa_month.current(lk)
    # September: E2 60 and E3 40 -> 2 reviews on 2 days, mean 50, both poor.
    low = quality.repeated_low_scores(lk, SEP, Scope.everything())
    assert low["agent"].tolist() == ["A1"] and low.iloc[0]["poor"] == 2
    assert low.iloc[0]["qa_score"] == pytest.approx(50.0)
    cards = sc.agent_month(lk, date(2026, 10, 1), Scope.everything())
    assert cards.empty or cards.set_index("employee_id").loc["A1", "qa_score"] == pytest.approx(80.0)


def test_an_employee_moving_to_another_time_zone_rebuilds_it(ds):
    # A1 moves to a center at UTC-5: E1 (2026-09-30 20:00 UTC) is then 15:00 on 30 September.
    centers = frame(
        "centers",
        [
            {"center": "C1", "name_zh": "测试中心", "name_en": "Test center", "timezone": "Asia/Shanghai"},
            {"center": "NY", "name_zh": "纽约", "name_en": "New York", "timezone": "America/New_York"},
        ],
    )
    emp = frame("employees", [{**EMP[0], "center": "NY"}, EMP[1]])
    ingest_frames(ds, {"centers": centers, "employees": emp}, source="test2")
    # E2 2026-09-30 15:00 UTC is 11:00 in New York; E3 2026-10-10 02:00 UTC is 22:00 on the 9th.
    assert _rollup_rows(ds) == {
        "2026-09": [("E1", 80.0, "2026-09-30"), ("E2", 60.0, "2026-09-30")],
        "2026-10": [("E3", 90.0, "2026-10-09")],
    }


def test_a_stale_rollup_is_not_read_and_repair_rebuilds_it(ds):
    _without_rollup_meta(ds)
    lk = lake.Lake(ds)
    assert not qa_month.current(lk)
    assert lake.qa_month_stale(ds)
    # Read from the view, the figures are the hand values all the same: October E1 80 and E3 90.
    per = quality.reviews_per_day(lk, OCT, Scope.everything()).set_index("evaluator")
    assert (per.loc["Q1", "reviews"], per.loc["Q1", "days"]) == (2, 2)
    done = lake.repair(ds)
    assert done.get("qa_month") is True
    assert qa_month.current(lake.Lake(ds)) and not lake.qa_month_stale(ds)
    assert lake.repair(ds) == {}


def test_a_dataset_without_the_rollup_gets_it_from_repair(ds):
    f = ds / lake.PUBLISHED
    pub = json.loads(f.read_text(encoding="utf-8"))
    pub.pop("qa_month")
    pub["rollups"].pop("qa_month")
    f.write_text(json.dumps(pub), encoding="utf-8")
    shutil.rmtree(ds / "_rollups" / "qa_month")
    assert not qa_month.current(lake.Lake(ds))
    lake.repair(ds)
    assert set(_rollup_rows(ds)) == {"2026-09", "2026-10"}


def test_the_view_and_the_rollup_name_the_same_months(ds):
    # What readers select from: the rollup's months when current, else the view; both are
    # bounded by the months of the period and the query reads the rollup as a monthly view.
    lk = lake.Lake(ds)
    sql, params = qa_month.source(lk, date(2026, 10, 5), date(2026, 10, 5))
    assert "rollup_qa_month" in sql and (params["qa_m0"], params["qa_m1"]) == ("2026-10", "2026-10")
    assert "rollup_qa_month" in lake._MONTHLY_VIEWS and "rollup_qa_month" in lake._VIEW_NAMES
    _without_rollup_meta(ds)
    lk2 = lake.Lake(ds)
    sql, params = qa_month.source(lk2, date(2026, 10, 5), date(2026, 10, 5))
    assert "qa_evaluations" in sql and "rollup_qa_month" not in sql
