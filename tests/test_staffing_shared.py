"""The staffing page's month-level figures are computed once and shared, with the same
figures as the straightforward computations they replace.

The references below are the earlier implementations, written row by row or query by
query (one SQL GROUP BY per filter for caller patience, one Erlang pass per filter for
coverage, a Python loop per queue for the headcount outlook, a dict lookup per profile
row for the service level): independent of the shared, vectorised code under test.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics import coverage, coverage_month, lake
from analytics.access import Scope
from analytics.filters import Filters
from analytics.metrics import ServiceSettings


@pytest.fixture(autouse=True)
def _live(monkeypatch):
    """These tests are about computing live (what a month not precomputed at import, or
    other settings, cost): the precomputed staffing month is tested in test_coverage_month."""
    monkeypatch.setattr(coverage, "precomputed", lambda *a, **k: False)
    monkeypatch.setattr(coverage_month, "projection", lambda *a, **k: None)
    monkeypatch.setattr(coverage_month, "model_check", lambda *a, **k: None)


@pytest.fixture(scope="module")
def demo(demo_dataset):
    return lake.Lake(demo_dataset, lock_down=False)


@pytest.fixture(scope="module")
def month(demo):
    # the last complete month of the demo
    return pd.Timestamp(demo.months("calls")[-2] + "-01").date()


def _patience_by_sql(lk, month, scope, centers=(), queues=()):
    """Caller patience straight from the month's calls, one GROUP BY for the filter."""
    df = lk.con.execute(
        "SELECT queue, count(*) AS offered, count(*) FILTER (WHERE answered_at IS NULL) AS abandoned, "
        "sum(epoch(coalesce(answered_at, ended_at) - arrived_at)) AS waited_s FROM calls "
        "WHERE _month = $m AND coalesce(direction, 'inbound') = 'inbound' "
        "AND (len($c::VARCHAR[]) = 0 OR list_contains($c::VARCHAR[], center)) "
        "AND (len($q::VARCHAR[]) = 0 OR list_contains($q::VARCHAR[], queue)) "
        "AND ($s::VARCHAR[] IS NULL OR list_contains($s::VARCHAR[], center)) GROUP BY queue ORDER BY queue",
        {
            "m": f"{month:%Y-%m}",
            "c": list(centers),
            "q": list(queues),
            "s": None if scope.centers is None else list(scope.centers),
        },
    ).df()
    df["patience_s"] = (df["waited_s"] / df["abandoned"]).where(df["abandoned"] >= 30)
    return df


def _queues_and_centers(lk, month):
    df = lk.con.execute(
        "SELECT DISTINCT queue, center FROM calls WHERE _month = $m AND direction = 'inbound' ORDER BY 1",
        {"m": f"{month:%Y-%m}"},
    ).df()
    return df


def test_patience_of_any_filter_is_that_of_its_calls(demo, month):
    qc = _queues_and_centers(demo, month)
    queue, center = qc["queue"].iloc[0], qc["center"].iloc[-1]
    for scope, centers, queues in [
        (Scope.everything(), (), ()),
        (Scope.everything(), (center,), ()),
        (Scope.everything(), (), (queue,)),
        (Scope.everything(), (center,), (queue,)),
        (Scope(centers=(center,)), (), ()),
    ]:
        got = coverage.patience_by_month(demo, month, month, scope, centers, queues)
        want = _patience_by_sql(demo, month, scope, centers, queues)
        assert list(got["queue"]) == list(want["queue"])
        assert (got["month"] == month).all()
        np.testing.assert_array_equal(got["offered"].to_numpy(), want["offered"].to_numpy())
        np.testing.assert_array_equal(got["abandoned"].to_numpy(), want["abandoned"].to_numpy())
        np.testing.assert_allclose(got["patience_s"].to_numpy(float), want["patience_s"].to_numpy(float), rtol=1e-12)
    assert len(_patience_by_sql(demo, month, Scope.everything())) > 1  # the test compares several queues


def _same_coverage(got: pd.DataFrame, want: pd.DataFrame):
    assert len(got) == len(want) > 0
    got = got.sort_values(["interval15", "queue"], ignore_index=True)
    want = want.sort_values(["interval15", "queue"], ignore_index=True)
    assert list(got.columns) == list(want.columns)
    for col in want.columns:
        g, w = got[col], want[col]
        if col in ("interval15", "queue", "model", "short"):
            assert g.astype(str).tolist() == w.astype(str).tolist(), col
        else:
            np.testing.assert_allclose(g.to_numpy(float), w.to_numpy(float), rtol=1e-12, equal_nan=True, err_msg=col)


def test_coverage_of_a_queue_or_some_days_is_computed_as_on_its_own(demo, month, monkeypatch):
    settings, cov = ServiceSettings(), coverage.CoverageSettings()
    month_key = ("coverage.coverage", month, coverage._month_end(month), (), (), None, settings, cov)
    picks, pick = [], coverage._pick
    monkeypatch.setattr(coverage, "_pick", lambda *a: picks.append(1) or pick(*a))
    qc = _queues_and_centers(demo, month)
    queue, center = qc["queue"].iloc[0], qc["center"].iloc[-1]
    assert not qc["queue"].duplicated().any()  # one center per queue: centers pick the month's rows
    for f in (
        Filters(start=month, end=coverage._month_end(month), centers=(center,)),
        Filters(start=month + pd.Timedelta(days=2), end=month + pd.Timedelta(days=20), centers=(center,)),
        Filters(start=month, end=coverage._month_end(month), queues=(queue,)),
        Filters(start=month + pd.Timedelta(days=3), end=month + pd.Timedelta(days=9)),
        Filters(start=month + pd.Timedelta(days=3), end=month + pd.Timedelta(days=9), queues=(queue,)),
    ):
        demo.clear_cache()
        want = coverage._coverage(demo, f, Scope.everything(), settings, cov)  # one pass for this filter
        whole = coverage._coverage(
            demo, Filters(start=month, end=coverage._month_end(month)), Scope.everything(), settings, cov
        )
        day = pd.to_datetime(whole["interval15"]).dt.date
        keep = (day >= f.start) & (day <= f.end)
        keep &= whole["queue"].isin(f.queues or whole["queue"])
        keep &= whole["queue"].isin(qc.loc[qc["center"].isin(f.centers or qc["center"]), "queue"])
        _same_coverage(want, whole[keep.to_numpy()])  # the filter's rows are the month's
        demo.clear_cache()
        picks.clear()
        alone = coverage.coverage(demo, f, Scope.everything(), settings, cov)  # month not cached: the selection
        assert not picks and not demo.is_cached(month_key)
        demo.clear_cache()
        coverage.coverage(demo, Filters(start=month, end=coverage._month_end(month)), Scope.everything(), settings, cov)
        assert demo.is_cached(month_key)
        picked = coverage.coverage(demo, f, Scope.everything(), settings, cov)  # rows of the cached month
        assert picks
        demo.clear_cache()
        picks.clear()
        coverage.base_month_workload(demo, coverage._month_end(month), Scope.everything(), settings, cov)
        assert not demo.is_cached(month_key)  # the month's required agents only
        from_required = coverage.coverage(demo, f, Scope.everything(), settings, cov)
        assert picks
        _same_coverage(alone, want)
        _same_coverage(picked, want)
        _same_coverage(from_required, want)
        assert set(picked["queue"]) <= set(f.queues or picked["queue"])
        days = pd.to_datetime(picked["interval15"]).dt.date
        assert days.min() >= f.start and days.max() <= f.end


def test_the_plans_required_hours_are_those_of_the_months_coverage(demo, month):
    settings, cov = ServiceSettings(), coverage.CoverageSettings()
    end = coverage._month_end(month)
    demo.clear_cache()
    base, hours = coverage.base_month_workload(demo, end, Scope.everything(), settings, cov)  # required agents only
    assert not demo.is_cached(("coverage.coverage", month, end, (), (), None, settings, cov))
    demo.clear_cache()
    whole = coverage.coverage(demo, Filters(start=month, end=end), Scope.everything(), settings, cov)
    busy = whole[whole["offered"] > 0]
    demo.clear_cache()
    coverage.base_month_workload(demo, end, Scope.everything(), settings, cov)
    _same_coverage(coverage.coverage(demo, Filters(start=month, end=end), Scope.everything(), settings, cov), whole)
    assert base == month and hours > 0
    assert hours == busy["required_agents"].astype(float).sum() * 0.25  # agent-hours of 15-minute intervals


def test_the_month_is_scanned_for_patience_once(demo, month, monkeypatch):
    demo.clear_cache()
    scans = []
    real = demo.query

    def counting(sql, params=None, months=None):
        if "waited_s" in sql:
            scans.append(params)
        return real(sql, params, months)

    monkeypatch.setattr(demo, "query", counting)
    settings, cov = ServiceSettings(), coverage.CoverageSettings()
    queue = _queues_and_centers(demo, month)["queue"].iloc[0]
    end = coverage._month_end(month)
    coverage.coverage(demo, Filters(start=month, end=end, queues=(queue,)), Scope.everything(), settings, cov)
    coverage.base_month_workload(demo, end, Scope.everything(), settings, cov)
    coverage.attrition_projection(demo, end, Scope.everything(), settings)
    coverage.model_check(demo, month, Scope.everything(), settings)
    assert len(scans) == 1


def _old_profile_service_level(profile, answer_within_s, patience, staff_factor=None, volume_factor=None):
    """A dict lookup per profile row, then a sum per queue."""
    rows = []
    for _, r in profile.iterrows():
        if not r["offered"] > 0:
            continue
        p = patience.get(r["queue"])
        p = np.nan if p is None or pd.isna(p) else float(p)
        s = (staff_factor or {}).get(r["queue"], 1.0)
        v = (volume_factor or {}).get(r["queue"], 1.0)
        sl = coverage._service_level_at(
            np.array([r["offered"] * v]),
            np.array([0.0 if pd.isna(r["aht_s"]) else r["aht_s"]]),
            np.array([r["staffed_agents"] * s]),
            answer_within_s,
            np.array([p]),
        )[0]
        rows.append((r["queue"], sl * r["offered"] * r["days"], r["offered"] * r["days"]))
    df = pd.DataFrame(rows, columns=["queue", "slw", "w"]).groupby("queue").sum()
    return (df["slw"] / df["w"]).to_dict()


def test_profile_service_level_is_the_offered_weighted_mean_of_its_rows(demo, month):
    settings = ServiceSettings()
    profile = coverage.load_profile(demo, month, Scope.everything(), settings)
    queues = sorted(profile["queue"].unique())
    # a small profile: two queues' first rows of each day type
    small = profile[profile["queue"].isin(queues[:2])].groupby(["queue", "day_type"]).head(6)
    patience = {queues[0]: 75.0}
    staff, volume = {queues[0]: 0.9, queues[1]: 1.1}, {queues[1]: 1.2}
    got = coverage.profile_service_level(small, settings.answer_within_s, patience, staff, volume).set_index("queue")
    want = _old_profile_service_level(small, settings.answer_within_s, patience, staff, volume)
    assert set(got.index) == set(want)
    for q, sl in want.items():
        assert got.loc[q, "service_level"] == pytest.approx(sl, rel=1e-12)
    assert got.loc[queues[0], "model"] == "erlang_a" and got.loc[queues[1], "model"] == "erlang_c"


def _old_load_profile(lk, month, scope, settings):
    load = coverage.interval_load(lk, Filters(start=month, end=coverage._month_end(month)), scope, settings)
    ts = pd.to_datetime(load["interval15"])
    load["day_type"] = [coverage._profile_day_type(d) for d in ts.dt.date]
    load["time"] = ts.dt.strftime("%H:%M")
    days = pd.Series({d: coverage._profile_day_type(d) for d in set(ts.dt.date)}).value_counts()
    load["handle_s"] = load["aht_s"].fillna(0) * load["answered"]
    g = load.groupby(["queue", "day_type", "time"]).agg(
        offered=("offered", "sum"), handle_s=("handle_s", "sum"), answered=("answered", "sum")
    )
    g["days"] = [days[k[1]] for k in g.index]
    g["offered"] = g["offered"] / g["days"]
    return g


def test_load_profile_is_the_months_typical_day(demo, month):
    got = coverage.load_profile(demo, month, Scope.everything(), ServiceSettings())
    want = _old_load_profile(demo, month, Scope.everything(), ServiceSettings())
    got = got.set_index(["queue", "day_type", "time"]).sort_index()
    assert list(got.index) == list(want.index)
    np.testing.assert_allclose(got["offered"], want["offered"], rtol=1e-12)
    np.testing.assert_array_equal(got["days"], want["days"])


def _old_headcount_outlook(lk, as_of, scope, plan, base_month):
    """Person by person, month by month, queue by queue."""
    agents = coverage._agents_with_queue(lk, as_of, base_month, scope)
    curve = coverage._agent_curve(lk)
    first = coverage._next_month(coverage._month_start(as_of))
    counts = agents["queue"].value_counts()
    counts = counts[sorted(counts.index)]
    out = []
    for scenario, extra, cut in (("expected", 0, 0.0), ("what_if", plan.extra_hires, plan.attrition_cut)):
        people = [
            (q, (pd.Timestamp(as_of) - pd.Timestamp(h)).days + 1.0, 0.0)
            for q, h in zip(agents["queue"], agents["hire_date"])
        ]
        if extra:
            share = counts / counts.sum()
            n = np.floor(share * extra).astype(int)
            # the largest remainders get one more; equal remainders in queue order
            rest = sorted(n.index, key=lambda q: (-(share[q] * extra - n[q]), q))
            for q in rest[: extra - n.sum()]:
                n[q] += 1
            offset = float((pd.Timestamp(first) - pd.Timestamp(as_of)).days)
            people += [(q, -offset + 1, offset) for q in n.index for _ in range(n[q])]

        def employed(tenure0, join, d, cut=cut):
            if join > d:
                return 0.0
            ahead = max(d - join, 0)
            t = max(tenure0 + join, 1)
            s_now = curve["retained"][np.searchsorted(curve["days"], t, side="right") - 1]
            s_later = curve["retained"][np.searchsorted(curve["days"], t + ahead, side="right") - 1]
            stay = s_later / s_now if s_now > 0 else 1.0
            return 1 - (1 - stay) * (1 - cut)

        m = first
        for _ in range(plan.months):
            m_start = (pd.Timestamp(m) - pd.Timestamp(as_of)).days - 1
            m_end = (pd.Timestamp(coverage._month_end(m)) - pd.Timestamp(as_of)).days
            mid = (m_start + m_end) / 2
            for q in sorted({p[0] for p in people}):
                row = dict(agents_start=0.0, hires=0, expected_leavers=0.0, in_training=0.0, productive=0.0)
                for pq, tenure0, join in people:
                    if pq != q:
                        continue
                    ps, pe, pm = (employed(tenure0, join, d) for d in (max(m_start, 0), m_end, mid))
                    joined = m_start < join <= m_end
                    row["agents_start"] += ps
                    row["hires"] += joined
                    row["expected_leavers"] += (1.0 if joined else ps) - pe
                    row["in_training" if tenure0 + mid <= plan.training_weeks * 7 else "productive"] += pm
                out.append({"scenario": scenario, "queue": q, "month": m, **row})
            m = coverage._next_month(m)
    return pd.DataFrame(out)


def test_headcount_outlook_person_by_person(demo, month):
    as_of = coverage._month_end(month)
    plan = coverage.ProjectionSettings(months=3, extra_hires=7, attrition_cut=0.25)
    got = coverage.headcount_outlook(demo, as_of, Scope.everything(), plan, month)
    want = _old_headcount_outlook(demo, as_of, Scope.everything(), plan, month)
    assert len(want) > 6
    assert got[["scenario", "queue"]].astype(str).values.tolist() == want[["scenario", "queue"]].values.tolist()
    assert list(got["month"]) == list(want["month"])
    np.testing.assert_array_equal(got["hires"], want["hires"])
    for col in ("agents_start", "expected_leavers", "in_training", "productive"):
        np.testing.assert_allclose(got[col], want[col], rtol=1e-9, atol=1e-9, err_msg=col)
    assert want.loc[want["scenario"] == "what_if", "hires"].sum() == 7


def test_a_center_filter_on_a_queue_of_two_centers_sums_that_centers_part(tmp_path):
    # Q1 takes calls in two centers on Monday 10:00-10:15: 50 calls of 180 s at C1 with 12
    # agents (10 Erlangs: 14 agents needed for 80 % in 20 s, reference case 1) and 30 at C2
    # with 5 agents. Filtered to C1 the interval is C1's 50 calls and 12 agents, which the
    # month's rows (80 calls, 17 agents) cannot give: computed on its own.
    from datetime import datetime, timedelta, timezone

    from tests.conftest import build_dataset

    t0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
    calls = [
        {
            "call_id": f"{center}-{i}",
            "queue": "Q1",
            "center": center,
            "direction": "inbound",
            "arrived_at": t0 + timedelta(seconds=i * 17),
            "answered_at": t0 + timedelta(seconds=i * 17 + 5),
            "ended_at": t0 + timedelta(seconds=i * 17 + 185),
            "agent_id": f"{center}-A{i % n_agents}",
            "talk_s": 180.0,
            "hold_s": 0.0,
            "acw_s": 0.0,
            "category": "common",
        }
        for center, n_calls, n_agents in (("C1", 50, 12), ("C2", 30, 5))
        for i in range(n_calls)
    ]
    intervals = [
        {
            "agent_id": f"{center}-A{i}",
            "interval_start": t0,
            "center": center,
            "queue": "Q1",
            "staffed_s": 900,
            "available_s": 150,
            "handling_s": 750,
        }
        for center, n_agents in (("C1", 12), ("C2", 5))
        for i in range(n_agents)
    ]
    centers = [
        {"center": c, "name_zh": "测试中心", "name_en": "Test center", "timezone": "Asia/Shanghai"}
        for c in ("C1", "C2")
    ]
    lk = lake.open_lake(build_dataset(tmp_path, calls=calls, agent_intervals=intervals, centers=centers))
    settings, cov = ServiceSettings(), coverage.CoverageSettings(target_sl=0.8)
    whole = coverage.coverage(lk, Filters(date(2026, 3, 1), date(2026, 3, 31)), Scope.everything(), settings, cov)
    assert whole["offered"].tolist() == [80] and whole["staffed_agents"].tolist() == [17]
    c1 = coverage.coverage(
        lk, Filters(date(2026, 3, 1), date(2026, 3, 31), centers=("C1",)), Scope.everything(), settings, cov
    )
    assert c1["offered"].tolist() == [50]
    assert c1["staffed_agents"].tolist() == [12]
    assert c1["required_agents"].tolist() == [14]
