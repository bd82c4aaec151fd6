"""Complaints materialised at import (analytics.complaint_facts) against an independent,
straightforward computation on a small hand-made dataset.

The expected figures come from ``_naive``: working time walked day by day with
``chinese_calendar`` directly (not analytics.workdays), each complaint judged one by one
in plain Python. The same dataset is read through the materialised facts, through the
on-the-fly fallback (settings that differ from those the facts were built with), and again
after a rebuild; all three must agree with the naive figures."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

import chinese_calendar
import pytest

from analytics import complaints as cmp
from analytics import lake
from analytics import settings as settings_mod
from analytics.access import Scope
from analytics.filters import Filters
from analytics.settings import ComplaintSettings
from tests.conftest import build_dataset

OCT = Filters(date(2026, 10, 1), date(2026, 10, 31), grain="week")
SHANGHAI = timezone(timedelta(hours=8))


def _local_complaints(seed: int = 18, n: int = 60) -> list[dict]:
    """Complaints from mid-September to early November 2026 (国庆 10-01..07 off, Sunday
    09-20 and Saturday 10-10 worked), as local wall-clock times."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        received = datetime(2026, 9, 12) + timedelta(minutes=rnd.randrange(0, 55 * 24 * 60))
        first = received + timedelta(minutes=rnd.randrange(5, 3 * 24 * 60)) if rnd.random() < 0.85 else None
        resolved = (
            (first or received) + timedelta(minutes=rnd.randrange(30, 8 * 24 * 60)) if rnd.random() < 0.75 else None
        )
        out.append(
            {
                "complaint_id": f"K{i:03d}",
                "received": received,
                "first_response": first,
                "resolved": resolved,
                "level": rnd.choice((1, 1, 2, 3)),
                "channel": rnd.choice(("phone", "media", "letter")),
                "cause": rnd.choice(("long_wait", "attitude", "policy", None)),
                "team": rnd.choice(("T1", "T2", None)),
                "customer_id": rnd.choice(("X", "Y", "Z", "W", None, None, "V1", "V2", "V3")),
                "valid": rnd.choice((True, False, None)),
            }
        )
    return out


LOCAL = _local_complaints()


def _utc(t: datetime | None):
    return None if t is None else t.replace(tzinfo=SHANGHAI).astimezone(timezone.utc)


def _rows(local: list[dict]) -> list[dict]:
    return [
        {
            "complaint_id": c["complaint_id"],
            "received_at": _utc(c["received"]),
            "first_response_at": _utc(c["first_response"]),
            "resolved_at": _utc(c["resolved"]),
            "center": "C1",
            "level": c["level"],
            "channel": c["channel"],
            "cause": c["cause"],
            "category": None if c["cause"] is None else "cat_" + c["cause"],
            "queue": "Q1",
            "team": c["team"],
            "customer_id": c["customer_id"],
            "valid": c["valid"],
        }
        for c in local
    ]


def _wd(start: datetime, end: datetime) -> float:
    """Working days from start to end: the part of each working day between them, walked day by day."""
    total, d = 0.0, start.date()
    while d <= end.date():
        lo = max(start, datetime.combine(d, time()))
        hi = min(end, datetime.combine(d + timedelta(days=1), time()))
        if hi > lo and chinese_calendar.is_workday(d):
            total += (hi - lo).total_seconds() / 86400
        d += timedelta(days=1)
    return total


def _naive(local: list[dict], f: Filters, target: float, teams=None) -> dict:
    """Every figure the checks below compare, worked out one complaint at a time."""
    data_end = max(max(c["received"], c["resolved"] or c["received"]) for c in local)
    cut = min(datetime.combine(f.end + timedelta(days=1), time()), data_end)
    period, history = [], []
    for c in local:
        if teams is not None and c["team"] not in teams:
            continue
        known_res = c["resolved"] is not None and c["resolved"] < cut
        known_first = c["first_response"] is not None and c["first_response"] < cut
        e = dict(c)
        e["open"] = not known_res
        e["res_wd"] = _wd(c["received"], c["resolved"]) if known_res else None
        e["first_wd"] = _wd(c["received"], c["first_response"]) if known_first else None
        e["age"] = _wd(c["received"], cut) if e["open"] else None
        e["within"] = known_res and e["res_wd"] <= target
        e["judgeable"] = known_res or e["age"] > target
        if c["received"].date() <= f.end:
            history.append(e)
            if c["received"].date() >= f.start:
                period.append(e)
    res = [e["res_wd"] for e in period if e["res_wd"] is not None]
    first = [e["first_wd"] for e in period if e["first_wd"] is not None]
    judged = [e for e in period if e["valid"] is not None]
    customers = Counter(e["customer_id"] for e in period if e["customer_id"] is not None)
    bands = Counter()
    for e in history:
        if e["open"]:
            a = e["age"]
            bands[("lt1" if a < 1 else "1to2" if a < 2 else "2to5" if a < 5 else "ge5", e["level"])] += 1
    by_channel = {}
    for ch in sorted({e["channel"] for e in period}):
        part = [e for e in period if e["channel"] == ch]
        r = [e["res_wd"] for e in part if e["res_wd"] is not None]
        j = [e for e in part if e["judgeable"]]
        by_channel[ch] = (
            len(part),
            sum(r) / len(r) if r else None,
            sum(e["within"] for e in j) / len(j) if j else None,
        )
    weeks = Counter(e["received"].date() - timedelta(days=e["received"].weekday()) for e in period)
    months = Counter(e["received"].date().replace(day=1) for e in history)
    return {
        "cut": cut,
        "summary": {
            "complaints": len(period),
            "level3_complaints": sum(e["level"] == 3 for e in period),
            "valid_share": sum(e["valid"] for e in judged) / len(judged),
            "first_response_workdays": sum(first) / len(first),
            "resolution_workdays": sum(res) / len(res),
            "resolved_within_target": sum(e["within"] for e in period) / sum(e["judgeable"] for e in period),
            "open_backlog": sum(e["open"] for e in history),
            "repeat_complainers": sum(n > 1 for n in customers.values()),
        },
        "ages": {e["complaint_id"]: e["age"] for e in history if e["open"]},
        "bands": bands,
        "by_channel": by_channel,
        "weeks": weeks,
        "months": months,
        "repeaters": {k: n for k, n in customers.items() if n > 1},
    }


def _check(lk, f: Filters, settings: ComplaintSettings, scope: Scope | None = None, teams=None) -> None:
    scope = scope or Scope.everything()
    want = _naive(LOCAL, f, settings.resolve_within_workdays, teams)
    assert cmp.as_of(lk, f) == want["cut"]
    got = cmp.summary(lk, f, scope, settings)
    for k, v in want["summary"].items():
        assert got[k] == pytest.approx(v, rel=1e-9), k
    days = (f.end - f.start).days + 1  # one call a day (no agent: a team's view has no calls)
    if teams is None:
        assert got["complaints_per_10k"] == pytest.approx(want["summary"]["complaints"] / days * 10000)
    backlog = cmp.open_backlog(lk, f, scope, settings)
    ages = dict(zip(backlog["complaint_id"], backlog["age_workdays"]))
    assert ages.keys() == want["ages"].keys()
    for cid, age in want["ages"].items():
        assert ages[cid] == pytest.approx(age, rel=1e-9, abs=1e-12), cid
    assert list(backlog["age_workdays"]) == sorted(backlog["age_workdays"], reverse=True)
    by_age = cmp.backlog_by_age(lk, f, scope, settings).set_index("age_band")
    for band in ("lt1", "1to2", "2to5", "ge5"):
        for lv in (1, 2, 3):
            assert by_age.loc[band, f"level{lv}"] == want["bands"][(band, lv)], (band, lv)
        assert by_age.loc[band, "open"] == sum(want["bands"][(band, lv)] for lv in (1, 2, 3))
    ch = cmp.breakdown(lk, f, scope, "channel", settings).set_index("channel")
    assert set(ch.index) == set(want["by_channel"])
    for name, (n, res, within) in want["by_channel"].items():
        assert ch.loc[name, "complaints"] == n
        for col, v in (("resolution_workdays", res), ("resolved_within_target", within)):
            assert math.isnan(ch.loc[name, col]) if v is None else ch.loc[name, col] == pytest.approx(v), (name, col)
    if teams is None:
        trend = cmp.by_period(lk, f, scope, settings, grain="week")
        assert {d.date(): int(n) for d, n in zip(trend["week"], trend["complaints"]) if n} == dict(want["weeks"])
    months = cmp.unusual_months(lk, f, scope, settings)
    assert {d.date(): int(n) for d, n in zip(months["month"], months["complaints"])} == dict(want["months"])
    rep = cmp.repeat_complainers(lk, f, scope, settings)
    assert dict(zip(rep["customer_id"], rep["complaints"])) == want["repeaters"]
    rows = cmp.complaint_rows(lk, f, scope, settings)
    assert len(rows) == want["summary"]["complaints"]


def _calls() -> list[dict]:
    """One inbound call a day at 10:00 (the rate's denominator; by_period lists the days of calls)."""
    out = []
    for i in range(80):
        t0 = _utc(datetime(2026, 9, 12, 10) + timedelta(days=i))
        out.append(
            {
                "call_id": f"c{i}",
                "queue": "Q1",
                "center": "C1",
                "direction": "inbound",
                "arrived_at": t0,
                "answered_at": t0 + timedelta(seconds=10),
                "ended_at": t0 + timedelta(seconds=100),
                "talk_s": 90,
                "hold_s": 0,
                "acw_s": 0,
            }
        )
    return out


@pytest.fixture()
def root(tmp_path):
    return build_dataset(tmp_path / "d", complaints=_rows(LOCAL), calls=_calls())


def test_materialised_facts_match_a_straightforward_computation(root):
    lk = lake.Lake(root)
    settings = ComplaintSettings()
    assert cmp.materialised(lk, settings)
    _check(lk, OCT, settings)
    _check(lk, Filters(date(2026, 9, 14), date(2026, 10, 9)), settings)
    _check(lk, OCT, settings, Scope(teams=("T1",)), teams=("T1",))


def test_other_settings_fall_back_then_a_rebuild_materialises_them(root):
    lk = lake.Lake(root)
    three = ComplaintSettings(resolve_within_workdays=3.0)
    assert not cmp.materialised(lk, three)  # facts were built for 2 working days
    _check(lk, OCT, three)  # computed on the fly, same rules
    settings_mod.save(root, complaints=three)
    assert lake.complaint_facts_stale(root)
    assert lake.repair(root).get("complaint_facts") is True
    lk = lake.Lake(root)
    assert cmp.materialised(lk, three) and not cmp.materialised(lk, ComplaintSettings())
    assert json.loads((root / lake.PUBLISHED).read_text())["complaint_facts"]["resolve_within_workdays"] == 3.0
    _check(lk, OCT, three)
    assert lake.repair(root) == {}  # nothing stale any more


def test_a_changed_calendar_is_noticed(root, monkeypatch):
    from analytics import complaint_facts as cf
    from analytics import workdays

    lk = lake.Lake(root)
    assert cmp.materialised(lk, ComplaintSettings())
    real = workdays.workday_flags

    def moved_holiday(first, last, country="CN"):
        flags = real(first, last, country)
        i = (date(2026, 10, 12) - first).days  # a new day off inside the facts' span
        if 0 <= i < len(flags):
            flags = flags.copy()
            flags[i] = False
        return flags

    monkeypatch.setattr(workdays, "workday_flags", moved_holiday)
    cf.fingerprint.cache_clear()
    try:
        assert not cmp.materialised(lk, ComplaintSettings())
        assert lake.complaint_facts_stale(root)
    finally:
        cf.fingerprint.cache_clear()


def test_an_import_rebuilds_only_the_months_it_touched(root):
    before = json.loads((root / lake.PUBLISHED).read_text())["rollups"]["complaint_facts"]
    extra = [
        {
            "complaint_id": "N1",
            "received": datetime(2026, 11, 20, 9),
            "first_response": datetime(2026, 11, 20, 10),
            "resolved": None,
            "level": 2,
            "channel": "phone",
            "cause": "policy",
            "team": "T1",
            "customer_id": "X",
            "valid": True,
        }
    ]
    build_dataset(root, complaints=_rows(extra))
    after = json.loads((root / lake.PUBLISHED).read_text())["rollups"]["complaint_facts"]
    assert after["2026-09"] == before["2026-09"] and after["2026-10"] == before["2026-10"]
    assert after["2026-11"] != before["2026-11"]  # the month of the new complaint, rebuilt
    global LOCAL
    saved, LOCAL = LOCAL, LOCAL + extra
    try:
        _check(lake.Lake(root), Filters(date(2026, 11, 1), date(2026, 11, 30)), ComplaintSettings())
    finally:
        LOCAL = saved


def test_a_lake_kept_open_sees_an_imported_complaint(root):
    """The page's lake stays open across an import: its cached complaint figures (read from
    the materialised views) must not outlive the files they were computed from."""
    lk = lake.Lake(root)
    nov = Filters(date(2026, 11, 1), date(2026, 11, 30))
    before = cmp.summary(lk, nov, Scope(), ComplaintSettings())["complaints"]
    assert cmp.summary(lk, nov, Scope(), ComplaintSettings())["complaints"] == before  # now cached
    extra = {**LOCAL[0], "complaint_id": "N2", "received": datetime(2026, 11, 20, 9), "first_response": None}
    extra["resolved"] = None
    build_dataset(root, complaints=_rows([extra]))
    lk.refresh()
    assert cmp.summary(lk, nov, Scope(), ComplaintSettings())["complaints"] == before + 1
