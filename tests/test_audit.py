"""The audit log appends and reads back; unknown actions are refused."""

from __future__ import annotations

import pytest

from analytics import audit
from analytics.access import Scope


def test_audit_appends_and_reads_newest_first(tmp_path):
    hr = Scope.for_role("hr", centers=("SH",), user="li.hr")
    audit.record(tmp_path, "sign_in", "password", hr)
    audit.record(tmp_path, "view_risk_scores", "risk list, 3 people", hr, people=3)
    log = audit.read(tmp_path)
    assert log["action"].tolist() == ["view_risk_scores", "sign_in"]
    assert log["user"].tolist() == ["li.hr", "li.hr"] and log["role"].iloc[0] == "hr"
    assert log["scope_centers"].iloc[0] == ["SH"] and log["people"].iloc[0] == 3
    with pytest.raises(ValueError):
        audit.record(tmp_path, "delete_everything", "x", hr)
    assert audit.read(tmp_path / "nothing").empty
