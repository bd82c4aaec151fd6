"""The real app in headless Chromium: every page, both languages, no exception shown.

Needs Debian's chromium and the playwright package. Locally it skips with a message when
either is missing; under CI (CI=true) a missing browser is a failure, not a skip.
Screenshots go to $SCREENSHOT_DIR when it is set.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

# page -> KPI cards it shows
PAGES = {"service_level": 5, "handle_time": 5, "staffing": 4, "complaints": 7, "monthly_review": 11,
         "careers": 5, "attrition": 0, "data": 0, "definitions": 0}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _need(condition: bool, why: str) -> None:
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {why}")
        pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_dataset):
    port = _free_port()
    env = {**os.environ, "CALLCENTER_DATASET": str(demo_dataset)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read().decode(errors="replace"))
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not start within 60 s")
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "playwright is not installed (pip install -r requirements-dev.txt)")
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    _need(exe is not None, "Debian's chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _wait_until_drawn(page, charts: bool) -> None:
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=90_000)
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=90_000)
    if charts:
        page.wait_for_selector(".js-plotly-plot", timeout=90_000)
    # Streamlit shows a "running" indicator while the script runs; wait for it to end.
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)
    page.wait_for_timeout(1500)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_draws_without_exception(server, browser, lang):
    shots = os.environ.get("SCREENSHOT_DIR")
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    for name in PAGES:
        page.goto(f"{server}/{name}?lang={lang}", wait_until="domcontentloaded")
        _wait_until_drawn(page, charts=PAGES[name] > 0)
        exceptions = page.locator('[data-testid="stException"]')
        assert exceptions.count() == 0, f"{name} ({lang}): {exceptions.first.inner_text()}"
        assert page.locator('[data-testid="stMain"] h1').count() >= 1
        # The app's own navigation (sections from app.py), not a page run on its own.
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert ("Operations" in nav) if lang == "en" else ("运营" in nav), nav
        if PAGES[name]:
            assert page.locator('[data-testid="stMetric"]').count() == PAGES[name], f"{name}: KPI cards"
            assert page.locator(".js-plotly-plot").count() >= 2, f"{name}: charts drawn"
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / f"{name}_{lang}.png"), full_page=True)
    assert not errors, errors
    page.close()
