"""AppTest: the complaints and monthly review pages, in both languages, on the small demo."""

from __future__ import annotations

import pytest


def _open(app, page, lang):
    at = app(lang)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang, title, first_kpi", [("en", "Complaints", "Complaints"), ("zh", "投诉分析", "投诉量")])
def test_complaints_page(app, lang, title, first_kpi):
    at = _open(app, "views/complaints.py", lang)
    assert at.title[0].value == title
    assert at.metric[0].label == first_kpi and at.metric[0].value == "34"  # October 2026 of the small demo
    subheaders = " ".join(s.value for s in at.subheader)
    assert ("Pareto" in subheaders and "Unusual months" in subheaders) if lang == "en" else "帕累托" in subheaders


@pytest.mark.parametrize("lang, title", [("en", "Monthly review"), ("zh", "月度经营回顾")])
def test_monthly_review_page(app, lang, title, demo_dataset):
    at = _open(app, "views/monthly_review.py", lang)
    assert at.title[0].value == title
    labels = [m.label for m in at.metric]
    assert ("Service level" if lang == "en" else "服务水平") in labels
    summary = at.markdown[0].value
    assert ("Service level" in summary) if lang == "en" else ("服务水平" in summary)
    # No individual employee appears anywhere on the page.
    from analytics import lake

    ids = set(lake.open_lake(demo_dataset).query("SELECT employee_id FROM employees")["employee_id"])
    shown = " ".join(str(x.value) for x in list(at.markdown) + list(at.caption)) + " ".join(
        df.value.to_csv() for df in at.dataframe
    )
    assert not [i for i in ids if i in shown]
    assert all("agent" not in df.value.columns for df in at.dataframe)


def test_complaints_draw_only_the_open_breakdown(app):
    """The breakdown tabs and the agent expander draw their table when opened, not before."""
    at = _open(app, "views/complaints.py", "en")
    firsts = [df.value.columns[0] for df in at.dataframe]
    assert "level" in firsts and "queue" in firsts  # the open tabs
    assert not {"channel", "category", "team", "agent"} & set(firsts)
    at.session_state["cmp_by_kind"] = "By channel"  # a click on the tab
    at.session_state["cmp_by_place"] = "By team"
    at.session_state["cmp_by_agent"] = True  # the expander opened
    at.run()
    assert not at.exception, at.exception
    firsts = [df.value.columns[0] for df in at.dataframe]
    assert {"channel", "team", "agent"} <= set(firsts) and not {"level", "queue"} & set(firsts)
