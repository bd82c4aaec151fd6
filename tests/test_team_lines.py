"""The scorecards' team trend (ui.charts.team_lines): a line per team with a legend while
the teams are few; above that one grey trace with every team's months (a gap between two
teams) and the median team's line, figures worked out by hand."""

from __future__ import annotations

import math

import pandas as pd

from ui import charts


def _trend(teams: int, months=("2026-08-01", "2026-09-01", "2026-10-01")) -> pd.DataFrame:
    rows = [
        {"team": f"T{k:03d}", "month": pd.Timestamp(m), "score": 60.0 + k + 2 * j}
        for k in range(teams)
        for j, m in enumerate(months)
    ]
    return pd.DataFrame(rows).sample(frac=1, random_state=3)  # any row order


def test_few_teams_a_line_each():
    fig = charts.team_lines(_trend(3), "score", 12)
    assert [tr.name for tr in fig.data] == ["T000", "T001", "T002"]
    assert list(fig.data[1].y) == [61.0, 63.0, 65.0]
    assert fig.layout.hovermode == "x unified"


def test_many_teams_two_traces_median_and_gaps():
    fig = charts.team_lines(_trend(13), "score", 12)
    assert len(fig.data) == 2
    each, median = fig.data
    # 13 teams x 3 months, each team followed by a gap
    assert len(each.x) == 13 * 4
    assert [v is None or (isinstance(v, float) and math.isnan(v)) for v in each.y[3::4]] == [True] * 13
    assert list(each.y[:3]) == [60.0, 62.0, 64.0] and list(each.customdata[4:7]) == ["T001"] * 3
    assert list(each.y[48:51]) == [72.0, 74.0, 76.0]  # T012
    # the median of 60..72 is 66, then +2 a month
    assert list(median.y) == [66.0, 68.0, 70.0]
    assert fig.layout.hovermode == "closest"
