"""The launch floor of each chart library Streamlit ships: how long a new browser takes to
show hello-world, and hello-world with ONE small chart, drawn by Plotly, ECharts or
Vega-Lite; then a page of the four charts of bench/chart_libs.py in each library.

python bench/launch_floor.py [--rounds 6]

The issue's launch goal is "<= 2x the hello-world app" (bench/browser.py). A chart library's
module is fetched and evaluated on the first page that holds one of its charts, so a
hello-world with one chart is the floor of any dashboard page drawn by that library: what is
left of 2x after it is the budget for the page's data, filters, KPIs, other charts and
tables. Launch is bench/browser.py's (server start -> first page drawn, a new browser
context each time); a chart counts as drawn when it is (Plotly: laid out, with its traces
in the SVG; ECharts: its canvas holds pixels; Vega-Lite: its marks exist), not when its
element is mounted. The variants are interleaved, round by round.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

import browser
import chart_libs

# Every chart of kind `kind` in the main area drawn, at least `n` of them.
CHARTS_DRAWN = """([kind, n]) => {
  const m = document.querySelector('[data-testid="stMain"]');
  if (!m || document.querySelector('[data-stale="true"]') || document.querySelector('[data-testid="stStatusWidget"]'))
    return false;
  if (kind === 'plotly') { const g = [...m.querySelectorAll('.js-plotly-plot')];
    return g.length >= n && g.every(x => x._fullLayout && x.querySelector('.main-svg .trace, .main-svg .hm')); }
  if (kind === 'echarts') { const c = [...m.querySelectorAll('[data-testid="stEChartsChart"] canvas')];
    return c.length >= n && c.every(cv => { if (!cv.width) return false;
      const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
      for (let i = 3; i < d.length; i += 64) if (d[i]) return true; return false; }); }
  if (kind === 'vega') return m.querySelectorAll('[data-testid="stVegaLiteChart"] :is(canvas, svg.marks)').length >= n;
  return m.innerText.length > 0; }"""

HEAD = 'import streamlit as st\n\nst.write("hello")\n'
ONE_CHART = {
    "hello-world": ("none", HEAD),
    "+ one Plotly chart": (
        "plotly",
        HEAD + "import plotly.graph_objects as go\n\n"
        'st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2])), theme=None)\n',
    ),
    "+ one ECharts chart": (
        "echarts",
        HEAD + 'st.echarts_chart({"xAxis": {"type": "category", "data": ["a", "b", "c"]}, "yAxis": {"type": "value"},'
        ' "series": [{"type": "bar", "data": [1, 3, 2]}]})\n',
    ),
    "+ one Vega-Lite chart": (
        "vega",
        HEAD + 'st.vega_lite_chart({"data": {"values": [{"x": "a", "y": 1}, {"x": "b", "y": 3}, {"x": "c", "y": 2}]},'
        ' "mark": "bar", "encoding": {"x": {"field": "x", "type": "nominal"},'
        ' "y": {"field": "y", "type": "quantitative"}}})\n',
    ),
}
FOUR_CHARTS = {"a title only": ("none", ""), "Plotly, the app's way": ("plotly", "plotly_app")}
FOUR_CHARTS |= {"ECharts": ("echarts", "echarts"), "Vega-Lite": ("vega", "vega")}


def launch(chromium, script: str, cwd: Path, kind: str, n: int) -> float:
    """Server start -> first page drawn with its charts, s (bench/browser.py's measure)."""
    ready = f"([path, word]) => ({CHARTS_DRAWN})(['{kind}', {n}])"
    return browser.measure(chromium, script, cwd, dict(os.environ), ("",), {}, 0, ready=ready)["first_page_s"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=6)
    a = ap.parse_args()
    one: dict[str, list[float]] = {k: [] for k in ONE_CHART}
    four: dict[str, list[float]] = {k: [] for k in FOUR_CHARTS}
    busy: dict[str, list[float]] = {k: [] for k in FOUR_CHARTS}
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        for i, (_, src) in enumerate(ONE_CHART.values()):
            (cwd / f"one_{i}.py").write_text(src, encoding="utf-8")  # not plotly.py: it would shadow the package
        (cwd / "four.py").write_text(chart_libs.APP.replace("__ROOT__", str(chart_libs.ROOT)), encoding="utf-8")
        chromium = p.chromium.launch(executable_path=shutil.which("chromium"), args=browser.ARGS)
        port = browser.free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "four.py", "--server.headless", "true", "--server.port"]
            + [str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(a.rounds):
                for i, (label, (kind, _)) in enumerate(ONE_CHART.items()):
                    one[label].append(launch(chromium, f"one_{i}.py", cwd, kind, 1))
            url = f"http://127.0.0.1:{port}"
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=60)
            for r in range(a.rounds + 1):  # the four-chart app's server is warm: the browser's share
                for label, (kind, path) in FOUR_CHARTS.items():
                    ctx = chromium.new_context(viewport={"width": 1440, "height": 1000})
                    page = ctx.new_page()
                    page.add_init_script(browser.LONG_TASKS)
                    page.goto(f"{url}/{path}", wait_until="commit")
                    page.wait_for_function(CHARTS_DRAWN, arg=[kind, 4], timeout=browser.TIMEOUT_MS, polling="raf")
                    if r:  # the first round warms the server's script run
                        four[label].append(page.evaluate("() => performance.now()") / 1000)
                        busy[label].append(page.evaluate(browser.BUSY_SINCE, 0))
                    ctx.close()
        finally:
            server.terminate()
            chromium.close()
    print(f"load average {os.getloadavg()[0]:.2f}  rounds {a.rounds}")
    h = statistics.median(one["hello-world"])
    print("launch (server start -> first page drawn, new browser), median s (ratio to hello-world) [runs]:")
    for label, v in one.items():
        m = statistics.median(v)
        print(f"  {label:24s} {m:5.2f} ({m / h:.2f}x)  {[round(x, 2) for x in v]}")
    print("a page of four charts (bench/chart_libs.py), navigation -> all four drawn, warm server, new browser:")
    for label, v in four.items():
        print(
            f"  {label:24s} {statistics.median(v):5.2f} s (min {min(v):.2f}, max {max(v):.2f});"
            f" browser busy in long tasks {statistics.median(busy[label]):.2f} s"
        )


if __name__ == "__main__":
    main()
