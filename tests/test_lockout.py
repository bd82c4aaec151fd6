"""Sign-in resists guessing: backoff, then a temporary lockout per account name and per
client; the same answer whether or not the account exists; audited; unlocked from the
command line. `users add|set` refuse centers and teams the dataset does not know."""

from __future__ import annotations

import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from analytics import audit, users
from analytics.ingest.importer import import_file
from tests.conftest import ROOT

PASSWORD = "correct-horse-42"
POLICY = users.Lockout(free_failures=3, base_delay_s=2.0, lock_after=6, lock_s=900.0)


@pytest.fixture
def ds(tmp_path):
    root = tmp_path / "ds"
    root.mkdir()
    users.add(root, "boss", "admin", PASSWORD)
    return root


def attempt(ds, name, password, t, client="10.0.0.1"):
    return users.attempt_sign_in(ds, name, password, client=client, now=t, policy=POLICY)


def test_backoff_then_lockout_and_a_right_password_changes_nothing_while_locked(ds):
    t = 1_000_000.0
    # Three free failures, no waiting between them.
    for i in range(3):
        assert attempt(ds, "boss", f"wrong {i}", t + i).status == "failed"
    # Then a backoff of 2 s after the 3rd failure (at t+2): even the right password is refused.
    r = attempt(ds, "boss", PASSWORD, t + 3)
    assert r.status == "locked" and r.user is None and r.retry_after_s == pytest.approx(1.0)
    # Waiting out each backoff: 4 s after the 4th failure, 8 s after the 5th; the 6th locks 15 min.
    assert attempt(ds, "boss", "wrong 3", t + 4.5).status == "failed"
    assert attempt(ds, "boss", "wrong", t + 8.0).status == "locked"  # inside the 4 s
    assert attempt(ds, "boss", "wrong 4", t + 8.6).status == "failed"
    assert attempt(ds, "boss", "wrong 5", t + 16.7).status == "failed"
    locked = attempt(ds, "boss", PASSWORD, t + 20)
    assert locked.status == "locked" and locked.user is None
    assert locked.retry_after_s == pytest.approx(900 - (20 - 16.7), abs=0.01)
    assert "account:boss" in locked.locked_keys
    # After the lock runs out the right password works, and success clears the counters.
    ok = attempt(ds, "boss", PASSWORD, t + 16.7 + 901)
    assert ok.status == "ok" and ok.user.name == "boss"
    assert attempt(ds, "boss", "wrong again", t + 2000).status == "failed"
    assert attempt(ds, "boss", "wrong again", t + 2001).status == "failed"  # a fresh count: no wait yet


def test_the_answer_is_the_same_whether_or_not_the_account_exists(ds):
    t = 2_000_000.0
    seen = {}
    for name in ("boss", "nobody-here"):
        statuses = []
        for i in range(6):  # failures spaced so no backoff interferes
            statuses.append(attempt(ds, name, f"wrong {i}", t + 100 * i, client=f"c-{name}").status)
        r = attempt(ds, name, "anything", t + 700, client=f"c-{name}")
        seen[name] = (statuses, r.status, round(r.retry_after_s), len(r.locked_keys))
    assert seen["boss"] == seen["nobody-here"]
    assert seen["boss"][1] == "locked"


def test_one_client_guessing_many_names_is_locked_too(ds):
    t = 3_000_000.0
    for i in range(6):
        assert attempt(ds, f"name{i}", "guess", t + 100 * i, client="evil").status == "failed"
    # A fresh name from the same client: locked by the client's counter.
    r = attempt(ds, "boss", PASSWORD, t + 700, client="evil")
    assert r.status == "locked" and r.locked_keys == ("client:evil",)
    # The same account from another client still signs in.
    assert attempt(ds, "boss", PASSWORD, t + 701, client="office").status == "ok"


def test_users_unlock_from_the_command_line_is_audited(ds):
    t = 4_000_000.0
    for i in range(6):
        attempt(ds, "boss", "wrong", t + 100 * i)
    assert attempt(ds, "boss", PASSWORD, t + 700, client="other").status == "locked"
    out = subprocess.run(
        [sys.executable, "-m", "analytics", "users", "unlock", "boss", "--dataset", str(ds)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and "unlocked boss" in out.stdout, out.stderr
    assert attempt(ds, "boss", PASSWORD, t + 701, client="other").status == "ok"
    assert audit.read(ds)["action"].iloc[0] == "unlock_user"


# --- the sign-in page ------------------------------------------------------------------------


@pytest.fixture
def imported(tmp_path):
    """A tiny imported dataset (sign-in required) with one administrator."""
    root = tmp_path / "imp"
    f = tmp_path / "calls.csv"
    f.write_text(
        "call_id,queue,arrived_at,answered_at,ended_at\n"
        "c1,Q1,2026-10-01 09:00:00,2026-10-01 09:00:05,2026-10-01 09:01:00\n"
    )
    assert import_file(root, "calls", f, center="C1", timezone="Asia/Shanghai").ok
    users.add(root, "boss", "admin", PASSWORD)
    return root


def _sign_in(at, name, password):
    at.text_input(key="sign_in_name").set_value(name)
    at.text_input(key="sign_in_password").set_value(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return [e.value for e in at.error]


def test_the_sign_in_page_locks_out_after_repeated_failures(imported, monkeypatch):
    monkeypatch.setenv("CALLCENTER_DATASET", str(imported))
    monkeypatch.chdir(ROOT)
    # Fast policy for the page: two free failures, then a lock (no backoff in between).
    monkeypatch.setattr(users, "LOCKOUT", users.Lockout(free_failures=2, base_delay_s=0, lock_after=3, lock_s=600))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    assert [e.value for e in at.title] == ["Sign in"]
    for i in range(2):
        assert _sign_in(at, "boss", f"wrong {i}") == ["Wrong user name or password."]
    third = _sign_in(at, "boss", "wrong 2")
    assert len(third) == 1 and third[0].startswith("Too many failed attempts")
    # The right password now changes nothing: still the sign-in form and the lockout message.
    again = _sign_in(at, "boss", PASSWORD)
    assert again[0].startswith("Too many failed attempts") and [e.value for e in at.title] == ["Sign in"]
    actions = audit.read(imported)["action"].tolist()
    assert actions[0] == "sign_in_locked" and actions.count("sign_in_failed") == 3
    assert "sign_in" not in actions


# --- users add|set refuse unknown centers and teams -------------------------------------------


def test_users_add_refuses_unknown_centers_and_teams(demo_dataset, tmp_path):
    import shutil

    root = tmp_path / "copy"
    shutil.copytree(demo_dataset, root, ignore=shutil.ignore_patterns("_users.json", "_audit"))
    from analytics import lake

    lk = lake.Lake(root)
    teams = lk.query("SELECT DISTINCT team, center FROM employees WHERE team IS NOT NULL ORDER BY team")
    centers = sorted(lk.query("SELECT center FROM centers")["center"])
    team, home = teams.iloc[0]["team"], teams.iloc[0]["center"]
    other = next(c for c in centers if c != home)
    with pytest.raises(ValueError, match="unknown center"):
        users.add(root, "cm", "center_manager", PASSWORD, centers=("NOPE",))
    with pytest.raises(ValueError, match="unknown team"):
        users.add(root, "tl", "team_leader", PASSWORD, centers=(home,), teams=("NO-SUCH-TEAM",))
    with pytest.raises(ValueError, match="not in the user's centers"):
        users.add(root, "tl", "team_leader", PASSWORD, centers=(other,), teams=(team,))
    ok = users.add(root, "tl", "team_leader", PASSWORD, centers=(home,), teams=(team,))
    assert ok.teams == (team,)
    with pytest.raises(ValueError, match="unknown center"):
        users.update(root, "tl", centers=("NOPE",))
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "users",
            "add",
            "x1",
            "--role",
            "center_manager",
            "--centers",
            "NOPE",
            "--password-stdin",
            "--dataset",
            str(root),
        ],
        input="long-password-9\n",
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cli.returncode == 2 and "unknown center" in cli.stderr
