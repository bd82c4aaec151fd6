"""AppTest: every page runs without an exception, in both languages, on the small demo."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest


PAGES = (
    "views/service_level.py",
    "views/handle_time.py",
    "views/staffing.py",
    "views/careers.py",
    "views/attrition.py",
    "views/definitions.py",
)


def _texts(at: AppTest) -> str:
    parts = [e.value for e in at.title] + [e.value for e in at.subheader] + [e.value for e in at.caption]
    return " ".join(str(p) for p in parts)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_page_runs_without_exception(app, page, lang):
    at = app(lang)
    at.run()
    assert not at.exception, at.exception
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    assert at.title, "every page has a title"


def test_service_level_page_shows_kpis_against_targets(app):
    at = app("en")
    at.run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    # The page's KPI row first; the satisfaction section below adds its own three cards.
    assert labels[:5] == ["Offered", "Answer rate", "Service level", "Average speed of answer", "Abandon rate"]
    assert labels[5:] == ["Customer satisfaction", "First-contact resolution", "Short abandons"]
    # Values carry units: rates in %, times in s.
    values = {m.label: m.value for m in at.metric}
    assert values["Service level"].endswith("%") and values["Average speed of answer"].endswith("s")
    text = _texts(at)
    assert "Worst intervals" in text and "By queue" in text
    assert "answered within T / (offered − short abandons)" in text  # the formula in use is printed


def test_handle_time_page_in_chinese(app):
    at = app("zh")
    at.run()
    at.switch_page("views/handle_time.py")
    at.run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels == ["平均处理时长", "处理时长达标率", "人均日接听量", "占用率", "转接率"]
    assert "建议质检关注的座席" in _texts(at)


def test_filters_come_from_the_url(app):
    at = app("en")
    at.query_params["from"] = "2026-09-01"
    at.query_params["to"] = "2026-09-30"
    at.query_params["grain"] = "week"
    at.run()
    assert not at.exception
    assert at.date_input(key="fw_period").value == (date(2026, 9, 1), date(2026, 9, 30))
    assert at.selectbox(key="fw_grain").value == "week"
    assert at.query_params["from"] == "2026-09-01" and at.query_params["grain"] == "week"


def test_filters_are_written_to_the_url_for_sharing(app):
    at = app("en")
    at.run()
    # With no filters in the URL, the default view (the latest month of data) is written there.
    assert at.query_params["from"] == "2026-10-01" and at.query_params["to"] == "2026-10-31"
    at.multiselect(key="fw_centers").set_value(["HZ"]).run()
    assert at.query_params["center"] == "HZ"


def test_drill_down_starts_on_the_worst_day_and_follows_the_date(app, demo_dataset):
    from analytics import calls, lake
    from analytics.access import Scope
    from analytics.filters import Filters

    at = app("en")
    at.run()
    daily = calls.metrics(
        lake.open_lake(demo_dataset), Filters(date(2026, 10, 1), date(2026, 10, 31)), Scope.everything(), ("day",)
    )
    worst = daily.sort_values("service_level").iloc[0]["day"].date()
    assert at.date_input(key="drill_day").value == worst
    at.date_input(key="drill_day").set_value(date(2026, 10, 20)).run()
    assert not at.exception
    assert at.date_input(key="drill_day").value == date(2026, 10, 20)


def test_staffing_page_explains_the_shortfall(app):
    at = app("en")
    at.run()
    at.switch_page("views/staffing.py")
    at.run()
    assert not at.exception
    assert [m.label for m in at.metric] == [
        "Intervals short",
        "Agent-hours short",
        "Agent-hours required",
        "Agent-hours staffed",
    ]
    text = _texts(at)
    assert "Erlang C" in text and "Most understaffed intervals" in text and "Monthly plan" in text
    # The what-if calculator gives reference case 1 with its defaults (100 calls / 30 min, AHT 180 s).
    whatif = at.dataframe[1].value
    assert whatif.iloc[0]["Agents"] == 14 and whatif.iloc[0]["Service level"] == "88.8%"
    at.segmented_control(key="stf_basis").set_value("forecast").run()
    assert not at.exception
