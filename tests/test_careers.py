"""Career analytics on hand-made histories whose expected figures were worked out by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics import careers, lake
from analytics.access import Scope
from analytics.filters import Filters
from tests.conftest import build_dataset


def _person(eid, hire, role="csr", team="T1", exit_date=None, star=0):
    return {
        "employee_id": eid,
        "name": f"Person {eid}",
        "center": "C1",
        "team": team,
        "role": role,
        "star_level": star,
        "hire_date": hire,
        "exit_date": exit_date,
        "exit_type": "voluntary" if exit_date else None,
    }


def _event(eid, day, etype, fr=None, to=None, ft="T1", tt="T1", fs=None, ts=None):
    return {
        "employee_id": eid,
        "event_date": day,
        "event_type": etype,
        "from_role": fr,
        "to_role": to,
        "from_team": ft if fr else None,
        "to_team": tt if to else None,
        "from_star": fs,
        "to_star": ts,
    }


def _load(root, start, end, scope=None):
    return careers.load(lake.open_lake(root), Filters(start=start, end=end), scope or Scope.everything())


# --- censoring ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def censoring_dataset(tmp_path_factory):
    """Four CSRs hired on 2020-01-01, followed until 2023-12-31 (48 months).

    P1 promoted 2020-07-01 (182 days = 5.98 months), P2 promoted 2021-01-01 (366 days =
    12.02 months), P3 and P4 never promoted and still employed: censored at 47.97 months.

    Ignoring censoring (the promoted only): median of 5.98 and 12.02 = 9.0 months.
    Kaplan-Meier: at 5.98 S = 3/4; at 12.02 S = 3/4 × (1 − 1/3) = 1/2, so the median (the
    first time S ≤ 1/2) is 12.02 months. P3 and P4 are still at risk at 48 months; they
    pull the answer up, which is right: half the entrants wait at least a year.
    """
    root = tmp_path_factory.mktemp("censoring")
    people = [_person(p, "2020-01-01") for p in ("P1", "P2", "P3", "P4")]
    events = [_event(p, "2020-01-01", "hire", to="csr") for p in ("P1", "P2", "P3", "P4")]
    events += [
        _event("P1", "2020-07-01", "promotion", "csr", "senior_csr"),
        _event("P2", "2021-01-01", "promotion", "csr", "senior_csr"),
    ]
    return build_dataset(root, employees=people, role_events=events)


def test_time_to_promotion_treats_the_unpromoted_as_censored(censoring_dataset):
    d = _load(censoring_dataset, date(2023, 1, 1), date(2023, 12, 31))
    ttp = careers.time_to_promotion(d)
    assert ttp["people"] == 4 and ttp["promoted"] == 2
    assert ttp["median_months"] == pytest.approx(366 / careers.DAYS_PER_MONTH)  # 12.02, censoring handled
    assert ttp["naive_median_months_promoted_only"] == pytest.approx((182 + 366) / 2 / careers.DAYS_PER_MONTH)
    assert ttp["p25_months"] == pytest.approx(182 / careers.DAYS_PER_MONTH)
    assert ttp["p75_months"] is None  # S never falls to 1/4: half are never promoted in the data
    curve = ttp["curve"]
    assert list(curve["not_promoted"].round(4))[:3] == [1.0, 0.75, 0.5]


def test_time_in_role_and_stall_thresholds(censoring_dataset):
    d = _load(censoring_dataset, date(2023, 1, 1), date(2023, 12, 31))
    tir = careers.time_in_role(d).set_index("role")
    # P3, P4: csr since 2020-01-01; P1, P2: senior_csr since their promotion.
    assert tir.at["csr", "people"] == 2 and tir.at["senior_csr", "people"] == 2
    # 2 promoted csr spells < STALL_MIN_PROMOTED_SPELLS: no usual time, nobody called stalled.
    assert careers.stall_thresholds(d).empty


# --- transitions ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def three_people(tmp_path_factory):
    """Period 2023: one window, 2022-12-31 → 2023-12-31. X (csr) is promoted to senior CSR
    on 2023-06-01, Y (csr) leaves on 2023-03-31, Z (csr) stays. W, hired 2023-05-01, was
    not employed on the window's first day and is not in the matrix (hires enter the
    projection separately). Expected csr row: stay 1/3, senior_csr 1/3, exit 1/3."""
    root = tmp_path_factory.mktemp("three")
    people = [
        _person("X", "2020-03-01", role="senior_csr"),
        _person("Y", "2020-03-01", exit_date="2023-03-31"),
        _person("Z", "2020-03-01"),
        _person("W", "2023-05-01"),
    ]
    events = [_event(p, "2020-03-01", "hire", to="csr") for p in ("X", "Y", "Z")]
    events += [
        _event("W", "2023-05-01", "hire", to="csr"),
        _event("X", "2023-06-01", "promotion", "csr", "senior_csr"),
        _event("Y", "2023-03-31", "exit", "csr", None),
    ]
    return build_dataset(root, employees=people, role_events=events)


def test_transition_matrix_of_three_people(three_people):
    d = _load(three_people, date(2023, 1, 1), date(2023, 12, 31))
    m = careers.transition_matrix(d)
    assert m.at["csr", "people"] == 3
    assert m.at["csr", "csr"] == pytest.approx(1 / 3)
    assert m.at["csr", "senior_csr"] == pytest.approx(1 / 3)
    assert m.at["csr", "exit"] == pytest.approx(1 / 3)
    assert np.allclose(m.drop(columns="people").sum(axis=1), 1.0)
    as_dict = careers.matrix_as_dict(m)
    assert as_dict["csr"] == pytest.approx({"stay": 1 / 3, "senior_csr": 1 / 3, "exit": 1 / 3})


def test_promotion_rate_and_flows(three_people):
    d = _load(three_people, date(2023, 1, 1), date(2023, 12, 31))
    s = careers.period_summary(d)
    # Person-days in 2023: X 365, Z 365, Y 1 Jan - 31 Mar = 90, W 1 May - 31 Dec = 245.
    assert s["person_years"] == pytest.approx((365 + 365 + 90 + 245) / 365.25)
    assert s["promotions"] == 1
    assert s["promotion_rate"] == pytest.approx(1 / ((365 + 365 + 90 + 245) / 365.25))
    f = careers.flows(d).set_index(["source", "target"])["people"].to_dict()
    assert f == {("hire", "csr"): 1, ("csr", "senior_csr"): 1, ("csr", "exit"): 1}


def test_projection_rows_and_hires(three_people):
    d = _load(three_people, date(2023, 1, 1), date(2023, 12, 31))
    p = careers.project(d, careers.ProjectionSettings(months=12, hires_per_month=2.0))
    assert len(p) == 13 and p.loc[0, "total"] == 3  # X (senior), Z, W employed on 2023-12-31
    assert (p.loc[1:, "hires"] == 2.0).all()
    # Every month: total(t+1) = total(t) + hires - exits (the chain keeps people).
    assert np.allclose(p["total"].diff().iloc[1:], p["hires"].iloc[1:] - p["exits"].iloc[1:])
    m = careers.monthly_matrix(d, careers.ProjectionSettings())
    assert np.allclose(m.sum(axis=1), 1.0)


# --- move classification -------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, expected",
    [
        (("promotion", "csr", "senior_csr"), "vertical"),  # up the ladder
        (("promotion", "senior_csr", "team_leader"), "vertical"),
        (("promotion", "quality_inspector", "team_leader"), "vertical"),  # side role back up to the ladder
        (("lateral_move", "csr", "outbound_csr"), "horizontal"),  # inbound -> outbound
        (("lateral_move", "csr", "quality_inspector"), "horizontal"),  # operations -> quality: a new track
        (("promotion", "csr", "complaint_specialist"), "horizontal"),  # typed promotion, but not up the ladder
        (("lateral_move", "senior_csr", "trainer"), "horizontal"),  # same level, other track
        (("demotion", "team_leader", "senior_csr"), "downward"),
        (("star_change", "csr", "csr", None, None, 2, 3), "core"),  # star up, no title change
        (("star_change", "senior_csr", "senior_csr", None, None, 4, 3), "star_down"),
        (("team_change", "csr", "csr", "T1", "T2"), "team"),
        (("hire", None, "csr"), None),
        (("exit", "csr", None), None),
    ],
)
def test_classify_move(args, expected):
    etype, fr, to, *rest = args
    ft, tt, fs, ts = (rest + [None] * 4)[:4]
    assert careers.classify_move(etype, fr, to, fs, ts, ft, tt) == expected


def test_hire_day_promotion_is_a_hire_not_a_promotion(tmp_path):
    """An experienced hire: recorded as hired as csr and promoted to team leader the same day."""
    root = build_dataset(
        tmp_path,
        employees=[_person("E", "2023-03-01", role="team_leader")],
        role_events=[
            _event("E", "2023-03-01", "hire", to="csr"),
            _event("E", "2023-03-01", "promotion", "csr", "team_leader"),  # same day: not a career step
            _event("E", "2023-05-01", "star_change", "team_leader", "team_leader", fs=0, ts=1),  # not a CSR: no core
        ],
    )
    d = _load(root, date(2023, 1, 1), date(2023, 12, 31))
    ev = careers.classified_events(d)
    assert ev["promotion"].sum() == 0
    assert list(ev["move"].fillna("-")) == ["-", "vertical", "-"]
    spells = careers.role_spells(d)
    assert list(spells["role"]) == ["team_leader"]  # the csr "spell" of zero days is dropped


# --- bench ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "row, expected",
    [
        # role, tenure months, months in role, appraisal percentile, QA, star
        (("senior_csr", 30, 10, 0.80, 90, 4), "now"),  # every ready-now threshold met
        (("senior_csr", 30, 10, 0.80, 84, 4), "within_year"),  # QA 84 < 85 now, >= 80 within a year
        (("csr", 20, 20, 0.90, 92, 3), "within_year"),  # tenure 20 < 24
        (("csr", 30, 30, 0.50, 92, 3), "within_year"),  # appraisal 50th pctl < 60th
        (("csr", 30, 30, 0.90, 92, 1), ""),  # star 1 < 2: not yet
        (("csr", 30, 30, 0.90, None, 5), ""),  # no QA result: cannot be called ready
        (("team_leader", 60, 30, 0.70, None, None), "now"),  # supervisor seat: 30 months as TL
        (("team_leader", 60, 14, 0.70, None, None), "within_year"),
        (("team_leader", 60, 30, 0.30, None, None), ""),
        (("quality_inspector", 60, 30, 0.99, 99, None), ""),  # not on a bench
    ],
)
def test_readiness(row, expected):
    assert careers.readiness(*row) == expected


def test_bench_on_a_hand_made_team(tmp_path):
    """Team T1 on 2024-06-30: leader L since 2021; S1 senior CSR hired 2020 with strong
    appraisals (90, above the other CSRs), QA 90 and star 4 -> ready now; C1, C2 CSRs hired
    2023-01 (17.9 months), middling scores, star 2 -> C1 (pctl 2/3) within a year, C2 (pctl 1/3)
    not ready. Team T2 has a leader and one new CSR: nobody ready. Supervisor seat: none in
    the data, L and M lead 30+ months with 1 appraisal each (pctl 1.0 for the top, 0.5)."""
    people = [
        _person("L", "2019-01-01", role="team_leader"),
        _person("S1", "2020-01-01", role="senior_csr", star=4),
        _person("C1", "2023-01-01", star=2),
        _person("C2", "2023-01-01", star=2),
        _person("M", "2019-01-01", role="team_leader", team="T2"),
        _person("N", "2024-05-01", team="T2"),
    ]
    events = [
        _event("L", "2021-01-01", "promotion", "senior_csr", "team_leader"),
        _event("M", "2021-06-01", "promotion", "senior_csr", "team_leader", "T2", "T2"),
        _event("S1", "2022-01-01", "promotion", "csr", "senior_csr"),
    ]
    months = ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01", "2024-06-01"]
    scores = {"L": 88, "M": 80, "S1": 90, "C1": 85, "C2": 70, "N": 75}
    qa = {"L": None, "M": None, "S1": 90, "C1": 82, "C2": 82, "N": 80}
    appraisals = [
        {"employee_id": e, "month": m, "score": s, "qa_score": qa[e]} for e, s in scores.items() for m in months
    ]
    root = build_dataset(tmp_path, employees=people, role_events=events, appraisals=appraisals)
    d = _load(root, date(2023, 7, 1), date(2024, 6, 30))
    c = careers.candidates(d).set_index("employee_id")
    assert c.at["S1", "readiness"] == "now"
    assert c.at["C1", "readiness"] == "within_year"
    assert c.at["C2", "readiness"] == ""
    assert c.at["L", "readiness"] == "now" and c.at["M", "readiness"] == "within_year"
    b = careers.bench(d, Scope.everything())
    tl = b[b["seat"] == "team_leader"].set_index("team")
    assert tl.at["T1", "ready_now"] == 1 and tl.at["T1", "ready_within_year"] == 1
    assert tl.at["T1", "span"] == 3 and not tl.at["T1", "over_span"]
    assert tl.at["T2", "no_one_ready"] and tl.at["T2", "ready_within_year"] == 0
    sp = b[b["seat"] == "supervisor"]
    assert len(sp) == 1 and sp.iloc[0]["ready_now"] == 1
    # Aggregate-only roles get counts, never names.
    agg = careers.bench(d, Scope(individuals=False))
    assert "ready_now_names" not in agg.columns and "incumbent" not in agg.columns
    with pytest.raises(PermissionError):
        careers.stalled(d, Scope(individuals=False))
    with pytest.raises(PermissionError):
        careers.load(lake.open_lake(root), Filters(start=date(2024, 1, 1), end=date(2024, 6, 30)), Scope(hr=False))


# --- the demo -----------------------------------------------------------------------------


def test_demo_figures_are_consistent(demo_dataset):
    lk = lake.open_lake(demo_dataset)
    last = pd.Timestamp(lk.query("SELECT max(event_date) AS d FROM role_events")["d"].iloc[0]).date()
    d = careers.load(lk, Filters(start=date(last.year - 1, last.month, 1), end=last), Scope.everything())
    m = careers.transition_matrix(d)
    assert np.allclose(m.drop(columns="people").sum(axis=1), 1.0)
    ttp = careers.time_to_promotion(d)
    assert ttp["median_months"] is None or ttp["median_months"] > ttp["naive_median_months_promoted_only"]
    s = careers.period_summary(d)
    assert s["promotions"] >= 0 and s["person_years"] > 0
    careers.stalled(d, Scope.everything())
    careers.stall_exit_rates(d)
    b = careers.bench(d, Scope.everything())
    assert set(b["seat"]) <= {"team_leader", "supervisor"}
    p = careers.project(d)
    assert len(p) == 13 and (p["total"] > 0).all()


# --- role spells, column-wise, against a person-by-person reading of the rule ---------------


def _spells_one_by_one(data: careers.CareerData) -> pd.DataFrame:
    """The rule in role_spells' docstring read person by person: start in the hired role
    (the hire event's on the hire day, else the first change's from_role or the master's
    role), one spell per change, a change on the same day as the next one is no spell."""
    ev = careers.classified_events(data)
    ev = ev[ev["event_type"].isin(("hire", "promotion", "lateral_move", "demotion")) & ev["to_role"].notna()]
    rows = []
    for p in data.people.to_dict("records"):
        mine = ev[ev["employee_id"] == p["employee_id"]].to_dict("records")
        steps = []
        if not mine or mine[0]["event_type"] != "hire" or mine[0]["event_date"] > p["hire_date"]:
            before = mine[0]["from_role"] if mine and pd.notna(mine[0]["from_role"]) else p["role"]
            steps.append((p["hire_date"], before))
        steps += [(e["event_date"], e["to_role"], e["promotion"]) for e in mine]
        stop = p["exit_date"] if pd.notna(p["exit_date"]) else pd.Timestamp(data.end)
        for i, step in enumerate(steps):
            if i + 1 < len(steps):
                nxt = steps[i + 1]
                if nxt[0] != step[0]:
                    rows.append((p["employee_id"], step[1], step[0], nxt[0], "promotion" if nxt[2] else "move"))
            else:
                rows.append((p["employee_id"], step[1], step[0], stop, "exit" if pd.notna(p["exit_date"]) else "open"))
    return pd.DataFrame(rows, columns=["employee_id", "role", "start", "end", "ended_by"])


def test_role_spells_match_a_person_by_person_reading_on_random_histories():
    rng = np.random.default_rng(18)
    roles = ["csr", "senior_csr", "team_leader", "qa_specialist"]
    people, events = [], []
    for i in range(60):
        eid = f"E{i:02d}"
        hire = pd.Timestamp("2020-01-01") + pd.Timedelta(days=int(rng.integers(0, 900)))
        left = hire + pd.Timedelta(days=int(rng.integers(30, 1500))) if rng.random() < 0.4 else pd.NaT
        people.append(
            {
                "employee_id": eid,
                "name": eid,
                "center": "C1",
                "team": "T1",
                "role": str(rng.choice(roles)),
                "star_level": 0,
                "hire_date": hire,
                "exit_date": left,
            }
        )
        day, role = hire, str(rng.choice(roles))
        if rng.random() < 0.7:  # a hire event, on the hire day or (a late record) after it
            day = hire + pd.Timedelta(days=int(rng.choice([0, 0, 0, 20])))
            events.append(_event(eid, day, "hire", to=role))
        for _ in range(int(rng.integers(0, 4))):
            day = day + pd.Timedelta(days=int(rng.choice([0, 40, 200])))  # 0: two changes the same day
            new = str(rng.choice(roles))
            kind = str(rng.choice(["promotion", "lateral_move", "demotion"]))
            events.append(_event(eid, day, kind, role if rng.random() < 0.8 else None, new))
            role = new
    ppl = pd.DataFrame(people).astype({"hire_date": "datetime64[us]", "exit_date": "datetime64[us]"})
    ev = pd.DataFrame(events).astype({"event_date": "datetime64[us]"})
    ev = ev.sort_values(["employee_id", "event_date"], kind="stable", ignore_index=True)
    empty = pd.DataFrame({"employee_id": pd.Series(dtype="str")})
    data = careers.CareerData(ppl, ev, empty, empty, date(2019, 1, 1), date(2025, 12, 31))
    got = careers.role_spells(data)
    want = _spells_one_by_one(data)
    # the histories reach every branch: exits, open spells, promotions, moves, same-day changes
    assert len(want) > 100 and set(want["ended_by"]) == {"exit", "open", "promotion", "move"}
    assert ev.duplicated(["employee_id", "event_date"]).sum() > 5
    pd.testing.assert_frame_equal(
        got[["employee_id", "role", "start", "end", "ended_by"]].astype(str),
        want.astype(str),
    )


def test_kept_figures_are_computed_once_and_callers_cannot_change_them(censoring_dataset):
    d = _load(censoring_dataset, date(2023, 1, 1), date(2023, 12, 31))
    first = careers.time_to_first_promotion_table(d)
    first["promoted"] = False  # a caller's own column change
    first["extra"] = 1
    again = careers.time_to_first_promotion_table(d)
    assert "extra" not in again.columns and int(again["promoted"].sum()) == 2
    ttp = careers.time_to_promotion(d)
    ttp["curve"]["not_promoted"] = 0.0
    assert careers.time_to_promotion(d)["curve"]["not_promoted"].iloc[0] == 1.0
    n = len(d._cache)
    careers.time_to_promotion(d)
    assert len(d._cache) == n  # nothing recomputed
