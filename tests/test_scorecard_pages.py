"""AppTest: the scorecards and quality pages for the roles that open them, in both
languages, on the small demo (October 2026)."""

from __future__ import annotations

import pytest


def _open(app, page, lang, role):
    at = app(lang)
    at.query_params["from"] = "2026-10-01"
    at.query_params["to"] = "2026-10-31"
    at.run()
    at.selectbox(key="demo_role").set_value(role).run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _shown(at) -> str:
    return " ".join(df.value.to_csv() for df in at.dataframe)


@pytest.mark.parametrize("lang, title", [("en", "Team & agent scorecards"), ("zh", "班组与座席月度考核")])
def test_scorecards_page_team_leader_sees_only_its_team(app, lang, title, demo_dataset):
    at = _open(app, "views/scorecards.py", lang, "team_leader")
    assert at.title[0].value == title
    team = at.selectbox(key="demo_team").value
    agents = at.dataframe[1].value
    assert len(agents) > 0 and set(agents["team"]) == {team}
    from analytics import lake

    others = lake.open_lake(demo_dataset).query(
        "SELECT employee_id FROM employees WHERE team <> $t AND team IS NOT NULL", {"t": team}
    )["employee_id"]
    text = _shown(at)
    assert not [i for i in others if i in text]
    # codes a person can see are labelled
    assert not {"good", "medium", "poor", "csr", "senior_csr"} & (set(agents["qa_grade"]) | set(agents["role"]))


def test_scorecards_page_hr_is_read_only(app):
    at = _open(app, "views/scorecards.py", "en", "hr")
    assert any("read-only" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "sc_weights_save"]


def test_scorecards_page_center_manager_may_edit_weights(app):
    at = _open(app, "views/scorecards.py", "en", "center_manager")
    assert [b for b in at.button if b.key == "sc_weights_save"]


@pytest.mark.parametrize("lang, title", [("en", "Quality inspection"), ("zh", "质检")])
def test_quality_page(app, lang, title):
    at = _open(app, "views/quality.py", lang, "quality")
    assert at.title[0].value == title
    work = at.dataframe[0].value
    assert len(work) > 0 and work["reasons"].str.len().min() > 0
    assert not work["reasons"].str.contains("low_qa|complaints|output_swings|new_agent").any()
    subheaders = " ".join(s.value for s in at.subheader)
    assert ("Inspector calibration" in subheaders) if lang == "en" else ("质检员校准" in subheaders)


def test_handle_time_page_has_per_category_targets(app):
    at = _open(app, "views/handle_time.py", "en", "center_manager")
    assert "Handle-time target per category, and transfers to the specialist line" in [s.value for s in at.subheader]
    per_cat = next(df.value for df in at.dataframe if "target_s" in df.value.columns)
    assert dict(zip(per_cat["category"], per_cat["target_s"])) == {"Common issue": 300, "Non-common issue": 600}
    # The table shows percent columns as percent (35.3 under "… (%)").
    assert per_cat["transfer_rate"].between(0, 100).all()
    assert per_cat["transfer_rate"].max() > 1  # not a fraction left unscaled


@pytest.mark.parametrize("lang, csat", [("en", "Customer satisfaction"), ("zh", "客户满意度")])
def test_service_level_page_shows_short_abandons_csat_and_fcr(app, lang, csat):
    at = _open(app, "views/service_level.py", lang, "center_manager")
    labels = [m.label for m in at.metric]
    assert csat in labels
    value = next(m.value for m in at.metric if m.label == csat)
    assert 1.0 <= float(value) <= 5.0
    assert any("short_abandoned" in df.value.columns for df in at.dataframe)
