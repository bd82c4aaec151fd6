"""The HR simulation: people, careers and attrition, week by week.

Starts from a fully staffed organisation at ``history_start`` (people hired over the
years before, with a plausible career history) and runs weekly steps to the end of
the period: exits by a hazard model with the true drivers of ``ATTRITION_DRIVERS``,
vacancies filled top-down (internal promotion or lateral move when a seat opens,
external hires for agent seats), quarterly star reviews, promotions to senior CSR
within a quota (so strong CSRs may stall), rare demotions and team changes.

Protected attributes (gender, birth year, marital status) are drawn independently of
everything else and are never read by the hazard, so they cannot influence attrition.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from . import config as C

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉婷慧健斌宇浩凯倩晨欣雪琳颖佳怡悦婧雯博文轩然睿涵梓俊嘉琪"
)
EDUCATION = ("high_school", "vocational", "associate", "bachelor", "master")
EDU_P = (0.08, 0.22, 0.38, 0.29, 0.03)

LEADER_ROLES = ("team_leader", "supervisor", "operations_manager")


class Person:
    __slots__ = (
        "id",
        "name",
        "center",
        "team",
        "role",
        "star",
        "hire",
        "exit",
        "exit_type",
        "exit_reason",
        "band",
        "shift",
        "edu",
        "commute",
        "gender",
        "birth_year",
        "marital",
        "perf",
        "eng",
        "role_since",
        "leaky",
        "hist",
        "stalled_since",
    )

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


class HR:
    def __init__(self, scale: dict, rng: np.random.Generator):
        self.s = scale
        self.rng = rng
        self.people: list[Person] = []
        self.events: list[tuple] = []
        self.seq = {c[0]: 0 for c in C.CENTERS}
        self.teams = scale["teams"]  # (team, center, queue, seats)
        self.team_queue = {t[0]: t[2] for t in self.teams}
        self.team_center = {t[0]: t[1] for t in self.teams}
        self.team_seats = {t[0]: t[3] for t in self.teams}
        self.team_kind = {t[0]: C.QUEUE_KIND[t[2]] for t in self.teams}

    # --- people ------------------------------------------------------------------------
    def _new_person(self, center: str, role: str, team: str | None, hire: dt.date, ref: dt.date) -> Person:
        r = self.rng
        self.seq[center] += 1
        pid = f"{center}{self.seq[center]:05d}"
        name = SURNAMES[r.integers(len(SURNAMES))] + "".join(
            GIVEN[i] for i in r.integers(len(GIVEN), size=int(r.integers(1, 3)))
        )
        # Age at the reference date drawn independently of tenure (so age does not proxy
        # tenure); only the physical constraint "at least 19 at hire" is applied.
        age = int(np.clip(r.normal(29, 6), 20, 52))
        birth = ref.year - age
        birth = min(birth, hire.year - 19)
        p_married = 1 / (1 + math.exp(-(ref.year - birth - 29) / 3))
        marital = "married" if r.random() < p_married else ("divorced" if r.random() < 0.04 else "single")
        phone = role in C.PHONE_ROLES
        shift = r.choice(["day", "rotating", "split"], p=[0.60, 0.28, 0.12]) if phone else "day"
        p = Person(
            id=pid,
            name=name,
            center=center,
            team=team,
            role=role,
            star=None,
            hire=hire,
            exit=None,
            exit_type=None,
            exit_reason=None,
            band=self._band(role),
            shift=str(shift),
            edu=EDUCATION[r.choice(len(EDUCATION), p=EDU_P)],
            commute=float(np.round(r.lognormal(math.log(9), 0.75), 1)),
            gender="female" if r.random() < 0.68 else "male",
            birth_year=birth,
            marital=marital,
            perf=float(r.normal()),
            eng=float(np.clip(r.normal(3.55, 0.55), 1.5, 5.0)),
            role_since=hire,
            leaky=False,
            hist=[],
            stalled_since=None,
        )
        if role in ("csr", "senior_csr", "outbound_csr", "complaint_specialist"):
            p.star = 0 if role == "csr" else (3 if role == "senior_csr" else 1)
        self.people.append(p)
        return p

    def _band(self, role: str) -> int:
        r = self.rng.random()
        return {
            "csr": 1 if r < 0.45 else 2,
            "outbound_csr": 1 if r < 0.5 else 2,
            "senior_csr": 2 if r < 0.5 else 3,
            "complaint_specialist": 2 if r < 0.6 else 3,
            "team_leader": 3 if r < 0.5 else 4,
            "supervisor": 4,
            "operations_manager": 5,
            "quality_inspector": 3,
            "trainer": 3,
            "wfm_analyst": 3,
        }[role]

    def _event(
        self,
        p: Person,
        d: dt.date,
        etype: str,
        from_role=None,
        to_role=None,
        from_team=None,
        to_team=None,
        from_star=None,
        to_star=None,
        reason=None,
    ):
        self.events.append((p.id, d, etype, from_role, to_role, from_team, to_team, from_star, to_star, reason))

    def _set(self, p: Person, d: dt.date, role: str, team: str | None, etype: str, reason: str):
        """Change role and/or team, record the event and the history segment."""
        if role != p.role:
            if role in LEADER_ROLES or role in ("quality_inspector", "trainer", "wfm_analyst"):
                p.shift = "day"
            p.band = max(p.band, self._band(role)) if etype == "promotion" else p.band
            if role == "senior_csr":
                p.star = max(p.star or 0, 3)
            elif role not in C.PHONE_ROLES:
                p.star = None
            elif p.star is None:
                p.star = 1
            p.role_since = d
            p.stalled_since = None
        self._event(p, d, etype, p.role, role, p.team, team, reason=reason)
        p.role, p.team = role, team
        p.hist.append((d, role, team))

    def _hire(self, center, role, team, d, reason="external hire", first_role=None):
        p = self._new_person(center, first_role or role, team, d, d)
        self._event(p, d, "hire", None, p.role, None, team, None, p.star, reason)
        p.hist.append((d, p.role, team))
        if first_role and first_role != role:  # experienced hire straight into a role
            self._set(p, d, role, team, "promotion", "experienced hire")
        return p

    # --- initial organisation --------------------------------------------------------------
    def _initial(self, center, role, team, start):
        """Somebody employed at ``start`` with a career history before it."""
        r = self.rng
        min_years = {
            "csr": 0.1,
            "outbound_csr": 0.3,
            "senior_csr": 1.5,
            "complaint_specialist": 1.5,
            "team_leader": 2.5,
            "supervisor": 4.5,
            "operations_manager": 6.5,
            "quality_inspector": 1.5,
            "trainer": 2.0,
            "wfm_analyst": 1.0,
        }[role]
        years = min_years + min(r.exponential(2.2), 11.0)
        hire = start - dt.timedelta(days=int(years * 365))
        first = "outbound_csr" if role == "outbound_csr" else "csr"
        p = self._new_person(center, first, team if first == role else self._any_general_team(center), hire, start)
        self._event(p, hire, "hire", None, first, None, p.team, None, p.star, "external hire")
        p.hist.append((hire, first, p.team))
        ladder = {
            "senior_csr": ["senior_csr"],
            "team_leader": ["senior_csr", "team_leader"],
            "supervisor": ["senior_csr", "team_leader", "supervisor"],
            "operations_manager": ["senior_csr", "team_leader", "supervisor", "operations_manager"],
            "complaint_specialist": ["senior_csr", "complaint_specialist"],
            "quality_inspector": ["quality_inspector"],
            "trainer": ["senior_csr", "trainer"],
            "wfm_analyst": ["wfm_analyst"],
        }.get(role, [])
        span = (start - hire).days
        for k, step in enumerate(ladder):
            d = hire + dt.timedelta(days=int(span * (k + 1) / (len(ladder) + 1)))
            lateral = step in ("complaint_specialist", "quality_inspector", "trainer", "wfm_analyst")
            to_team = team if step == role else p.team
            self._set(
                p,
                d,
                step,
                to_team,
                "lateral_move" if lateral else "promotion",
                "internal move" if lateral else "promotion",
            )
        if p.role in ("csr", "senior_csr"):
            base = 0 if p.role == "csr" else 3
            top = 3 if p.role == "csr" else 5
            target = min(top, base + int(r.integers(0, int(years) + 1)))
            if target != p.star:
                self._event(
                    p,
                    start - dt.timedelta(days=int(r.integers(1, 90))),
                    "star_change",
                    from_star=p.star,
                    to_star=target,
                    reason="quarterly review",
                )
                p.star = target
        p.perf += 0.25 * min(years, 4)  # survivors and promoted people perform better
        return p

    def _any_general_team(self, center):
        ts = [t for t in self.teams if t[1] == center and self.team_kind[t[0]] == "general"]
        return ts[int(self.rng.integers(len(ts)))][0]

    # --- the simulation --------------------------------------------------------------------
    def run(self, progress=None):
        s, r = self.s, self.rng
        start, end = s["history_start"], s["end"]
        for team, center, queue, seats in self.teams:
            kind = self.team_kind[team]
            self._initial(center, "team_leader", team, start)
            for _ in range(seats):
                self._initial(center, C.AGENT_ROLE[kind], team, start)
        for center, staff in s["center_staff"].items():
            for role, n in staff.items():
                for _ in range(n):
                    self._initial(center, role, None, start)
        # Two "leaky" team leaders whose teams lose more people (stay throughout).
        tls = [p for p in self.people if p.role == "team_leader" and self.team_kind[p.team] == "general"]
        for i in r.choice(len(tls), size=min(2, len(tls)), replace=False):
            tls[int(i)].leaky = True

        d0 = start - dt.timedelta(days=start.weekday())
        weeks = (end - d0).days // 7 + 1
        for w in range(weeks):
            wk = d0 + dt.timedelta(days=7 * w)
            self._exits(wk, end)
            self._fill(wk, end)
            if any(
                (wk + dt.timedelta(days=k)).day == 1 and (wk + dt.timedelta(days=k)).month in (1, 4, 7, 10)
                for k in range(7)
            ):
                self._reviews(wk, end)
            self._moves(wk, end)
            if progress and w % 40 == 0:
                progress(w / weeks, "simulating careers")
        return self

    def active(self, d: dt.date):
        return [p for p in self.people if p.hire <= d and (p.exit is None or p.exit >= d)]

    def _leader_of(self, team, d):
        for p in self._act:
            if p.role == "team_leader" and p.team == team:
                return p
        return None

    def hazard_terms(self, p: Person, d: dt.date, leaky_teams: set) -> dict:
        """Which attrition drivers apply to an agent on day d (names of ATTRITION_DRIVERS)."""
        t = (d - p.hire).days
        on = {}
        if t < 90:
            on["tenure_0_90d"] = 1
        elif t < 365:
            on["tenure_90_365d"] = 1
        elif t > 3 * 365:
            on["tenure_over_3y"] = 1
        if p.band == 1:
            on["pay_band_low"] = 1
        if p.shift == "rotating":
            on["shift_rotating"] = 1
        elif p.shift == "split":
            on["shift_split"] = 1
        if p.role == "csr" and (d - p.role_since).days >= 540 and p.perf >= 0.25:
            on["stalled_promotion"] = 1
        if p.team and self.team_queue.get(p.team) in C.HIGH_OCCUPANCY_QUEUES:
            on["high_occupancy"] = 1
        if p.eng < 3.0:
            on["low_engagement"] = 1
        if p.team in leaky_teams:
            on["leaky_team_leader"] = 1
        if p.commute > 25:
            on["long_commute"] = 1
        return on

    def _exits(self, wk, end):
        r = self.rng
        act = [p for p in self.people if p.hire <= wk and p.exit is None]
        self._act = act
        leaky_teams = {p.team for p in act if p.role == "team_leader" and p.leaky}
        u = r.random((len(act), 3))
        for i, p in enumerate(act):
            if p.role in C.PHONE_ROLES:
                on = self.hazard_terms(p, wk, leaky_teams)
                hv = C.BASE_WEEKLY_VOLUNTARY
                for k in on:
                    hv *= C.ATTRITION_DRIVERS[k]
                tenure = (wk - p.hire).days
                hi = C.BASE_WEEKLY_INVOLUNTARY * (4.0 if p.perf < -1 else (1.5 if p.perf < 0 else 0.35))
                if tenure < 90:
                    hi *= 2.0
            else:
                if p.leaky:
                    continue
                on = {}
                hv, hi = C.LEADER_WEEKLY_HAZARD, C.LEADER_WEEKLY_HAZARD * 0.2 * (3 if p.perf < -0.5 else 1)
            if u[i, 0] < hv + hi:
                voluntary = u[i, 1] < hv / (hv + hi)
                d = wk + dt.timedelta(days=int(u[i, 2] * 7))
                if d > end or d < p.hire:
                    continue
                p.exit, p.exit_type = d, "voluntary" if voluntary else "involuntary"
                p.exit_reason = self._reason(p, on, voluntary, (d - p.hire).days)
                self._event(p, d, "exit", p.role, None, p.team, None, p.star, None, p.exit_reason)

    def _reason(self, p, on, voluntary, tenure):
        r = self.rng
        if not voluntary:
            if tenure < 90:
                return "probation_failed" if r.random() < 0.7 else "performance"
            return "performance" if r.random() < 0.8 else "misconduct"
        w = {
            "pay": 0.5 + 2.0 * ("pay_band_low" in on),
            "schedule": 0.4 + 1.5 * ("shift_rotating" in on or "shift_split" in on),
            "no_promotion": 0.2 + 2.5 * ("stalled_promotion" in on),
            "workload": 0.4 + 1.2 * ("high_occupancy" in on) + 0.8 * ("low_engagement" in on),
            "leader": 0.15 + 2.5 * ("leaky_team_leader" in on),
            "commute": 0.15 + 1.0 * ("long_commute" in on),
            "personal": 1.0,
            "study": 0.3,
            "relocation": 0.3,
        }
        keys = list(w)
        pr = np.array([w[k] for k in keys])
        return keys[int(r.choice(len(keys), p=pr / pr.sum()))]

    def _day_in_week(self, wk, end):
        d = wk + dt.timedelta(days=int(self.rng.integers(0, 5)))
        return min(d, end)

    def _count(self, act, center, role, team="*"):
        return [
            p
            for p in act
            if p.center == center and p.role == role and (team == "*" or p.team == team) and p.exit is None
        ]

    def _best(self, cands, noise=1.0):
        if not cands:
            return None
        sc = [p.perf + noise * float(self.rng.normal()) for p in cands]
        return cands[int(np.argmax(sc))]

    def _fill(self, wk, end):
        r = self.rng
        act = [p for p in self.people if p.hire <= wk + dt.timedelta(days=6) and p.exit is None]
        d = self._day_in_week(wk, end)
        if d < wk:
            return
        for center, staff in self.s["center_staff"].items():
            # ops manager <- supervisor <- team leader
            for role, src in (("operations_manager", "supervisor"), ("supervisor", "team_leader")):
                need = staff.get(role, 0) - len(self._count(act, center, role))
                for _ in range(max(0, need)):
                    if r.random() < 0.5:
                        continue
                    c = self._best(
                        [p for p in self._count(act, center, src) if not p.leaky and (d - p.role_since).days > 365]
                    )
                    if c is not None:
                        self._set(c, d, role, None, "promotion", "seat opened")
                    else:
                        act.append(self._hire(center, role, None, d, first_role="csr"))
            for role in ("quality_inspector", "trainer", "wfm_analyst"):
                need = staff.get(role, 0) - len(self._count(act, center, role))
                for _ in range(max(0, need)):
                    if r.random() < 0.5:
                        continue
                    pool = [
                        p
                        for p in act
                        if p.center == center
                        and p.role in ("senior_csr", "csr")
                        and p.exit is None
                        and (d - p.hire).days > 365
                    ]
                    c = self._best(pool) if r.random() < 0.6 else None
                    if c is not None:
                        self._set(c, d, role, None, "lateral_move", "internal move")
                    else:
                        act.append(self._hire(center, role, None, d))
        for team, center, queue, seats in self.teams:
            kind = self.team_kind[team]
            # team leader seat <- best senior CSR of the center
            if not self._count(act, center, "team_leader", team) and r.random() < 0.6:
                pool = [
                    p
                    for p in act
                    if p.center == center
                    and p.role == "senior_csr"
                    and p.exit is None
                    and (d - p.role_since).days > 180
                ]
                c = self._best(pool)
                if c is not None:
                    self._set(c, d, "team_leader", team, "promotion", "seat opened")
                else:
                    act.append(self._hire(center, "team_leader", team, d, first_role="csr"))
        for team, center, queue, seats in self.teams:
            kind = self.team_kind[team]
            role = C.AGENT_ROLE[kind]
            members = [p for p in act if p.team == team and p.role in C.PHONE_ROLES and p.exit is None]
            for _ in range(max(0, seats - len(members))):
                if r.random() < 0.45:
                    continue  # hiring lag
                c = None
                if kind == "spec":
                    pool = [
                        p
                        for p in act
                        if p.center == center
                        and p.role == "senior_csr"
                        and p.exit is None
                        and self.team_kind.get(p.team) == "general"
                    ]
                    c = self._best(pool)
                    if c is not None:
                        self._set(c, d, "senior_csr", team, "team_change", "moved to the specialist line")
                elif kind == "cmp" and r.random() < 0.5:
                    pool = [p for p in act if p.center == center and p.role == "senior_csr" and p.exit is None]
                    c = self._best(pool)
                    if c is not None:
                        self._set(c, d, role, team, "lateral_move", "moved to the complaints line")
                elif kind == "out" and r.random() < 0.3:
                    pool = [
                        p
                        for p in act
                        if p.center == center and p.role == "csr" and p.exit is None and (d - p.hire).days > 180
                    ]
                    c = self._best(pool)
                    if c is not None:
                        self._set(c, d, role, team, "lateral_move", "inbound to outbound")
                if c is None:
                    first = "csr" if role in ("senior_csr", "complaint_specialist") else role
                    act.append(self._hire(center, role, team, d, first_role=first if first != role else None))

    def _reviews(self, wk, end):
        """Quarterly star review and promotions csr -> senior_csr within a quota."""
        r = self.rng
        d = self._day_in_week(wk, end)
        act = [p for p in self.people if p.hire <= wk and p.exit is None]
        for p in act:
            if p.role not in ("csr", "senior_csr") or (d - p.role_since).days < 120:
                continue
            top = 3 if p.role == "csr" else 5
            lo = 0 if p.role == "csr" else 3
            up = 0.35 / (1 + math.exp(-1.5 * p.perf))
            down = 0.12 if p.perf < -1 else 0.01
            u = r.random()
            new = p.star
            if u < up and p.star < top:
                new = p.star + 1
            elif u > 1 - down and p.star > lo:
                new = p.star - 1
            if new != p.star:
                self._event(p, d, "star_change", p.role, p.role, p.team, p.team, p.star, new, "quarterly review")
                p.star = new
                if new >= 2 and p.band == 1 and r.random() < 0.4:
                    p.band = 2
        # promotions csr -> senior_csr: seniors at most 25 % of a general team
        for team, center, queue, seats in self.teams:
            if self.team_kind[team] != "general":
                continue
            members = [p for p in act if p.team == team and p.exit is None]
            room = int(0.25 * seats) - sum(p.role == "senior_csr" for p in members)
            cands = [p for p in members if p.role == "csr" and p.star >= 3 and (d - p.hire).days > 365]
            while room > 0 and cands:
                c = self._best(cands, noise=1.2)  # "promotion by connections": noisy
                cands.remove(c)
                self._set(c, d, "senior_csr", team, "promotion", "star promotion")
                c.band = max(c.band, 2)
                room -= 1

    def _moves(self, wk, end):
        """Rare team changes and demotions."""
        r = self.rng
        d = self._day_in_week(wk, end)
        act = [p for p in self.people if p.hire <= wk and p.exit is None]
        for p in act:
            u = r.random()
            if p.role in ("csr", "senior_csr") and self.team_kind.get(p.team) == "general" and u < 0.0009:
                others = [
                    t for t in self.teams if t[1] == p.center and t[0] != p.team and self.team_kind[t[0]] == "general"
                ]
                if others:
                    t = others[int(r.integers(len(others)))][0]
                    self._set(p, d, p.role, t, "team_change", "rebalancing")
            elif p.role == "team_leader" and not p.leaky and p.perf < 0 and u < 0.0007:
                t = self._any_general_team(p.center)
                self._set(p, d, "senior_csr", t, "demotion", "performance")
            elif p.role == "senior_csr" and p.perf < -1.2 and u < 0.002:
                self._set(p, d, "csr", p.team, "demotion", "performance")
                p.star = 2
