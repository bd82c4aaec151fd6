"""Issue 13: filters that belong to the session, team and agent filters in the SQL,
every role on a page with data, signed sign-in tokens, imports that cannot lock out."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from datetime import date

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from analytics import audit, calls, lake, sessions, users
from analytics.access import Scope
from analytics.filters import Filters
from tests.conftest import ROOT

PASSWORD = "correct-horse-42"
SEPT = (date(2026, 9, 1), date(2026, 9, 30))


# Signed sign-in tokens ------------------------------------------------------------------------


@pytest.fixture()
def accounts(tmp_path):
    users.add(tmp_path, "anna", "admin", PASSWORD)
    return tmp_path


def test_a_token_names_its_user_until_it_expires(accounts):
    anna = users.load(accounts)["anna"]
    token = sessions.issue(accounts, anna, ttl_s=600, now=1_000_000)
    assert PASSWORD not in token and "scrypt" not in token
    assert sessions.verify(accounts, token, now=1_000_000 + 599).name == "anna"
    assert sessions.verify(accounts, token, now=1_000_000 + 600) is None  # expired at exp


def test_a_changed_or_forged_token_is_refused(accounts):
    anna = users.load(accounts)["anna"]
    token = sessions.issue(accounts, anna, ttl_s=600)
    body, sig = token.split(".")
    # Claims rewritten to another user (as base64 of JSON) keep the old signature: refused.
    forged = sessions._b64(json.dumps({"u": "root", "exp": 4_000_000_000, "pw": "x"}).encode())
    assert sessions.verify(accounts, f"{forged}.{sig}") is None
    assert sessions.verify(accounts, f"{body}.{sig[:-2]}AA") is None
    for junk in (None, "", "abc", "a.b.c", "x" * 2000):
        assert sessions.verify(accounts, junk) is None


def test_a_new_password_or_a_removed_user_ends_old_tokens(accounts):
    users.add(accounts, "ben", "admin", PASSWORD)
    token = sessions.issue(accounts, users.load(accounts)["anna"])
    users.update(accounts, "anna", password="another-pass-99")
    assert sessions.verify(accounts, token) is None
    token = sessions.issue(accounts, users.load(accounts)["ben"])
    users.remove(accounts, "ben")
    assert sessions.verify(accounts, token) is None


def test_the_signing_key_is_the_datasets_own_and_private(accounts, tmp_path_factory):
    token = sessions.issue(accounts, users.load(accounts)["anna"])
    key_file = accounts / sessions.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # Another dataset (another key) does not accept this dataset's token, even for a same-named user.
    other = tmp_path_factory.mktemp("other")
    users.add(other, "anna", "admin", PASSWORD)
    shutil.copy(accounts / "_users.json", other / "_users.json")
    assert sessions.verify(other, token) is None
    os.chmod(key_file, 0o644)  # widened by someone: narrowed again on next use
    sessions.signing_key(accounts)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert not [f for f in tracked if f.endswith(sessions.KEY_FILE)], "no signing key in the repository"


# Filter state <-> URL ---------------------------------------------------------------------------


def _opts(demo_dataset, scope=None):
    return calls.filter_options(lake.open_lake(demo_dataset), scope or Scope.everything())


def test_the_url_gives_the_state_and_the_state_gives_the_url(demo_dataset):
    from ui.filters import query_from_state, state_from_query

    opts = _opts(demo_dataset)
    team = opts["teams"]["team"].iloc[0]
    agent = opts["agents"]["agent"].iloc[0]
    query = {
        "from": "2026-09-01",
        "to": "2026-09-30",
        "center": "HZ,NOPE",
        "team": team,
        "agent": agent,
        "grain": "week",
    }
    state = state_from_query(query, opts)
    assert (state["start"], state["end"]) == SEPT
    assert state["centers"] == ["HZ"]  # an unknown code is dropped, not shown
    assert state["teams"] == [team] and state["agents"] == [agent] and state["grain"] == "week"
    assert query_from_state(state) == {
        "from": "2026-09-01",
        "to": "2026-09-30",
        "center": "HZ",
        "team": team,
        "agent": agent,
        "grain": "week",
    }
    # Nonsense falls back to the default view: the month of the latest data (Oct 2026 in the demo).
    fallback = state_from_query({"from": "2026-09-30", "to": "2026-09-01", "grain": "fortnight"}, opts)
    assert (fallback["start"], fallback["end"], fallback["grain"]) == (date(2026, 10, 1), date(2026, 10, 31), "day")


def test_a_team_leader_is_offered_only_its_teams_agents(demo_dataset):
    everyone = _opts(demo_dataset)
    team = everyone["teams"]["team"].iloc[0]
    center = everyone["teams"]["center"].iloc[0]
    tl = _opts(demo_dataset, Scope.for_role("team_leader", (center,), (team,)))
    emp = (
        duckdb.sql(
            f"SELECT employee_id FROM read_parquet('{demo_dataset}/employees/**/*.parquet') "
            f"WHERE team = '{team}' ORDER BY employee_id"
        )
        .df()["employee_id"]
        .tolist()
    )
    assert sorted(tl["agents"]["agent"]) == emp and set(tl["agents"]["team"]) == {team}
    assert list(tl["teams"]["team"]) == [team]
    assert list(tl["centers"]["center"]) == [center]
    assert _opts(demo_dataset, Scope.for_role("executive"))["agents"].empty  # aggregates only: no people


# Team and agent filters in the SQL ---------------------------------------------------------------


def _handled_by(demo_dataset, agents: list[str], start: date, end: date) -> int:
    """Calls answered by these agents in the period, counted straight from the raw calls."""
    q = f"""SELECT count(*) FROM read_parquet('{demo_dataset}/calls/**/*.parquet') c
            JOIN read_parquet('{demo_dataset}/centers/**/*.parquet') z USING (center)
            WHERE c.answered_at IS NOT NULL AND list_contains($agents, c.agent_id)
              AND CAST(timezone(z.timezone, c.arrived_at) AS DATE) BETWEEN $start AND $end"""
    return int(duckdb.execute(q, {"agents": agents, "start": start, "end": end}).fetchone()[0])


def test_agent_and_team_filters_narrow_the_figures(demo_dataset):
    lk = lake.open_lake(demo_dataset)
    opts = _opts(demo_dataset)
    team = opts["teams"]["team"].iloc[0]
    members = opts["agents"].loc[opts["agents"]["team"] == team, "agent"].tolist()
    busiest = max(members, key=lambda a: _handled_by(demo_dataset, [a], *SEPT))
    f = Filters(*SEPT)
    one = calls.totals(lk, f.with_(agents=(busiest,)), Scope.everything())
    assert one["answered"] == _handled_by(demo_dataset, [busiest], *SEPT) > 0
    whole = calls.totals(lk, f.with_(teams=(team,)), Scope.everything())
    # The team's figure counts the calls of the agent-days booked to the team: at least the
    # agent's, and no more than all calls.
    assert one["answered"] < whole["answered"] < calls.totals(lk, f, Scope.everything())["answered"]


# Pages and roles (AppTest) -----------------------------------------------------------------------


@pytest.fixture()
def demo_app(demo_dataset, monkeypatch):
    monkeypatch.setenv("CALLCENTER_DATASET", str(demo_dataset))
    monkeypatch.chdir(ROOT)

    def make(role: str = "admin", lang: str = "en") -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["lang"] = lang
        at.query_params["as"] = role
        return at

    return make


def test_a_team_leader_lands_on_its_centers_queue_figures(demo_app):
    at = demo_app("team_leader")
    at.run()
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    assert values["Offered"] not in ("—", "0"), values
    assert "No calls" not in " ".join(i.value for i in at.info)
    # The role's center is stated once; the only 'Centers' multiselect is not there.
    assert not [w for w in at.multiselect if w.label == "Centers"]


def test_the_period_survives_a_page_move(demo_app):
    at = demo_app("admin")
    at.query_params["from"], at.query_params["to"] = "2026-09-01", "2026-09-30"
    at.run()
    assert at.date_input(key="fw_period").value == SEPT
    at.switch_page("views/complaints.py").run()
    assert not at.exception
    assert at.date_input(key="fw_period").value == SEPT
    at.date_input(key="fw_period").set_value((date(2026, 8, 1), date(2026, 8, 31))).run()
    at.switch_page("views/handle_time.py").run()
    assert at.date_input(key="fw_period").value == (date(2026, 8, 1), date(2026, 8, 31))
    assert at.query_params["from"] == ["2026-08-01"] or at.query_params["from"] == "2026-08-01"


def test_a_long_agent_list_asks_for_a_center_or_team_first(demo_app, demo_dataset, monkeypatch):
    """Above AGENT_CHOICES_MAX people the agent list is not sent to the browser; a team
    narrows it, and an agent chosen by a shared link stays shown and applied."""
    from ui import filters as ui_filters

    everyone = _opts(demo_dataset)
    sizes = everyone["agents"].groupby("team")["agent"].count()
    team = sizes.idxmin()  # the smallest team's agents are a short list, the whole group is not
    monkeypatch.setattr(ui_filters, "AGENT_CHOICES_MAX", int(sizes.min()))
    assert len(everyone["agents"]) > sizes.min()
    at = demo_app("admin")
    at.switch_page("views/handle_time.py").run()
    assert not at.exception
    assert not [w for w in at.multiselect if w.key == "fw_agents"]
    assert any("choose a center or team to pick agents" in c.value for c in at.caption)
    at.multiselect(key="fw_teams").set_value([team]).run()
    offered = at.multiselect(key="fw_agents").options
    members = everyone["agents"].loc[everyone["agents"]["team"] == team, "agent"]
    assert len(offered) == len(members) >= 1
    # A shared link naming one agent of a big list: that agent is shown, chosen, applied.
    agent = everyone["agents"]["agent"].iloc[0]
    link = demo_app("admin")
    link.query_params["agent"] = agent
    link.switch_page("views/handle_time.py").run()
    assert not link.exception
    picker = link.multiselect(key="fw_agents")
    assert picker.value == [agent] and len(picker.options) == 1


# Imports into the demo -------------------------------------------------------------------------


def test_the_import_gate_creates_an_audited_first_admin(demo_dataset, tmp_path, monkeypatch):
    root = tmp_path / "demo"
    shutil.copytree(demo_dataset, root, ignore=shutil.ignore_patterns("_users.json", "_audit", "_session_key"))
    monkeypatch.setenv("CALLCENTER_DATASET", str(root))
    script = tmp_path / "gate.py"
    script.write_text(
        "import streamlit as st\nfrom analytics.access import Scope\n"
        "from ui.auth import demo_import_gate\n"
        "st.session_state['ok'] = demo_import_gate(Scope.for_role('admin', user='demo:admin'))\n"
    )
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    at = AppTest.from_file(str(script), default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception and at.session_state["ok"] is False
    assert "demo mode" in at.warning[0].value and "ends for everyone" in at.warning[0].value
    at.text_input(key="gate_name").set_value("anna")
    at.text_input(key="gate_pw1").set_value("short")
    at.text_input(key="gate_pw2").set_value("short")
    at.button[0].click().run()
    assert "At least 10 characters" in at.error[0].value and users.load(root) == {}
    at.text_input(key="gate_pw1").set_value(PASSWORD)
    at.text_input(key="gate_pw2").set_value(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert users.authenticate(root, "anna", PASSWORD).role == "admin"
    log = audit.read(root)
    assert list(log["action"]) == ["change_users"] and "anna" in log["what"].iloc[0]
    # Now only the explicit confirmation stands between the admin and the import.
    assert at.session_state["ok"] is False
    at.checkbox(key="gate_confirm").check().run()
    assert at.session_state["ok"] is True
