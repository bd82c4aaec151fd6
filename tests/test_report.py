"""The monthly review file: the month's KPIs inside, nothing fetched from the network,
and the command line that writes it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date

import pytest

from analytics import lake, report
from analytics.access import Scope
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def review(demo_dataset):
    return report.build_review(lake.open_lake(demo_dataset), date(2026, 10, 1), Scope.everything())


def _outside_plotly_bundle(text: str) -> str:
    """The file without the inlined Plotly bundle (whose licence comments and unused map
    styles name URLs that are never loaded for these charts)."""
    return re.sub(r"<script[^>]*>\s*/\*\*\s*\n?\s*\* plotly\.js.*?</script>", "", text, flags=re.S)


def test_file_holds_the_months_kpis(review):
    text = report.render_html(review, "en")
    sl = report.fmt("service_level", review.value("service_level"), "en")
    offered = report.fmt("offered", review.value("offered"), "en")
    assert "Call-center monthly review 2026-10" in text
    assert sl in text and offered in text
    assert review.summary["en"][0] in text.replace("&#x27;", "'")
    zh = report.render_html(review, "zh")
    assert "呼叫中心月度经营回顾 2026-10" in zh and "服务水平" in zh


def test_file_is_self_contained(review):
    text = report.render_html(review, "en")
    assert "<script src=" not in text and "<link" not in text
    assert text.count("plotly.js v") >= 1  # the bundle is inlined...
    rest = _outside_plotly_bundle(text)
    assert len(rest) < len(text) / 4  # ...and the filter found it
    assert "http://" not in rest and "https://" not in rest


def test_no_individual_in_the_review(review, demo_dataset):
    ids = lake.open_lake(demo_dataset).query("SELECT employee_id FROM employees")["employee_id"]
    text = _outside_plotly_bundle(report.render_html(review, "en"))
    assert not [i for i in ids if i in text]


def test_text_is_escaped(review):
    # A queue code with markup (imported data is not trusted) comes out as text.
    review.by_queue.loc[0, "queue"] = "<img src=x onerror=alert(1)>"
    text = report.render_html(review, "en")
    assert "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text


def test_command_line_writes_the_file_and_refuses_bad_input(demo_dataset, tmp_path):
    out = tmp_path / "review.html"
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "report",
            "monthly",
            "--dataset",
            str(demo_dataset),
            "--month",
            "2026-10",
            "--out",
            str(out),
            "--lang",
            "en",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ok.returncode == 0, ok.stderr
    assert "Call-center monthly review 2026-10" in out.read_text(encoding="utf-8")
    for month in ("2026-13", "October"):
        bad = subprocess.run(
            [
                sys.executable,
                "-m",
                "analytics",
                "report",
                "monthly",
                "--dataset",
                str(demo_dataset),
                "--month",
                month,
                "--out",
                str(tmp_path / "x.html"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert bad.returncode == 2
        assert len(bad.stderr.strip().splitlines()) == 1 and bad.stderr.startswith("error:")


def test_file_opens_offline_with_its_charts(review, tmp_path):
    chromium = shutil.which("chromium")
    pw = pytest.importorskip("playwright.sync_api")
    if not chromium:
        pytest.skip("Debian's chromium is not installed")
    f = tmp_path / "review.html"
    f.write_text(report.render_html(review, "en"), encoding="utf-8")
    requested = []
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.route(
            "**/*",
            lambda route: (
                (requested.append(route.request.url), route.continue_())
                if route.request.url.startswith("file://")
                else (requested.append(route.request.url), route.abort())
            ),
        )
        page.goto(f.as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30000)
        charts = page.locator(".js-plotly-plot").count()
        browser.close()
    assert charts == 5
    assert all(u.startswith("file://") for u in requested), requested
