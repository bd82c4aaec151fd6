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
if "plotly" in _off:
    st.plotly_chart = lambda *a, **k: None
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
KINDS = ("plotly", "tables", "kpi", "download")


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
        app = Path(tmp) / "app"
        checkout_copy(app)
        chromium = p.chromium.launch(executable_path=shutil.which("chromium"), args=browser.ARGS)
        try:
            for without in ["", *kinds]:
                entry = app / f"_bench_without_{without or 'nothing'}.py"
                entry.write_text(ENTRY.format(without=without), encoding="utf-8")
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


if __name__ == "__main__":
    main()
