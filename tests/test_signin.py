"""Sign-in, roles and scope: who opens which page and what the analytics return."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from analytics import audit, calls, lake, users
from analytics.access import Scope
from analytics.filters import Filters
from tests.conftest import ROOT

PASSWORD = "correct-horse-42"


@pytest.fixture(scope="module")
def imported(demo_dataset, tmp_path_factory):
    """A copy of the small demo marked as imported data: sign-in required, no demo mode."""
    root = tmp_path_factory.mktemp("imported") / "ds"
    shutil.copytree(demo_dataset, root, ignore=shutil.ignore_patterns("_users.json", "_audit"))
    info = json.loads((root / "dataset.json").read_text())
    (root / "dataset.json").write_text(json.dumps({**info, "kind": "imported"}))
    opts = calls.filter_options(lake.open_lake(root), Scope.everything())
    team = opts["teams"].iloc[0]
    users.add(root, "boss", "admin", PASSWORD)
    users.add(root, "exec", "executive", PASSWORD)
    users.add(root, "tl", "team_leader", PASSWORD, centers=(team["center"],), teams=(team["team"],))
    return root, team["team"]


def _app(root, monkeypatch) -> AppTest:
    monkeypatch.setenv("CALLCENTER_DATASET", str(root))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "en"
    return at


def test_signed_out_user_sees_only_the_sign_in(imported, monkeypatch):
    root, _ = imported
    at = _app(root, monkeypatch)
    at.run()
    assert not at.exception
    assert [e.value for e in at.title] == ["Sign in"] and not at.metric
    at.text_input(key="sign_in_name").set_value("boss")
    at.text_input(key="sign_in_password").set_value("wrong password 1")
    at.button[0].click().run()
    assert "Wrong user name or password." in [e.value for e in at.error]
    assert audit.read(root)["action"].iloc[0] == "sign_in_failed"


def test_sign_in_opens_the_roles_pages(imported, monkeypatch):
    root, _ = imported
    at = _app(root, monkeypatch)
    at.run()
    at.text_input(key="sign_in_name").set_value("boss")
    at.text_input(key="sign_in_password").set_value(PASSWORD)
    at.button[0].click().run()
    assert not at.exception and at.metric, "signed in: the first page draws its KPI cards"
    assert audit.read(root)["action"].iloc[0] == "sign_in"


def test_simulated_team_leader_sees_only_their_team(imported, monkeypatch):
    root, team = imported
    at = _app(root, monkeypatch)
    at.session_state["auth_user"] = "tl"
    at.run()
    assert not at.exception
    at.switch_page("views/handle_time.py").run()
    assert not at.exception
    shown = [df.value for df in at.dataframe]
    teams = {v for df in shown if "team" in df.columns for v in df["team"].dropna()}
    assert teams == {team}


def test_roles_pages_table():
    """Executives get the review and aggregate pages, never handle time (agents) or data."""
    src = (ROOT / "app.py").read_text(encoding="utf-8")
    ns: dict = {}
    exec(
        'EX, CM, TL, QA, HR, AD = "executive", "center_manager", "team_leader", "quality", "hr", "admin"\n'
        "PAGES = (" + src.split("PAGES = (")[1].split("\n\n\ndef pages_for")[0],
        ns,
    )
    ex = [p[4] for p in ns["PAGES"] if "executive" in p[5]]
    assert "handle_time" not in ex and "data" not in ex and "monthly_review" in ex
    assert [p[4] for p in ns["PAGES"] if p[5] == ("admin",)] == ["data", "audit"]


def test_analytics_obey_the_scope(demo_dataset):
    lk = lake.open_lake(demo_dataset)
    f = Filters(date(2026, 10, 1), date(2026, 10, 31))
    with pytest.raises(PermissionError):
        calls.metrics(lk, f, Scope.for_role("executive"), ("agent",))
    by_team = calls.metrics(lk, f, Scope.for_role("executive"), ("center",))
    assert len(by_team) >= 1


def _cli(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True, input=stdin, timeout=300
    )


def test_cli_user_scope(imported):
    root, team = imported
    p = _cli("metrics", "--dataset", str(root), "--by", "agent", "--by", "team", "--user", "tl", "--format", "json")
    assert p.returncode == 0, p.stderr
    assert {r["team"] for r in json.loads(p.stdout)} == {team}
    p = _cli("metrics", "--dataset", str(root), "--by", "agent", "--user", "exec")
    assert p.returncode == 2 and "aggregates only" in p.stderr
    p = _cli("metrics", "--dataset", str(root), "--user", "nobody")
    assert p.returncode == 2 and "no user 'nobody'" in p.stderr


def test_users_command(tmp_path):
    p = _cli("users", "add", "anna", "--role", "admin", "--dataset", str(tmp_path), "--password-stdin", stdin="short\n")
    assert p.returncode == 2 and "at least 10 characters" in p.stderr
    p = _cli(
        "users", "add", "anna", "--role", "admin", "--dataset", str(tmp_path), "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert p.returncode == 0, p.stderr
    stored = (tmp_path / "_users.json").read_text()
    assert PASSWORD not in stored and "scrypt$" in stored
    assert users.authenticate(tmp_path, "anna", PASSWORD).role == "admin"
    assert users.authenticate(tmp_path, "anna", "not-the-password-1") is None
    assert "anna\tadmin" in _cli("users", "list", "--dataset", str(tmp_path)).stdout
    p = _cli("users", "remove", "anna", "--dataset", str(tmp_path))
    assert p.returncode == 2 and "last administrator" in p.stderr
    assert set(audit.read(tmp_path)["action"]) == {"change_users"}


def test_executive_is_refused_risk_scores(imported):
    root, _ = imported
    p = _cli("attrition", "score", "--dataset", str(root), "--user", "exec")
    assert p.returncode == 2 and "executive role may not see risk scores" in p.stderr
    assert "Traceback" not in p.stderr
