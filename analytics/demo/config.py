"""Parameters of the synthetic demo data: centers, queues, teams, scales and the true
effects the generator plants (attrition drivers, service-time distributions).

Everything the generator does is driven from here so that analyses can be checked
against the truth: e.g. an attrition model fitted on the demo data should recover
roughly the hazard ratios in ``ATTRITION_DRIVERS``.
"""

from __future__ import annotations

import datetime as dt

TZ = "Asia/Shanghai"

CENTERS = [
    # center, name_zh, name_en, timezone
    ("SH", "上海 12366 纳税服务中心", "Shanghai 12366 tax service center", TZ),
    ("HZ", "杭州 12366 纳税服务中心", "Hangzhou 12366 tax service center", TZ),
]

# queue, center, name_zh, name_en, direction, kind
#   kind: general (common + complex issues; complex ones over 5 min go to the specialist
#   line), spec (问题专线), cmp (投诉专线), out (outbound callbacks)
QUEUES = [
    ("SH-TAX", "SH", "纳税申报咨询", "Tax filing help", "inbound", "general"),
    ("SH-INV", "SH", "发票业务", "Invoices", "inbound", "general"),
    ("SH-TECH", "SH", "技术支持", "Technical support", "inbound", "general"),
    ("SH-CMP", "SH", "投诉专线", "Complaints line", "inbound", "cmp"),
    ("SH-SPEC", "SH", "问题专线", "Specialist line (non-common issues)", "inbound", "spec"),
    ("SH-OUT", "SH", "外呼回访", "Outbound callbacks", "outbound", "out"),
    ("HZ-TAX", "HZ", "纳税申报咨询", "Tax filing help", "inbound", "general"),
    ("HZ-INV", "HZ", "发票业务", "Invoices", "inbound", "general"),
    ("HZ-SPEC", "HZ", "问题专线", "Specialist line (non-common issues)", "inbound", "spec"),
]
QUEUE_KIND = {q[0]: q[5] for q in QUEUES}
QUEUE_CENTER = {q[0]: q[1] for q in QUEUES}
SPEC_QUEUE = {"SH": "SH-SPEC", "HZ": "HZ-SPEC"}
SERVICE_LEVEL_SECONDS = 20
SERVICE_LEVEL_TARGET = 0.8

# Role of the agents that staff a team of each queue kind.
AGENT_ROLE = {"general": "csr", "spec": "senior_csr", "cmp": "complaint_specialist", "out": "outbound_csr"}
PHONE_ROLES = ("csr", "senior_csr", "complaint_specialist", "outbound_csr")
CENTER_ROLES = ("supervisor", "operations_manager", "quality_inspector", "trainer", "wfm_analyst")

# Share of complex (non-common) calls and talk-time distributions (lognormal: median s, sigma of log).
COMPLEX_SHARE = {
    "SH-TAX": 0.12,
    "SH-INV": 0.10,
    "SH-TECH": 0.22,
    "SH-CMP": 0.6,
    "HZ-TAX": 0.12,
    "HZ-INV": 0.10,
    "SH-SPEC": 1.0,
    "HZ-SPEC": 1.0,
    "SH-OUT": 0.0,
}
TALK_COMMON = (112.0, 0.85, 1800.0)  # median, sigma, cap (s)
TALK_COMPLEX = (300.0, 0.70, 2700.0)
TALK_SPEC = (330.0, 0.60, 3000.0)
TALK_OUT = (150.0, 0.60, 1200.0)
HOLD_SHARE = {"common": 0.15, "complex": 0.40}
HOLD = (35.0, 0.7, 600.0)
ACW = (15.0, 60.0)  # uniform
TRANSFER_AT = 300.0  # a non-common issue past 5 min goes to the specialist line
PATIENCE = (80.0, 0.8)  # lognormal caller patience: median 80 s, mean ~110 s
SHORT_ABANDON_SHARE = 0.03  # callers who hang up within 1-6 s whatever happens
NEW_AGENT_SLOWDOWN = 0.35  # +35 % handle time right after training, fading to 0 at 90 days
TRAINING_DAYS = 14  # no calls in the first two weeks after hire

# Base weekday volume (days 16-end, Wednesday) per queue, as calls per agent seat of the
# queue's teams. Tuned so that answered calls per agent-day land around 55-75 and the
# answer rate around 90 %; the TAX queues are deliberately staffed tighter (higher load).
LOAD_PER_SEAT = {"general": 41.0, "spec": 0.0, "cmp": 25.0}
LOAD_QUEUE_FACTOR = {"SH-TAX": 1.08, "HZ-TAX": 1.08, "SH-INV": 0.97, "HZ-INV": 0.97, "SH-TECH": 0.92}
SPEC_DIRECT_PER_SEAT = 5.0  # direct callers to the specialist line per seat and day
HIGH_OCCUPANCY_QUEUES = ("SH-TAX", "HZ-TAX")  # staffed tight: the "high occupancy" attrition driver

# --- attrition: the true effects ----------------------------------------------------------
# Hazard ratios applied multiplicatively to the weekly VOLUNTARY exit hazard of agents
# (csr, senior_csr, outbound_csr, complaint_specialist). A fitted attrition model should
# recover roughly these. Protected attributes (gender, birth_year, marital_status) have
# NO effect (ratio 1.0 by construction: they are drawn independently and never read).
ATTRITION_DRIVERS = {
    "tenure_0_90d": 2.6,  # first 90 days vs. the 1-3 year reference
    "tenure_90_365d": 1.35,
    "tenure_over_3y": 0.65,
    "pay_band_low": 1.6,  # pay band 1 vs. 2 and above
    "shift_rotating": 1.35,  # vs. day shift
    "shift_split": 1.5,
    "stalled_promotion": 1.8,  # csr >= 18 months in the role with top-40 % performance
    "high_occupancy": 1.3,  # member of a team on a tightly staffed queue (HIGH_OCCUPANCY_QUEUES)
    "low_engagement": 1.9,  # baseline engagement < 3.0 (of 5)
    "leaky_team_leader": 1.7,  # team led by one of the two "leaky" team leaders
    "long_commute": 1.15,  # commute > 25 km
}
# Baseline weekly voluntary hazard at the reference (1-3 years, no driver), calibrated so
# that annual CSR turnover lands around 40 % with ~80 % voluntary.
BASE_WEEKLY_VOLUNTARY = 0.0029
# Involuntary exits: mostly poor performers (latent performance z < -1 -> x4), higher in probation.
BASE_WEEKLY_INVOLUNTARY = 0.0011
# Roles above agents leave far less.
LEADER_WEEKLY_HAZARD = 0.0022

VOLUNTARY_REASONS = (
    "pay",
    "schedule",
    "no_promotion",
    "workload",
    "leader",
    "commute",
    "personal",
    "study",
    "relocation",
)
INVOLUNTARY_REASONS = ("performance", "misconduct", "probation_failed")


def _teams(spec):
    out = []
    for center, items in spec.items():
        n = 0
        for queue, seats, count in items:
            for _ in range(count):
                n += 1
                out.append((f"{center}-T{n:02d}", center, queue, seats))
    return out


SCALES = {
    "small": {
        "start": dt.date(2026, 7, 1),
        "end": dt.date(2026, 10, 31),
        "history_start": dt.date(2024, 1, 1),
        # team code, center, queue, agent seats
        "teams": _teams(
            {
                "SH": [
                    ("SH-TAX", 11, 1),
                    ("SH-INV", 7, 1),
                    ("SH-TECH", 5, 1),
                    ("SH-SPEC", 4, 1),
                    ("SH-CMP", 3, 1),
                    ("SH-OUT", 3, 1),
                ],
                "HZ": [("HZ-TAX", 8, 1), ("HZ-INV", 5, 1), ("HZ-SPEC", 3, 1)],
            }
        ),
        "center_staff": {
            "SH": {"supervisor": 1, "operations_manager": 1, "quality_inspector": 2, "trainer": 1, "wfm_analyst": 1},
            "HZ": {"supervisor": 1, "quality_inspector": 1},
        },
        # small teams pool badly: the planners staff them with more slack (lower load)
        # (and route all general queues of a center to one pool of agents)
        "qa_per_day": 60,
        "workers": 1,
        "load": 1.2,
        "pool_general": True,
    },
    "default": {
        "start": dt.date(2025, 8, 1),
        "end": dt.date(2026, 10, 31),
        "history_start": dt.date(2021, 1, 1),
        "teams": _teams(
            {
                "SH": [
                    ("SH-TAX", 18, 2),
                    ("SH-INV", 18, 2),
                    ("SH-TECH", 16, 1),
                    ("SH-SPEC", 12, 1),
                    ("SH-CMP", 7, 1),
                    ("SH-OUT", 8, 1),
                ],
                "HZ": [("HZ-TAX", 18, 2), ("HZ-INV", 18, 1), ("HZ-SPEC", 8, 1)],
            }
        ),
        "center_staff": {
            "SH": {"supervisor": 2, "operations_manager": 1, "quality_inspector": 3, "trainer": 3, "wfm_analyst": 2},
            "HZ": {"supervisor": 1, "operations_manager": 1, "quality_inspector": 2, "trainer": 1, "wfm_analyst": 1},
        },
        "qa_per_day": 60,
        "workers": 2,
        "load": 1.0,
    },
    # Written straight into a lake region by region (analytics.demo.large): region 1 is the
    # default dataset, regions 2.. are the default scale with their own seeds and renamed
    # codes. 17 regions of ~3.08 M calls = ~52 M calls.
    "large": {"base": "default", "regions": 17},
}
