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


@pytest.mark.slow
@pytest.mark.parametrize("rollup", [True, False])
def test_the_review_floors_complaints_are_the_pages(demo_dataset, rollup):
    """The latest month's review: complaints, level 3 and the share resolved within target,
    for the trend's months judged as at the review month's end and for the previous and
    year-ago months as at their own end. The floor works them out by hand-written SQL (from
    the published facts, or from the raw timestamps and the calendar index); the page from
    its one statement over the facts. The causes and hires are the page's too."""
    from analytics import report

    lk = lake_mod.Lake(demo_dataset)
    month = lk.months("calls")[-1]
    first, _ = floors.month_bounds(month)
    review = report.build_review(lk, first, Scope.everything())
    cmp = floors.monthly_review(duckdb.connect(), floors.Files(demo_dataset), month, ServiceSettings(), rollup)[1]
    totals = cmp[cmp["level"].isna() & cmp["cause"].isna()].set_index("m")
    trend = review.trend.set_index(review.trend["month"].dt.strftime("%Y-%m"))
    assert len(trend) >= 3  # the test demo holds a few months; the review reads up to 13
    for m, row in trend.iterrows():
        assert row["complaints"] == totals.loc[m, "n"], m
        assert row["resolved_within_target"] == pytest.approx(
            totals.loc[m, "within_at_cut"] / totals.loc[m, "judgeable_at_cut"], rel=1e-12
        ), m
    year_ago = floors.month_add(month, -12)
    for col, m in (("value", month), ("previous", floors.month_add(month, -1)), ("year_ago", year_ago)):
        if m not in totals.index:  # no year-ago month in the test demo
            assert m == year_ago and review.value("resolved_within_target", col) is None
            continue
        own = totals.loc[m, "within_own_end"] / totals.loc[m, "judgeable_own_end"]
        assert review.value("resolved_within_target", col) == pytest.approx(own, rel=1e-12), (col, m)
        level3 = cmp[(cmp["m"] == m) & (cmp["level"] == 3)]["n"].sum()
        assert review.value("level3_complaints", col) == level3, (col, m)
    # At the previous month's own end fewer complaints are judged than at the review's end.
    prev = floors.month_add(month, -1)
    assert totals.loc[prev, "judgeable_own_end"] < totals.loc[prev, "judgeable_at_cut"]
    causes = cmp[(cmp["m"] == month) & cmp["cause"].notna()].set_index("cause")["n"]
    assert review.complaint_causes.set_index("cause")["complaints"].to_dict() == causes.to_dict()


@pytest.mark.slow
@pytest.mark.parametrize("rollup", [True, False])
def test_the_handle_time_floors_figures_are_the_pages(demo_dataset, rollup):
    """The latest month's handle-time page: per category the share within the category's
    own target and within the handle target, and per agent to review the days with calls,
    the day-to-day swing, the AHT against the team's and the tenure. The floor works them
    out by hand-written SQL (from the rollups, or from the raw calls and employees)."""
    import pandas as pd

    from analytics import calls, targets

    lk = lake_mod.Lake(demo_dataset)
    month = lk.months("calls")[-1]
    first, last = floors.month_bounds(month)
    f, everyone = Filters(first, last), Scope.everything()
    per_cat = calls.by_category_targets(lk, f, everyone, targets.handle_targets(demo_dataset)).set_index("category")
    by_cat = calls.by_category(lk, f, everyone).set_index("category")
    review = calls.agents_to_review(lk, f, everyone).set_index("agent")
    assert len(review) > 5 and len(per_cat) == 2
    out = floors.handle_time(duckdb.connect(), floors.Files(demo_dataset), month, ServiceSettings(), rollup)
    hist = out[0] if rollup else out[0][out[0]["inbound"].fillna(False).astype(bool)]
    cat = hist[hist["category"].notna() & hist["bin_s"].isna()].set_index("category").loc[per_cat.index]
    for col, page in (("within_category_target", per_cat), ("within_handle_target", by_cat.loc[per_cat.index])):
        pd.testing.assert_series_equal(cat[col], page[col].astype("float64"), check_names=False, rtol=1e-12)
    if rollup:
        per = out[1]
        agents = per[per["agent_id"].notna()].set_index("agent_id").loc[review.index]
        team_aht = per[per["team"].notna() & per["agent_id"].isna()].set_index("team")["aht_s"]
        ratio = agents["aht_s"] / team_aht.loc[agents["team"]].to_numpy()
    else:
        figures, swing, tenure = out[0], out[1], out[2].set_index("employee_id")
        agents = swing.loc[review.index].join(tenure)
        by_agent = figures[figures["agent_id"].notna() & figures["day"].isna()].set_index("agent_id").loc[review.index]
        by_team = figures[figures["team"].notna() & figures["agent_id"].isna()].set_index("team")["aht_s"]
        ratio = by_agent["aht_s"] / by_team.loc[by_agent["team"]].to_numpy()
    assert agents["days"].tolist() == review["days"].tolist()
    assert agents["tenure_days"].tolist() == review["tenure_days"].tolist()
    assert agents["name"].tolist() == review["name"].tolist()
    pd.testing.assert_series_equal(agents["output_swing"], review["output_swing"], check_names=False, rtol=1e-9)
    pd.testing.assert_series_equal(pd.Series(ratio.to_numpy()), pd.Series(review["aht_vs_team"].to_numpy()), rtol=1e-9)
