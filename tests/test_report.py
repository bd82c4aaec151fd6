"""The monthly review file: the month's KPIs inside, nothing fetched from the network,
and the command line that writes it."""

from __future__ import annotations

import dataclasses
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


# --- the set-based review equals per-month lookups (issue 18) --------------------------------

from datetime import timedelta  # noqa: E402

import pandas as pd  # noqa: E402

from analytics import calls, complaints, workforce  # noqa: E402
from tests.conftest import build_dataset  # noqa: E402


def _same(a, b) -> bool:
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return (a is None or pd.isna(a)) and (b is None or pd.isna(b))
    return a == pytest.approx(b, rel=1e-9, abs=1e-12)


def _one_month(lk, mth: date, scope, centers) -> dict:
    """The figures of one month by direct calls to the metric functions, month by month."""
    f = report.month_filters(mth, centers)
    out = dict(calls.totals(lk, f, scope))
    if out.get("offered"):
        out.update(complaints.summary(lk, f, scope))
    wf = workforce.monthly(lk, f, scope)
    out.update(wf.iloc[0].drop("month").to_dict())
    return {k: (None if v is None or pd.isna(v) else v) for k, v in out.items()}


def _check_review_against_lookups(root, month: date, centers=()):
    review = report.build_review(lake.Lake(root), month, Scope.everything(), centers)
    lk = lake.Lake(root)  # its own cache: nothing shared with the review's
    scope = Scope.everything().aggregates_only()
    expect = {
        col: _one_month(lk, mth, scope, centers)
        for col, mth in (
            ("value", month),
            ("previous", report.add_months(month, -1)),
            ("year_ago", report.add_months(month, -12)),
        )
    }
    for r in review.scorecard.to_dict("records"):
        for col in ("value", "previous", "year_ago"):
            assert _same(r[col], expect[col].get(r["key"])), (r["key"], col, r[col], expect[col].get(r["key"]))
    # The 13-month trend: calls, complaint counts and rates, people, month by month.
    assert len(review.trend) == len({*review.trend["month"]})
    for mth_ts in pd.date_range(pd.Timestamp(report.add_months(month, -12)), periods=13, freq="MS"):
        mth = mth_ts.date()
        one = _one_month(lk, mth, scope, centers)
        row = review.trend[review.trend["month"] == mth_ts]
        if not one.get("offered"):
            assert row.empty or not row["offered"].iloc[0]
            continue
        got = row.iloc[0].to_dict()
        for k in (*report.CALL_KPIS, "complaints", "complaints_per_10k", "headcount_end", "turnover_annualised"):
            assert _same(got[k], one.get(k)), (mth, k, got[k], one.get(k))
    # The queues of this month and the previous one.
    for mth, suffix in ((month, ""), (report.add_months(month, -1), "_prev")):
        q = calls.metrics(lk, report.month_filters(mth, centers), scope, ("queue",)).set_index("queue")
        for rec in review.by_queue.to_dict("records"):
            for k in ("offered", "service_level", "answer_rate"):
                want = q[k].get(rec["queue"]) if rec["queue"] in q.index else None
                assert _same(rec[k + suffix], want), (mth, rec["queue"], k)
    assert set(review.by_queue["queue"]) == {
        q
        for q, n in calls.metrics(lk, report.month_filters(month, centers), scope, ("queue",))[
            ["queue", "offered"]
        ].itertuples(index=False)
        if n and n > 0
    }
    assert set(review.complaints) == {*report.COMPLAINT_SUMMARY}
    for k, v in review.complaints.items():
        assert _same(v, expect["value"].get(k)), (k, v, expect["value"].get(k))
    return review


@pytest.mark.parametrize("centers", [(), "first"])
def test_set_based_review_equals_per_month_lookups_on_the_demo(demo_dataset, centers):
    if centers == "first":
        centers = (sorted(lake.open_lake(demo_dataset).zones())[0],)
    review = _check_review_against_lookups(demo_dataset, date(2026, 10, 1), centers)
    assert review.has_data and review.value("offered", "previous")


def _call(cid: str, at: str, answered: bool) -> dict:
    t = pd.Timestamp(at)
    return {
        "call_id": cid,
        "queue": "Q1",
        "center": "C1",
        "arrived_at": t,
        "answered_at": t + timedelta(seconds=15) if answered else None,
        "ended_at": t + timedelta(seconds=200 if answered else 30),
        "agent_id": "E1" if answered else None,
        "talk_s": 150.0 if answered else None,
    }


def _complaint(cid: str, received: str, resolved: str | None, level: int = 1) -> dict:
    return {
        "complaint_id": cid,
        "received_at": pd.Timestamp(received),
        "center": "C1",
        "level": level,
        "channel": "phone",
        "cause": "wait",
        "queue": "Q1",
        "resolved_at": pd.Timestamp(resolved) if resolved else None,
    }


def test_previous_and_year_ago_complaints_are_judged_at_their_month_end(tmp_path):
    """A September complaint resolved late in October is still within its target at the end of
    September (younger than 2 working days, not judged), while one received on 2 September and
    still open at the month's end is already late then (about 20 working days old). So
    September's share resolved within target is 1/2 in October's scorecard, as a review of
    September alone would say; the trend, judged at the end of October, has it 1/3."""
    root = build_dataset(
        tmp_path / "ds",
        employees=[{"employee_id": "E1", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2024-01-01"}],
        calls=[
            _call("y1", "2025-10-14T02:00:00Z", True),
            _call("y2", "2025-10-14T03:00:00Z", False),
            _call("p1", "2026-09-08T02:00:00Z", True),
            _call("p2", "2026-09-08T02:05:00Z", True),
            _call("n1", "2026-10-13T02:00:00Z", True),
        ],
        complaints=[
            _complaint("cy", "2025-10-14T04:00:00Z", "2025-10-14T08:00:00Z", level=3),
            # Tuesday 8 September, resolved the next day: within 2 working days.
            _complaint("c1", "2026-09-08T04:00:00Z", "2026-09-09T04:00:00Z"),
            # Wednesday 30 September 10:00 local, resolved 20 October: open at September's end.
            _complaint("c2", "2026-09-30T02:00:00Z", "2026-10-20T02:00:00Z"),
            # Wednesday 2 September 10:00 local, resolved 20 October: open and late at September's end.
            _complaint("c3", "2026-09-02T02:00:00Z", "2026-10-20T02:00:00Z"),
            _complaint("cn", "2026-10-13T04:00:00Z", None),
        ],
    )
    review = _check_review_against_lookups(root, date(2026, 10, 1))
    assert review.value("resolved_within_target", "previous") == pytest.approx(1 / 2)
    sep = review.trend[review.trend["month"] == pd.Timestamp("2026-09-01")].iloc[0]
    assert sep["resolved_within_target"] == pytest.approx(1 / 3)
    assert review.value("offered", "year_ago") == 2 and review.value("answer_rate", "year_ago") == 0.5
    assert review.value("level3_complaints", "year_ago") == 1
    assert review.value("complaints_per_10k", "year_ago") == pytest.approx(1 / 2 * 10_000)


def test_the_review_and_its_file_name_queues_not_codes(demo_dataset):
    """The written summary, the queue chart and the queue table of the file (what the
    executive receives as HTML, PDF or e-mail) say each queue's name in the reader's
    language, as the pages do, never its code (HZ-TAX)."""
    lk = lake.open_lake(demo_dataset)
    review = report.build_review(lk, date(2026, 10, 1), Scope.everything())
    queues = lk.query("SELECT queue, name_zh, name_en FROM queues")
    codes = set(queues["queue"])
    assert set(review.by_queue["queue"]) <= codes and len(review.by_queue) > 3
    for lang in ("zh", "en"):
        names = dict(zip(queues["queue"], queues[f"name_{lang}"]))
        summary = " ".join(review.summary[lang])
        assert not [c for c in codes if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", summary)], summary
        # A queue is named by its name (with its center when two share one).
        bars = list(report.queue_figure(review, lang).data[0].x)
        assert [b.startswith(names[c]) for b, c in zip(bars, review.by_queue["queue"])] == [True] * len(bars)
        text = _outside_plotly_bundle(report.render_html(review, lang))
        cells = re.findall(r"<td>([^<]*)</td>", text)
        assert not codes & set(cells)
        assert {names[c] for c in review.by_queue["queue"]} & {c.split("（")[0].split(" (")[0] for c in cells}
    # The summary names the queue that moved service level most (the demo has one).
    assert any(n in " ".join(review.summary["en"]) for n in queues["name_en"])
    # ... without a bracket after the queue's own "(Hangzhou)": "(Hangzhou) (-3.8 pp) (target
    # 80.0 %, on target)" read badly, in either language.
    for lang in ("zh", "en"):
        assert not re.search(r"\) ?\(|）（", " ".join(review.summary[lang])), review.summary[lang]


def test_many_queues_chart_the_busiest_readably_and_say_so(demo_dataset):
    """With more queues than a chart shows readably (153 at 52.5 M calls), the review's chart,
    on the page and in the file, shows the 25 with the most calls offered, busiest first, its
    names slanted so that neighbours clear each other; the file says so and its table still
    lists every queue."""
    lk = lake.open_lake(demo_dataset)
    review = report.build_review(lk, date(2026, 10, 1), Scope.everything())
    # 30 made-up queues: Q00 offers 1,000 calls, Q01 1,010, ... Q29 1,290; Q30 ties Q29.
    codes = [f"Q{i:02d}" for i in range(31)]
    offered = [1000 + 10 * i for i in range(30)] + [1290]
    many = pd.DataFrame(
        {
            "queue": codes,
            "offered": offered,
            "offered_prev": offered,
            "service_level": 0.8,
            "service_level_prev": 0.8,
            "service_level_change": 0.0,
            "answer_rate": 0.9,
            "answer_rate_prev": 0.9,
            "answer_rate_change": 0.0,
        }
    )
    review = dataclasses.replace(review, by_queue=many)
    fig = report.queue_figure(review, "en")
    # Busiest first, the tie (1,290) by code: Q29, Q30, then Q28 down to Q06: 25 bars.
    assert list(fig.data[0].x) == ["Q29", "Q30"] + [f"Q{i:02d}" for i in range(28, 5, -1)]
    # 25 names about 800 / 25 = 32 px apart: asin(17 / 32) = 32.1 degrees -> 33, to the left.
    assert fig.layout.xaxis.tickangle == -33
    text = _outside_plotly_bundle(report.render_html(review, "en"))
    assert "The chart shows the 25 queues with the most calls offered (of 31)" in text
    assert set(codes) <= set(re.findall(r"<td>([^<]*)</td>", text))  # the table: all 31
    # A few queues: all of them, in the review's order, slanted by 25 degrees, nothing said.
    few = dataclasses.replace(review, by_queue=many.head(6))
    assert list(report.queue_figure(few, "en").data[0].x) == codes[:6]
    assert report.queue_figure(few, "en").layout.xaxis.tickangle == -25
    assert "The chart shows" not in _outside_plotly_bundle(report.render_html(few, "en"))
