"""What each role may see, as the Scope says it."""

from __future__ import annotations

import pytest

from analytics.access import ROLES, Scope


def test_each_role_scope():
    assert Scope.for_role("admin") == Scope.everything()
    ex = Scope.for_role("executive", centers=("SH",))
    assert (ex.individuals, ex.risk_scores, ex.min_group, ex.centers) == (False, False, 5, ("SH",))
    tl = Scope.for_role("team_leader", centers=("SH",), teams=("SH-T01",))
    assert tl.teams == ("SH-T01",) and tl.individuals and not tl.risk_scores
    q = Scope.for_role("quality", centers=("HZ",))
    assert not q.hr and not q.risk_scores and q.individuals
    hr = Scope.for_role("hr", centers=("SH", "HZ"))
    assert hr.hr and hr.risk_scores
    cm = Scope.for_role("center_manager", centers=("SH",))
    assert cm.hr and not cm.risk_scores and cm.teams is None
    assert set(ROLES) == {"executive", "center_manager", "team_leader", "quality", "hr", "admin"}


def test_bad_roles_and_missing_teams_are_errors():
    with pytest.raises(ValueError, match="unknown role"):
        Scope.for_role("superuser")
    with pytest.raises(ValueError, match="at least one team"):
        Scope.for_role("team_leader", centers=("SH",))


def test_require_names_the_role_and_the_data():
    with pytest.raises(PermissionError, match="executive role may not see risk scores"):
        Scope.for_role("executive").require("risk_scores")
    Scope.for_role("hr").require("risk_scores")  # allowed: no exception
