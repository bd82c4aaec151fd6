"""QA evaluations, complaints and monthly appraisals, derived from the simulated
people, rosters and calls so that all tables tell the same story."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import workdays
from . import config as C
from .columns import bool_col, date_col, empty_frame, frame, int_col, str_col, ts_col
from .hr import HR

HOUR = 3600.0
CENTERS = [c[0] for c in C.CENTERS]


@dataclass
class Context:
    hr: HR
    days: list
    day_us: np.ndarray
    roster: dict
    calls: dict
    scale: dict
    rng: np.random.Generator
    # filled while building the calls table
    answered: np.ndarray = None
    arr_us: np.ndarray = None
    ans_us: np.ndarray = None
    end_us: np.ndarray = None
    call_ids: np.ndarray = None
    call_person: np.ndarray = None
    wait: np.ndarray = None
    csat: np.ndarray = None
    handle: np.ndarray = None
    intervals: tuple = None
    qa: pd.DataFrame = None
    complaints_df: pd.DataFrame = None
    cache: dict = field(default_factory=dict)


def _state(p, d):
    """(role, team) of a person on day d, or None when not employed."""
    if d < p.hire or (p.exit is not None and d > p.exit):
        return None
    cur = None
    for h in p.hist:
        if h[0] <= d:
            cur = h
        else:
            break
    return None if cur is None else (cur[1], cur[2])


def _utc_us(x: Context, local_date: dt.date, seconds: float) -> int:
    # Asia/Shanghai has no DST: local midnight in UTC + seconds
    di = (local_date - x.days[0]).days
    if 0 <= di < len(x.days):
        base = int(x.day_us[di])
    else:
        base = int(x.day_us[0]) + di * 86_400_000_000
    return base + int(round(seconds * 1e6))


def _to_local(x: Context, us: int) -> tuple[dt.date, float]:
    rel = (us - int(x.day_us[0])) / 1e6
    di = int(rel // 86400)
    return x.days[0] + dt.timedelta(days=di), rel - di * 86400


def add_workdays_local(x: Context, us: int, n: int) -> int:
    """Move a UTC instant forward by n working days (Chinese calendar), same local clock
    time; an instant on a day off first moves to the next working day at 09:00."""
    d, sec = _to_local(x, us)
    if not workdays.is_workday(d):
        while not workdays.is_workday(d):
            d += dt.timedelta(days=1)
        sec = 9 * HOUR
    k = 0
    while k < n:
        d += dt.timedelta(days=1)
        if workdays.is_workday(d):
            k += 1
    return _utc_us(x, d, sec)


# --- QA ------------------------------------------------------------------------------------
def qa_evaluations(x: Context) -> pd.DataFrame:
    rng = x.rng
    hr, cl = x.hr, x.calls
    ans = np.flatnonzero(x.answered & (x.call_person >= 0))
    day = cl["day"][ans]
    qcenter = np.array([CENTERS.index(q[1]) for q in C.QUEUES])
    center = qcenter[cl["queue"][ans].astype(int)]
    rowid = cl["agent"][ans]
    tenure = x.roster["tenure"][rowid]
    is_out = np.array([q[4] == "outbound" for q in C.QUEUES])[cl["queue"][ans].astype(int)]
    order = np.lexsort((center, day))
    ans, day, center, rowid, tenure, is_out = (a[order] for a in (ans, day, center, rowid, tenure, is_out))
    key = day.astype(np.int64) * 10 + center
    bounds = np.flatnonzero(np.r_[True, key[1:] != key[:-1], True])
    inspectors = [p for p in hr.people if any(h[1] == "quality_inspector" for h in p.hist)]
    rows = []
    for b0, b1 in zip(bounds[:-1], bounds[1:]):
        di, ci = int(day[b0]), int(center[b0])
        d = x.days[di]
        if not workdays.is_workday(d):
            continue
        insp = [
            p
            for p in inspectors
            if p.center == CENTERS[ci] and (_state(p, d) or ("",))[0] == "quality_inspector" and (d - p.hire).days >= 14
        ]
        if not insp:
            continue
        m = min(b1 - b0, int(len(insp) * x.scale["qa_per_day"] * rng.uniform(0.9, 1.1)))
        w = np.where(tenure[b0:b1] < 45, 4.0, 1.0)
        pick = b0 + rng.choice(b1 - b0, size=m, replace=False, p=w / w.sum())
        who = rng.integers(len(insp), size=m)
        for j, k in enumerate(pick.tolist()):
            rows.append((k, insp[int(who[j])].id, di, ci))
    if not rows:
        x.qa = empty_frame("qa_evaluations")
        return x.qa
    k = np.array([r[0] for r in rows])
    call = ans[k]
    ten = tenure[k]
    person = x.call_person[call]
    perf = np.array([p.perf for p in hr.people])[person]
    n = len(k)
    score = 85 + 3.0 * perf - np.where(ten < 30, 11, np.where(ten < 90, 5, 0)) + rng.normal(0, 5.5, n)
    score = np.round(np.clip(score, 35, 100), 1)
    grade = np.where(score >= 85, "good", np.where(score >= 70, "medium", "poor"))
    u = rng.random(n)
    method = np.where(
        is_out[k] & (u < 0.5),
        "sales_review",
        np.where((ten < 45) & (u < 0.4), "side_by_side", np.where(u > 0.85, "realtime", "sampled")),
    )
    realtime = method == "realtime"
    end_us = x.end_us[call] + (np.nan_to_num(x.calls["acw"][call]) * 1e6).astype(np.int64)
    delay = np.where(realtime, 0, (rng.uniform(0.3, 26, n) * HOUR * 1e6)).astype(np.int64)
    ev_us = end_us + delay
    ev_ids = [f"QA-{CENTERS[r[3]]}-{x.days[r[2]]:%Y%m%d}-{i:05d}" for i, r in enumerate(rows)]
    # order by time for readability
    emp_ids = np.array([p.id for p in hr.people], dtype=object)
    df = frame(
        "qa_evaluations",
        {
            "evaluation_id": str_col(ev_ids),
            "call_id": str_col(x.call_ids[call]),
            "agent_id": str_col(emp_ids[person]),
            "evaluator_id": str_col([r[1] for r in rows]),
            "evaluated_at": ts_col(ev_us),
            "method": str_col(method),
            "score": pd.Series(score.astype(float)),
            "grade": str_col(grade),
        },
    )
    x.qa = df
    x.cache["qa_person"] = person
    x.cache["qa_month"] = np.array([x.days[r[2]].year * 12 + x.days[r[2]].month - 1 for r in rows])
    return df


# --- complaints ----------------------------------------------------------------------------
CAUSES = ("long_wait", "attitude", "wrong_answer", "system_fault", "policy", "transfer_loop")
CATEGORY_OF = {
    "long_wait": "service_access",
    "attitude": "service_attitude",
    "wrong_answer": "service_quality",
    "system_fault": "system",
    "policy": "tax_policy",
    "transfer_loop": "service_access",
}
P_VALID = {
    "long_wait": 0.7,
    "attitude": 0.72,
    "wrong_answer": 0.72,
    "system_fault": 0.55,
    "policy": 0.2,
    "transfer_loop": 0.6,
}


def complaints(x: Context) -> pd.DataFrame:
    rng = x.rng
    cl, hr = x.calls, x.hr
    n_calls = len(cl["arr"])
    total = int(round(n_calls * rng.uniform(4.5, 5.5) / 10000))
    level = rng.choice([1, 2, 3], size=total, p=[0.85, 0.12, 0.03])
    chan_p = {1: [0.8, 0.12, 0.06, 0.02], 2: [0.55, 0.1, 0.25, 0.1], 3: [0.3, 0.0, 0.3, 0.4]}
    channel = np.array([rng.choice(4, p=chan_p[int(lv)]) for lv in level])
    channel = np.array(["phone", "on_site", "letter", "media"])[channel]
    phone = channel == "phone"
    # phone complaints point at an answered inbound call; poor service attracts them
    cand = np.flatnonzero(
        x.answered & (x.call_person >= 0) & np.array([q[4] == "inbound" for q in C.QUEUES])[cl["queue"].astype(int)]
    )
    wait = np.nan_to_num(x.wait[cand])
    person_perf = np.array([p.perf for p in hr.people])[x.call_person[cand]]
    tenure = x.roster["tenure"][cl["agent"][cand]]
    w = (
        1
        + 4 * np.clip(wait / 120, 0, 2)
        + 1.5 * cl["trans"][cand]
        + 0.8 * (person_perf < -0.8)
        + 0.8 * (tenure < 60)
        + 1.0 * (x.csat[cand] == 1)
        + 0.6 * (x.csat[cand] == 2)
    )
    n_phone = int(phone.sum())
    pick = cand[rng.choice(len(cand), size=n_phone, replace=False, p=w / w.sum())]
    pick = np.sort(pick)
    ci = np.full(total, -1, np.int64)
    ci[phone] = pick
    # causes from what happened on the call
    cause = np.empty(total, dtype=object)
    for j in range(total):
        if ci[j] >= 0:
            c = ci[j]
            wt = np.array(
                [
                    4.0 * min(x.wait[c] / 60, 3),
                    1.2 + (hr.people[x.call_person[c]].perf < -0.8),
                    1.0 + (x.roster["tenure"][cl["agent"][c]] < 60),
                    0.4,
                    0.6,
                    5.0 * cl["trans"][c] + 0.05,
                ]
            )
        else:
            wt = np.array([0.6, 1.0, 1.0, 0.6, 1.5, 0.3])
        cause[j] = CAUSES[int(rng.choice(6, p=wt / wt.sum()))]
    valid = rng.random(total) < np.array([P_VALID[c] for c in cause])
    # when: phone complaints shortly after the call; others on random working hours
    end_us = int(x.day_us[-1]) + 86_400_000_000
    recv = np.empty(total, np.int64)
    lag = (rng.lognormal(np.log(0.4), 1.0, total) * HOUR * 1e6).astype(np.int64)
    recv[phone] = x.end_us[ci[phone]] + lag[phone]
    other = np.flatnonzero(~phone)
    for j in other.tolist():
        while True:
            d = x.days[int(rng.integers(len(x.days)))]
            if workdays.is_workday(d):
                break
        recv[j] = _utc_us(x, d, rng.uniform(8.5, 17.5) * HOUR)
    center = np.empty(total, dtype=object)
    queue = np.full(total, None, dtype=object)
    agent = np.full(total, None, dtype=object)
    team = np.full(total, None, dtype=object)
    call_id = np.full(total, None, dtype=object)
    qnames = [q[0] for q in C.QUEUES]
    for j in range(total):
        if ci[j] >= 0:
            c = ci[j]
            qn = qnames[int(cl["queue"][c])]
            center[j] = C.QUEUE_CENTER[qn]
            queue[j] = qn
            p = hr.people[x.call_person[c]]
            agent[j] = p.id
            team[j] = x.roster["team"][cl["agent"][c]]
            call_id[j] = x.call_ids[c]
        else:
            center[j] = CENTERS[0] if rng.random() < 0.68 else CENTERS[1]
    # handling times: first response within hours; resolved mostly within 2 working days
    first = recv + (rng.uniform(0.1, 4.0, total) * HOUR * 1e6).astype(np.int64)
    k_days = rng.choice(7, size=total, p=[0.3, 0.38, 0.2, 0.06, 0.03, 0.02, 0.01])
    k_days = k_days + (level == 3) * rng.integers(0, 2, total)
    resolved = np.array([add_workdays_local(x, int(first[j]), int(k_days[j])) for j in range(total)], np.int64)
    resolved = np.maximum(resolved, first + (rng.uniform(0.5, 3, total) * HOUR * 1e6).astype(np.int64))
    callback = resolved + (rng.uniform(2, 30, total) * HOUR * 1e6).astype(np.int64)
    closed = callback + (rng.uniform(0.2, 20, total) * HOUR * 1e6).astype(np.int64)
    # the newest complaints are still open at the end of the data
    valid_first = first < end_us
    valid_res = resolved < end_us
    valid_cb = callback < end_us
    valid_cl = closed < end_us
    keep = recv < end_us
    # repeat complainers: a small pool of frequent callers
    pool = [f"C{int(v):08d}" for v in rng.integers(10**7, 10**8 - 1, max(4, total // 40))]
    cust = [
        pool[int(rng.integers(len(pool)))] if rng.random() < 0.1 else f"C{int(v):08d}"
        for v in rng.integers(10**7, 10**8 - 1, total)
    ]
    o = np.argsort(recv, kind="stable")
    o = o[keep[o]]
    ids = [f"CP-{center[j]}-{i + 1:06d}" for i, j in enumerate(o.tolist())]
    df = frame(
        "complaints",
        {
            "complaint_id": str_col(ids),
            "received_at": ts_col(recv[o]),
            "center": str_col(center[o]),
            "level": int_col(level[o]),
            "channel": str_col(channel[o]),
            "category": str_col([CATEGORY_OF[c] for c in cause[o]]),
            "cause": str_col(cause[o]),
            "queue": str_col(queue[o]),
            "call_id": str_col(call_id[o]),
            "agent_id": str_col(agent[o]),
            "team": str_col(team[o]),
            "customer_id": str_col(np.array(cust, dtype=object)[o]),
            "valid": bool_col(valid[o]),
            "first_response_at": ts_col(first[o], valid_first[o]),
            "resolved_at": ts_col(resolved[o], valid_res[o]),
            "callback_at": ts_col(callback[o], valid_cb[o]),
            "closed_at": ts_col(closed[o], valid_cl[o]),
        },
    )
    x.complaints_df = df
    return df


# --- appraisals ----------------------------------------------------------------------------
def appraisals(x: Context) -> pd.DataFrame:
    rng = x.rng
    hr, cl, r = x.hr, x.calls, x.roster
    days = x.days
    months = sorted({(d.year, d.month) for d in days})
    mindex = {m: i for i, m in enumerate(months)}
    day_m = np.array([mindex[(d.year, d.month)] for d in days])
    npers, nm = len(hr.people), len(months)

    def grid(person, month, weights=None):
        g = np.zeros((npers, nm))
        np.add.at(g, (person, month), 1.0 if weights is None else weights)
        return g

    ans = x.answered & (x.call_person >= 0)
    calls_n = grid(x.call_person[ans], day_m[cl["day"][ans]])
    cs = ans & (x.csat > 0)
    csat_sum = grid(x.call_person[cs], day_m[cl["day"][cs]], x.csat[cs].astype(float))
    csat_n = grid(x.call_person[cs], day_m[cl["day"][cs]])
    sched = grid(r["sched_person"], day_m[r["sched_day"]])
    absent = grid(r["absent_person"], day_m[r["absent_day"]])
    worked = grid(r["person"][~r["tl"]], day_m[r["day"][~r["tl"]]])
    qa_sum = np.zeros((npers, nm))
    qa_n = np.zeros((npers, nm))
    if len(x.qa):
        m0 = months[0][0] * 12 + months[0][1] - 1
        np.add.at(qa_sum, (x.cache["qa_person"], x.cache["qa_month"] - m0), x.qa["score"].to_numpy())
        np.add.at(qa_n, (x.cache["qa_person"], x.cache["qa_month"] - m0), 1.0)
    comp = x.complaints_df
    vc = np.zeros((npers, nm))
    pid_index = {p.id: i for i, p in enumerate(hr.people)}
    if len(comp):
        loc = comp["received_at"].dt.tz_convert(C.TZ)
        sel = comp["valid"].fillna(False).to_numpy(bool) & comp["agent_id"].notna().to_numpy()
        for aid, y, mth in zip(comp["agent_id"][sel], loc.dt.year[sel], loc.dt.month[sel]):
            if (y, mth) in mindex:
                vc[pid_index[aid], mindex[(y, mth)]] += 1
    rows = []
    for pi, p in enumerate(hr.people):
        for mi, (y, mth) in enumerate(months):
            first = dt.date(y, mth, 1)
            last = dt.date(y + (mth == 12), mth % 12 + 1, 1) - dt.timedelta(days=1)
            if p.hire > last or (p.exit is not None and p.exit < first):
                continue
            rows.append((pi, mi))
    P = np.array([a for a, _ in rows])
    M = np.array([b for _, b in rows])
    n = len(rows)
    perf = np.array([p.perf for p in hr.people])[P]
    eng_base = np.array([p.eng for p in hr.people])[P]
    # engagement falls in the months before a voluntary exit (a leading signal)
    months_to_exit = np.full(n, 99)
    for j, (pi, mi) in enumerate(rows):
        p = hr.people[pi]
        if p.exit is not None and p.exit_type == "voluntary":
            months_to_exit[j] = (p.exit.year * 12 + p.exit.month) - (months[mi][0] * 12 + months[mi][1])
    drop = np.select(
        [months_to_exit == 0, months_to_exit == 1, months_to_exit == 2, months_to_exit == 3], [0.9, 0.7, 0.45, 0.2], 0.0
    )
    engagement = np.round(np.clip(eng_base - drop + rng.normal(0, 0.2, n), 1, 5), 1)
    s_ = sched[P, M]
    att = np.where(s_ > 0, 1 - absent[P, M] / np.maximum(s_, 1), np.clip(rng.normal(0.97, 0.02, n), 0.85, 1))
    att = np.round(att, 3)
    late = rng.poisson(np.clip(0.5 - 0.3 * perf, 0.05, None) * np.where(s_ > 0, s_ / 18, 1))
    qa = np.where(qa_n[P, M] > 0, qa_sum[P, M] / np.maximum(qa_n[P, M], 1), np.nan)
    csat = np.where(csat_n[P, M] > 0, csat_sum[P, M] / np.maximum(csat_n[P, M], 1), np.nan)
    calls = calls_n[P, M]
    wd = worked[P, M]
    output = np.where(wd >= 3, np.clip(100 * calls / (70 * np.maximum(wd, 1)), 40, 110), 80 + 6 * perf)
    score = (
        0.35 * output
        + 0.25 * np.nan_to_num(qa, nan=82 + 3 * perf)
        + 0.15 * np.nan_to_num((csat - 1) / 4 * 100, nan=82)
        + 0.15 * (100 * att - 2 * late)
        + 0.10 * (80 + 6 * perf + rng.normal(0, 4, n))
        - 4 * vc[P, M]
        + rng.normal(-2.5, 3.5, n)
    )
    score = np.round(np.clip(score, 0, 100), 1)
    rating = np.where(score >= 90, "A", np.where(score >= 80, "B", np.where(score >= 65, "C", "D")))
    emp = np.array([p.id for p in hr.people], dtype=object)
    return frame(
        "appraisals",
        {
            "employee_id": str_col(emp[P]),
            "month": date_col([dt.date(months[m][0], months[m][1], 1) for m in M]),
            "calls_handled": int_col(calls.astype(int)),
            "attendance_rate": pd.Series(att.astype(float)),
            "late_count": int_col(late),
            "qa_score": pd.Series(np.round(qa, 2)),
            "csat": pd.Series(np.round(csat, 3)),
            "engagement": pd.Series(engagement.astype(float)),
            "valid_complaints": int_col(vc[P, M].astype(int)),
            "score": pd.Series(score.astype(float)),
            "rating": str_col(rating),
        },
    )
