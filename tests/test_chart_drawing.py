"""How the app's charts are drawn (ui/charts.py): text widths in the theme's font and the
margins that let Plotly lay a chart out once. Expected widths were measured in Chromium on
the app's own charts (SVG text boxes, px); expected margins are worked out by hand below
from those widths and the theme's sizes."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from ui.charts import THEME, _column_width, fit_margins, text_px

# (label, width in px as Chromium drew it at 12 px in the app's theme)
DRAWN = [
    ("Wed", 22),
    ("Mon", 22),
    ("Sun", 20),
    ("100%", 28),
    ("−10", 18),
    ("20:30", 27),
    ("SH-T07", 36),
    ("Feb 2027", 45),
    ("Pay band", 46),
    ("Days in role", 58),
    ("Tenure (days)", 68),
    ("Latest engagement score", 125),
    ("Occupancy, last 3 months", 128),
    ("Team voluntary exit rate, last 12 months", 199),
]


@pytest.mark.parametrize("label,drawn", DRAWN)
def test_text_width_is_what_the_browser_draws(label, drawn):
    assert text_px(label) == pytest.approx(drawn, abs=2)


def test_cjk_is_full_width():
    assert text_px("服务水平") == pytest.approx(48)
    assert text_px("服务水平", 14) == pytest.approx(56)


def _rates_by_day() -> go.Figure:
    days = pd.date_range("2026-10-01", periods=31, freq="D")
    fig = go.Figure()
    for name in ("A", "B"):
        fig.add_trace(go.Scatter(x=days, y=[0.5] * 31, name=name))
    fig.update_layout(height=340, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.12))
    fig.update_yaxes(title_text="Rate (%)", range=[0, 1.05], dtick=0.2, tickformat=".0%")
    return fig.update_xaxes(title_text="Day", tickformat="%b %-d")


def test_margins_of_a_rate_trend_worked_by_hand():
    # left: the widest tick "100%" (3 digits at 6 px, "%" 9.864 px = 27.864) + 53 px for the
    # tick pad, the title's standoff and the title + 2 = 82.864 -> 83
    # bottom: one line of ticks ("Oct 31", 15 px) + 20 px below the plot + 30 px of title
    # and standoff + 4 = 69
    # top: the legend's middle 0.12 plot heights above the plot, plus half a row (10 px):
    # t = (0.12 * (340 - 69) + 10) / 1.12 + 4 = 41.96 -> 42
    # right: nothing there; the figure's own 10 px
    assert fit_margins(_rates_by_day()) == {"l": 83, "r": 10, "t": 42, "b": 69}


def test_margins_count_stacked_bars_to_their_sums():
    fig = go.Figure([go.Bar(x=["a", "b"], y=[600, 500], name="p"), go.Bar(x=["a", "b"], y=[500, 600], name="q")])
    fig.update_layout(margin=dict(l=10, r=10, t=30, b=10), showlegend=False)
    fig.update_yaxes(title_text="Calls")
    # Side by side the top bar is 600: range 0-630, steps of 100 -> "600" (18 px): 53 + 18 + 2 = 73.
    assert fit_margins(fig)["l"] == 73
    # Stacked, 1,100: range 0-1,155, steps of 200 -> "1000" (24 px): 53 + 24 + 2 = 79.
    assert fit_margins(fig.update_layout(barmode="stack"))["l"] == 79


def test_an_axis_of_lines_only_keeps_room_for_its_last_label():
    # Retention curves: days 0-3,000 drawn as lines, which Plotly does not pad, so a tick can
    # fall on the plot's right edge with half its label outside. The widest label is "3000"
    # (4 digits at 6 px = 24 px): r = 24 / 2 + 12 = 24, what Plotly grew to in Chromium. With
    # markers, Plotly pads the range and the last tick stays inside: the figure's own 10 px.
    # Dates keep theirs too.
    days = list(range(0, 3001, 30))
    curve = go.Figure(go.Scatter(x=days, y=[1 - d / 6000 for d in days], mode="lines", line_shape="hv"))
    curve.update_layout(margin=dict(l=10, r=10, t=20, b=10))
    assert fit_margins(curve)["r"] == 24
    assert fit_margins(curve.update_traces(mode="lines+markers"))["r"] == 10
    dated = go.Figure(go.Scatter(x=pd.date_range("2026-10-01", periods=31), y=[0.5] * 31, mode="lines"))
    assert fit_margins(dated.update_layout(margin=dict(l=10, r=10, t=20, b=10)))["r"] == 10


def test_margins_never_shrink_what_a_figure_asked_for():
    fig = _rates_by_day().update_layout(margin=dict(l=200, r=150, t=90, b=120))
    assert fit_margins(fig) == {"l": 200, "r": 150, "t": 90, "b": 120}


def test_a_kind_of_chart_it_does_not_know_is_left_to_plotly():
    fig = go.Figure(go.Scatterpolar(r=[1, 2, 3], theta=[0, 90, 180]))
    fig.update_layout(margin=dict(l=10, r=20, t=30, b=40))
    assert fit_margins(fig) == {"l": 10, "r": 20, "t": 30, "b": 40}


def test_category_labels_that_would_overlap_are_turned():
    # 51 quarter hours across a full-width chart: 13 px apart, less than a label: upright,
    # so the bottom margin holds a whole "20:30" (27 px) standing up.
    times = [f"{h:02d}:{m:02d}" for h in range(8, 21) for m in (0, 15, 30, 45)][:51]
    fig = go.Figure(go.Bar(x=times, y=[1] * 51))
    fig.update_layout(margin=dict(l=10, r=10, t=10, b=10))
    fig.update_xaxes(title_text="Time")
    upright = fit_margins(fig)["b"]
    assert upright == pytest.approx(20 + 27 + 4 + 30 + 4, abs=1)
    # Five of them side by side fit flat: one 15 px line.
    few = go.Figure(go.Bar(x=times[:5], y=[1] * 5)).update_layout(margin=dict(l=10, r=10, t=10, b=10))
    assert fit_margins(few.update_xaxes(title_text="Time"))["b"] == 20 + 15 + 30 + 4


def _causes(n: int, chars: int = 4) -> go.Figure:
    """``n`` causes of ``chars`` CJK characters (12 px each, exactly) as bars; the y axis hidden
    so the left margin stays the figure's own 10 px."""
    causes = [f"原因{chr(0x4E00 + i) * (chars - 2)}" for i in range(n)]
    fig = go.Figure(go.Bar(x=causes, y=[1] * n))
    fig.update_layout(margin=dict(l=10, r=10, t=10, b=10))
    return fig.update_yaxes(visible=False)


def test_labels_turn_by_the_width_of_the_column_they_are_drawn_in():
    # Plotly turns labels when two neighbours' boxes (text + 2 px) touch: 48 + 2 = 50 px.
    # Across the main area (980 px) ten causes are (980 - 20) / 10 = 96 px apart: flat, one
    # 15 px line: 20 + 15 + 4 = 39.
    assert fit_margins(_causes(10)) == {"l": 10, "r": 10, "t": 10, "b": 39}
    # In half of it (482 px) nine are 462 / 9 = 51.3 px apart: still flat.
    assert fit_margins(_causes(9), 482) == {"l": 10, "r": 10, "t": 10, "b": 39}
    # Ten are 46.2 px apart: they touch; at least sqrt(3) * 15 = 26 px apart, so turned by 30
    # degrees. Bottom: 48 sin 30 + 15 cos 30 + 4 = 40.99 high, + 20 + 4 -> 65.
    # Right: turned, the last label (at 9.5 / 10 of the plot) reaches 48 cos 30 + 15 sin 30 +
    # 10 = 59.07 px past its tick; with room 482 - 10 = 472 the plot may be (472 - 59.07) /
    # 0.95 = 434.66 wide, so r = 472 - 434.66 = 37.34 -> 38.
    assert fit_margins(_causes(10), 482) == {"l": 10, "r": 38, "t": 10, "b": 65}


def test_labels_slanted_left_hold_the_left_margin():
    # Ten causes of 120 px slanted by -25 degrees across the main area hang left of their
    # ticks: 120 cos 25 + 15 sin 25 + 6 = 108.76 + 6.34 + 6 = 121.10 px. The first sits at
    # f = 0.05 of the plot, w = 980 - l - 10: l + 0.05 (970 - l) >= 121.10 -> l >= 76.4 -> 77.
    # Bottom: 120 sin 25 + 15 cos 25 + 4 = 68.31 high, + 20 + 4 -> 93. The right stays 10.
    fig = _causes(10, chars=10).update_xaxes(tickangle=-25)
    assert fit_margins(fig) == {"l": 77, "r": 10, "t": 10, "b": 93}


def test_a_column_is_as_wide_as_the_browser_draws_it():
    # Measured in Chromium at 1440 px: st.columns(2) gives 482 px, st.columns([3, 2]) 580.
    assert _column_width(1) == 980
    assert _column_width(1 / 2) == 482
    assert _column_width(3 / 5) == 580


def test_the_theme_is_the_look_streamlit_gave_the_charts():
    # The values Streamlit's own chart theme resolved to in the browser for this app's light
    # theme (.streamlit/config.toml): muted grey text, light grid, Source Sans.
    lay = THEME.layout
    assert lay.font.color == "#808495" and "Source Sans" in lay.font.family
    assert lay.yaxis.gridcolor == "#e6eaf1" and lay.xaxis.showgrid is False
    assert list(lay.colorway)[:3] == ["#0068c9", "#83c9ff", "#ff2b2b"] and len(lay.colorway) == 10
