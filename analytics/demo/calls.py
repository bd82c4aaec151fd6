"""Rosters, call arrivals, the queue simulation and agent intervals.

Times inside this module are local seconds since the local midnight of the day
(Asia/Shanghai); the generator converts them to UTC at the end.

The queue simulation is an exact FIFO multi-server queue with impatient callers:
calls are taken in arrival order; each is offered to the agent who becomes free
first (the longest-idle agent when several are idle) among the agents signed in and
not on a break; it is answered when that moment comes before the caller's patience
runs out, and abandons otherwise (an abandoning caller never occupies an agent).
Because agents really are the roster's agents, an interval with more load per
staffed agent really shows longer waits, a lower service level and more abandons.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math

import numpy as np

from . import config as C
from .. import workdays

SLOTS = 96
SLOT_S = 900


def _slot(h, m=0):
    return (h * 60 + m) // 15


# --- intraday curve: morning peak 9-11, lunch dip, afternoon peak 14-16, 08-20 open ------
_HOURLY = {
    0: 0.004,
    1: 0.003,
    2: 0.002,
    3: 0.002,
    4: 0.002,
    5: 0.004,
    6: 0.01,
    7: 0.06,
    8: 0.5,
    9: 0.95,
    10: 1.0,
    11: 0.78,
    12: 0.42,
    13: 0.62,
    14: 0.92,
    15: 0.95,
    16: 0.74,
    17: 0.46,
    18: 0.27,
    19: 0.2,
    20: 0.05,
    21: 0.02,
    22: 0.01,
    23: 0.006,
}


def intraday_curve() -> np.ndarray:
    x = np.array([_HOURLY[s // 4] for s in range(SLOTS)], float)
    # light smoothing between neighbouring hours
    sm = x.copy()
    sm[1:-1] = 0.25 * x[:-2] + 0.5 * x[1:-1] + 0.25 * x[2:]
    return sm / sm.sum()


WEEKDAY_FACTOR = (1.22, 1.06, 1.0, 0.97, 0.92, 0.30, 0.22)  # Mon..Sun
ZHENGQI_FACTOR = 1.45  # days 1-15 (征期)
HOLIDAY_FACTOR = 0.10


def day_factors(days: list[dt.date]) -> np.ndarray:
    """Volume factor of each day relative to an ordinary Wednesday in days 16-end."""
    out = np.empty(len(days))
    kinds = [workdays.day_kind(d) for d in days]
    for i, d in enumerate(days):
        k = kinds[i]
        if k == "holiday":
            f = HOLIDAY_FACTOR
        elif k == "adjusted_workday":
            f = WEEKDAY_FACTOR[0] * 0.95
        elif k == "weekend":
            f = WEEKDAY_FACTOR[d.weekday()]
        else:
            f = WEEKDAY_FACTOR[d.weekday()]
            # first working day after a holiday block: backlog
            prev = [workdays.day_kind(d - dt.timedelta(days=j)) for j in (1, 2, 3)]
            if prev.count("holiday") >= 2:
                f *= 1.3
        if k in ("workday", "adjusted_workday") and d.day <= 15:
            f *= ZHENGQI_FACTOR
        elif k in ("weekend",) and d.day <= 15:
            f *= 1.2
        if d.month in (3, 4, 5, 6):  # annual individual income tax reconciliation season
            f *= 1.1
        out[i] = f
    return out


# --- shift templates (staffed slots and break slots) ---------------------------------------
def _mask(*ranges):
    m = np.zeros(SLOTS, bool)
    for a, b in ranges:
        m[a:b] = True
    return m


# name: (staffed mask, break slots, candidate start slots of the off-queue block)
TEMPLATES = {
    # Shifts are laid out to follow the intraday curve; lunch of day group A is at
    # 11:00-12:00, still a busy hour: deliberately thin (worst in 征期).
    "day_a": (
        _mask((_slot(8, 30), _slot(11)), (_slot(12), _slot(17, 30))),
        (_slot(12, 45), _slot(16, 45)),
        (_slot(12, 15), _slot(16, 30)),
    ),
    "day_b": (
        _mask((_slot(9), _slot(12, 30)), (_slot(13, 30), _slot(18))),
        (_slot(12), _slot(17)),
        (_slot(13, 30), _slot(16, 30)),
    ),
    "early": (
        _mask((_slot(8), _slot(11, 45)), (_slot(12, 45), _slot(17))),
        (_slot(8, 45), _slot(16, 15)),
        (_slot(15, 45),),
    ),
    "late": (
        _mask((_slot(11, 30), _slot(17)), (_slot(18), _slot(20, 30))),
        (_slot(13), _slot(19, 30)),
        (_slot(11, 30), _slot(16, 15)),
    ),
    "split": (_mask((_slot(8), _slot(12)), (_slot(16), _slot(20))), (_slot(11, 30), _slot(19)), ()),
    "weekend": (_mask((_slot(8, 30), _slot(12)), (_slot(13), _slot(17, 30))), (_slot(10, 30), _slot(15)), (_slot(13),)),
    "tl": (_mask((_slot(9, 30), _slot(11))), (), ()),
    "out": (_mask((_slot(9), _slot(12)), (_slot(13), _slot(18))), (_slot(10, 30), _slot(15, 30)), (_slot(16),)),
}
TEMPLATE_NAMES = list(TEMPLATES)
OFF_BLOCK = (4, 8)  # slots off the queue (work orders, coaching, training): 1-2 h
OFF_SHARE = 0.15


def build_roster(hr, days: list[dt.date], rng: np.random.Generator):
    """Agent-days: who is signed in to which queue, when, with which speed.

    Per queue and day, a workforce planner rosters a share of the team (about 84 % on
    working days, 20 % at weekends, 10 % on public holidays, at least one or two
    people) and makes sure somebody covers the evening; on working days some of the
    rostered people are absent (3 %, and 25 % on a few bad days per month).

    Returns a dict of arrays, one row per agent-day, plus (n, 96) masks ``staffed`` and
    ``avail`` (staffed and not on a break: may take calls) and ``aux`` (planned seconds
    of breaks and other auxiliary time per slot)."""
    people = hr.people
    kinds = [workdays.day_kind(d) for d in days]
    n_days = len(days)
    qidx = {q[0]: i for i, q in enumerate(C.QUEUES)}
    tpl = {t: i for i, t in enumerate(TEMPLATE_NAMES)}
    bad = {c[0]: rng.random(n_days) < 0.05 for c in C.CENTERS}
    rows_p, rows_d, rows_q, rows_t, rows_tpl = [], [], [], [], []
    sched_p, sched_d, absent_p, absent_d = [], [], [], []
    ptr = [0] * len(people)
    for di, d in enumerate(days):
        kind = kinds[di]
        working = kind in ("workday", "adjusted_workday")
        week = d.isocalendar()[1]
        by_queue: dict[str, list] = {}
        for pi, p in enumerate(people):
            if p.hire + dt.timedelta(days=C.TRAINING_DAYS) > d or (p.exit is not None and p.exit < d):
                continue
            h = p.hist
            k = ptr[pi]
            while k + 1 < len(h) and h[k + 1][0] <= d:
                k += 1
            ptr[pi] = k
            if h[k][0] > d:
                continue
            role, team = h[k][1], h[k][2]
            if team is None or not (role in C.PHONE_ROLES or role == "team_leader"):
                continue
            by_queue.setdefault(hr.team_queue[team], []).append((pi, role, team))
        for q in sorted(by_queue):
            members = by_queue[q]
            kindq = C.QUEUE_KIND[q]
            for pi, role, team in members:
                if (
                    role == "team_leader"
                    and working
                    and kindq != "out"
                    and rng.random() < (0.75 if d.day <= 15 else 0.35)
                ):
                    rows_p.append(pi)
                    rows_d.append(di)
                    rows_q.append(qidx[q])
                    rows_t.append(team)
                    rows_tpl.append(tpl["tl"])
            agents = [m for m in members if m[1] != "team_leader"]
            if not agents:
                continue
            share = {"workday": 0.80, "adjusted_workday": 0.80, "weekend": 0.20, "holiday": 0.10}[kind]
            n_work = max(int(round(share * len(agents))), min(len(agents), 1 if kindq in ("cmp", "spec") else 2))
            chosen = [agents[i] for i in sorted(rng.choice(len(agents), size=n_work, replace=False).tolist())]
            absent = 0.03 + (0.22 if bad[people[chosen[0][0]].center][di] else 0.0)
            u = rng.random(len(chosen))
            day_rows = []
            n_day = int(rng.integers(2))
            for j, (pi, role, team) in enumerate(chosen):
                if working:
                    sched_p.append(pi)
                    sched_d.append(di)
                    if u[j] < absent:
                        absent_p.append(pi)
                        absent_d.append(di)
                        continue
                if kindq == "out":
                    t = "out"
                elif not working:
                    t = "weekend"
                else:
                    sh = people[pi].shift
                    if sh == "split":
                        t = "split"
                    elif sh == "rotating":
                        t = "early" if (week + pi) % 2 == 0 else "late"
                    else:  # day groups A and B alternate so that lunches are staggered
                        t = "day_a" if n_day % 2 == 0 else "day_b"
                        n_day += 1
                day_rows.append([pi, t, team])
            # somebody must cover the evening
            if day_rows and kindq != "out" and not any(r[1] in ("late", "split") for r in day_rows):
                if working or len(day_rows) >= 2:
                    day_rows[-1][1] = "late"
            for pi, t, team in day_rows:
                rows_p.append(pi)
                rows_d.append(di)
                rows_q.append(qidx[q])
                rows_t.append(team)
                rows_tpl.append(tpl[t])
    P = np.array(rows_p, np.int32)
    D = np.array(rows_d, np.int32)
    Q = np.array(rows_q, np.int16)
    t_idx = np.array(rows_tpl, np.int64)
    TL = t_idx == tpl["tl"]
    n = len(P)
    staffed = np.stack([TEMPLATES[t][0] for t in TEMPLATE_NAMES])[t_idx]
    brk = np.zeros((len(TEMPLATES), SLOTS), bool)
    for i, t in enumerate(TEMPLATE_NAMES):
        brk[i, list(TEMPLATES[t][1])] = True
    brk = brk[t_idx]
    # off-queue block (work orders, coaching, training) of 1-2 hours, not signed in
    # (on ~15 % of agent-days, in the quieter hours)
    starts = np.zeros(n, int)
    length = rng.integers(OFF_BLOCK[0], OFF_BLOCK[1] + 1, size=n)
    ur = rng.random(n)
    for i, t in enumerate(TEMPLATE_NAMES):
        sel = t_idx == i
        cands = TEMPLATES[t][2]
        if cands:
            starts[sel] = np.array(cands)[(ur[sel] * len(cands)).astype(int)]
    has_off = (
        (~TL) & (np.array([len(TEMPLATES[t][2]) > 0 for t in TEMPLATE_NAMES])[t_idx]) & (rng.random(n) < OFF_SHARE)
    )
    sl = np.arange(SLOTS)
    off = has_off[:, None] & (sl[None, :] >= starts[:, None]) & (sl[None, :] < (starts + length)[:, None])
    staffed &= ~off
    brk &= staffed
    avail = staffed & ~brk
    aux = np.where(brk, float(SLOT_S), rng.uniform(0, 25, size=(n, SLOTS))) * staffed
    # speed: new agents are slower during their first 90 days; a small personal factor
    tenure = np.array([(days[d] - people[p].hire).days for p, d in zip(P.tolist(), D.tolist())])
    personal = np.exp(-0.05 * np.array([p.perf for p in people]))[P]
    speed = personal * (1 + C.NEW_AGENT_SLOWDOWN * np.clip((90 - tenure) / (90 - C.TRAINING_DAYS), 0, 1))
    return {
        "person": P,
        "day": D,
        "queue": Q,
        "tl": TL,
        "staffed": staffed,
        "avail": avail,
        "aux": aux,
        "speed": speed,
        "tenure": tenure,
        "team": np.array(rows_t, dtype=object),
        "sched_person": np.array(sched_p, np.int32),
        "sched_day": np.array(sched_d, np.int32),
        "absent_person": np.array(absent_p, np.int32),
        "absent_day": np.array(absent_d, np.int32),
    }


# --- service-time draws --------------------------------------------------------------------
def _lognormal(rng, median_sigma_cap, n):
    med, sig, cap = median_sigma_cap
    return np.minimum(rng.lognormal(math.log(med), sig, n), cap)


def _windows(mask_row: np.ndarray) -> list[tuple[float, float]]:
    d = np.diff(np.concatenate(([0], mask_row.astype(np.int8), [0])))
    st = np.flatnonzero(d == 1)
    en = np.flatnonzero(d == -1)
    return [(float(a * SLOT_S), float(b * SLOT_S)) for a, b in zip(st.tolist(), en.tolist())]


def simulate_queue(arr, patience, talk_b, hold, acw_b, elig, tr_talk, windows, speed):
    """FIFO multi-server queue with impatient callers. Returns lists
    (answer time or nan, agent index or -1, talk, acw, transferred)."""
    n = len(arr)
    nan = float("nan")
    ans = [nan] * n
    agent = [-1] * n
    talk = [nan] * n
    acw = [nan] * n
    trans = [False] * n
    widx = [0] * len(windows)
    heap = [(w[0][0], a) for a, w in enumerate(windows) if w]
    heapq.heapify(heap)
    hr_, hp_ = heapq.heapreplace, heapq.heappop
    for i in range(n):
        t = arr[i]
        while heap:
            f, a = heap[0]
            st = t if t > f else f
            ws = windows[a]
            k = widx[a]
            if st < ws[k][1]:
                break
            k += 1
            if k < len(ws):
                widx[a] = k
                s0 = ws[k][0]
                hr_(heap, (s0 if s0 > f else f, a))
            else:
                hp_(heap)
        else:
            continue  # nobody signed in any more: abandons
        if st - t > patience[i]:
            continue
        sp = speed[a]
        tk = talk_b[i] * sp
        h = hold[i]
        if elig[i] and tk + h > C.TRANSFER_AT:
            tk = tr_talk[i] - h if tr_talk[i] - h > 30.0 else 30.0
            ac = 10.0 + 0.25 * acw_b[i]
            trans[i] = True
        else:
            ac = acw_b[i] * sp
        ans[i] = st
        agent[i] = a
        talk[i] = tk
        acw[i] = ac
        hr_(heap, (st + tk + h + ac, a))
    return ans, agent, talk, acw, trans


def _arrivals(rng, expected_per_slot):
    counts = rng.poisson(expected_per_slot)
    slot = np.repeat(np.arange(SLOTS), counts)
    t = (slot + rng.random(len(slot))) * SLOT_S
    t.sort()
    return t


# The roster, shared with forked worker processes without pickling it for every task.
SHARED: dict = {}


def simulate_days(task):
    """Simulate the calls of a chunk of days (run in a worker process)."""
    seed, day_idx, day_ordinals, expected = task
    roster_rows = SHARED["rows"]
    roster_q, roster_avail, roster_speed = SHARED["queue"], SHARED["avail"], SHARED["speed"]
    cols = {
        k: []
        for k in (
            "queue",
            "day",
            "arr",
            "ans",
            "end",
            "agent",
            "talk",
            "hold",
            "acw",
            "cat",
            "trans",
            "parent",
            "patience",
        )
    }
    n_out = 0
    qnames = [q[0] for q in C.QUEUES]
    for j, di in enumerate(day_idx):
        rng = np.random.default_rng([seed, 7919, int(day_ordinals[j])])
        sel_day = np.flatnonzero(roster_rows[1] == di)
        for center in (c[0] for c in C.CENTERS):
            spec_q = qnames.index(C.SPEC_QUEUE[center])
            spec_extra = []  # (arrival, parent global index)
            pooled = SHARED.get("pool_general", False)
            general = [
                qi for qi, qn in enumerate(qnames) if C.QUEUE_CENTER[qn] == center and C.QUEUE_KIND[qn] == "general"
            ]
            for qi, qname in enumerate(qnames):
                if C.QUEUE_CENTER[qname] != center:
                    continue
                kind = C.QUEUE_KIND[qname]
                if kind == "spec" or (pooled and kind == "general"):
                    continue
                sel = sel_day[roster_q[sel_day] == qi]
                if kind == "out":
                    res = _outbound(rng, sel, roster_avail, roster_speed)
                    _append(cols, qi, di, res, n_out)
                    n_out += len(res["arr"])
                    continue
                arr = _arrivals(rng, expected[j, qi])
                res = _inbound(rng, qname, arr, sel, roster_avail, roster_speed)
                base = n_out
                _append(cols, qi, di, res, n_out)
                n_out += len(arr)
                tr = np.flatnonzero(res["trans"])
                if len(tr):
                    spec_extra.append((res["ans"][tr] + res["talk"][tr] + res["hold"][tr], base + tr))
            if pooled and general:
                # small teams: every general agent of the center is skilled in all general
                # queues (one FIFO pool), otherwise tiny queues pool far too badly
                arrs = [_arrivals(rng, expected[j, qi]) for qi in general]
                lab = np.concatenate([np.full(len(a), qi) for a, qi in zip(arrs, general)])
                arr = np.concatenate(arrs)
                o = np.argsort(arr, kind="stable")
                arr, lab = arr[o], lab[o]
                sel = sel_day[np.isin(roster_q[sel_day], general)]
                cxs = np.array([C.COMPLEX_SHARE[qnames[q]] for q in lab])
                res = _inbound(rng, qnames[general[0]], arr, sel, roster_avail, roster_speed, cx_share=cxs)
                for qi in general:
                    idx = np.flatnonzero(lab == qi)
                    sub = {k: v[idx] for k, v in res.items()}
                    base = n_out
                    _append(cols, qi, di, sub, n_out)
                    n_out += len(idx)
                    tr = np.flatnonzero(sub["trans"])
                    if len(tr):
                        spec_extra.append((sub["ans"][tr] + sub["talk"][tr] + sub["hold"][tr], base + tr))
            # the specialist line: direct callers + transfers (arrive when the first talk ended)
            sel = sel_day[roster_q[sel_day] == spec_q]
            direct = _arrivals(rng, expected[j, spec_q])
            if spec_extra:
                t_arr = np.concatenate([e[0] for e in spec_extra])
                t_par = np.concatenate([e[1] for e in spec_extra])
            else:
                t_arr, t_par = np.empty(0), np.empty(0, np.int64)
            arr = np.concatenate([direct, t_arr])
            parent = np.concatenate([np.full(len(direct), -1, np.int64), t_par])
            o = np.argsort(arr, kind="stable")
            res = _inbound(rng, qnames[spec_q], arr[o], sel, roster_avail, roster_speed)
            res["parent"] = parent[o]
            _append(cols, spec_q, di, res, n_out)
            n_out += len(arr)
    out = {}
    for k, v in cols.items():
        out[k] = np.concatenate(v) if v else np.empty(0)
    return out


def _append(cols, qi, di, res, base):
    n = len(res["arr"])
    cols["queue"].append(np.full(n, qi, np.int16))
    cols["day"].append(np.full(n, di, np.int32))
    for k in ("arr", "ans", "end", "talk", "hold", "acw", "patience"):
        cols[k].append(np.asarray(res[k], float))
    cols["agent"].append(np.asarray(res["agent"], np.int64))
    cols["cat"].append(np.asarray(res["cat"], np.int8))
    cols["trans"].append(np.asarray(res["trans"], bool))
    cols["parent"].append(np.asarray(res.get("parent", np.full(n, -1)), np.int64))


def _inbound(rng, qname, arr, sel, roster_avail, roster_speed, cx_share=None):
    n = len(arr)
    kind = C.QUEUE_KIND[qname]
    cx = rng.random(n) < (C.COMPLEX_SHARE[qname] if cx_share is None else cx_share)
    if kind == "spec":
        talk_b = _lognormal(rng, C.TALK_SPEC, n)
    else:
        talk_b = np.where(cx, _lognormal(rng, C.TALK_COMPLEX, n), _lognormal(rng, C.TALK_COMMON, n))
    has_hold = rng.random(n) < np.where(cx, C.HOLD_SHARE["complex"], C.HOLD_SHARE["common"])
    hold = np.where(has_hold, _lognormal(rng, C.HOLD, n), 0.0)
    acw_b = rng.uniform(*C.ACW, n)
    elig = cx & (kind == "general")
    tr_talk = C.TRANSFER_AT + rng.uniform(-20, 60, n)
    patience = np.where(
        rng.random(n) < C.SHORT_ABANDON_SHARE,
        rng.uniform(1, 6, n),
        rng.lognormal(math.log(C.PATIENCE[0]), C.PATIENCE[1], n),
    )
    windows = [_windows(roster_avail[r]) for r in sel.tolist()]
    speed = roster_speed[sel].tolist()
    ans, ag, talk, acw, trans = simulate_queue(
        arr.tolist(),
        patience.tolist(),
        talk_b.tolist(),
        hold.tolist(),
        acw_b.tolist(),
        elig.tolist(),
        tr_talk.tolist(),
        windows,
        speed,
    )
    ans = np.array(ans)
    ag = np.array(ag, np.int64)
    answered = ag >= 0
    agent = np.where(answered, sel[np.maximum(ag, 0)] if len(sel) else -1, -1)
    talk = np.array(talk)
    hold = np.where(answered, hold, np.nan)
    end = np.where(answered, ans + talk + hold, arr + patience)
    return {
        "arr": arr,
        "ans": ans,
        "end": end,
        "agent": agent,
        "talk": talk,
        "hold": hold,
        "acw": np.array(acw),
        "cat": cx.astype(np.int8),
        "trans": np.array(trans, bool),
        "patience": patience,
    }


def _outbound(rng, sel, roster_avail, roster_speed):
    """Outbound callbacks: each agent dials one customer after another in their windows."""
    arrs, anss, ends, agents, talks, acws = [], [], [], [], [], []
    for r in sel.tolist():
        for a, b in _windows(roster_avail[r]):
            m = int((b - a) / 60) + 2
            picked = rng.random(m) >= 0.25
            ring = np.where(picked, rng.uniform(5, 25, m), rng.uniform(25, 40, m))
            talk = np.where(picked, _lognormal(rng, C.TALK_OUT, m) * roster_speed[r], np.nan)
            acw = np.where(picked, rng.uniform(15, 45, m), np.nan)
            prep = rng.uniform(90, 200, m)  # reading the case, dialling
            cycle = prep + ring + np.nan_to_num(talk) + np.nan_to_num(acw)
            start = a + np.concatenate(([0.0], np.cumsum(cycle)[:-1])) + prep
            ok = start < b
            start, picked, ring, talk, acw = start[ok], picked[ok], ring[ok], talk[ok], acw[ok]
            arrs.append(start)
            anss.append(np.where(picked, start + ring, np.nan))
            ends.append(np.where(picked, start + ring + np.nan_to_num(talk), start + ring))
            agents.append(np.where(picked, r, -1))
            talks.append(talk)
            acws.append(acw)
    if not arrs:
        e = np.empty(0)
        return {
            "arr": e,
            "ans": e,
            "end": e,
            "agent": np.empty(0, np.int64),
            "talk": e,
            "hold": e,
            "acw": e,
            "cat": np.empty(0, np.int8),
            "trans": np.empty(0, bool),
            "patience": e,
        }
    arr = np.concatenate(arrs)
    o = np.argsort(arr, kind="stable")
    talk = np.concatenate(talks)[o]
    n = len(arr)
    return {
        "arr": arr[o],
        "ans": np.concatenate(anss)[o],
        "end": np.concatenate(ends)[o],
        "agent": np.concatenate(agents)[o],
        "talk": talk,
        "hold": np.where(np.isnan(talk), np.nan, 0.0),
        "acw": np.concatenate(acws)[o],
        "cat": np.zeros(n, np.int8),
        "trans": np.zeros(n, bool),
        "patience": np.full(n, np.nan),
    }


def agent_intervals(roster, calls_ans_slot, calls_rowid, calls_handle):
    """Per agent-day and 15-min slot: staffed, handling and available seconds.

    A call's whole handle time (talk + hold + after-call work) is attributed to the
    interval in which it was answered; whatever exceeds the 900 s of an interval is
    carried over to the next interval(s) (handling_s <= 900 always). When the carried
    work falls into a slot the roster had not signed the agent in (lunch, the end of
    the shift), the agent is counted as staffed for that work (still on the call).
    So per agent-day, sum(handling_s) == sum of handle time of the calls answered."""
    n = len(roster["person"])
    a = np.zeros((n, SLOTS))
    np.add.at(a, (calls_rowid, calls_ans_slot), calls_handle)
    # Lindley recursion for the carry: c_i = max(0, c_{i-1} + a_i - 900)
    s = np.cumsum(a - SLOT_S, axis=1)
    c = s - np.minimum(np.minimum.accumulate(s, axis=1), 0.0)
    c_prev = np.concatenate([np.zeros((n, 1)), c[:, :-1]], axis=1)
    handling = a + c_prev - c
    handling = np.clip(handling, 0.0, SLOT_S)
    staffed = np.maximum(roster["staffed"] * float(SLOT_S), handling)
    aux = np.minimum(roster["aux"], staffed - handling)
    avail = staffed - handling - aux
    return staffed, handling, avail, c[:, -1]
