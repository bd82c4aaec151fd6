"""Per-category handle-time targets, transfers to the specialist line, CSAT and
first-contact resolution by queue: hand-made calls, expected values by hand."""

from __future__ import annotations

import json
from datetime import date

import pytest

from analytics import calls, lake, targets
from analytics.access import Scope
from analytics.filters import Filters
from tests.conftest import build_dataset


def _call(i, queue, talk, category, transferred=False, csat=None, fcr=None, answered=True):
    # 02:00 UTC = 10:00 in Shanghai on 2026-10-05
    return {
        "call_id": f"K{i}",
        "queue": queue,
        "center": "C1",
        "direction": "inbound",
        "arrived_at": "2026-10-05 02:00:00",
        "answered_at": "2026-10-05 02:00:05" if answered else None,
        "ended_at": "2026-10-05 02:30:00",
        "agent_id": "A1" if answered else None,
        "talk_s": float(talk) if answered else None,
        "hold_s": 0.0 if answered else None,
        "acw_s": 0.0 if answered else None,
        "category": category if answered else None,
        "transferred": transferred,
        "csat": csat,
        "resolved_first_contact": fcr,
    }


@pytest.fixture(scope="module")
def lk(tmp_path_factory):
    rows = [
        # common, target 300: 100 s and 290 s within (bins 90 and 270 end at 120 and 300); 400 s not
        _call(1, "Q1", 100, "common", csat=5, fcr=True),
        _call(2, "Q1", 290, "common", csat=3, fcr=False),
        _call(3, "Q1", 400, "common", fcr=True),
        # complex, target 600: 200 s and 500 s within, 650 s not; two of three go to the specialist line
        _call(4, "Q2", 200, "complex", csat=1, fcr=False),
        _call(5, "Q2", 500, "complex", transferred=True),
        _call(6, "Q2", 650, "complex", transferred=True),
        # abandoned (with a stray survey answer and resolution flag): in neither figure
        _call(7, "Q1", 0, "common", answered=False, csat=2, fcr=True),
    ]
    queues = [
        {"queue": q, "center": "C1", "direction": "inbound", "service_level_seconds": 20, "service_level_target": 0.8}
        for q in ("Q1", "Q2")
    ]
    emp = [{"employee_id": "A1", "name": "甲", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2024-01-01"}]
    root = build_dataset(tmp_path_factory.mktemp("cat") / "ds", calls=rows, queues=queues, employees=emp)
    return lake.open_lake(root)


OCT = Filters(date(2026, 10, 1), date(2026, 10, 31))


def test_handle_targets_defaults_and_settings(tmp_path):
    assert targets.handle_targets(tmp_path) == {"common": 300, "complex": 600}
    (tmp_path / "settings.json").write_text(
        json.dumps({"handle_target_s": 240, "handle_targets_s": {"complex": 900}}), encoding="utf-8"
    )
    assert targets.handle_targets(tmp_path) == {"common": 240, "complex": 900}
    (tmp_path / "settings.json").write_text(
        json.dumps({"handle_targets_s": {"complex": "ten minutes"}}), encoding="utf-8"
    )
    with pytest.raises(ValueError):
        targets.handle_targets(tmp_path)


def test_each_category_against_its_own_target(lk):
    df = calls.by_category_targets(lk, OCT, Scope.everything(), {"common": 300, "complex": 600}).set_index("category")
    assert df.loc["common", "handled"] == 3 and df.loc["complex", "handled"] == 3
    assert df.loc["common", "target_s"] == 300 and df.loc["complex", "target_s"] == 600
    assert df.loc["common", "within_category_target"] == pytest.approx(2 / 3)
    assert df.loc["complex", "within_category_target"] == pytest.approx(2 / 3)
    assert df.loc["complex", "aht_s"] == pytest.approx((200 + 500 + 650) / 3)
    assert df.loc["complex", "transferred"] == 2 and df.loc["complex", "transfer_rate"] == pytest.approx(2 / 3)
    assert df.loc["common", "transfer_rate"] == 0
    # with one 5-minute target for both, complex would be 1/3 within: the targets really differ
    one = calls.by_category_targets(lk, OCT, Scope.everything(), {"common": 300, "complex": 300}).set_index("category")
    assert one.loc["complex", "within_category_target"] == pytest.approx(1 / 3)


@pytest.mark.parametrize("source", ["day rollup", "raw calls"])
def test_csat_and_first_contact_resolution_by_queue(lk, source, monkeypatch):
    # Rollup format 4 keeps the sums in the day rollup; an older dataset reads the raw calls.
    assert lk.has_rollups(("queue_day",), min_format=4)
    if source == "raw calls":
        monkeypatch.setattr(type(lk), "has_rollups", lambda self, rollups=(), min_format=1: False)
    df = calls.satisfaction_by_queue(lk, OCT, Scope.everything()).set_index("queue")
    assert df.loc["Q1", "answered"] == 3  # the abandoned call is not counted
    assert df.loc["Q1", "csat"] == pytest.approx(4.0) and df.loc["Q1", "csat_answers"] == 2
    assert df.loc["Q1", "fcr"] == pytest.approx(2 / 3) and df.loc["Q1", "fcr_known"] == 3
    assert df.loc["Q2", "csat"] == pytest.approx(1.0) and df.loc["Q2", "fcr_known"] == 1
    # a team leader sees the queues of its centers (queue figures have no team)
    lead = Scope.for_role("team_leader", centers=("C1",), teams=("T9",))
    assert set(calls.satisfaction_by_queue(lk, OCT, lead)["queue"]) == {"Q1", "Q2"}
    assert calls.satisfaction_by_queue(lk, OCT, Scope.for_role("center_manager", centers=("C2",))).empty
