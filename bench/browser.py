"""The app in a browser, beside a hello-world Streamlit app measured the same way:
python bench/browser.py DATASET [--rounds 3]

Starts `streamlit run app.py` on DATASET and opens it in headless Chromium (Python
Playwright, Debian's chromium): time from launch to the server answering and to the first
page drawn and settled; each page's first visit through a sidebar click (cold: its queries
run) with the server's peak RSS (VmHWM) after it; then page switches by sidebar click with
the data cached (every page visited before), median and max over ``--rounds`` rounds. A
switch starts from a settled page and is timed to the next page drawn (its title and a
chart or table there, nothing stale) and to it settled (the browser's last long task of
its drawing ended: see QUIET_MS), with the time the browser's main thread was busy in long
tasks (>= 50 ms) until settled: the rest is the server's run and the wait between. Then the same for a
two-page hello-world app (`st.write("hello")`). Numbers are wall times on this machine,
whatever else runs on it: print `uptime` beside them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_MS = int(os.environ.get("BENCH_TIMEOUT_MS", "180000"))
PAGES = ("service_level", "handle_time", "staffing", "complaints", "monthly_review", "scorecards", "quality")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The first page is the default page, whose URL path is "" in Streamlit 1.67.
HELLO = """import streamlit as st

def hello():
    st.write("hello")

def world():
    st.write("world")

st.navigation([st.Page(hello, title="hello", url_path="hello"), st.Page(world, title="world", url_path="world")]).run()
"""
# Drawn: the run ended (no status widget, nothing stale) and the main area holds the page's
# content: for the app a title and a chart or a table, for hello-world its word.
DRAWN = """([path, word]) => { const m = document.querySelector('[data-testid="stMain"]');
    return !!m && location.pathname.endsWith('/' + path)
    && !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-stale="true"]')
    && (word ? m.innerText.includes(word)
        : !!m.querySelector('h1') && !!m.querySelector(':is(.js-plotly-plot, [data-testid="stEChartsChart"], [data-testid="stDataFrame"], '
                                    + '[data-testid="stTable"], [data-testid="stException"], [data-testid="stAlert"])')); }"""

# The browser's own share: its long tasks (main thread busy 50 ms or more: parsing Plotly,
# drawing charts and grids), summed from a moment on.
LONG_TASKS = """window.__longTasks = [];
try { new PerformanceObserver(l => { for (const e of l.getEntries()) window.__longTasks.push([e.startTime, e.duration]); })
      .observe({type: 'longtask', buffered: true}); } catch (e) {}"""
BUSY_SINCE = "(t0) => (window.__longTasks || []).filter(x => x[0] >= t0).reduce((a, x) => a + x[1], 0) / 1000"
# Settled: no long task for QUIET_MS. Plotly and the data grid go on drawing after their
# elements exist (the "drawn" test above): a page is only all there once the main thread is
# quiet. Each switch starts from a settled page (a person reads a page before moving on),
# and its settled time is when the last long task that began after the click ended (or the
# drawn time, when later). Measured without settling first, the previous page's drawing ran
# into the next switch: scorecards -> quality took 0.77-1.23 s from a page just drawn and
# 0.43-0.48 s from a settled one (2026-12-04).
QUIET_MS = 300
LAST_TASK_END = """(t0) => (window.__longTasks || []).filter(x => x[0] >= t0)
    .reduce((a, x) => Math.max(a, x[0] + x[1]), 0)"""
QUIET = """(q) => performance.now() - (window.__longTasks || []).reduce((a, x) => Math.max(a, x[0] + x[1]), 0) >= q"""

STATE = """() => ({path: location.pathname, running: !!document.querySelector('[data-testid="stStatusWidget"]'),
    stale: document.querySelectorAll('[data-stale="true"]').length,
    h1: document.querySelector('[data-testid="stMain"] h1')?.innerText,
    text: document.querySelector('[data-testid="stMain"]')?.innerText.slice(0, 160)})"""


def vmhwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def drawn(page, path: str, word: str | None = None, old_title: str | None = None, ready: str = DRAWN) -> None:
    """Until the page at ``path`` is drawn: ``ready``, a test called with [path, word]
    (DRAWN by default)."""
    if old_title is not None:  # a switch: wait for the next page's title first
        page.wait_for_function(
            "(t) => { const h = document.querySelector('[data-testid=\"stMain\"] h1'); return h && h.innerText !== t; }",
            arg=old_title,
            timeout=TIMEOUT_MS,
            polling=20,
        )
    try:
        page.wait_for_function(ready, arg=[path, word], timeout=TIMEOUT_MS, polling=20)
    except Exception as e:
        state = page.evaluate(STATE)
        raise RuntimeError(f"/{path} not drawn within {TIMEOUT_MS} ms: {state}") from e


def settle(page) -> None:
    """Until the main thread has been quiet for QUIET_MS, twice 100 ms apart: a long task's
    entry reaches the observer just after the task, so one quiet reading may be early."""
    for _ in range(2):
        page.wait_for_function(QUIET, arg=QUIET_MS, timeout=TIMEOUT_MS, polling=20)
        page.wait_for_timeout(100)


def settled_after(page, since: float, drawn_at: float) -> float:
    """Seconds from ``since`` (the page's clock, ms) to the page drawn and settled."""
    settle(page)
    return (max(drawn_at, page.evaluate(LAST_TASK_END, since)) - since) / 1000


def title(page) -> str | None:
    h = page.locator('[data-testid="stMain"] h1')
    return h.first.inner_text() if h.count() else None


def measure(
    browser,
    script: str,
    cwd: Path,
    env: dict,
    pages: tuple[str, ...],
    words: dict,
    rounds: int,
    context=None,
    port: int | None = None,
    ready: str = DRAWN,
) -> dict:
    """Launch the server and open its first page; then (unless ``rounds`` is 0) each page's
    first visit and the cached switches. ``context``: a browser context that has opened the
    app before (its HTTP cache and Chromium's compiled code kept), and ``port`` the one it
    was opened on (the cache is by origin); by default a new context and a free port.
    ``ready``: when the first page counts as drawn (``drawn``)."""
    port = port or free_port()
    page = context.new_page() if context else browser.new_page(viewport={"width": 1440, "height": 1000})
    page.add_init_script(LONG_TASKS)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.port", str(port)]
        + ["--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    out: dict = {"pages": {}}
    try:
        url = f"http://127.0.0.1:{port}"
        while True:  # the server answers before it runs the script (on the first visit)
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.02)
        out["server_answering_s"] = time.perf_counter() - t0
        page.goto(f"{url}/{pages[0]}", wait_until="commit", timeout=TIMEOUT_MS)  # the server answers already
        drawn(page, pages[0], words.get(pages[0]), ready=ready)
        out["first_page_s"] = time.perf_counter() - t0
        drawn_at = page.evaluate("() => performance.now()")
        out["first_page_settled_s"] = out["first_page_s"] + settled_after(page, drawn_at, drawn_at)
        out["first_page_busy_s"] = page.evaluate(BUSY_SINCE, 0)
        out["first_page_rss_mb"] = vmhwm_mb(proc.pid)
        if not rounds:
            return out

        busy: dict[str, list[float]] = {n: [] for n in pages}
        settled: dict[str, list[float]] = {n: [] for n in pages}

        def click(name: str) -> float:
            settle(page)  # from a page that is all there
            old = title(page) if not words else None
            now = page.evaluate("() => performance.now()")
            t = time.perf_counter()
            page.locator(f'[data-testid="stSidebarNav"] a[href$="/{name}"]').click()
            drawn(page, name, words.get(name), old)
            took = time.perf_counter() - t
            drawn_at = page.evaluate("() => performance.now()")
            settled[name].append(took + settled_after(page, now, drawn_at) - (drawn_at - now) / 1000)
            busy[name].append(page.evaluate(BUSY_SINCE, now))
            return took

        for name in pages[1:]:  # first visits: the page's queries run
            out["pages"][name] = {"first_visit_s": click(name), "rss_mb": vmhwm_mb(proc.pid)}
        switches: dict[str, list[float]] = {n: [] for n in pages}
        for xs in (*busy.values(), *settled.values()):  # only the cached switches below
            xs.clear()
        for _ in range(rounds):  # every page seen before: switches with the data cached
            for name in pages:
                if page.url.rstrip("/").endswith("/" + name):
                    continue
                switches[name].append(click(name))
        every = [x for xs in switches.values() for x in xs]
        out["switch_med_s"], out["switch_max_s"] = statistics.median(every), max(every)
        every = [x for xs in settled.values() for x in xs]
        out["switch_settled_med_s"], out["switch_settled_max_s"] = statistics.median(every), max(every)
        out["switch_by_page_med_s"] = {n: statistics.median(xs) for n, xs in switches.items() if xs}
        out["settled_by_page_med_s"] = {n: statistics.median(xs) for n, xs in settled.items() if xs}
        out["busy_by_page_med_s"] = {n: statistics.median(xs) for n, xs in busy.items() if xs}
        out["peak_rss_mb"] = vmhwm_mb(proc.pid)
    finally:
        page.close()
        proc.terminate()
        proc.wait(10)
    return out


def returning(browser, script: str, cwd: Path, env: dict, pages: tuple[str, ...], words: dict) -> dict:
    """The launch as someone who opened the app before sees it (each morning, say): the same
    browser context opens it twice first, so its HTTP cache holds Streamlit's scripts
    (served immutable) and Chromium keeps their compiled code (it does from the second load);
    then the server is started again and the first page timed. The server starts cold each
    time, so only the browser's side is warm."""
    context, port = browser.new_context(viewport={"width": 1440, "height": 1000}), free_port()
    try:
        for _ in range(2):
            measure(browser, script, cwd, env, pages, words, 0, context, port)
        return measure(browser, script, cwd, env, pages, words, 0, context, port)
    finally:
        context.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pages", default=",".join(PAGES))
    ap.add_argument(
        "--app-root", type=Path, default=ROOT, help="the checkout whose app.py runs (e.g. an older commit's)"
    )
    ap.add_argument(
        "--returning",
        action="store_true",
        help="also time the launch for a browser that has opened each app before (HTTP cache kept)",
    )
    a = ap.parse_args()
    pages = tuple(a.pages.split(","))
    env = {**os.environ, "CALLCENTER_DATASET": str(a.dataset.resolve())}
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        try:
            hello = Path(tmp) / "hello.py"
            hello.write_text(HELLO)
            h = measure(
                browser,
                str(hello),
                Path(tmp),
                dict(os.environ),
                ("", "world"),  # the default page's URL path is ""
                {"": "hello", "world": "world"},
                a.rounds,
            )
            app = measure(browser, "app.py", a.app_root, env, pages, {}, a.rounds)
            if a.returning:
                h["returning"] = returning(browser, str(hello), Path(tmp), dict(os.environ), ("",), {"": "hello"})
                app["returning"] = returning(browser, "app.py", a.app_root, env, pages[:1], {})
        finally:
            browser.close()
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores shared?)  dataset {a.dataset}")
    print(f"{'':34s}{'app':>10s}{'hello-world':>14s}{'ratio':>8s}")
    for label, key in (
        ("launch -> server answering (s)", "server_answering_s"),
        ("launch -> first page drawn (s)", "first_page_s"),
        ("launch -> first page settled (s)", "first_page_settled_s"),
        ("switch, cached, drawn, median (s)", "switch_med_s"),
        ("switch, cached, drawn, max (s)", "switch_max_s"),
        ("switch, cached, settled, median (s)", "switch_settled_med_s"),
        ("switch, cached, settled, max (s)", "switch_settled_max_s"),
    ):
        print(f"{label:34s}{app[key]:10.2f}{h[key]:14.2f}{app[key] / h[key]:7.1f}x")
    if a.returning:
        for label, key in (
            ("returning visitor: launch -> drawn", "first_page_s"),
            ("returning visitor: launch -> settled", "first_page_settled_s"),
        ):
            x, y = app["returning"][key], h["returning"][key]
            print(f"{label:34s}{x:10.2f}{y:14.2f}{x / y:7.1f}x")
        print(
            f"returning visitor, browser busy until drawn: app {app['returning']['first_page_busy_s']:.2f} s,"
            f" hello-world {h['returning']['first_page_busy_s']:.2f} s"
        )
    print(
        f"server peak RSS (MB): after first page {app['first_page_rss_mb']:.0f}, after all pages {app['peak_rss_mb']:.0f}"
    )
    print(
        f"browser busy (long tasks) until the first page was drawn: app {app['first_page_busy_s']:.2f} s,"
        f" hello-world {h['first_page_busy_s']:.2f} s"
    )
    for name in pages:
        v = app["pages"].get(name, {})
        sw = app["switch_by_page_med_s"].get(name, float("nan"))
        st_ = app["settled_by_page_med_s"].get(name, float("nan"))
        bz = app["busy_by_page_med_s"].get(name, float("nan"))
        first = f"first visit {v['first_visit_s']:5.2f} s, " if v else ""
        rss = f", server peak RSS {v['rss_mb']:.0f} MB" if v else ""
        print(
            f"  {name:16s} {first}cached switch median drawn {sw:5.2f} s, settled {st_:5.2f} s"
            f" (browser busy {bz:4.2f} s){rss}"
        )


if __name__ == "__main__":
    main()
