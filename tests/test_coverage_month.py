"""The staffing month precomputed at import (analytics.coverage_month): its rows are the
figures worked out by hand and those the live computation gives, readers fall back to the
live computation when the settings differ or the month is stale or missing, an import
recomputes only the months it touched, and ``repair`` builds what is missing."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from analytics import coverage, coverage_build, coverage_month, lake, metrics
from analytics.access import Scope
from analytics.filters import Filters
from analytics.ingest import ingest_frames
from analytics.metrics import ServiceSettings
from analytics.targets import current_targets
from tests.conftest import build_dataset, frame

MARCH = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Shanghai
APRIL = datetime(2026, 4, 6, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Shanghai
PAGE = coverage.CoverageSettings(target_sl=0.8, shrinkage=0.3)  # what the page opens with here
PLAN = coverage.ProjectionSettings()  # the page's default projection


def _calls(t0, n, prefix):
    # n calls of 180 s handle time in one 15-minute interval, answered after 5 s
    return [
        {
            "call_id": f"{prefix}{i}",
            "queue": "Q1",
            "center": "C1",
            "direction": "inbound",
            "arrived_at": t0 + timedelta(seconds=i * 17),
            "answered_at": t0 + timedelta(seconds=i * 17 + 5),
            "ended_at": t0 + timedelta(seconds=i * 17 + 185),
            "agent_id": f"A{i % 12}",
            "talk_s": 180.0,
            "hold_s": 0.0,
            "acw_s": 0.0,
            "category": "common",
        }
        for i in range(n)
    ]


def _staffed(t0, agents):
    return [
        {
            "agent_id": f"A{i}",
            "interval_start": t0,
            "center": "C1",
            "queue": "Q1",
            "staffed_s": 900,
            "available_s": 150,
            "handling_s": 750,
        }
        for i in range(agents)
    ]


def _two_months(root):
    # March 10:00-10:15: 50 calls x 180 s = 10 Erlangs, 12 agents: 14 required for 80 % in
    # 20 s (Erlang C: too few abandons for a patience), 2 short, 20 scheduled at 30 %
    # shrinkage. April 10:00-10:15: 25 calls = 5 Erlangs, 8 agents: 8 required, none short.
    return build_dataset(
        root,
        calls=_calls(MARCH, 50, "m") + _calls(APRIL, 25, "a"),
        agent_intervals=_staffed(MARCH, 12) + _staffed(APRIL, 8),
    )


def _live(monkeypatch):
    """Readers compute live from here on (the rollups are ignored)."""
    monkeypatch.setattr(coverage, "precomputed", lambda *a, **k: False)
    monkeypatch.setattr(coverage_month, "projection", lambda *a, **k: None)
    monkeypatch.setattr(coverage_month, "model_check", lambda *a, **k: None)


def _published(root):
    return json.loads((root / lake.PUBLISHED).read_text(encoding="utf-8"))


def test_the_months_rows_are_the_figures_worked_out_by_hand(tmp_path):
    root = _two_months(tmp_path / "d")
    lk = lake.Lake(root)
    march = Filters(date(2026, 3, 1), date(2026, 3, 31))
    assert coverage.precomputed(lk, march, Scope.everything(), ServiceSettings(), PAGE)
    df = coverage.coverage(lk, march, Scope.everything(), ServiceSettings(), PAGE)
    assert len(df) == 1
    r = df.iloc[0]
    assert r["interval15"] == datetime(2026, 3, 2, 10, 0) and r["queue"] == "Q1"
    assert r["offered"] == 50 and r["aht_s"] == pytest.approx(180) and r["staffed_agents"] == pytest.approx(12)
    assert r["required_agents"] == 14 and r["gap_agents"] == pytest.approx(-2) and bool(r["short"])
    assert r["scheduled_agents"] == 20 and r["model"] == "erlang_c"
    # The plan's base month: 14 agents x 1/4 h.
    base, hours = coverage.base_month_workload(lk, date(2026, 3, 31), Scope.everything(), ServiceSettings(), PAGE)
    assert base == date(2026, 3, 1) and hours == pytest.approx(3.5)
    april = coverage.coverage(lk, Filters(date(2026, 4, 1), date(2026, 4, 30)), Scope.everything(), ServiceSettings())
    assert april["offered"].tolist() == [25] and april["required_agents"].tolist() == [8]
    assert april["gap_agents"].tolist() == [0.0]
    # Outside the asked days, queues or centers: nothing.
    other_day = Filters(date(2026, 3, 3), date(2026, 3, 31))
    assert coverage.coverage(lk, other_day, Scope.everything(), ServiceSettings(), PAGE).empty
    other_queue = march.with_(queues=("Q2",))
    assert coverage.coverage(lk, other_queue, Scope.everything(), ServiceSettings(), PAGE).empty
    assert coverage.coverage(lk, march, Scope(centers=("C2",)), ServiceSettings(), PAGE).empty
    assert len(coverage.coverage(lk, march.with_(centers=("C1",)), Scope.everything(), ServiceSettings(), PAGE)) == 1


@pytest.fixture(scope="module")
def demo(demo_dataset):
    return demo_dataset


def _month_cases(lk):
    # every month with data, as the page asks: the whole month, some days, a queue, a center
    months = [date.fromisoformat(m + "-01") for m in lk.months("calls")]
    queues = lk.query("SELECT DISTINCT queue, center FROM queues WHERE direction = 'inbound' ORDER BY queue")
    q, c = queues["queue"].iloc[0], queues["center"].iloc[-1]
    for m in months:
        end = coverage._month_end(m)
        yield Filters(m, end)
        yield Filters(m.replace(day=3), m.replace(day=9))
        yield Filters(m, end, queues=(q,))
        yield Filters(m, end, centers=(c,))


def _page_cov(lk, f):
    return coverage.CoverageSettings(target_sl=float(current_targets(lk, f.end).get("service_level") or 0.8))


def test_the_demo_months_equal_the_live_computation(demo, monkeypatch):
    settings = metrics.load_settings(demo)
    centers = lake.Lake(demo).query("SELECT center FROM centers ORDER BY center")["center"].tolist()
    scopes = (Scope.everything(), Scope(centers=(centers[0],)))
    pre = lake.Lake(demo)
    got = {}
    for f in _month_cases(pre):
        for sc in scopes:
            cov = _page_cov(pre, f)
            # the precomputed path is the one exercised
            assert coverage.precomputed(pre, f, sc, settings, cov), (f, sc)
            got[(f, sc)] = (
                coverage.coverage(pre, f, sc, settings, cov),
                coverage.base_month_workload(pre, f.end, sc, settings, cov),
            )
    months = [date.fromisoformat(m + "-01") for m in pre.months("calls")]
    for m in months:  # the projection and model check as of a month's end are precomputed too
        assert coverage_month.projection(pre, m, settings, coverage.model_constants()) is not None
        assert coverage_month.model_check(pre, m, settings, coverage.model_constants()) is not None
    more = {
        (m, sc): (
            coverage.load_profile(pre, m, sc, settings),
            coverage.model_check(pre, m, sc, settings),
            coverage.attrition_projection(pre, coverage._month_end(m), sc, settings),
        )
        for m in months
        for sc in scopes
    }
    _live(monkeypatch)
    live = lake.Lake(demo)
    for (f, sc), (cov_df, base) in got.items():
        want = coverage.coverage(live, f, sc, settings, _page_cov(live, f))
        assert len(want) > 0 or f.centers or sc.centers
        if len(want):
            pd.testing.assert_frame_equal(cov_df, want, check_exact=True, obj=f"{f} {sc.centers}")
        else:
            assert cov_df.empty
        assert base == coverage.base_month_workload(live, f.end, sc, settings, _page_cov(live, f))
    for (m, sc), frames in more.items():
        wants = (
            coverage.load_profile(live, m, sc, settings),
            coverage.model_check(live, m, sc, settings),
            coverage.attrition_projection(live, coverage._month_end(m), sc, settings),
        )
        for have, want in zip(frames, wants):
            assert len(want) > 0
            # (the projection sums people in the order the agents query returns them, which
            # is not fixed: two live runs differ in the last bits)
            pd.testing.assert_frame_equal(have, want, rtol=1e-12, atol=0, obj=f"{m} {sc.centers}")
            assert have.attrs == want.attrs


def test_other_settings_compute_live(tmp_path):
    root = _two_months(tmp_path / "d")
    lk = lake.Lake(root)
    march = Filters(date(2026, 3, 1), date(2026, 3, 31))
    sc = Scope.everything()
    assert coverage.precomputed(lk, march, sc, ServiceSettings(), PAGE)
    for settings, cov in (
        (ServiceSettings(), coverage.CoverageSettings(target_sl=0.9, shrinkage=0.3)),
        (ServiceSettings(), coverage.CoverageSettings(target_sl=0.8, shrinkage=0.2)),
        (ServiceSettings(), coverage.CoverageSettings(target_sl=0.8, shrinkage=0.3, basis="forecast")),
        (ServiceSettings(answer_within_s=30), PAGE),
    ):
        assert not coverage.precomputed(lk, march, sc, settings, cov)
    # and the live figures at 90 % in 20 s: 10 Erlangs need 15 agents (Erlang C, by hand)
    df = coverage.coverage(lk, march, sc, ServiceSettings(), coverage.CoverageSettings(target_sl=0.9))
    assert df["required_agents"].tolist() == [15]
    # a selection across two months is computed live too
    assert not coverage.precomputed(lk, Filters(date(2026, 3, 1), date(2026, 4, 30)), sc, ServiceSettings(), PAGE)


def test_stale_or_missing_months_compute_live_and_repair_rebuilds_them(tmp_path):
    root = _two_months(tmp_path / "d")
    march = Filters(date(2026, 3, 1), date(2026, 3, 31))
    sc = Scope.everything()
    good = _published(root)
    # stale: built from another queue_interval file than the one published
    stale = json.loads(json.dumps(good))
    stale[coverage_month.ROLLUP]["months"]["2026-03"]["queue_interval"] = "_rollups/queue_interval/old.parquet"
    # missing: no file of March
    missing = json.loads(json.dumps(good))
    del missing["rollups"][coverage_month.ROLLUP]["2026-03"]
    for manifest in (stale, missing):
        (root / lake.PUBLISHED).write_text(json.dumps(manifest), encoding="utf-8")
        lk = lake.Lake(root)
        assert not coverage.precomputed(lk, march, sc, ServiceSettings(), PAGE)
        assert coverage.precomputed(lk, Filters(date(2026, 4, 1), date(2026, 4, 30)), sc, ServiceSettings(), PAGE)
        df = coverage.coverage(lk, march, sc, ServiceSettings(), PAGE)  # live: the same figures
        assert df["required_agents"].tolist() == [14] and df["gap_agents"].tolist() == [-2.0]
        assert coverage_build.stale_months(root) == ["2026-03"]
        out = lake.repair(root)
        assert out["coverage_month"] == ["2026-03"]
        assert coverage_build.stale_months(root) == []
        lk = lake.Lake(root)
        assert coverage.precomputed(lk, march, sc, ServiceSettings(), PAGE)
        assert coverage.coverage(lk, march, sc, ServiceSettings(), PAGE)["required_agents"].tolist() == [14]
    # a dataset published before the staffing month existed: repair builds every month
    bare = _published(root)
    for r in lake.COVERAGE_ROLLUPS:
        bare["rollups"].pop(r, None)
    bare.pop(coverage_month.ROLLUP)
    (root / lake.PUBLISHED).write_text(json.dumps(bare), encoding="utf-8")
    assert not coverage.precomputed(lake.Lake(root), march, sc, ServiceSettings(), PAGE)
    assert lake.repair(root)["coverage_month"] == ["2026-03", "2026-04"]
    assert coverage.precomputed(lake.Lake(root), march, sc, ServiceSettings(), PAGE)
    assert lake.repair(root) == {}  # nothing stale any more


def test_a_changed_target_computes_live_until_repair(tmp_path):
    root = _two_months(tmp_path / "d")
    targets = frame(
        "targets",
        [{"metric": "service_level", "scope_type": "global", "target": 0.9, "valid_from": pd.Timestamp("2026-01-01")}],
    )
    # a targets batch alone touches no month of calls: no month is recomputed
    before = _published(root)["rollups"][coverage_month.ROLLUP]
    ingest_frames(root, {"targets": targets}, source="test")
    assert _published(root)["rollups"][coverage_month.ROLLUP] == before
    lk = lake.Lake(root)
    march = Filters(date(2026, 3, 1), date(2026, 3, 31))
    page90 = coverage.CoverageSettings(target_sl=0.9)
    assert not coverage.precomputed(lk, march, Scope.everything(), ServiceSettings(), page90)
    assert coverage_build.stale_months(root) == ["2026-03", "2026-04"]
    lake.repair(root)
    lk = lake.Lake(root)
    assert coverage.precomputed(lk, march, Scope.everything(), ServiceSettings(), page90)
    df = coverage.coverage(lk, march, Scope.everything(), ServiceSettings(), page90)
    assert df["required_agents"].tolist() == [15]  # 10 Erlangs at 90 % in 20 s (Erlang C)


def test_an_import_of_one_month_recomputes_only_that_month(tmp_path):
    root = _two_months(tmp_path / "d")
    before = _published(root)
    later = APRIL + timedelta(days=1)
    ingest_frames(
        root,
        {
            "calls": frame("calls", _calls(later, 25, "b")),
            "agent_intervals": frame("agent_intervals", _staffed(later, 8)),
        },
        source="test",
    )
    after = _published(root)
    for r in (coverage_month.ROLLUP, coverage_month.PROFILE):  # (no projection: no employees here)
        assert after["rollups"][r]["2026-03"] == before["rollups"][r]["2026-03"]  # the same file
        assert after["rollups"][r]["2026-04"] != before["rollups"][r]["2026-04"]
    meta = after[coverage_month.ROLLUP]["months"]
    assert meta["2026-03"] == before[coverage_month.ROLLUP]["months"]["2026-03"]
    lk = lake.Lake(root)
    april = Filters(date(2026, 4, 1), date(2026, 4, 30))
    assert coverage.precomputed(lk, april, Scope.everything(), ServiceSettings(), PAGE)
    df = coverage.coverage(lk, april, Scope.everything(), ServiceSettings(), PAGE)
    assert df["offered"].tolist() == [25, 25] and df["required_agents"].tolist() == [8, 8]


def test_the_projection_depends_on_hr_batches_and_the_season_months():
    # As of 2026-03-31 the projection reads the months 2025-03 .. 2025-09 a year earlier (the
    # base month and the six months ahead) and every table not split by month.
    manifest = {
        "batches": {"calls": ["batch=1"], "employees": ["batch=2"], "targets": ["batch=3"]},
        "rollups": {"queue_interval": {"2025-03": "a", "2025-10": "b", "2026-03": "c"}},
    }
    dep = coverage_month._projection_depends(manifest, date(2026, 3, 1))
    assert dep["batches"] == {"employees": ["batch=2"], "targets": ["batch=3"]}
    assert list(dep["queue_interval"]) == [f"2025-{m:02d}" for m in range(3, 10)]
    assert dep["queue_interval"]["2025-03"] == "a" and dep["queue_interval"]["2025-04"] is None

    def changed(**edit):
        m = json.loads(json.dumps(manifest))
        for key, (table, value) in edit.items():
            m[key][table] = value
        return coverage_month._projection_depends(m, date(2026, 3, 1)) != dep

    assert changed(batches=("employees", ["batch=2", "batch=9"]))
    assert changed(batches=("role_events", ["batch=9"]))
    assert not changed(batches=("calls", ["batch=1", "batch=9"]))  # the month's own files say that
    rollups = dict(manifest["rollups"]["queue_interval"])
    assert changed(rollups=("queue_interval", {**rollups, "2025-05": "new"}))
    assert not changed(rollups=("queue_interval", {**rollups, "2025-10": "new", "2026-03": "new"}))
