"""Where a cached page switch goes, by kind of element: the app's switch measured as
bench/browser.py measures it, once as it is and once with one kind of element left out.

python bench/switch_parts.py DATASET [--pages service_level,handle_time] [--rounds 4]
    [--without plotly,tables,kpi,download]

For each kind named in --without, the app runs from a copy of this checkout (its tracked
files) through a small entry script that replaces that kind's drawing call by one that
draws nothing, then execs app.py: the page's queries and Python run as always, only the
element is not sent. The difference to the app as it is is what that kind of element costs
a switch (server and browser). Nothing here touches the product's files. A page must keep
a title and a chart or a table for bench/browser.py to call it drawn, so leave out one kind
at a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

import browser

ROOT = Path(__file__).resolve().parents[1]

# What each kind's drawing call is replaced by (the views call st.plotly_chart and the
# ui helpers; a helper's name is looked up when a page's script runs, so patching the
# module attribute reaches every view).
ENTRY = '''"""Bench entry (bench/switch_parts.py): the app without {without!r}."""
import streamlit as st

_off = {without!r}.split(",")
if "plotly" in _off or "plotly_as_echarts" in _off:
    import ui.preload

    # The first run asks the browser for the chart code it will need (ui/preload.py): not
    # Plotly's module when no Plotly chart is drawn, ECharts' when ECharts draws them.
    ui.preload._CHUNKS = ("EChartsChart", "DataFrame") if "plotly_as_echarts" in _off else ("DataFrame",)
if "plotly" in _off:
    st.plotly_chart = lambda *a, **k: None
if "plotly_as_echarts" in _off:
    import _bench_echarts  # noqa: F401  (replaces st.plotly_chart)
if "download" in _off:
    st.download_button = lambda *a, **k: None
if "tables" in _off:
    import ui.tables

    ui.tables.table = lambda *a, **k: None
if "kpi" in _off:
    import ui.kpi

    ui.kpi.kpi_row = lambda *a, **k: None
with open("app.py", encoding="utf-8") as _f:
    exec(compile(_f.read(), "app.py", "exec"), {{"__name__": "__main__"}})
'''
# Written beside the entry script as _bench_echarts.py: st.plotly_chart replaced by a rough
# translation of the Plotly figure to an ECharts option drawn by st.echarts_chart.
AS_ECHARTS = '''"""Bench (bench/switch_parts.py): Plotly figures drawn by st.echarts_chart."""
import math

import streamlit as st

import math

def _plain(values):
    """JSON values for ECharts: numbers as floats, missing as None, the rest as text."""
    out = []
    for v in list(values if values is not None else []):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append(float(v))
        elif hasattr(v, "item") and not isinstance(v, str):
            item = v.item()
            out.append(float(item) if isinstance(item, (int, float)) else str(item))
        else:
            out.append(str(v))
    return out

def _as_echarts(fig, key=None, **_):
    # A projection, not the product: the figure's traces (bars, lines, heat maps), the
    # same data, height and second axes, and its horizontal lines as mark lines.
    lay = fig.layout
    series, cats, heat = [], {}, None
    for tr in fig.data:
        if tr.type == "heatmap":
            heat = (_plain(tr.x), _plain(tr.y), [_plain(row) for row in tr.z])
            continue
        if tr.type == "sankey":
            continue
        x, y = [str(v) for v in _plain(tr.x)], _plain(tr.y)
        cats.update(dict.fromkeys(x))
        series.append({"type": "bar" if tr.type in ("bar", "histogram") else "line", "name": str(tr.name or ""),
                       "data": [list(xy) for xy in zip(x, y)], "yAxisIndex": 1 if tr.yaxis == "y2" else 0,
                       **({"stack": "s"} if lay.barmode == "stack" and tr.type == "bar" else {})})
    lines = [s_.y0 for s_ in lay.shapes if s_.y0 is not None and s_.y0 == s_.y1]
    if series and lines:
        series[0]["markLine"] = {"symbol": "none", "data": [{"yAxis": float(v)} for v in lines]}
    option = {"animation": False, "tooltip": {"trigger": "axis"}, "legend": {"top": 0},
              "grid": {"containLabel": True, "left": 10, "right": 10, "top": 40, "bottom": 10}}
    if heat:
        xs, ys, z = heat
        cells = [[j, i, v] for i, row in enumerate(z) for j, v in enumerate(row) if v is not None]
        option.update(xAxis={"type": "category", "data": [str(v) for v in xs]},
                      yAxis={"type": "category", "data": [str(v) for v in ys]},
                      visualMap={"show": False, "min": min((c[2] for c in cells), default=0),
                                 "max": max((c[2] for c in cells), default=1)},
                      series=[{"type": "heatmap", "data": cells}], tooltip={})
    else:
        two = any(s_["yAxisIndex"] for s_ in series)
        option.update(xAxis={"type": "category", "data": list(cats)},
                      yAxis=[{"type": "value"}] + ([{"type": "value"}] if two else []), series=series)
    st.echarts_chart(option, key=key, height=int(lay.height or 450))

st.plotly_chart = _as_echarts
'''
KINDS = ("plotly", "plotly_as_echarts", "tables", "kpi", "download")


def checkout_copy(dst: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        src = ROOT / name
        if src.is_file():
            (dst / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / name)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--pages", default="service_level,handle_time")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--without", default=",".join(KINDS), help="kinds of element, each left out in turn")
    a = ap.parse_args()
    pages = tuple(a.pages.split(","))
    kinds = [k for k in a.without.split(",") if k]
    unknown = set(kinds) - set(KINDS)
    if unknown:
        ap.error(f"unknown kind {sorted(unknown)}; choose from {', '.join(KINDS)}")
    env = {**os.environ, "CALLCENTER_DATASET": str(a.dataset.resolve())}
    rows = []
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "hello.py").write_text(browser.HELLO, encoding="utf-8")
        app = Path(tmp) / "app"
        checkout_copy(app)
        chromium = p.chromium.launch(executable_path=shutil.which("chromium"), args=browser.ARGS)
        try:
            hello = browser.measure(chromium, "hello.py", Path(tmp), dict(os.environ), ("",), {"": "hello"}, 0)
            for without in ["", *kinds]:
                entry = app / f"_bench_without_{without or 'nothing'}.py"
                entry.write_text(ENTRY.format(without=without), encoding="utf-8")
                (app / "_bench_echarts.py").write_text(AS_ECHARTS, encoding="utf-8")
                r = browser.measure(chromium, entry.name, app, env, pages, {}, a.rounds)
                rows.append((without or "(nothing: the app as it is)", r))
        finally:
            chromium.close()
    print(f"load average {os.getloadavg()[0]:.2f}  dataset {a.dataset}  rounds {a.rounds}")
    print("cached switch, settled, median s (browser busy in long tasks, s)")
    print(f"{'left out':34s}" + "".join(f"{n:>24s}" for n in pages))
    for label, r in rows:
        cells = "".join(
            f"{r['settled_by_page_med_s'].get(n, float('nan')):>15.2f} ({r['busy_by_page_med_s'].get(n, float('nan')):4.2f})"
            for n in pages
        )
        print(f"{label:34s}{cells}")
    h = hello["first_page_s"]
    print(
        f"launch -> first page ({pages[0]}) drawn, s (ratio to hello-world's {h:.2f} s; browser busy in long tasks, s)"
    )
    for label, r in rows:
        print(f"{label:34s}{r['first_page_s']:>15.2f} ({r['first_page_s'] / h:.1f}x; {r['first_page_busy_s']:.2f})")


if __name__ == "__main__":
    main()
