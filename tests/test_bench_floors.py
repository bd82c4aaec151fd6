"""The bench's floors compute real figures: its vectorised Erlang C agrees with the
product's scalar one (an independent implementation), and its month arithmetic is right.
No timing here: speed is measured by bench/run.py, never by a test."""

import numpy as np
import pytest

from analytics import staffing
from bench import floors

CASES = [  # calls in 15 minutes, AHT s, agents staffed
    (100, 300, 40),
    (10, 180, 3),
    (250, 240, 60),
    (55, 420, 20),
    (1, 600, 1),
]


def test_vectorised_erlang_c_matches_the_products_scalar_erlang_c():
    calls = np.array([c[0] for c in CASES], float)
    aht = np.array([c[1] for c in CASES], float)
    staffed = np.array([c[2] for c in CASES], float)
    required, at_staffed = floors.erlang_c_vectorised(calls, aht, staffed, answer_within_s=20, target=0.8)
    for i, (c, h, n) in enumerate(CASES):
        want = staffing.required_agents(calls=c, aht_s=h, interval_s=900, answer_within_s=20, target_sl=0.8)
        assert required[i] == want.agents, (c, h, n)
        sl = staffing.erlang_c(calls=c, aht_s=h, interval_s=900, agents=n, answer_within_s=20).service_level
        assert at_staffed[i] == pytest.approx(sl, abs=1e-9), (c, h, n)


def test_a_hand_worked_erlang_c_case():
    # 2 erlangs (8 calls of 225 s in 15 minutes) on 3 agents: Erlang B(3, 2) = (8/6) / (1 + 2 + 2 + 8/6)
    # = 4/19; Erlang C = 3 B / (3 - 2 (1 - B)) = (12/19) / (1 + 8/19) = 12/27 = 4/9;
    # SL(20 s) = 1 - 4/9 * exp(-(3 - 2) * 20 / 225).
    _, sl = floors.erlang_c_vectorised(np.array([8.0]), np.array([225.0]), np.array([3.0]), 20, 0.8)
    assert sl[0] == pytest.approx(1 - 4 / 9 * np.exp(-20 / 225), rel=1e-12)


@pytest.mark.parametrize(
    "month,k,want", [("2026-10", -1, "2026-09"), ("2026-01", -1, "2025-12"), ("2025-11", 13, "2026-12")]
)
def test_month_add(month, k, want):
    assert floors.month_add(month, k) == want


def test_month_bounds_of_a_leap_february():
    first, last = floors.month_bounds("2024-02")
    assert (first.isoformat(), last.isoformat()) == ("2024-02-01", "2024-02-29")
