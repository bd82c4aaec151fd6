"""The real app in headless Chromium: a working day of every role, in both languages.

For every demo role and language: open the app, choose a non-default period with the
sidebar's date field, visit every page the role may open through the sidebar, go back,
reload, and open the last URL as a deep link in a fresh browser context. It fails on a
blank page, a lost period, a "Page not found" modal, an exception shown, or a main area
with neither a chart nor a table.

Needs Debian's chromium and the playwright package. Locally it skips with a message when
either is missing; under CI (CI=true) a missing browser is a failure, not a skip. One
server, one browser and one context (a tab per walk) serve the walks; waits end as soon as
the page has drawn, not after fixed sleeps. Screenshots go to $SCREENSHOT_DIR when set,
step times to stdout with BROWSER_TIMES=1.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# What each role may open, in sidebar order (the role table of the README, written out
# here by hand so that a change to app.py's PAGES shows up as a failure to look at).
ROLE_PAGES = {
    "executive": ["service_level", "complaints", "monthly_review", "definitions"],
    "center_manager": [
        "service_level",
        "handle_time",
        "staffing",
        "complaints",
        "monthly_review",
        "scorecards",
        "quality",
        "careers",
        "definitions",
    ],
    "team_leader": ["service_level", "handle_time", "complaints", "scorecards", "careers", "definitions"],
    "quality": ["service_level", "handle_time", "complaints", "quality", "definitions"],
    "hr": ["staffing", "monthly_review", "scorecards", "attrition", "careers", "definitions"],
    "admin": [
        "service_level",
        "handle_time",
        "staffing",
        "complaints",
        "monthly_review",
        "scorecards",
        "quality",
        "attrition",
        "careers",
        "data",
        "audit",
        "definitions",
    ],
}
# Pages that draw the session's filters (the others have no period to keep).
FILTER_PAGES = {"service_level", "handle_time", "staffing", "complaints", "monthly_review", "scorecards", "quality"}
PERIOD_LABEL = {"zh": "期间", "en": "Period"}
# The small demo ends in October 2026 and opens on that month; September is the "other" period.
FROM, TO = "2026-09-01", "2026-09-30"


def _need(condition: bool, why: str) -> None:
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {why}")
        pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(dataset: Path):
    port = _free_port()
    env = {**os.environ, "CALLCENTER_DATASET": str(dataset)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
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
    return url, proc


def _stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def server(demo_dataset):
    url, proc = _serve(demo_dataset)
    yield url
    _stop(proc)


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


def _idle(page) -> None:
    """Wait until the script run that the last action started has finished."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=90_000)
    page.wait_for_timeout(300)  # let the rerun start before watching for its end
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000, polling=100
    )


def _path(page) -> str:
    return page.url.split("://", 1)[1].split("/", 1)[1].split("?", 1)[0]


def _period_field(page, lang: str):
    box = page.locator('[data-testid="stSidebar"] [data-testid="stDateInput"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(f"^{PERIOD_LABEL[lang]}$"))
    )
    return box.locator('[data-testid="stDateInputField"]')


def _shown_period(page, lang: str) -> str:
    return re.sub(r"\s", "", _period_field(page, lang).first.inner_text())


# Drawn: the run has ended and the main area holds a chart or a table (or an exception,
# reported below). The audit log of a fresh demo is empty, a true state its page says in
# words ("aud.empty"), so that notice counts there.
_DRAWN = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && document.querySelector('[data-testid="stMain"] h1')
    && (document.querySelector('[data-testid="stMain"] :is(.js-plotly-plot, [data-testid="stDataFrame"], \
[data-testid="stTable"], [data-testid="stException"])')
        || (location.pathname.endsWith('/audit') && /还没有审计记录|Nothing recorded yet/.test(
            document.querySelector('[data-testid="stMain"]').innerText)))"""


_T0 = [time.time()]


def _lap(what):
    if os.environ.get("BROWSER_TIMES"):
        now = time.time()
        print(f"{now - _T0[0]:6.1f} s  {what}", flush=True)
        _T0[0] = now


def _check(page, lang: str, where: str, expect_path: str | None = None) -> None:
    """The page drew: no exception, no 'Page not found', a title, a chart or a table,
    and (on a filtered page) the chosen period in the field and in the URL."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    name = _path(page)
    if expect_path is not None:
        assert name == expect_path, f"{where}: on /{name}, expected /{expect_path}"
    try:  # as soon as the run has ended with something drawn, not after a fixed sleep
        page.wait_for_function(_DRAWN, timeout=60_000, polling=100)
    except PlaywrightTimeout:
        main = page.locator('[data-testid="stMain"]')
        assert main.locator("h1").count() >= 1, f"{where}: blank page"
        pytest.fail(f"{where} (/{name}): neither a chart nor a table within 60 s")
    assert page.locator('[data-testid="stException"]').count() == 0, (
        f"{where}: {page.locator('[data-testid=stException]').first.inner_text()}"
    )
    assert page.get_by_text(re.compile("Page not found", re.I)).count() == 0, f"{where}: 'Page not found' shown"
    # Every page's URL carries the period, so a reload or a link of any page keeps it.
    assert f"from={FROM}" in page.url and f"to={TO}" in page.url, f"{where}: period lost from the URL {page.url}"
    if name in FILTER_PAGES:
        shown = _shown_period(page, lang)
        assert shown == f"{FROM}–{TO}".replace("-", "/"), f"{where}: period field shows {shown}"
    _lap(where)
    shots = os.environ.get("SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / f"{where.replace(' ', '_').replace('/', '-')}.png"), full_page=True)


def _choose_period(page, lang: str) -> None:
    """Type September into the sidebar's period field, as a person would."""
    field = _period_field(page, lang).first
    for part, kind, text in (
        ("start", "month", "09"),
        ("start", "day", "01"),
        ("end", "month", "09"),
        ("end", "day", "30"),
    ):
        field.locator(f'[data-range-field="{part}"] [data-type="{kind}"]').click()
        page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.locator('[data-testid="stMain"] h1').first.click()  # leaving the field commits it
    page.wait_for_url(re.compile(f"from={FROM}.*to={TO}|to={TO}.*from={FROM}"), timeout=60_000)
    _idle(page)


@pytest.fixture(scope="module")
def walk_context(browser):
    """One context for the walks: each test opens its own tab (its own Streamlit session),
    and the tabs share the HTTP cache, so Streamlit's scripts load once rather than per role."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    yield context
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_a_working_day(server, browser, walk_context, role, lang):
    errors: list[str] = []
    page = walk_context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    pages = ROLE_PAGES[role]
    if role == "admin":  # the start page: "/" forwards to the role's first page
        page.goto(f"{server}/?lang={lang}", wait_until="domcontentloaded")
    else:  # a link to the role's first page (the first request of the server: executive, zh)
        page.goto(f"{server}/{pages[0]}?lang={lang}&as={role}", wait_until="domcontentloaded")
    _idle(page)
    # Every role lands on its first page, with data.
    assert _path(page) == pages[0], f"{role} lands on /{_path(page)}"
    _choose_period(page, lang)
    _check(page, lang, f"{lang} {role} first {pages[0]}", pages[0])

    links = page.locator('[data-testid="stSidebarNav"] a')
    offered = [links.nth(i).get_attribute("href").rstrip("/").rsplit("/", 1)[-1] for i in range(links.count())]
    assert offered == pages, f"{role} is offered {offered}"  # each role's list differs: the role is right
    for name in pages[1:]:
        page.locator(f'[data-testid="stSidebarNav"] a[href$="/{name}"]').click()
        page.wait_for_url(re.compile(f"/{name}(\\?|$)"), timeout=60_000)
        _check(page, lang, f"{lang} {role} {name}", name)
    if len(pages) > 1:
        page.go_back()
        page.wait_for_url(re.compile(f"/{pages[-2]}(\\?|$)"), timeout=60_000)
        _check(page, lang, f"{lang} {role} back", pages[-2])
    # Reload wherever we are (a new session: only the URL remembers), then a filtered page.
    here = _path(page)
    page.reload(wait_until="domcontentloaded")
    _check(page, lang, f"{lang} {role} reload", here)
    assert offered == [
        links.nth(i).get_attribute("href").rstrip("/").rsplit("/", 1)[-1] for i in range(links.count())
    ], f"{role}: the role was lost on reload"
    last_filtered = next(p for p in reversed(pages) if p in FILTER_PAGES)
    if here != last_filtered:
        page.locator(f'[data-testid="stSidebarNav"] a[href$="/{last_filtered}"]').click()
        page.wait_for_url(re.compile(f"/{last_filtered}(\\?|$)"), timeout=60_000)
        _check(page, lang, f"{lang} {role} after reload", last_filtered)
    link = page.url
    page.close()

    # The same link in a fresh browser context (no session, no history).
    fresh = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = fresh.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(link, wait_until="domcontentloaded")
    _check(page, lang, f"{lang} {role} deep link", last_filtered)
    fresh.close()
    assert not errors, errors


def test_the_role_switcher_follows_a_switch_of_language(server, walk_context):
    """The demo's role and center selectboxes show the chosen role and center in the new
    language after a switch (they kept the old language's labels: a Streamlit selectbox keeps
    its displayed label until the server sets its value)."""
    page = walk_context.new_page()
    page.goto(f"{server}/service_level?lang=zh&as=center_manager", wait_until="domcontentloaded")
    _idle(page)
    boxes = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]')
    role, center = boxes.nth(0).locator("input"), boxes.nth(1).locator("input")  # the shown choice
    assert role.input_value() == "中心经理" and "杭州" in center.input_value()
    page.get_by_text("English", exact=True).first.click()
    _idle(page)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stSidebar\"]').innerText.includes('View as')", timeout=30_000
    )
    assert role.input_value() == "Center manager"
    assert "Hangzhou" in center.input_value() and "杭州" not in center.input_value()
    page.close()


# Each chart's margins as given and as Plotly laid it out: automargin grows one only by
# laying the chart out again, the browser work ui/charts.py's margins are there to spare.
_CHARTS_DRAWN = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && (document.querySelector('[data-testid="stMain"] [data-testid="stException"]')
        || ([...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')].length > 0
            && [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')].every(el => el._fullLayout)))"""

_MARGINS = """() => [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')].map(el => {
    const m = el.layout.margin || {}, s = el._fullLayout._size;
    return {given: [m.l, m.r, m.t, m.b], drawn: [s.l, s.r, s.t, s.b].map(Math.round)};
})"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_charts_are_laid_out_once(server, walk_context, lang):
    """On the call pages and the monthly review, every chart's margins already hold its
    labels, titles, colour bar and legend: Plotly's automargin had nothing to add. Half-width
    charts too (complaints' causes and ages, whose labels Plotly turns in half the width)."""
    page = walk_context.new_page()
    grown = []
    for name in ("service_level", "handle_time", "staffing", "complaints", "monthly_review"):
        page.goto(f"{server}/{name}?lang={lang}&as=admin", wait_until="domcontentloaded")
        _idle(page)
        # Not _DRAWN, which a table satisfies: on CI, handle time's charts were once still being
        # mounted (none in the page) while its tables were drawn and no run was showing.
        page.wait_for_function(_CHARTS_DRAWN, timeout=60_000, polling=100)
        page.wait_for_timeout(500)  # a chart still being mounted would show up as a changed count
        page.wait_for_function(_CHARTS_DRAWN, timeout=60_000, polling=100)
        error = page.locator('[data-testid="stMain"] [data-testid="stException"]')
        assert error.count() == 0, f"{name}: {error.first.inner_text()}"
        charts = page.evaluate(_MARGINS)
        assert charts, f"{name}: no chart"
        grown += [
            f"{name} chart {i}: {c['given']} -> {c['drawn']}" for i, c in enumerate(charts) if c["given"] != c["drawn"]
        ]
    page.close()
    assert not grown, "automargin laid these out again:\n" + "\n".join(grown)


PASSWORD = "correct-horse-42"


def test_sign_in_survives_a_reload_and_a_link(browser, demo_dataset, tmp_path_factory):
    """Local accounts: signing in at a link opens that link's page; a reload and another tab
    stay signed in (signed cookie); signing out ends it."""
    import json

    from analytics import users

    root = tmp_path_factory.mktemp("imported") / "ds"
    shutil.copytree(demo_dataset, root, ignore=shutil.ignore_patterns("_users.json", "_audit", "_session_key"))
    info = json.loads((root / "dataset.json").read_text())
    (root / "dataset.json").write_text(json.dumps({**info, "kind": "imported"}))
    users.add(root, "boss", "admin", PASSWORD)
    url, proc = _serve(root)
    try:
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        page.goto(f"{url}/complaints?lang=en&from={FROM}&to={TO}", wait_until="domcontentloaded")
        page.get_by_role("textbox", name="User name").fill("boss")
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        _check(page, "en", "en signed-in link", "complaints")
        cookie = {c["name"]: c for c in context.cookies()}["callcenter_session"]
        assert cookie["sameSite"] == "Strict" and PASSWORD not in cookie["value"]
        assert PASSWORD not in page.url and "callcenter_session" not in page.url
        page.reload(wait_until="domcontentloaded")
        _check(page, "en", "en signed-in reload", "complaints")
        other = context.new_page()
        other.goto(f"{url}/handle_time?lang=en&from={FROM}&to={TO}", wait_until="domcontentloaded")
        _check(other, "en", "en signed-in new tab", "handle_time")
        other.get_by_role("button", name="Sign out").click()
        other.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
        other.reload(wait_until="domcontentloaded")
        other.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
        assert "callcenter_session" not in {c["name"] for c in context.cookies()}
        context.close()
    finally:
        _stop(proc)
