"""The career paths page under AppTest, in both languages."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

PAGE = str(ROOT / "views" / "careers.py")


@pytest.fixture
def page_env(demo_dataset, monkeypatch):
    monkeypatch.setenv("CALLCENTER_DATASET", str(demo_dataset))


@pytest.mark.parametrize("lang, title", [("zh", "职业发展路径"), ("en", "Career paths")])
def test_page_renders_in_both_languages(page_env, lang, title):
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == title
    subheaders = [s.value for s in at.subheader]
    assert len(subheaders) == 6  # flows, matrix, time to promotion, stalled, bench, projection
    assert not any(s.startswith("car.") for s in subheaders)
    assert len(at.metric) == 5


def test_projection_inputs_change_the_projection(page_env):
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["lang"] = "en"
    at.run()
    at.number_input(key="car_proj_hires").set_value(0.0).run()
    assert not at.exception
    assert any("0 hires" in m.value for m in at.markdown)
