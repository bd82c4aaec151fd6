"""Scorecards read their call measures from the agent_month rollup (format 3) and fall back
to the raw calls (a target the rollup keeps no count for, rollups of an older format) with
the same figures. Expected values are worked out by hand from the rows below."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pyarrow.parquet as pq
import pytest

from analytics import lake as lake_mod
from analytics import scorecard as sc
from analytics.access import Scope
from tests.conftest import build_dataset

OCT = date(2026, 10, 1)
SEP = date(2026, 9, 1)


def _call(i, agent, day, talk, hold=0.0, acw=0.0, category="common", csat=None, fcr=None, transferred=False, month=10):
    # arrives 02:00 UTC = 10:00 local (Asia/Shanghai) on `day`, answered 10 s later
    return {
        "call_id": f"K{i}",
        "queue": "Q1",
        "center": "C1",
        "direction": "inbound",
        "arrived_at": f"2026-{month:02d}-{day:02d} 02:00:00",
        "answered_at": f"2026-{month:02d}-{day:02d} 02:00:10",
        "ended_at": f"2026-{month:02d}-{day:02d} 03:00:00",
        "agent_id": agent,
        "talk_s": talk,
        "hold_s": hold,
        "acw_s": acw,
        "category": category,
        "transferred": transferred,
        "csat": csat,
        "resolved_first_contact": fcr,
    }


# A1 (team T1) in October:
#   K1 common   200+50+40 = 290 s, csat 4, fcr yes
#   K2 common   250+30+30 = 310 s, no csat, no fcr answer
#   K3 common   no talk_s (hold 20): answered, not handled; csat 2, fcr no, transferred
#   K4 no category ('unknown', takes the common target) 280 s
#   K5 complex  500+0+100 = 600 s, csat 5, fcr yes
#   K6 abandoned (never answered): not counted
# -> answered 5, handled 4 (K1 K2 K4 K5), handle_s 290+310+280+600 = 1480, transferred 1,
#    csat (4+2+5)/3 = 11/3, fcr 2 yes of 3 answers; aht common (290+310)/2 = 300, complex 600.
#    Within target with common 300 / complex 600: K1 (290), K4 (280), K5 (600 <= 600) = 3;
#    with common 240 / complex 900: K5 = 1; with common 295 (no rollup count) / 600:
#    K1, K4, K5 = 3.
# B1 (team T2): K7 complex 700 s, csat 5, fcr yes -> within 0 at 600, 1 at 900.
# Not on any scorecard: K8 by Z9 (not an employee), K9 answered without an agent.
# A1 in September: K10 common 100 s (its own month).
CALLS = [
    _call(1, "A1", 5, 200.0, 50.0, 40.0, csat=4, fcr=True),
    _call(2, "A1", 5, 250.0, 30.0, 30.0),
    _call(3, "A1", 6, None, 20.0, None, csat=2, fcr=False, transferred=True),
    _call(4, "A1", 6, 280.0, category=None),
    _call(5, "A1", 7, 500.0, 0.0, 100.0, category="complex", csat=5, fcr=True),
    {**_call(6, "A1", 7, None), "answered_at": None, "agent_id": None},
    _call(7, "B1", 8, 700.0, category="complex", csat=5, fcr=True),
    _call(8, "Z9", 8, 100.0, csat=1, fcr=True),
    {**_call(9, None, 8, 100.0), "agent_id": None},
    _call(10, "A1", 10, 100.0, month=9),
]
EMPLOYEES = [
    {"employee_id": "A1", "name": "甲一", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2024-01-01"},
    {"employee_id": "B1", "name": "乙一", "center": "C1", "team": "T2", "role": "csr", "hire_date": "2024-01-01"},
]
TARGETS = {"common": 300, "complex": 600}


def _complaint(i, agent, day, valid, month=10):
    return {
        "complaint_id": f"P{i}",
        "received_at": f"2026-{month:02d}-{day:02d} 05:00:00",
        "center": "C1",
        "level": 1,
        "channel": "phone",
        "agent_id": agent,
        "team": "T1",
        "valid": valid,
    }


# Valid complaints: A1 one in October (P1; P2 not valid) and one in September (P4); B1 one
# in October (P3); P5 names no employee.
COMPLAINTS = [
    _complaint(1, "A1", 7, True),
    _complaint(2, "A1", 8, False),
    _complaint(3, "B1", 9, True),
    _complaint(4, "A1", 12, True, month=9),
    _complaint(5, "Z9", 9, True),
]


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return build_dataset(
        tmp_path_factory.mktemp("sc_rollup") / "ds", employees=EMPLOYEES, calls=CALLS, complaints=COMPLAINTS
    )


def _measures(lk, targets=TARGETS, scope=None, months=(SEP, OCT), compl=None):
    """agent_months of Sep and Oct, and the views the call query read (``compl``: a list
    given gets the views the complaints query read)."""
    read = []
    real = lk.query

    def spy(sql, params=None, months=None):
        views = lake_mod.sql_views(sql)
        if views & {"calls", "rollup_agent_month"}:
            read.append(views & {"calls", "rollup_agent_month"})
        if compl is not None and views & {"complaints", "rollup_complaint_facts"}:
            compl.append(views & {"complaints", "rollup_complaint_facts"})
        return real(sql, params, months)

    lk.query = spy
    try:
        out = sc.agent_months(lk, list(months), scope or Scope.everything(), (), None, targets)
    finally:
        del lk.query
    return {m: df.set_index("employee_id") for m, df in out.items()}, read


def _check_october(oct_, within_a1, within_b1):
    a1, b1 = oct_.loc["A1"], oct_.loc["B1"]
    assert (a1["answered"], a1["handled"], a1["transferred"]) == (5, 4, 1)
    assert a1["handle_s"] == pytest.approx(1480.0)
    assert a1["within_target"] == within_a1 and a1["within_target_share"] == pytest.approx(within_a1 / 4)
    assert a1["csat"] == pytest.approx(11 / 3) and (a1["csat_sum"], a1["csat_n"]) == (11, 3)
    assert a1["fcr"] == pytest.approx(2 / 3) and (a1["fcr_yes"], a1["fcr_n"]) == (2, 3)
    assert a1["aht_common_s"] == pytest.approx(300.0) and a1["aht_complex_s"] == pytest.approx(600.0)
    assert (b1["answered"], b1["handled"], b1["within_target"], b1["csat"], b1["fcr"]) == (1, 1, within_b1, 5.0, 1.0)
    assert b1["aht_complex_s"] == pytest.approx(700.0)
    assert set(oct_.index) == {"A1", "B1"}


def test_the_rollup_rows_by_hand(ds):
    pub = lake_mod.read_published(ds)
    assert pub["rollup_format"] == lake_mod.ROLLUP_FORMAT >= 3
    t = pq.read_table(ds / pub["rollups"]["agent_month"]["2026-10"]).to_pandas()
    rows = t.set_index(["agent_id", "category"])
    # Z9 is kept (the reader's join to employees drops it, as the raw query's does); no agent: none.
    assert sorted(rows.index) == [
        ("A1", "common"),
        ("A1", "complex"),
        ("A1", "unknown"),
        ("B1", "complex"),
        ("Z9", "common"),
    ]
    common = rows.loc[("A1", "common")]
    # K1 290 s, K2 310 s, K3 not handled
    assert (common["answered"], common["handled"], common["handle_s"]) == (3, 2, 600.0)
    assert (common["handled_le_240"], common["handled_le_300"], common["handled_le_360"]) == (0, 1, 2)
    assert (common["transferred"], common["csat_sum"], common["csat_n"], common["fcr_yes"], common["fcr_n"]) == (
        1,
        6,
        2,
        1,
        2,
    )
    complex_ = rows.loc[("A1", "complex")]
    assert (complex_["handled_le_480"], complex_["handled_le_600"], complex_["csat_sum"]) == (0, 1, 5)
    assert set(t.columns) >= {f"handled_le_{s}" for s in lake_mod.HANDLE_THRESHOLDS}


def test_scorecards_read_the_rollup_and_match_by_hand(ds):
    out, read = _measures(lake_mod.Lake(ds))
    assert read == [{"rollup_agent_month"}]  # no scan of the raw calls
    _check_october(out[OCT], within_a1=3, within_b1=0)
    sep = out[SEP].loc["A1"]
    assert (sep["answered"], sep["handled"], sep["within_target"]) == (1, 1, 1)


def test_other_targets_kept_by_the_rollup(ds):
    out, read = _measures(lake_mod.Lake(ds), {"common": 240, "complex": 900})
    assert read == [{"rollup_agent_month"}]
    _check_october(out[OCT], within_a1=1, within_b1=1)


def test_a_target_the_rollup_lacks_reads_the_calls_with_the_same_figures(ds):
    assert 295 not in lake_mod.HANDLE_THRESHOLDS
    out, read = _measures(lake_mod.Lake(ds), {"common": 295, "complex": 600})
    assert read == [{"calls"}]
    _check_october(out[OCT], within_a1=3, within_b1=0)


def test_scope_applies_to_the_rollup(ds):
    out, read = _measures(lake_mod.Lake(ds), scope=Scope(teams=("T1",)), months=(OCT,))
    assert read == [{"rollup_agent_month"}] and list(out[OCT].index) == ["A1"]
    assert out[OCT].loc["A1", "answered"] == 5


def test_rollup_and_raw_give_identical_frames(ds):
    lk = lake_mod.Lake(ds)
    a = sc._agent_months_all(lk, [SEP, OCT], Scope.everything(), sc.DEFAULT_WEIGHTS, TARGETS)
    lk.has_rollups = lambda *args, **kw: False
    b = sc._agent_months_all(lk, [SEP, OCT], Scope.everything(), sc.DEFAULT_WEIGHTS, TARGETS)
    assert a.drop(columns=["csat_sum"]).equals(b.drop(columns=["csat_sum"]))
    assert a["csat_sum"].astype("float64").equals(b["csat_sum"].astype("float64"))


def test_format_2_falls_back_until_repair_rebuilds_every_month(ds, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(ds, old)
    manifest = json.loads((old / lake_mod.PUBLISHED).read_text())
    manifest["rollup_format"] = 2  # written by the code before agent_month existed
    del manifest["rollups"]["agent_month"]
    (old / lake_mod.PUBLISHED).write_text(json.dumps(manifest))
    shutil.rmtree(old / "_rollups" / "agent_month")

    out, read = _measures(lake_mod.Lake(old))
    assert read == [{"calls"}]
    _check_october(out[OCT], within_a1=3, within_b1=0)

    done = lake_mod.repair(old)
    assert done["months"] == ["2026-09", "2026-10"] and done["rollup_format"] == lake_mod.ROLLUP_FORMAT
    pub = lake_mod.read_published(old)
    assert pub["rollup_format"] == lake_mod.ROLLUP_FORMAT and sorted(pub["rollups"]["agent_month"]) == [
        "2026-09",
        "2026-10",
    ]
    assert lake_mod.repair(old) == {}
    out, read = _measures(lake_mod.Lake(old))
    assert read == [{"rollup_agent_month"}]
    _check_october(out[OCT], within_a1=3, within_b1=0)


def test_valid_complaints_from_the_facts_or_the_complaints(ds, monkeypatch):
    from analytics import complaints

    for current, source in ((True, "rollup_complaint_facts"), (False, "complaints")):
        monkeypatch.setattr(complaints, "materialised", lambda lake, settings, current=current: current)
        compl = []
        out, _ = _measures(lake_mod.Lake(ds), compl=compl)
        assert compl == [{source}]
        assert out[OCT].loc["A1", "valid_complaints"] == 1 and out[OCT].loc["B1", "valid_complaints"] == 1
        assert out[SEP].loc["A1", "valid_complaints"] == 1
        assert out[OCT].loc["A1", "c_complaints"] == 75.0  # 100 - 25 per valid complaint


def test_the_published_facts_are_current_on_a_new_dataset(ds):
    from analytics import complaints

    assert complaints.materialised(lake_mod.Lake(ds), complaints.load_settings(ds))
