"""History-true teams: a call and an agent-day belong to the team the agent was in on
that day (role_events), in the rollups and in the raw drill-down alike."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from analytics import lake
from tests.conftest import build_dataset

# Mondays 10:00 in Shanghai (02:00 UTC).
BEFORE = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
AFTER = datetime(2026, 3, 9, 2, 0, tzinfo=timezone.utc)


def _call(i, agent, at):
    return {
        "call_id": f"c{i}",
        "queue": "Q1",
        "center": "C1",
        "direction": "inbound",
        "arrived_at": at,
        "answered_at": at + timedelta(seconds=5),
        "ended_at": at + timedelta(seconds=125),
        "agent_id": agent,
        "talk_s": 120.0,
        "hold_s": 0.0,
        "acw_s": 0.0,
        "category": "common",
    }


def _interval(agent, at):
    return {
        "agent_id": agent,
        "interval_start": at,
        "center": "C1",
        "queue": "Q1",
        "staffed_s": 900,
        "available_s": 600,
        "handling_s": 300,
    }


def test_calls_and_agent_days_carry_the_team_of_their_day(tmp_path):
    emp = [
        # M moved from T1 to T2 on Thursday 5 March; the master row holds today's team (T2).
        {"employee_id": "M", "name": "m", "center": "C1", "team": "T2", "role": "csr", "hire_date": "2025-01-01"},
        # S has no career events at all: the master's team stands.
        {"employee_id": "S", "name": "s", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2025-01-01"},
        # P was promoted out of T1 to a role without a team on 5 March.
        {"employee_id": "P", "name": "p", "center": "C1", "team": None, "role": "trainer", "hire_date": "2025-01-01"},
    ]
    events = [
        {"employee_id": "M", "event_date": "2025-01-01", "event_type": "hire", "to_role": "csr", "to_team": "T1"},
        {
            "employee_id": "M",
            "event_date": "2026-03-05",
            "event_type": "team_change",
            "from_role": "csr",
            "to_role": "csr",
            "from_team": "T1",
            "to_team": "T2",
        },
        # a star-level change repeats the team and must not open a span of its own
        {
            "employee_id": "M",
            "event_date": "2026-03-07",
            "event_type": "star_change",
            "to_role": "csr",
            "to_team": "T1",
            "from_star": 1,
            "to_star": 2,
        },
        {"employee_id": "P", "event_date": "2025-01-01", "event_type": "hire", "to_role": "csr", "to_team": "T1"},
        {
            "employee_id": "P",
            "event_date": "2026-03-05",
            "event_type": "promotion",
            "from_role": "csr",
            "to_role": "trainer",
            "from_team": "T1",
        },
    ]
    calls = [_call(1, "M", BEFORE), _call(2, "M", AFTER), _call(3, "S", AFTER), _call(4, "P", BEFORE)]
    intervals = [
        _interval("M", BEFORE),
        _interval("M", AFTER),
        _interval("S", AFTER),
        _interval("P", BEFORE),
        _interval("P", AFTER),
    ]
    lk = lake.open_lake(
        build_dataset(tmp_path / "d", employees=emp, role_events=events, calls=calls, agent_intervals=intervals)
    )
    days = lk.query(
        "SELECT agent_id, CAST(day AS VARCHAR) AS day, team, handled, staffed_s FROM rollup_agent_day "
        "ORDER BY agent_id, day"
    )
    got = [
        (r.agent_id, r.day, None if r.team is None or r.team != r.team else r.team, int(r.handled))
        for r in days.itertuples()
    ]
    assert got == [
        ("M", "2026-03-02", "T1", 1),  # before the move: T1, not today's T2
        ("M", "2026-03-09", "T2", 1),  # after it (the star change on the 7th keeps T2)
        ("P", "2026-03-02", "T1", 1),  # a CSR of T1 before the promotion
        ("P", "2026-03-09", None, 0),  # a trainer without a team after it
        ("S", "2026-03-09", "T1", 1),
    ]  # no events: the master's team
    raw = lk.query(f"SELECT call_id, team FROM ({lake.CALL_FACTS_SQL}) ORDER BY call_id")
    assert dict(zip(raw["call_id"], raw["team"])) == {"c1": "T1", "c2": "T2", "c3": "T1", "c4": "T1"}
