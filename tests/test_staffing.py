"""Staffing mathematics against the published cases of shared/reference/erlang.md.

Expected numbers are the reference values, each with a tolerance of half a unit in
its last printed digit, so a wrong formula fails. Edge cases check values that
follow by hand from the model (stated next to each).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import staffing
from analytics.commands import staffing as staffing_command
from analytics.staffing import (
    StaffingResult,
    erlang_a,
    erlang_b,
    erlang_c,
    required_agents,
    required_vs_staffed,
    traffic_erlangs,
)

REPO = Path(__file__).resolve().parents[1]

# Case 1 inputs: 100 calls in 30 min, AHT 180 s, T = 20 s, target 80 %.
CASE1 = dict(calls=100, aht_s=180, interval_s=1800)


def half_unit(printed: str) -> float:
    """Half a unit in the last printed digit: '0.1741' -> 0.00005."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return 0.5 * 10.0**-decimals


def close(value: float, printed: str) -> bool:
    return abs(value - float(printed)) <= half_unit(printed) + 1e-12


# ------------------------------------------------------------------ reference cases


def test_case_1_erlang_c_minimum_agents():
    result = required_agents(**CASE1, answer_within_s=20, target_sl=0.80)
    assert result.traffic_erlangs == pytest.approx(10.0)
    assert result.agents == 14
    assert close(result.p_wait, "0.1741")
    assert close(result.service_level, "0.8884")
    assert close(result.asa_s, "7.84")
    assert close(result.occupancy, "0.714")
    assert result.stable is True
    assert result.model == "erlang_c"


def test_case_1b_thirteen_agents_miss_target_and_eleven_wait_often():
    at_13 = erlang_c(**CASE1, agents=13, answer_within_s=20)
    assert close(at_13.service_level, "0.7956")
    assert at_13.service_level < 0.80  # so 14 is the minimum
    at_11 = erlang_c(**CASE1, agents=11, answer_within_s=20)
    assert close(at_11.p_wait, "0.6821")


def test_case_1c_shrinkage_schedules_twenty():
    # ceil(14 / 0.7) = 20.
    result = required_agents(**CASE1, answer_within_s=20, target_sl=0.80, shrinkage=0.30)
    assert result.agents == 14
    assert result.scheduled_agents == 20


def test_scheduled_agents_round_up_but_not_on_floating_point_noise():
    # 21 / (1 - 0.3) = 30 exactly by hand, 30.000000000000004 in binary floating point.
    assert staffing.scheduled_agents(21, 0.3) == 30
    assert staffing.scheduled_agents(22, 0.3) == 32  # 31.43 rounds up
    assert staffing.scheduled_agents(0, 0.3) == 0


def test_case_2_occupancy_cap():
    result = required_agents(**CASE1, answer_within_s=20, target_sl=0.80, max_occupancy=0.70)
    assert result.agents == 15  # ceil(10 / 0.70)
    assert close(result.service_level, "0.941")
    assert close(result.occupancy, "0.667")
    assert close(result.p_wait, "0.102")
    with_shrinkage = required_agents(**CASE1, answer_within_s=20, target_sl=0.80, max_occupancy=0.70, shrinkage=0.30)
    assert with_shrinkage.scheduled_agents == 22


def test_case_3_erlang_a():
    result = erlang_a(**CASE1, agents=14, answer_within_s=20, patience_s=300)
    assert result.model == "erlang_a"
    assert close(result.p_wait, "0.14526")
    assert close(result.p_abandon, "0.013984")
    assert close(result.occupancy, "0.704297")
    assert close(result.asa_s, "4.195")
    assert close(result.asa_s / 60, "0.069919")
    assert close(result.service_level, "0.916792")
    # Answered callers alone wait less than all arrivals (abandoners wait until they
    # give up); no published value, so only the ordering is pinned.
    assert 0 < result.asa_answered_s < result.asa_s


def test_case_4_erlang_c_larger_queue():
    result = required_agents(calls=360, aht_s=240, interval_s=1800, answer_within_s=15, target_sl=0.80)
    assert result.traffic_erlangs == pytest.approx(48.0)
    assert result.agents == 55
    assert close(result.p_wait, "0.2387")
    assert close(result.service_level, "0.8459")
    assert close(result.asa_s, "8.18")
    assert close(result.occupancy, "0.873")
    at_54 = erlang_c(calls=360, aht_s=240, interval_s=1800, agents=54, answer_within_s=15)
    assert close(at_54.service_level, "0.7929")


# ------------------------------------------------------------------------ edge cases


def test_zero_calls_need_nobody():
    for result in (
        required_agents(calls=0, aht_s=180, interval_s=1800, answer_within_s=20, target_sl=0.8, shrinkage=0.3),
        required_agents(calls=0, aht_s=180, interval_s=1800, answer_within_s=20, target_sl=0.8, patience_s=300),
        erlang_c(calls=0, aht_s=180, interval_s=1800, agents=0, answer_within_s=20),
        erlang_a(calls=0, aht_s=180, interval_s=1800, agents=0, answer_within_s=20, patience_s=300),
    ):
        assert result.agents == 0
        assert result.scheduled_agents == 0
        assert result.traffic_erlangs == 0
        assert result.p_wait == 0
        assert result.service_level == 1
        assert result.asa_s == 0
        assert result.occupancy == 0
        assert result.stable is True


@pytest.mark.parametrize("agents", [0, 9, 10])  # A = 10: N = A is unstable too
def test_erlang_c_without_enough_agents_reports_an_unstable_queue(agents):
    result = erlang_c(**CASE1, agents=agents, answer_within_s=20)
    assert result.stable is False
    assert result.p_wait == 1
    assert result.service_level == 0
    assert result.asa_s == math.inf


@pytest.mark.parametrize("agents", [1, 5, 8, 10])
def test_erlang_a_without_enough_agents_stays_finite_and_sensible(agents):
    result = erlang_a(**CASE1, agents=agents, answer_within_s=20, patience_s=300)
    assert result.stable is True
    assert 0 < result.p_abandon < 1
    assert 0 <= result.service_level < 0.80
    assert 0 < result.occupancy <= 1
    assert 0 < result.asa_s < 300  # nobody waits longer on average than they are patient
    # Carried load cannot exceed the agents: A (1 - P(abandon)) <= N.
    assert result.traffic_erlangs * (1 - result.p_abandon) <= agents + 1e-9


def test_erlang_a_with_nobody_answering():
    # With no agent every caller waits until their patience runs out: everyone
    # abandons and the mean time in queue is the mean patience.
    result = erlang_a(**CASE1, agents=0, answer_within_s=20, patience_s=300)
    assert result.p_abandon == pytest.approx(1.0)
    assert result.asa_s == pytest.approx(300.0)
    assert result.service_level == pytest.approx(0.0, abs=1e-9)
    assert result.occupancy == 0


def test_more_agents_never_lower_the_service_level():
    levels_c = [erlang_c(**CASE1, agents=n, answer_within_s=20).service_level for n in range(8, 25)]
    levels_a = [erlang_a(**CASE1, agents=n, answer_within_s=20, patience_s=300).service_level for n in range(0, 25)]
    assert levels_c == sorted(levels_c)
    assert levels_a == sorted(levels_a)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: traffic_erlangs(-1, 180, 1800), "calls"),
        (lambda: traffic_erlangs(100, 0, 1800), "aht_s"),
        (lambda: traffic_erlangs(100, -5, 1800), "aht_s"),
        (lambda: traffic_erlangs(100, 180, 0), "interval_s"),
        (lambda: erlang_c(**CASE1, agents=-1, answer_within_s=20), "agents"),
        (lambda: erlang_c(**CASE1, agents=12.5, answer_within_s=20), "agents"),
        (lambda: erlang_c(**CASE1, agents=14, answer_within_s=-1), "answer_within_s"),
        (lambda: erlang_a(**CASE1, agents=14, answer_within_s=20, patience_s=0), "patience_s"),
        (lambda: required_agents(**CASE1, answer_within_s=20, target_sl=0), "target_sl"),
        (lambda: required_agents(**CASE1, answer_within_s=20, target_sl=1), "target_sl"),
        (lambda: required_agents(**CASE1, answer_within_s=20, target_sl=1.5), "target_sl"),
        (lambda: required_agents(**CASE1, answer_within_s=20, target_sl=0.8, shrinkage=1), "shrinkage"),
        (lambda: required_agents(**CASE1, answer_within_s=20, target_sl=0.8, shrinkage=-0.1), "shrinkage"),
        (lambda: required_agents(**CASE1, answer_within_s=20, target_sl=0.8, max_occupancy=0), "max_occupancy"),
        (lambda: required_agents(**CASE1, answer_within_s=20, target_sl=0.8, max_occupancy=1.2), "max_occupancy"),
        (
            lambda: required_agents(calls=100, aht_s=float("nan"), interval_s=1800, answer_within_s=20, target_sl=0.8),
            "aht_s",
        ),
    ],
)
def test_invalid_input_raises_naming_the_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


def test_result_as_dict():
    result = erlang_c(**CASE1, agents=14, answer_within_s=20)
    as_dict = result.as_dict()
    assert as_dict["agents"] == 14
    assert set(as_dict) >= {
        "agents",
        "traffic_erlangs",
        "p_wait",
        "service_level",
        "asa_s",
        "occupancy",
        "scheduled_agents",
        "p_abandon",
        "stable",
    }
    assert isinstance(result, StaffingResult)
    with pytest.raises(AttributeError):
        result.agents = 15  # frozen


# ------------------------------------------------------------------ large numbers


def _erlang_b_by_recursion(n: int, a: float) -> float:
    # The textbook recursion B(k) = A B(k-1) / (k + A B(k-1)): an independent oracle.
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


@pytest.mark.parametrize(("n", "a"), [(14, 10.0), (55, 48.0), (848, 5000 * 300 / 1800), (3000, 2900.0)])
def test_erlang_b_matches_the_recursion_at_large_n(n, a):
    assert erlang_b(n, a) == pytest.approx(_erlang_b_by_recursion(n, a), rel=1e-9)


def test_large_queue_erlang_c_is_finite_and_minimal():
    # 5000 calls / 30 min at AHT 300 s: A = 833.3 Erl, where N! and A^N overflow.
    result = required_agents(calls=5000, aht_s=300, interval_s=1800, answer_within_s=20, target_sl=0.8)
    assert result.traffic_erlangs == pytest.approx(5000 * 300 / 1800)
    assert result.agents > result.traffic_erlangs
    assert 0 < result.p_wait < 1
    assert result.service_level >= 0.8
    assert math.isfinite(result.asa_s)
    one_fewer = erlang_c(calls=5000, aht_s=300, interval_s=1800, agents=result.agents - 1, answer_within_s=20)
    assert one_fewer.service_level < 0.8


def test_large_queue_erlang_a_is_finite_and_overload_matches_the_fluid_limit():
    args = dict(calls=5000, aht_s=300, interval_s=1800, answer_within_s=20, patience_s=120)
    result = required_agents(**args, target_sl=0.8)
    assert result.service_level >= 0.8
    assert erlang_a(**args, agents=result.agents - 1).service_level < 0.8
    # Deep overload (N = 500 < A = 833.3): agents are always busy, so the share
    # answered is N / A and the share abandoning is 1 - 500 / 833.3 = 0.4.
    overloaded = erlang_a(**args, agents=500)
    assert overloaded.p_abandon == pytest.approx(0.4, abs=1e-3)
    assert overloaded.occupancy == pytest.approx(1.0, abs=1e-3)


# ------------------------------------------------- vectorised Erlang against the scalar one

# A grid over the corners: no traffic, a trickle, n = 0, n just below / at / above the
# traffic, far more agents than calls, deep overload (n = A/2), very impatient and very
# patient callers, T = 0 and T of several AHTs.
_TRAFFIC = [0.01, 0.3, 1.0, 2.5, 10.0, 48.0, 150.0, 600.0]
_THETA = [0.02, 0.6, 2.6, 15.0]  # AHT / mean patience
_T = [0.0, 0.11, 1.0, 4.0]  # answer-within time in AHTs


def _grid():
    rows = []
    for a in _TRAFFIC:
        for n in sorted({0, 1, int(a / 2), int(a), int(a) + 1, int(1.3 * a) + 2, int(3 * a) + 3}):
            rows += [(a, theta, n, t) for theta in _THETA for t in _T]
    return rows


def test_vectorised_erlang_a_equals_the_scalar_chain_on_a_grid():
    # The closed form over arrays against the scalar truncated-chain computation
    # (_erlang_a_core: stationary distribution + uniformisation), two independent
    # methods, to 1e-9 on P(wait), P(abandon) and the service level.
    grid = _grid()
    a, theta, n, t = (np.array(c, dtype=float) for c in zip(*grid))
    p_wait, p_abandon, sl = staffing._erlang_a_units(a, theta, n, t)
    scalar = np.array([staffing._erlang_a_core(*(float(v) for v in g[:2]), int(g[2]), float(g[3]))[:3] for g in grid])
    assert np.abs(p_wait - scalar[:, 0]).max() < 1e-9
    assert np.abs(p_abandon - scalar[:, 1]).max() < 1e-9
    assert np.abs(sl - scalar[:, 2]).max() < 1e-9


def test_vectorised_erlang_a_in_seconds_gives_case_3_and_no_traffic():
    # Case 3 (A = 10, AHT 180 s, patience 300 s, N = 14, T = 20 s), twice, beside an
    # interval without calls (nobody waits, service level 1) and one with no agents
    # (everyone waits and hangs up: service level 0, mean time in queue = the patience).
    out = staffing.erlang_a_arrays([10.0, 10.0, 0.0, 5.0], [14, 14, 3, 0], 180.0, 300.0, 20.0)
    assert close(out["p_wait"][0], "0.14526") and close(out["p_abandon"][1], "0.013984")
    assert close(out["service_level"][0], "0.916792") and close(out["asa_s"][0], "4.195")
    assert (out["p_wait"][2], out["service_level"][2], out["asa_s"][2]) == (0.0, 1.0, 0.0)
    assert (out["p_wait"][3], out["p_abandon"][3], out["service_level"][3]) == (1.0, 1.0, 0.0)
    assert out["asa_s"][3] == pytest.approx(300.0)


def test_vectorised_service_level_picks_the_model_per_interval():
    # Patience given: Erlang A (case 3, 0.916792); missing: Erlang C (case 1b, N = 13: 0.7956;
    # case 4, N = 54 at 48 Erl, T = 15 s, AHT 240 s: 0.7929).
    sl = staffing.service_level_arrays(
        [10.0, 10.0, 48.0], [14, 13, 54], [180.0, 180.0, 240.0], [20.0, 20.0, 15.0], [300.0, np.nan, np.nan]
    )
    assert close(sl[0], "0.916792") and close(sl[1], "0.7956") and close(sl[2], "0.7929")


def test_vectorised_service_level_between_whole_agents():
    # 13.4 agents signed in on average: 0.6 x SL(13) + 0.4 x SL(14) of the scalar functions,
    # Erlang A (patience 300 s) and Erlang C; 14.0 is SL(14) itself (case 3: 0.916792).
    sl = staffing.service_level_at_fractional_agents(
        [10.0, 10.0, 10.0], [13.4, 13.4, 14.0], 180.0, 20.0, [300.0, np.nan, 300.0]
    )
    a13, a14 = (erlang_a(**CASE1, agents=n, answer_within_s=20, patience_s=300).service_level for n in (13, 14))
    c13, c14 = (erlang_c(**CASE1, agents=n, answer_within_s=20).service_level for n in (13, 14))
    assert sl[0] == pytest.approx(0.6 * a13 + 0.4 * a14, abs=1e-9)
    assert sl[1] == pytest.approx(0.6 * c13 + 0.4 * c14, abs=1e-9)
    assert close(sl[2], "0.916792")


def test_vectorised_required_agents_equal_the_scalar_search():
    # Every interval of a spread of loads, handle times, patience and T: the array search
    # must give the scalar search's minimum exactly, Erlang A and Erlang C alike.
    rng = np.random.default_rng(11)
    size = 150
    a = np.exp(rng.uniform(np.log(0.05), np.log(400.0), size))
    aht = rng.uniform(60, 600, size)
    patience = rng.uniform(15, 900, size)
    t = rng.choice([0.0, 10.0, 20.0, 60.0], size)
    got_a = staffing.required_agents_arrays(a, aht, t, 0.8, patience)
    want_a = [
        staffing._min_agents_erlang_a(*map(float, (x, h, s, 0.8, p)), 0) for x, h, s, p in zip(a, aht, t, patience)
    ]
    assert got_a.tolist() == want_a
    got_c = staffing.required_agents_arrays(a, aht, t, 0.8)
    want_c = [required_agents(x * 900 / h, h, 900, s, 0.8).agents for x, h, s in zip(a, aht, t)]
    assert got_c.tolist() == want_c


def test_vectorised_required_agents_reference_cases():
    # Case 1 (14), case 2 (occupancy cap 0.70: 15), case 4 (55); no traffic needs nobody;
    # case 3's queue with patience 300 s under Erlang A: the scalar search's answer.
    need = staffing.required_agents_arrays(
        [10.0, 10.0, 48.0, 0.0], [180.0, 180.0, 240.0, 180.0], [20, 20, 15, 20], 0.8, floor_n=[0, 15, 0, 0]
    )
    assert need.tolist() == [14, 15, 55, 0]
    with_patience = staffing.required_agents_arrays([10.0], [180.0], 20.0, 0.8, [300.0])
    assert with_patience[0] == required_agents(**CASE1, answer_within_s=20, target_sl=0.8, patience_s=300).agents


# -------------------------------------------------------------- many intervals


def test_required_vs_staffed_on_a_hand_made_table():
    table = pd.DataFrame(
        {
            "queue": ["tax", "tax", "tax", "tax", "tax"],
            "interval_start": pd.date_range("2026-03-02 09:00", periods=5, freq="15min"),
            # 50 calls x 180 s / 900 s = 10 Erl, i.e. case 1 in a 15-minute interval.
            "offered": [50, 50, 50, 0, 30],
            "aht_s": [180.0, 180.0, 180.0, np.nan, np.nan],
            "staffed_agents": [12.0, 13.5, 14.0, 2.0, 5.0],
        }
    )
    out = required_vs_staffed(table, answer_within_s=20, target_sl=0.80, interval_s=900)

    assert out["queue"].tolist() == table["queue"].tolist()  # key columns kept as they are
    assert out["interval_start"].equals(table["interval_start"])
    # Row 0: case 1 needs 14; 12 staffed are short by 2, below case 1b's 13-agent SL.
    assert out.loc[0, "traffic_erlangs"] == pytest.approx(10.0)
    assert out.loc[0, "required_agents"] == 14
    assert out.loc[0, "gap_agents"] == pytest.approx(-2.0)
    assert bool(out.loc[0, "short"]) is True
    assert out.loc[0, "service_level_at_staffed"] < 0.7956
    # Row 1: 13.5 agents sit halfway between case 1b (0.7956) and case 1 (0.8884).
    assert out.loc[1, "gap_agents"] == pytest.approx(-0.5)
    assert bool(out.loc[1, "short"]) is True
    assert out.loc[1, "service_level_at_staffed"] == pytest.approx((0.7956 + 0.8884) / 2, abs=1e-4)
    # Row 2: exactly case 1.
    assert out.loc[2, "gap_agents"] == pytest.approx(0.0)
    assert bool(out.loc[2, "short"]) is False
    assert close(out.loc[2, "service_level_at_staffed"], "0.8884")
    # Row 3: no calls need nobody, whatever the (missing) AHT.
    assert out.loc[3, "traffic_erlangs"] == 0
    assert out.loc[3, "required_agents"] == 0
    assert out.loc[3, "gap_agents"] == pytest.approx(2.0)
    assert bool(out.loc[3, "short"]) is False
    assert out.loc[3, "service_level_at_staffed"] == 1
    # Row 4: calls without an AHT cannot be judged: missing, not a guess.
    assert pd.isna(out.loc[4, "required_agents"])
    assert pd.isna(out.loc[4, "gap_agents"])
    assert pd.isna(out.loc[4, "short"])
    assert int(out["short"].sum()) == 2


def test_required_vs_staffed_with_patience_and_thirty_minute_intervals():
    erlang_a_rows = required_vs_staffed(
        pd.DataFrame({"offered": [50], "aht_s": [180], "staffed_agents": [14]}),
        answer_within_s=20,
        target_sl=0.80,
        patience_s=300,
        interval_s=900,
    )
    assert close(erlang_a_rows.loc[0, "service_level_at_staffed"], "0.916792")  # case 3

    case_4 = required_vs_staffed(
        pd.DataFrame({"offered": [360], "aht_s": [240], "staffed_agents": [54]}),
        answer_within_s=15,
        target_sl=0.80,
        interval_s=1800,
    )
    assert case_4.loc[0, "required_agents"] == 55
    assert case_4.loc[0, "gap_agents"] == pytest.approx(-1.0)
    assert close(case_4.loc[0, "service_level_at_staffed"], "0.7929")


def test_required_vs_staffed_with_patience_per_row():
    # Row 0: case 3 with patience 300 s (Erlang A, 0.916792 at 14); row 1: the same load
    # without an estimate (Erlang C: case 1, 14 required, 0.8884 at 14); row 2 no calls.
    out = required_vs_staffed(
        pd.DataFrame({"offered": [50, 50, 0], "aht_s": [180, 180, None], "staffed_agents": [14, 14, 2]}),
        answer_within_s=20,
        target_sl=0.80,
        patience_s=[300.0, None, 300.0],
    )
    assert out["model"].tolist() == ["erlang_a", "erlang_c", "erlang_a"]
    assert close(out.loc[0, "service_level_at_staffed"], "0.916792")
    assert close(out.loc[1, "service_level_at_staffed"], "0.8884")
    assert (
        out.loc[0, "required_agents"]
        == required_agents(**CASE1, answer_within_s=20, target_sl=0.8, patience_s=300).agents
    )
    assert out.loc[1, "required_agents"] == 14 and out.loc[2, "required_agents"] == 0
    with pytest.raises(ValueError, match="patience_s"):
        required_vs_staffed(
            pd.DataFrame({"offered": [5], "aht_s": [180], "staffed_agents": [1]}), 20, 0.8, patience_s=[-1.0]
        )


def test_required_vs_staffed_grosses_up_for_shrinkage():
    out = required_vs_staffed(
        pd.DataFrame({"offered": [50, 0], "aht_s": [180, 180], "staffed_agents": [14, 0]}),
        answer_within_s=20,
        target_sl=0.80,
        shrinkage=0.30,
        max_occupancy=0.70,
        interval_s=900,
    )
    assert out["required_agents"].tolist() == [15, 0]  # case 2
    assert out["scheduled_agents"].tolist() == [22, 0]  # case 2 with 30 % shrinkage
    assert out.loc[0, "gap_agents"] == pytest.approx(-1.0)


def test_required_vs_staffed_rejects_bad_tables():
    with pytest.raises(ValueError, match="staffed_agents"):
        required_vs_staffed(pd.DataFrame({"offered": [1], "aht_s": [180]}), answer_within_s=20, target_sl=0.8)
    with pytest.raises(ValueError, match="offered"):
        required_vs_staffed(
            pd.DataFrame({"offered": [-1], "aht_s": [180], "staffed_agents": [3]}),
            answer_within_s=20,
            target_sl=0.8,
        )


# ----------------------------------------------------------------- command line

CASE1_ARGS = ["--calls", "100", "--interval-min", "30", "--aht", "180", "--answer-within", "20"]


def run_staffing_only(argv, capsys):
    """Our command behind a parser that knows no other command (independent of siblings)."""
    parser = argparse.ArgumentParser(prog="python -m analytics")
    staffing_command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["staffing", *argv])
    code = args.func(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_case_1(figures):
    assert figures["agents"] == 14
    assert figures["traffic_erlangs"] == pytest.approx(10.0)
    assert close(figures["p_wait"], "0.1741")
    assert close(figures["service_level"], "0.8884")
    assert close(figures["asa_s"], "7.84")
    assert close(figures["occupancy"], "0.714")
    assert figures["scheduled_agents"] == 14
    assert figures["model"] == "erlang_c"
    assert figures["stable"] is True


def test_command_target_gives_case_1(capsys):
    code, out, _ = run_staffing_only([*CASE1_ARGS, "--target-sl", "0.8"], capsys)
    assert code == 0
    assert_case_1(json.loads(out))


def test_command_agents_and_target_says_whether_it_meets(capsys):
    code, out, _ = run_staffing_only([*CASE1_ARGS, "--target-sl", "0.8", "--agents", "13"], capsys)
    figures = json.loads(out)
    assert code == 0
    assert figures["agents"] == 13
    assert close(figures["service_level"], "0.7956")  # case 1b
    assert figures["meets_target"] is False


def test_command_patience_uses_erlang_a(capsys):
    code, out, _ = run_staffing_only([*CASE1_ARGS, "--agents", "14", "--patience", "300"], capsys)
    figures = json.loads(out)
    assert code == 0
    assert figures["model"] == "erlang_a"
    assert close(figures["p_abandon"], "0.013984")  # case 3
    assert close(figures["service_level"], "0.916792")


def test_command_unstable_queue_emits_null_not_infinity(capsys):
    code, out, _ = run_staffing_only([*CASE1_ARGS, "--agents", "9"], capsys)
    assert code == 0
    assert "Infinity" not in out
    figures = json.loads(out)
    assert figures["asa_s"] is None
    assert figures["stable"] is False


def test_command_shrinkage_and_occupancy_give_case_2(capsys):
    code, out, _ = run_staffing_only(
        [*CASE1_ARGS, "--target-sl", "0.8", "--max-occupancy", "0.7", "--shrinkage", "0.3"], capsys
    )
    figures = json.loads(out)
    assert code == 0
    assert figures["agents"] == 15
    assert figures["scheduled_agents"] == 22


def test_command_text_format(capsys):
    code, out, _ = run_staffing_only([*CASE1_ARGS, "--target-sl", "0.8", "--format", "text"], capsys)
    assert code == 0
    assert "agents" in out and "14" in out


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--target-sl", "1.5"], "--target-sl"),
        (["--agents", "-3"], "--agents"),
        (["--agents", "many"], "--agents"),
        (["--target-sl", "0.8", "--shrinkage", "1"], "--shrinkage"),
        ([], "--target-sl"),  # neither target nor agents
        (["--target-sl", "0.8", "--format", "xml"], "--format"),
    ],
)
def test_command_bad_input_exits_2_with_one_line(capsys, extra, named):
    code, out, err = run_staffing_only([*CASE1_ARGS, *extra], capsys)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert named in err


def _subprocess(args):
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


# A real process running only our command, so an error path cannot hide a traceback.
_HARNESS = (
    "import argparse, sys\n"
    "from analytics.commands import staffing\n"
    "p = argparse.ArgumentParser()\n"
    "staffing.register(p.add_subparsers(dest='command', required=True))\n"
    "a = p.parse_args(sys.argv[1:])\n"
    "sys.exit(a.func(a))\n"
)


def test_command_in_a_process_bad_input_has_no_traceback():
    done = _subprocess(
        [
            "-c",
            _HARNESS,
            "staffing",
            "--calls",
            "100",
            "--interval-min",
            "30",
            "--aht",
            "-5",
            "--answer-within",
            "20",
            "--agents",
            "14",
        ]
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert "--aht" in done.stderr


def test_python_m_analytics_staffing():
    done = _subprocess(["-m", "analytics", "staffing", *CASE1_ARGS, "--target-sl", "0.8", "--format", "json"])
    assert done.returncode == 0, done.stderr
    assert_case_1(json.loads(done.stdout))

    bad = _subprocess(["-m", "analytics", "staffing", *CASE1_ARGS, "--target-sl", "2"])
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert "--target-sl" in bad.stderr


# --- the staffing page's plan and attrition projection (AppTest on the small demo) ----------------


def test_staffing_page_projection_and_late_training(demo_dataset, monkeypatch):
    import re

    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    monkeypatch.setenv("CALLCENTER_DATASET", str(demo_dataset))
    at = AppTest.from_file(str(ROOT / "views" / "staffing.py"), default_timeout=240)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    assert any(s.value == "What attrition does to service level" for s in at.subheader)
    # The small demo ends on 2026-10-31: a training start in October has passed and says so.
    late = [w.value for w in at.warning if "late by" in w.value]
    if late:
        days = int(re.search(r"late by (\d+) days", late[0]).group(1))
        assert days > 0
    # Whole people in the plan, every table downloadable, the model named beside the figures.
    plan = next(
        d.value
        for d in at.dataframe
        if "Hires needed" in list(d.value.columns) or "hires_needed" in list(d.value.columns)
    )
    col = "hires_needed" if "hires_needed" in plan.columns else "Hires needed"
    assert all(float(v).is_integer() for v in plan[col])
    # (the what-if calculator's one-row answer is the only table without a CSV)
    assert len(at.get("download_button")) == len(at.dataframe) - 1
    assert any("Erlang A" in c.value for c in at.caption)
    # The coverage figures say their model per queue, and each worst interval its own.
    assert any(c.value.startswith("Model: Erlang") for c in at.caption)
    worst = next(d.value for d in at.dataframe if "gap_agents" in d.value.columns)
    assert len(worst) and all(
        re.fullmatch(r"Erlang A \(patience \d+ s\)|Erlang C \(patience unknown\)", m) for m in worst["model"]
    )
