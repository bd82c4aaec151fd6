"""The synthetic demo dataset: ``generate(scale, seed, progress)``.

Pipeline (all deterministic for a seed; every random stream is derived from it):

1. ``hr``: careers and attrition week by week from ``history_start`` (people employed
   before the period have earlier hire dates, so tenure varies);
2. ``calls.build_roster``: who is signed in to which queue, per 15-minute slot, per day
   of the period (shift patterns, ~5 days in 7, lighter weekends, holidays, absences,
   two weeks of training after hire, new agents slower);
3. arrivals (intraday, weekday, 征期, holidays) and the FIFO queue simulation against the
   roster, day by day (in worker processes for the large scales);
4. ``agent_intervals`` from the roster and the answered calls;
5. ``extras``: QA evaluations, complaints and monthly appraisals, computed from the above.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import threading
from collections.abc import Callable
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import schema
from . import calls as K
from . import config as C
from . import extras
from .columns import bool_col, date_col, empty_frame, frame, int_col, str_col, str_take, ts_col  # noqa: F401
from .hr import HR

SCALES = C.SCALES
Progress = Callable[[float, str], None]


# --- the generator -------------------------------------------------------------------------
def generate(scale: str = "default", seed: int = 7, progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """Generate the demo dataset: one DataFrame per table of ``analytics.schema.TABLES``."""
    if scale == "large":
        raise ValueError(
            "the large scale does not fit in memory as frames: it is written straight "
            "into a dataset folder region by region (analytics.demo.large.build_large, "
            "or python -m analytics demo --scale large)"
        )
    if scale not in SCALES or SCALES[scale] is None:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    s = SCALES[scale]
    report = progress or (lambda f, m: None)
    ss = np.random.SeedSequence(seed)
    s_hr, s_roster, s_vol, s_calls, s_extra = ss.spawn(5)
    seed_calls = int(s_calls.generate_state(1)[0])

    report(0.0, "simulating careers")
    hr = HR(s, np.random.default_rng(s_hr)).run(lambda f, m: report(0.1 * f, m))

    days = [s["start"] + dt.timedelta(days=i) for i in range((s["end"] - s["start"]).days + 1)]
    report(0.1, "building rosters")
    roster = K.build_roster(hr, days, np.random.default_rng(s_roster))

    # expected arrivals per day, queue and slot
    rng_v = np.random.default_rng(s_vol)
    nq = len(C.QUEUES)
    seats = {q[0]: 0 for q in C.QUEUES}
    for team, center, queue, n in s["teams"]:
        seats[queue] += n
    base = np.zeros(nq)
    load = s.get("load", 1.0)
    for i, q in enumerate(C.QUEUES):
        kind = q[5]
        if kind == "spec":
            base[i] = C.SPEC_DIRECT_PER_SEAT * seats[q[0]] * load
        elif kind in ("general", "cmp"):
            base[i] = C.LOAD_PER_SEAT[kind] * seats[q[0]] * C.LOAD_QUEUE_FACTOR.get(q[0], 1.0) * load
    f_day = K.day_factors(days)
    noise = rng_v.lognormal(0, 0.07, (len(days), nq))
    curve = K.intraday_curve()
    expected = (f_day[:, None] * noise * base[None, :])[:, :, None] * curve[None, None, :]

    # queue simulation, day by day, chunks of ~half a month
    ordinals = np.array([d.toordinal() for d in days])
    chunks = [list(range(i, min(i + 16, len(days)))) for i in range(0, len(days), 16)]
    K.SHARED.update(
        rows=(roster["person"], roster["day"]),
        queue=roster["queue"],
        avail=roster["avail"],
        speed=roster["speed"],
        pool_general=s.get("pool_general", False),
    )
    tasks = [(seed_calls, ch, ordinals[ch], expected[ch]) for ch in chunks]
    results = []
    workers = min(s.get("workers", 1), mp.cpu_count())
    # Fork only from a process of one thread: forked from the dashboard's server (the demo
    # made on first start), a worker inherited a lock another thread held and waited on it
    # for ever (seen in a fresh clone: README command 1 hung with no dataset). Each chunk is
    # simulated from its own seed, so the calls are the same either way.
    if workers > 1 and threading.active_count() == 1:
        ctx = mp.get_context("fork")
        with ctx.Pool(workers) as pool:
            for k, r in enumerate(pool.imap(K.simulate_days, tasks)):
                results.append(r)
                report(0.15 + 0.55 * (k + 1) / len(tasks), "simulating calls")
    else:
        for k, t in enumerate(tasks):
            results.append(K.simulate_days(t))
            report(0.15 + 0.55 * (k + 1) / len(tasks), "simulating calls")
    cl = {}
    offsets = np.cumsum([0] + [len(r["arr"]) for r in results])
    for key in results[0]:
        parts = []
        for off, r in zip(offsets[:-1], results):
            v = r[key]
            if key == "parent":
                v = np.where(v >= 0, v + off, -1)
            parts.append(v)
        cl[key] = np.concatenate(parts)

    report(0.72, "building tables")
    tz = ZoneInfo(C.TZ)
    day_us = np.array(
        [int(dt.datetime(d.year, d.month, d.day, tzinfo=tz).timestamp()) * 1_000_000 for d in days], np.int64
    )
    out = {}
    ctx_ = extras.Context(
        hr=hr, days=days, day_us=day_us, roster=roster, calls=cl, scale=s, rng=np.random.default_rng(s_extra)
    )
    out["centers"] = _centers()
    out["queues"] = _queues()
    out["calls"] = _calls(ctx_)
    report(0.8, "agent intervals")
    out["agent_intervals"] = _agent_intervals(ctx_)
    report(0.88, "quality, complaints, appraisals")
    out["qa_evaluations"] = extras.qa_evaluations(ctx_)
    out["complaints"] = extras.complaints(ctx_)
    out["appraisals"] = extras.appraisals(ctx_)
    out["employees"] = _employees(hr)
    out["role_events"] = _role_events(hr)
    out["targets"] = empty_frame("targets")
    K.SHARED.clear()
    report(1.0, "done")
    return {name: out[name] for name in schema.TABLES}


def _centers():
    return frame(
        "centers",
        {
            "center": str_col([c[0] for c in C.CENTERS]),
            "name_zh": str_col([c[1] for c in C.CENTERS]),
            "name_en": str_col([c[2] for c in C.CENTERS]),
            "timezone": str_col([c[3] for c in C.CENTERS]),
        },
    )


def _queues():
    q = C.QUEUES
    return frame(
        "queues",
        {
            "queue": str_col([x[0] for x in q]),
            "center": str_col([x[1] for x in q]),
            "name_zh": str_col([x[2] for x in q]),
            "name_en": str_col([x[3] for x in q]),
            "direction": str_col([x[4] for x in q]),
            "service_level_seconds": int_col(np.full(len(q), C.SERVICE_LEVEL_SECONDS)),
            "service_level_target": pd.Series(np.full(len(q), C.SERVICE_LEVEL_TARGET)),
        },
    )


def _calls(x: extras.Context) -> pd.DataFrame:
    cl, hr, days = x.calls, x.hr, x.days
    n = len(cl["arr"])
    qnames = [q[0] for q in C.QUEUES]
    qcenter = np.array([[c[0] for c in C.CENTERS].index(q[1]) for q in C.QUEUES])
    qout = np.array([q[4] == "outbound" for q in C.QUEUES])
    q = cl["queue"].astype(int)
    center = qcenter[q]
    d0 = x.day_us[cl["day"]]
    answered = ~np.isnan(cl["ans"])
    x.answered = answered
    x.arr_us = d0 + np.round(cl["arr"] * 1e6).astype(np.int64)
    x.ans_us = d0 + np.round(np.nan_to_num(cl["ans"]) * 1e6).astype(np.int64)
    x.end_us = d0 + np.round(cl["end"] * 1e6).astype(np.int64)
    # call ids: <center>-<yyyymmdd>-<seq> numbered by arrival within a center-day; the
    # follow-on call of a transfer takes its parent's id with the suffix -T
    follow = cl["parent"] >= 0
    key = center.astype(np.int64) * 100000 + cl["day"]
    o = np.lexsort((cl["arr"], follow, key))
    ks = key[o]
    first = np.r_[True, ks[1:] != ks[:-1]]
    grp_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    seq = np.empty(n, np.int64)
    seq[o] = np.arange(n) - grp_start + 1
    prefixes = [f"{c[0]}-{d:%Y%m%d}" for c in C.CENTERS for d in days]
    pref_idx = center * len(days) + cl["day"]
    import pyarrow.compute as pc

    pref = pa.DictionaryArray.from_arrays(pa.array(pref_idx.astype(np.int32)), pa.array(prefixes)).cast(pa.string())
    num = pc.utf8_lpad(pc.cast(pa.array(seq), pa.string()), 7, "0")
    ids = pc.binary_join_element_wise(pref, num, "-").to_numpy(zero_copy_only=False).astype(object)
    par = cl["parent"]
    ids[follow] = ids[par[follow]]
    ids[follow] = ids[follow] + "-T"
    x.call_ids = ids
    # agents
    ag = cl["agent"]
    x.call_person = np.where(answered, x.roster["person"][np.maximum(ag, 0)], -1)
    emp_ids = [p.id for p in hr.people]
    is_out = qout[q]
    cat = np.where(cl["cat"] == 1, 1, 0)
    cat_valid = answered | is_out
    trans = cl["trans"]
    # csat on ~20 % of answered inbound calls, worse after long waits and long transfers
    rng = x.rng
    wait = np.where(answered, cl["ans"] - cl["arr"], np.nan)
    x.wait = wait
    has_csat = answered & ~is_out & (rng.random(n) < 0.2)
    mean = (
        4.35
        - 1.1 * np.clip(np.nan_to_num(wait) / 180, 0, 1)
        - 0.35 * trans
        - 0.25 * follow
        - 0.3 * (np.nan_to_num(cl["talk"]) > 900)
        + 0.05 * rng.normal(size=n)
    )
    csat = np.clip(np.round(rng.normal(mean, 0.75)), 1, 5).astype(int)
    x.csat = np.where(has_csat, csat, -1)
    kind = np.array([C.QUEUE_KIND[qq] for qq in qnames])[q]
    p_fcr = np.where(cat == 0, 0.9, np.where(kind == "spec", 0.72, 0.6))
    fcr = (rng.random(n) < p_fcr) & ~trans
    x.handle = np.where(answered, np.nan_to_num(cl["talk"]) + np.nan_to_num(cl["hold"]) + np.nan_to_num(cl["acw"]), 0.0)
    return frame(
        "calls",
        {
            "call_id": str_col(ids),
            "queue": str_take(qnames, q),
            "arrived_at": ts_col(x.arr_us),
            "answered_at": ts_col(x.ans_us, answered),
            "ended_at": ts_col(x.end_us),
            "center": str_take([c[0] for c in C.CENTERS], center),
            "direction": str_take(["inbound", "outbound"], qout[q].astype(int)),
            "agent_id": str_take(emp_ids, np.maximum(x.call_person, 0), answered),
            "talk_s": pd.Series(np.where(answered, cl["talk"], np.nan)),
            "hold_s": pd.Series(np.where(answered, cl["hold"], np.nan)),
            "acw_s": pd.Series(np.where(answered, cl["acw"], np.nan)),
            "category": str_take(["common", "complex"], cat, cat_valid),
            "transferred": bool_col(trans, answered | is_out),
            "csat": int_col(np.maximum(x.csat, 0), has_csat),
            "resolved_first_contact": bool_col(fcr | is_out, answered),
        },
    )


def _agent_intervals(x: extras.Context) -> pd.DataFrame:
    cl, r = x.calls, x.roster
    ans = x.answered
    rowid = cl["agent"][ans]
    slot = np.minimum((np.nan_to_num(cl["ans"][ans]) // K.SLOT_S).astype(int), K.SLOTS - 1)
    staffed, handling, avail, carry = K.agent_intervals(r, slot, rowid, x.handle[ans])
    assert carry.max(initial=0) < 1e-6, "handling carried past midnight"
    ri, si = np.nonzero(staffed > 0)
    hr = x.hr
    emp_ids = [p.id for p in hr.people]
    centers = [c[0] for c in C.CENTERS]
    pc_ = np.array([centers.index(p.center) for p in hr.people])
    x.intervals = (ri, si, staffed[ri, si], handling[ri, si])
    return frame(
        "agent_intervals",
        {
            "agent_id": str_take(emp_ids, r["person"][ri]),
            "interval_start": ts_col(x.day_us[r["day"][ri]] + si.astype(np.int64) * K.SLOT_S * 1_000_000),
            "center": str_take(centers, pc_[r["person"][ri]]),
            "queue": str_take([q[0] for q in C.QUEUES], r["queue"][ri].astype(int)),
            "staffed_s": pd.Series(staffed[ri, si]),
            "available_s": pd.Series(avail[ri, si]),
            "handling_s": pd.Series(handling[ri, si]),
        },
    )


def _employees(hr: HR) -> pd.DataFrame:
    P = hr.people
    return frame(
        "employees",
        {
            "employee_id": str_col([p.id for p in P]),
            "name": str_col([p.name for p in P]),
            "center": str_col([p.center for p in P]),
            "team": str_col([p.team for p in P]),
            "role": str_col([p.role for p in P]),
            "star_level": int_col(np.array([p.star for p in P], dtype=object)),
            "hire_date": date_col([p.hire for p in P]),
            "exit_date": date_col([p.exit for p in P]),
            "exit_type": str_col([p.exit_type for p in P]),
            "exit_reason": str_col([p.exit_reason for p in P]),
            "pay_band": int_col(np.array([p.band for p in P])),
            "shift_pattern": str_col([p.shift for p in P]),
            "education": str_col([p.edu for p in P]),
            "commute_km": pd.Series(np.array([p.commute for p in P], float)),
            "gender": str_col([p.gender for p in P]),
            "birth_year": int_col(np.array([p.birth_year for p in P])),
            "marital_status": str_col([p.marital for p in P]),
        },
    )


def _role_events(hr: HR) -> pd.DataFrame:
    ev = sorted(hr.events, key=lambda e: (e[0], e[1]))
    seen, rows = set(), []
    for e in ev:  # the key (employee, date, type) must be unique: keep the last of a day
        k = (e[0], e[1], e[2])
        if k in seen:
            rows = [r for r in rows if (r[0], r[1], r[2]) != k]
        seen.add(k)
        rows.append(e)
    cols = list(zip(*rows))
    return frame(
        "role_events",
        {
            "employee_id": str_col(cols[0]),
            "event_date": date_col(cols[1]),
            "event_type": str_col(cols[2]),
            "from_role": str_col(cols[3]),
            "to_role": str_col(cols[4]),
            "from_team": str_col(cols[5]),
            "to_team": str_col(cols[6]),
            "from_star": int_col(np.array(cols[7], dtype=object)),
            "to_star": int_col(np.array(cols[8], dtype=object)),
            "reason": str_col(cols[9]),
        },
    )
