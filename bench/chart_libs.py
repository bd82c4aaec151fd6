"""The same four charts drawn by Plotly, by Vega-Lite and by ECharts in one Streamlit app:
what a cached page switch costs the browser for each (bench/browser.py's measure, no data).

python bench/chart_libs.py [--rounds 5]

Plotly is drawn twice: as st.plotly_chart draws it by default (Streamlit's chart theme) and
as the app draws it (ui.charts.show: the app's template, margins that fit the labels).
The charts are shaped like the service-level and handle-time pages' (a month's trend of
two rates with a target, a weekday x hour heat map, one day's 56 intervals as bars with a
line on a second axis, 30 teams' bars with a target), on generated numbers. Streamlit
ships Vega-Lite (st.vega_lite_chart) and Apache ECharts (st.echarts_chart, in 1.67) as
well as Plotly, so this is the choice a page has. A page is called drawn here when its
title is (the switch's settled time then covers the charts' drawing in long tasks);
bench/launch_floor.py waits for the charts themselves.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

import browser

ROOT = Path(__file__).resolve().parents[1]

APP = """import sys
sys.path.insert(0, "__ROOT__")  # the checkout, for ui.charts
import numpy as np, pandas as pd, plotly.graph_objects as go, streamlit as st

rng = np.random.default_rng(1)
days = pd.date_range("2026-10-01", periods=31, freq="D")
trend = pd.DataFrame({"day": days, "service_level": rng.uniform(.6, .95, 31), "answer_rate": rng.uniform(.8, .99, 31)})
hours, wd = list(range(7, 21)), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
hm = pd.DataFrame([(d, h, rng.uniform(.4, 1), int(rng.integers(20, 900))) for d in wd for h in hours],
                  columns=["weekday", "hour", "sl", "offered"])
iv = pd.DataFrame({"t": pd.date_range("2026-10-14 07:00", periods=56, freq="15min")})
iv["offered"], iv["staffed"], iv["sl"] = rng.integers(50, 400, 56), rng.uniform(20, 80, 56), rng.uniform(.5, 1, 56)
teams = pd.DataFrame({"team": [f"T{i:02d}" for i in range(30)], "apd": rng.uniform(40, 90, 30)})


def lay(fig, h=340):
    return fig.update_layout(height=h, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.12),
                             hovermode="x unified")


def plotly_page(app_way=False):
    st.title("plotlyapppage" if app_way else "plotlypage")
    if app_way:  # as the app draws them (ui.charts.show: its template, margins that fit)
        import ui.charts

        draw = lambda fig, key: ui.charts.show(fig, key=key)  # noqa: E731
    else:
        # Streamlit's default: its theme and its template (ui.charts, once imported by the
        # other page, makes its own template Plotly's default in this process)
        draw = lambda fig, key: st.plotly_chart(fig.update_layout(template="streamlit"), key=key)  # noqa: E731
    f = go.Figure()
    for c, col in (("service_level", "#1f6feb"), ("answer_rate", "#f59e0b")):
        f.add_trace(go.Scatter(x=trend.day, y=trend[c], name=c, mode="lines+markers", line=dict(color=col, width=2)))
        f.add_hline(y=.8, line=dict(color=col, dash="dash", width=1), annotation_text="target 80%")
    draw(lay(f).update_yaxes(range=[0, 1.05], tickformat=".0%"), key="p1")
    z = hm.pivot(index="weekday", columns="hour", values="sl").reindex(wd)
    f = go.Figure(go.Heatmap(z=z.values.tolist(), x=[str(h) for h in hours], y=wd, colorscale="RdYlGn", zmin=.4, zmax=1))
    draw(lay(f, 320).update_layout(hovermode="closest"), key="p2")
    f = go.Figure(go.Bar(x=iv.t, y=iv.offered, name="offered", marker_color="#93c5fd"))
    f.add_trace(go.Scatter(x=iv.t, y=iv.staffed, name="staffed", mode="lines", line=dict(dash="dot")))
    f.add_trace(go.Scatter(x=iv.t, y=iv.sl, name="SL", mode="lines+markers", yaxis="y2"))
    draw(lay(f).update_layout(yaxis2=dict(overlaying="y", side="right", tickformat=".0%")), key="p3")
    f = go.Figure(go.Bar(x=teams.team, y=teams.apd, marker_color=["#10b981" if v >= 60 else "#f59e0b" for v in teams.apd]))
    f.add_hline(y=60, line=dict(color="#dc2626", dash="dash"), annotation_text="target 60")
    draw(lay(f).update_layout(hovermode="closest"), key="p4")


def vega_page():
    st.title("vegapage")
    rule = lambda y: {"mark": {"type": "rule", "strokeDash": [4, 4], "color": "#dc2626"}, "encoding": {"y": {"datum": y}}}
    st.vega_lite_chart(trend.melt("day", var_name="series", value_name="rate"), {"height": 300, "layer": [
        {"mark": {"type": "line", "point": True}, "encoding": {
            "x": {"field": "day", "type": "temporal"},
            "y": {"field": "rate", "type": "quantitative", "axis": {"format": ".0%"}, "scale": {"domain": [0, 1.05]}},
            "color": {"field": "series", "type": "nominal", "legend": {"orient": "top"}},
            "tooltip": [{"field": "day", "type": "temporal"}, {"field": "series"}, {"field": "rate", "format": ".1%"}]}},
        rule(0.8)]}, key="v1")
    st.vega_lite_chart(hm, {"height": 280, "mark": "rect", "encoding": {
        "x": {"field": "hour", "type": "ordinal"}, "y": {"field": "weekday", "type": "ordinal", "sort": wd},
        "color": {"field": "sl", "type": "quantitative", "scale": {"scheme": "redyellowgreen", "domain": [.4, 1]}},
        "tooltip": [{"field": "weekday"}, {"field": "hour"}, {"field": "sl", "format": ".1%"}]}}, key="v2")
    x = {"field": "t", "type": "temporal"}
    st.vega_lite_chart(iv, {"height": 300, "resolve": {"scale": {"y": "independent"}}, "layer": [
        {"layer": [{"mark": {"type": "bar", "color": "#93c5fd"}, "encoding": {"x": x, "y": {"field": "offered", "type": "quantitative"}}},
                   {"mark": {"type": "line", "strokeDash": [2, 2]}, "encoding": {"x": x, "y": {"field": "staffed", "type": "quantitative"}}}]},
        {"mark": {"type": "line", "point": True}, "encoding": {"x": x, "y": {"field": "sl", "type": "quantitative",
                                                                              "axis": {"format": ".0%", "orient": "right"}}}}]}, key="v3")
    st.vega_lite_chart(teams.assign(ok=teams.apd >= 60), {"height": 300, "layer": [
        {"mark": "bar", "encoding": {"x": {"field": "team", "type": "nominal"}, "y": {"field": "apd", "type": "quantitative"},
                                     "color": {"field": "ok", "type": "nominal", "scale": {"range": ["#f59e0b", "#10b981"]}}}},
        rule(60)]}, key="v4")


def echarts_page():
    st.title("echartspage")
    grid = {"left": 50, "right": 50, "top": 40, "bottom": 30}
    tip = {"trigger": "axis"}
    target = lambda y, label: {"silent": True, "symbol": "none", "lineStyle": {"type": "dashed", "color": "#dc2626"},
                               "data": [{"yAxis": y, "label": {"formatter": label}}]}
    days_s = trend.day.dt.strftime("%m-%d").tolist()
    st.echarts_chart({"grid": grid, "tooltip": tip, "legend": {"top": 0},
        "xAxis": {"type": "category", "data": days_s},
        "yAxis": {"type": "value", "min": 0, "max": 1.05, "axisLabel": {"formatter": "{value}"}},
        "series": [{"type": "line", "name": c, "data": trend[c].round(4).tolist(), "markLine": target(.8, "target 80%")}
                   for c in ("service_level", "answer_rate")]}, height=340, key="e1")
    z = hm.pivot(index="weekday", columns="hour", values="sl").reindex(wd)
    st.echarts_chart({"grid": grid, "tooltip": {"position": "top"},
        "xAxis": {"type": "category", "data": [str(h) for h in hours]}, "yAxis": {"type": "category", "data": wd},
        "visualMap": {"min": .4, "max": 1, "calculable": False, "orient": "horizontal", "show": False,
                      "inRange": {"color": ["#d73027", "#fee08b", "#1a9850"]}},
        "series": [{"type": "heatmap", "data": [[j, i, round(float(z.values[i][j]), 4)] for i in range(len(wd))
                                                  for j in range(len(hours))]}]}, height=320, key="e2")
    t = iv.t.dt.strftime("%H:%M").tolist()
    st.echarts_chart({"grid": grid, "tooltip": tip, "legend": {"top": 0}, "xAxis": {"type": "category", "data": t},
        "yAxis": [{"type": "value"}, {"type": "value", "max": 1}],
        "series": [{"type": "bar", "name": "offered", "data": iv.offered.tolist(), "itemStyle": {"color": "#93c5fd"}},
                   {"type": "line", "name": "staffed", "data": iv.staffed.round(2).tolist(), "lineStyle": {"type": "dotted"}},
                   {"type": "line", "name": "SL", "yAxisIndex": 1, "data": iv.sl.round(4).tolist()}]}, height=340, key="e3")
    st.echarts_chart({"grid": grid, "tooltip": tip, "xAxis": {"type": "category", "data": teams.team.tolist()},
        "yAxis": {"type": "value"},
        "series": [{"type": "bar", "data": [{"value": round(float(v), 2), "itemStyle": {"color": "#10b981" if v >= 60 else "#f59e0b"}}
                                            for v in teams.apd], "markLine": target(60, "target 60")}]}, height=340, key="e4")


def filler():
    # What else a page holds: the sidebar's filters, captions, tables.
    with st.sidebar:
        st.date_input("from", key="d0")
        st.date_input("to", key="d1")
        st.multiselect("queues", [f"Q{i}" for i in range(150)], key="q")
        st.selectbox("grain", ["day", "week", "month"], key="g")
    frame = pd.DataFrame(rng.uniform(0, 1, (30, 8)), columns=[f"c{i}" for i in range(8)])
    for i in range(6):
        st.subheader(f"table {i}")
        st.caption("A sentence that says what the table shows and how its figures are worked out. " * 2)
        st.dataframe(frame, key=f"t{i}", hide_index=True)


def plotly_full():
    plotly_page()
    filler()


def plotly_app_full():
    plotly_page(app_way=True)
    filler()


def vega_full():
    vega_page()
    filler()


def echarts_full():
    echarts_page()
    filler()


def blank():
    st.title("blankpage")


st.navigation([st.Page(blank, title="blank", url_path="blank", default=True),
               st.Page(plotly_page, title="plotly", url_path="plotly"),
               st.Page(lambda: plotly_page(app_way=True), title="plotly, the app's way", url_path="plotly_app"),
               st.Page(plotly_app_full, title="plotly app full", url_path="plotly_app_full"),
               st.Page(vega_page, title="vega", url_path="vega"),
               st.Page(plotly_full, title="plotly full", url_path="plotly_full"),
               st.Page(vega_full, title="vega full", url_path="vega_full"),
               st.Page(echarts_page, title="echarts", url_path="echarts"),
               st.Page(echarts_full, title="echarts full", url_path="echarts_full")]).run()
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    # the default page's URL path is ""
    pages = (
        "",
        "plotly",
        "plotly_app",
        "vega",
        "echarts",
        "plotly_full",
        "plotly_app_full",
        "vega_full",
        "echarts_full",
    )
    words = {
        "": "blankpage",
        "plotly": "plotlypage",
        "plotly_app": "plotlyapppage",
        "vega": "vegapage",
        "plotly_app_full": "table 5",
        "plotly_full": "table 5",
        "vega_full": "table 5",
        "echarts": "echartspage",
        "echarts_full": "table 5",
    }
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "charts.py").write_text(APP.replace("__ROOT__", str(ROOT)), encoding="utf-8")
        chromium = p.chromium.launch(executable_path=shutil.which("chromium"), args=browser.ARGS)
        try:
            r = browser.measure(chromium, "charts.py", Path(tmp), dict(os.environ), pages, words, a.rounds)
        finally:
            chromium.close()
    print(f"load average {os.getloadavg()[0]:.2f}  rounds {a.rounds}")
    print("cached switch to a page of four charts, alone or with a sidebar of filters and six tables, median:")
    for name, label in (
        ("plotly", "Plotly (Streamlit's chart theme)"),
        ("plotly_app", "Plotly, the app's way (ui.charts.show)"),
        ("vega", "Vega-Lite"),
        ("plotly_full", "Plotly, with a page's filters and tables"),
        ("plotly_app_full", "Plotly the app's way, the same"),
        ("vega_full", "Vega-Lite, the same"),
        ("echarts", "ECharts (st.echarts_chart)"),
        ("echarts_full", "ECharts, the same"),
        ("", "title only"),
    ):
        print(
            f"  {label:40s} settled {r['settled_by_page_med_s'][name]:.2f} s, "
            f"browser busy in long tasks {r['busy_by_page_med_s'][name]:.2f} s"
        )


if __name__ == "__main__":
    main()
