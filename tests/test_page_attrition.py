"""The attrition page renders in both languages (AppTest)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analytics import audit
from tests.conftest import ROOT


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_attrition_page(demo_dataset, monkeypatch, lang):
    monkeypatch.setenv("CALLCENTER_DATASET", str(demo_dataset))
    at = AppTest.from_file(str(ROOT / "views" / "attrition.py"), default_timeout=180)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == ("流失风险" if lang == "zh" else "Attrition risk")
    assert any("audit" in str(c.value) or "审计" in str(c.value) for c in at.caption)
    assert (audit.read(demo_dataset)["action"] == "view_risk_scores").any()
