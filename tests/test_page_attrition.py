"""The attrition page (AppTest): both languages, the observation window, a CSV download
for every table, audited individual views, and the bring-your-own-export path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import audit
from tests.conftest import ROOT


def _page(demo_dataset, monkeypatch, lang):
    monkeypatch.setenv("CALLCENTER_DATASET", str(demo_dataset))
    at = AppTest.from_file(str(ROOT / "views" / "attrition.py"), default_timeout=240)
    at.query_params["lang"] = lang
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_attrition_page(demo_dataset, monkeypatch, lang):
    before = audit.read(demo_dataset)
    at = _page(demo_dataset, monkeypatch, lang)
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == ("流失风险" if lang == "zh" else "Attrition risk")
    captions = " ".join(str(c.value) for c in at.caption)
    # The observation window is on the page (the small demo's HR records begin in January 2024).
    assert "2024-01-01" in captions
    assert "audit" in captions or "审计" in captions
    # Every table offers its CSV.
    assert len(at.get("download_button")) == len(at.dataframe) and len(at.dataframe) >= 10
    after = audit.read(demo_dataset)
    new = after.iloc[: len(after) - len(before)]
    assert set(new["action"]) >= {"view_risk_scores", "view_hr_records"}


def test_own_export_is_evaluated_on_the_page(demo_dataset, monkeypatch):
    rng = np.random.default_rng(5)
    n = 240
    df = pd.DataFrame(
        {
            "工号": [f"E{i}" for i in range(n)],
            "司龄月": rng.integers(1, 60, n),
            "班组": rng.choice(["一组", "二组"], n),
            "性别": rng.choice(["女", "男"], n),
        }
    )
    df["状态"] = np.where(rng.random(n) < 1 / (1 + np.exp((df["司龄月"] - 20) / 6)), "离职", "在职")
    raw = df.to_csv(index=False).encode("gb18030")  # a Chinese export in the local encoding
    at = _page(demo_dataset, monkeypatch, "en")
    at.run()
    at.file_uploader(key="att_byo_file").set_value(("hr.csv", raw, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    at.selectbox(key="att_byo_target").set_value("状态")
    at.run()
    at.selectbox(key="att_byo_positive").set_value("离职")
    at.selectbox(key="att_byo_id").set_value("工号")
    at.multiselect(key="att_byo_protected").set_value(["性别"])
    at.button(key="att_byo_run").click()
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    text = " ".join(str(c.value) for c in at.caption)
    assert "240 rows" in text and "司龄月" in text and "性别" not in text.split("Features used:")[1].split(".")[0]
    tables = [d.value for d in at.dataframe]
    metrics = next(t for t in tables if len(t) == 4 and t.shape[1] == 3)
    assert float(metrics.iloc[0, 1]) > 0.7  # tenure drives the planted exits: ROC AUC well above chance
    assert (audit.read(demo_dataset)["what"].str.contains("own export hr.csv")).any()
