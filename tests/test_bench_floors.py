"""The bench's floors compute the page's real figures. The staffing floor reads the data its
own way (hand-written SQL on the month's Parquet) and must reach the same required agents
and service level as the page; its month arithmetic is right. No timing here: speed is
measured by bench/run.py, never by a test."""

from datetime import date

import duckdb
import pytest

from analytics import coverage, lake as lake_mod
from analytics.access import Scope
from analytics.filters import Filters
from analytics.settings import ServiceSettings
from bench import floors


@pytest.mark.slow
def test_the_staffing_floor_reaches_the_pages_figures(demo_dataset):
    lk = lake_mod.Lake(demo_dataset)
    month = lk.months("calls")[-1]
    first, last = floors.month_bounds(month)
    cfg = ServiceSettings()
    page = coverage.coverage(lk, Filters(first, last), Scope(), cfg, coverage.CoverageSettings(target_sl=0.8))
    page = page[(page["offered"] > 0) & (page["aht_s"] > 0)]
    con = duckdb.connect()
    worst, _, (n_short, _), proj, check = floors.staffing(con, floors.Files(demo_dataset), month, cfg, rollup=True)
    assert n_short == int((page["gap_agents"] < 0).sum())
    # the projection as of the month's end and the model check the page reads, precomputed
    want_proj = coverage.attrition_projection(lk, last, Scope(), cfg)
    assert len(proj) == len(want_proj) > 0
    assert proj["service_level"].tolist() == pytest.approx(want_proj["service_level"].tolist(), rel=1e-12)
    assert check["queue"].tolist() == coverage.model_check(lk, first, Scope(), cfg)["queue"].tolist()
    want = page.set_index(["queue", "interval15"])["required_agents"]
    for _, row in worst.iterrows():
        assert row["required"] == want[(row["queue"], row["i15"])]
    # Without the precomputed staffing month: Erlang over the queue-interval rollup, same figures.
    files = floors.Files(demo_dataset)
    assert month in files.pub["rollups"]["coverage_month"]
    files.pub = {**files.pub, "rollups": {k: v for k, v in files.pub["rollups"].items() if k != "coverage_month"}}
    qi_worst, _, (qi_short, _) = floors.staffing(con, files, month, cfg, rollup=True)[:3]
    assert qi_short == n_short and qi_worst["required"].tolist() == worst["required"].tolist()
    # Rollups of an older format (no abandoned callers' waits): patience from the raw calls, same figures.
    assert files.pub["rollup_format"] == lake_mod.ROLLUP_FORMAT
    files.pub = {k: v for k, v in files.pub.items() if k != "rollup_format"}
    old_worst, _, (old_short, _) = floors.staffing(con, files, month, cfg, rollup=True)
    assert old_short == n_short and old_worst["required"].tolist() == worst["required"].tolist()


@pytest.mark.parametrize(
    "month,k,want", [("2026-10", -1, "2026-09"), ("2026-01", -1, "2025-12"), ("2025-11", 13, "2026-12")]
)
def test_month_add(month, k, want):
    assert floors.month_add(month, k) == want


def test_month_bounds_of_a_leap_february():
    first, last = floors.month_bounds("2024-02")
    assert (first.isoformat(), last.isoformat()) == ("2024-02-01", "2024-02-29")
    assert first == date(2024, 2, 1)


@pytest.mark.slow
@pytest.mark.parametrize("rollup", [True, False])
def test_the_scorecards_floor_reaches_the_pages_figures(demo_dataset, rollup):
    """Per agent of the latest month: the floor's call measures (from the agent_month rollup,
    or the raw calls) and agent days are the page's."""
    import pandas as pd

    from analytics import scorecard

    lk = lake_mod.Lake(demo_dataset)
    month = lk.months("calls")[-1]
    page = scorecard.agent_month(lk, date(int(month[:4]), int(month[5:]), 1), Scope()).set_index("employee_id")
    files = floors.Files(demo_dataset)
    agents, days, *_ = floors.scorecards(duckdb.connect(), files, month, None, rollup=rollup)
    mine = agents[(agents["month"] == month) & agents["agent_id"].notna()].set_index("agent_id")
    with_calls = page[page["answered"] > 0]
    assert len(with_calls) > 10 and set(with_calls.index) <= set(mine.index)
    for col in ("answered", "handled", "handle_s", "within_target", "transferred", "csat", "fcr", "aht_common_s"):
        got = mine.loc[with_calls.index, col].astype("float64")
        pd.testing.assert_series_equal(got, with_calls[col].astype("float64"), check_names=False, rtol=1e-9)
    d = days[days["month"] == month].set_index("agent_id")["agent_days"]
    assert d.loc[with_calls.index].tolist() == with_calls["agent_days"].tolist()


@pytest.mark.slow
@pytest.mark.parametrize("rollup", [True, False])
def test_the_service_level_floors_satisfaction_is_the_pages(demo_dataset, rollup):
    """CSAT and first-contact resolution by queue of the latest month: the floor's (from the
    day rollup's sums, or the raw calls) equal the page's, and the page's rollup read equals
    its raw read (the two paths of calls.satisfaction_by_queue)."""
    import pandas as pd

    from analytics import calls

    lk = lake_mod.Lake(demo_dataset)
    month = lk.months("calls")[-1]
    first, last = floors.month_bounds(month)
    f = Filters(first, last)
    page = calls.satisfaction_by_queue(lk, f, Scope()).set_index("queue")
    assert lk.has_rollups(("queue_day",), min_format=4) and len(page) > 3
    sat = floors.service_level(duckdb.connect(), floors.Files(demo_dataset), month, ServiceSettings(), rollup)[-1]
    sat = sat.set_index("queue").loc[page.index]
    for a, b in (("csat", "csat"), ("csat_answers", "csat_answers"), ("fcr", "fcr_rate"), ("fcr_known", "fcr_known")):
        pd.testing.assert_series_equal(
            sat[b].astype("float64"), page[a].astype("float64"), check_names=False, rtol=1e-12
        )
    raw = (
        lk.query(
            "SELECT c.queue, count(*) AS answered, avg(c.csat) AS csat, avg(CAST(c.resolved_first_contact AS INTEGER)) "
            "AS fcr FROM calls c WHERE c._month = $m AND c.answered_at IS NOT NULL "
            "AND coalesce(c.direction, 'inbound') = 'inbound' GROUP BY c.queue",
            {"m": month},
        )
        .set_index("queue")
        .loc[page.index]
    )
    assert raw["answered"].tolist() == page["answered"].tolist()
    pd.testing.assert_series_equal(raw["csat"], page["csat"].astype("float64"), check_names=False, rtol=1e-12)
    pd.testing.assert_series_equal(raw["fcr"], page["fcr"].astype("float64"), check_names=False, rtol=1e-12)
