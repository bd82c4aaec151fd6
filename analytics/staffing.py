"""Staffing mathematics: Erlang C (M/M/N) and Erlang A (M/M/N+M).

Pure functions, no I/O. Times are in seconds. The reference cases these functions
must reproduce are in ``shared/reference/erlang.md`` and pinned in
``tests/test_staffing.py``.

Why our own code rather than a library: pyworkforce has Erlang C but no Erlang A
and pins an old pandas; ErlangCCmath needs a vendor user ID; the other PyPI
packages are Erlang B/C only. Erlang A needs the waiting-time distribution of a
queue with abandonment, which none of them computes, so both models live here,
built on scipy.

Definitions (chosen to reproduce the reference cases):

- traffic A = calls x AHT / interval (Erlangs).
- Erlang C: P(wait) by the Erlang C formula, SL(T) = 1 - P(wait) e^{-(N-A) T/AHT},
  ASA = P(wait) AHT / (N - A), occupancy = A / N.
- Erlang A (exponential patience with mean ``patience_s``):
  service level = calls answered within T / all offered calls (abandons count
  against); ``asa_s`` = mean time in queue of all arrivals, answered or abandoned
  (E[queue] / arrival rate, the Garnett-Mandelbaum-Reiman E[W] the reference
  quotes: 4.195 s in case 3); ``asa_answered_s`` = mean wait of answered calls only
  (the dashboard's ASA definition; 3.878 s in case 3); occupancy = A (1 - P(abandon)) / N.

One interval at a time: ``erlang_c``, ``erlang_a``, ``required_agents`` (Erlang A by a
truncated chain). Many intervals at once (numpy arrays, e.g. every queue-interval of a
month): ``erlang_a_arrays``, ``service_level_arrays``,
``service_level_at_fractional_agents``, ``required_agents_arrays`` and
``required_vs_staffed`` (Erlang A in closed form, equal to the chain to 1e-9).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.linalg import solve_banded
from scipy.special import gammainc, gammaincc, gammaln, logsumexp
from scipy.stats import poisson

from analytics.metrics import whole_numbers

# Floating-point slack for "whole number" decisions: 21 / (1 - 0.3) is
# 30.000000000000004 in binary floating point and must still schedule 30 people, not 31.
_EPS = 1e-9

MODELS = ("erlang_a", "erlang_c")

# Stationary probabilities below exp(-_LOG_CUTOFF) of the largest one are dropped.
_LOG_CUTOFF = 45.0

# A tagged caller's queue position is tracked up to this many callers ahead; far
# beyond any realistic interval (hundreds of agents with very patient callers).
_MAX_QUEUE_STATES = 5_000_000


@dataclass(frozen=True)
class StaffingResult:
    """Figures of one queue in one interval at ``agents`` agents on the phones."""

    agents: int
    traffic_erlangs: float
    p_wait: float
    service_level: float
    asa_s: float
    occupancy: float
    scheduled_agents: int
    p_abandon: float | None = None
    stable: bool = True
    model: str = "erlang_c"
    asa_answered_s: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- checks


def _check_non_negative(name: str, value: float) -> float:
    if value is None or not (float(value) >= 0) or math.isinf(float(value)):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _check_positive(name: str, value: float) -> float:
    if value is None or not (float(value) > 0) or math.isinf(float(value)):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _check_agents(agents: int) -> int:
    try:
        as_float = float(agents)
    except (TypeError, ValueError):
        raise ValueError(f"agents must be a whole number >= 0, got {agents!r}") from None
    if not (as_float >= 0) or math.isinf(as_float) or as_float != int(as_float):
        raise ValueError(f"agents must be a whole number >= 0, got {agents!r}")
    return int(as_float)


def _check_target(target_sl: float) -> float:
    if target_sl is None or not (0 < float(target_sl) < 1):
        raise ValueError(f"target_sl must be strictly between 0 and 1, got {target_sl!r}")
    return float(target_sl)


def _check_shrinkage(shrinkage: float) -> float:
    if shrinkage is None or not (0 <= float(shrinkage) < 1):
        raise ValueError(f"shrinkage must be in [0, 1), got {shrinkage!r}")
    return float(shrinkage)


def _check_max_occupancy(max_occupancy: float | None) -> float | None:
    if max_occupancy is None:
        return None
    if not (0 < float(max_occupancy) <= 1):
        raise ValueError(f"max_occupancy must be in (0, 1], got {max_occupancy!r}")
    return float(max_occupancy)


def _check_patience(patience_s: float | None) -> float | None:
    if patience_s is None:
        return None
    return _check_positive("patience_s", patience_s)


def _ceil(x: float) -> int:
    return max(0, math.ceil(x - _EPS))


# ---------------------------------------------------------------------- basics


def traffic_erlangs(calls: float, aht_s: float, interval_s: float) -> float:
    """Offered load A = calls x AHT / interval, in Erlangs."""
    calls = _check_non_negative("calls", calls)
    aht_s = _check_positive("aht_s", aht_s)
    interval_s = _check_positive("interval_s", interval_s)
    return calls * aht_s / interval_s


def scheduled_agents(agents: int, shrinkage: float = 0.0) -> int:
    """People to schedule so that ``agents`` are on the phones: ceil(N / (1 - shrinkage))."""
    shrinkage = _check_shrinkage(shrinkage)
    return _ceil(agents / (1.0 - shrinkage))


def erlang_b(agents, traffic):
    """Blocking probability of M/M/N/N, vectorised over numpy arrays.

    Computed as the truncated-Poisson ratio pmf(N; A) / cdf(N; A) in log space, which
    is the closed form of the usual Erlang B recursion and neither overflows nor
    loses precision at N in the thousands.
    """
    n = np.asarray(agents, dtype=float)
    a = np.asarray(traffic, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.exp(poisson.logpmf(n, a) - poisson.logcdf(n, a))
    b = np.where(a <= 0, np.where(n <= 0, 1.0, 0.0), b)
    return b if b.ndim else float(b)


def erlang_c_wait_probability(agents, traffic):
    """P(an arrival waits) in M/M/N; 1 where the queue is unstable (N <= A).

    Vectorised over numpy arrays. Uses C = B / (1 - (A/N)(1 - B)) with B from
    :func:`erlang_b`.
    """
    n = np.asarray(agents, dtype=float)
    a = np.asarray(traffic, dtype=float)
    b = np.asarray(erlang_b(n, a), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = b / (1.0 - (a / n) * (1.0 - b))
    c = np.where(n > a, np.clip(c, 0.0, 1.0), 1.0)
    c = np.where(a <= 0, 0.0, c)
    return c if c.ndim else float(c)


def _erlang_c_service_level(agents, traffic, aht_s, answer_within_s):
    """SL(T) of Erlang C, vectorised; 0 where unstable, 1 where there is no traffic."""
    n = np.asarray(agents, dtype=float)
    a = np.asarray(traffic, dtype=float)
    p_wait = np.asarray(erlang_c_wait_probability(n, a), dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        sl = 1.0 - p_wait * np.exp(-(n - a) * answer_within_s / aht_s)
    sl = np.where(n > a, sl, 0.0)
    sl = np.where(a <= 0, 1.0, sl)
    return sl if sl.ndim else float(sl)


# -------------------------------------------------------------------- Erlang C


def erlang_c(
    calls: float,
    aht_s: float,
    interval_s: float,
    agents: int,
    answer_within_s: float,
    shrinkage: float = 0.0,
) -> StaffingResult:
    """Erlang C figures at a given number of agents.

    N <= A has no steady state: the answer says so (``stable=False``, P(wait) 1,
    service level 0, ASA infinite, occupancy 1) instead of raising.
    """
    a = traffic_erlangs(calls, aht_s, interval_s)
    n = _check_agents(agents)
    t = _check_non_negative("answer_within_s", answer_within_s)
    scheduled = scheduled_agents(n, shrinkage)
    if a == 0:
        return StaffingResult(n, 0.0, 0.0, 1.0, 0.0, 0.0, scheduled)
    if n <= a:
        return StaffingResult(n, a, 1.0, 0.0, math.inf, 1.0, scheduled, stable=False)
    p_wait = erlang_c_wait_probability(n, a)
    return StaffingResult(
        agents=n,
        traffic_erlangs=a,
        p_wait=p_wait,
        service_level=_erlang_c_service_level(n, a, aht_s, t),
        asa_s=p_wait * aht_s / (n - a),
        occupancy=a / n,
        scheduled_agents=scheduled,
    )


# -------------------------------------------------------------------- Erlang A


def _answered_within(start: np.ndarray, move: np.ndarray, theta: float, t: float) -> float:
    """Probability mass of ``start`` (over "j ahead") answered within t (in AHTs)."""
    if t <= 0 or move[0] <= 0:
        return 0.0
    # States past the last non-negligible start probability are never entered (the
    # chain only moves down); dropping them keeps the uniformisation rate small.
    last = int(np.flatnonzero(start > 1e-20 * start.max())[-1]) + 1 if start.max() > 0 else 1
    start, move = start[:last], move[:last]
    rate = float(move[-1] + theta)  # the fastest state bounds the uniformisation rate
    stay = 1.0 - (move + theta) / rate
    step_down = move[1:] / rate
    to_answer = move[0] / rate
    mean_steps = rate * t
    steps = int(mean_steps + 12 * math.sqrt(mean_steps) + 30)
    weights = poisson.pmf(np.arange(steps + 1), mean_steps)
    # Stop once the Poisson weights left cannot move the answer by 1e-15.
    remaining = 1.0 - np.cumsum(weights)
    steps = min(steps, int(np.argmax(remaining < 1e-15)) if (remaining < 1e-15).any() else steps)
    probs = start.astype(float).copy()
    answered, total = 0.0, 0.0
    for m in range(steps + 1):
        total += weights[m] * answered
        answered += probs[0] * to_answer
        moved = probs[1:] * step_down
        probs *= stay
        probs[:-1] += moved
    return total


@lru_cache(maxsize=65536)
def _erlang_a_core(traffic: float, theta: float, agents: int, t: float) -> tuple:
    """Erlang A in units of the mean handle time (service rate 1).

    traffic = arrival rate, theta = abandonment rate per waiting caller
    (AHT / mean patience), t = answer-within time in AHTs.
    Returns (p_wait, p_abandon, service_level, mean_queue_wait, mean_wait_answered).
    """
    n = agents
    # Stationary distribution of the number in system (birth-death), in log space so
    # that hundreds of agents at hundreds of Erlangs neither overflow nor underflow.
    k = np.arange(n + 1, dtype=float)
    log_busy = k * math.log(traffic) - gammaln(k + 1)  # states 0..n
    # Queue lengths beyond the mode (arrivals = departures) contribute geometrically
    # less; grow the truncation until the tail is negligible.
    mode = max(0.0, (traffic - n) / theta)
    j_max = int(mode + 20 * math.sqrt(mode + traffic + 1) + 100)
    while True:
        j = np.arange(1, j_max + 1, dtype=float)
        log_queue = log_busy[-1] + np.cumsum(math.log(traffic) - np.log(n + j * theta))
        top = max(log_busy.max(), log_queue.max())
        tail_small = log_queue[-1] < top - _LOG_CUTOFF and (n + j_max * theta) > traffic
        if tail_small or j_max >= _MAX_QUEUE_STATES:
            break
        j_max = min(2 * j_max, _MAX_QUEUE_STATES)
    log_all = np.concatenate([log_busy, log_queue])
    p = np.exp(log_all - logsumexp(log_all))
    p_queue = p[n:]  # p_queue[j] = P(n + j in system) = P(an arrival finds j waiting ahead)
    waiting = np.arange(p_queue.size, dtype=float)

    p_wait = float(p_queue.sum())
    mean_queue = float((waiting * p_queue).sum())
    p_abandon = theta * mean_queue / traffic  # abandonment flow / arrival flow
    mean_queue_wait = mean_queue / traffic  # Little's law over all arrivals

    # A tagged arrival with j callers ahead moves up at rate n + j*theta (a service
    # completion or an abandonment ahead) and is answered from the head at rate n;
    # it abandons itself at rate theta throughout. P(answered within t | waited) is
    # the mass this pure-death chain sends to "answered" by t, computed by
    # uniformisation: a Poisson number of steps of the embedded discrete chain.
    move = n + waiting * theta
    answered_in_time = _answered_within(p_queue, move, theta, t)
    service_level = float((1.0 - p_wait) + answered_in_time)

    # Mean wait of answered callers: E[W 1{answered}] = p M M r with M = (-Q)^-1 on the
    # transient states; (-Q)^T is upper bidiagonal, so two banded solves do it.
    if n > 0:
        banded = np.zeros((2, p_queue.size))
        banded[0, 1:] = -move[1:]
        banded[1, :] = move + theta
        time_in_state = solve_banded((0, 1), banded, p_queue)
        weighted = solve_banded((0, 1), banded, time_in_state)
        answered = 1.0 - p_abandon
        wait_answered = float(weighted[0] * move[0]) / answered if answered > 0 else None
    else:
        wait_answered = None
    return (
        min(p_wait, 1.0),
        min(max(p_abandon, 0.0), 1.0),
        min(max(service_level, 0.0), 1.0),
        mean_queue_wait,
        wait_answered,
    )


def erlang_a(
    calls: float,
    aht_s: float,
    interval_s: float,
    agents: int,
    answer_within_s: float,
    patience_s: float,
    shrinkage: float = 0.0,
) -> StaffingResult:
    """Erlang A (M/M/N+M) figures at a given number of agents.

    Always stable: abandonment keeps the queue finite even when N <= A.
    """
    a = traffic_erlangs(calls, aht_s, interval_s)
    n = _check_agents(agents)
    t = _check_non_negative("answer_within_s", answer_within_s)
    patience_s = _check_positive("patience_s", patience_s)
    scheduled = scheduled_agents(n, shrinkage)
    if a == 0:
        return StaffingResult(
            n, 0.0, 0.0, 1.0, 0.0, 0.0, scheduled, p_abandon=0.0, model="erlang_a", asa_answered_s=0.0
        )
    p_wait, p_abandon, sl, queue_wait, wait_answered = _erlang_a_core(a, aht_s / patience_s, n, t / aht_s)
    return StaffingResult(
        agents=n,
        traffic_erlangs=a,
        p_wait=p_wait,
        service_level=sl,
        asa_s=queue_wait * aht_s,
        occupancy=a * (1.0 - p_abandon) / n if n > 0 else 0.0,
        scheduled_agents=scheduled,
        p_abandon=p_abandon,
        model="erlang_a",
        asa_answered_s=None if wait_answered is None else wait_answered * aht_s,
    )


# ------------------------------------------------- Erlang A over many intervals

# Below this, scipy's regularised incomplete gamma is too close to underflow to take its
# log; log M then comes from its series, which converges fast exactly there.
_TINY = 1e-280


def _log_m(a, x):
    """log M(a, x), M(a, x) = sum_k x^k / ((a+1)(a+2)...(a+k)) = 1F1(1; a+1; x), for
    arrays of a > 0 and x >= 0. M = Gamma(a+1) x^-a e^x P(a, x) with P scipy's
    regularised lower incomplete gamma, in logs; where P underflows (x far below a)
    the series itself, whose terms then shrink at least geometrically."""
    a, x = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(x, dtype=float))
    p = gammainc(a, x)
    ok = p > _TINY
    out = np.empty(a.shape)
    with np.errstate(divide="ignore"):
        out[ok] = gammaln(a[ok] + 1) + np.log(p[ok]) - a[ok] * np.log(x[ok]) + x[ok]
    if (~ok).any():
        aa, xx = a[~ok], x[~ok]
        term, total = np.ones(aa.shape), np.ones(aa.shape)
        k, live = 0, np.ones(aa.shape, dtype=bool)
        while live.any():
            k += 1
            term[live] *= xx[live] / (aa[live] + k)
            total[live] += term[live]
            live &= term > 1e-17 * total
        out[~ok] = np.log(total)
    return out


def _log_e(agents, traffic):
    """log(1/B - 1) with B = Erlang B(N, A): log of sum_{k<N} N! / (k! A^(N-k)),
    = log(N! A^-N e^A Q(N, A)), Q scipy's regularised upper incomplete gamma; by the
    series sum_j N(N-1)...(N-j+1) / A^j where Q underflows (A far above N). -inf at N = 0."""
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(traffic, dtype=float))
    out = np.full(n.shape, -np.inf)
    pos = n > 0
    q = np.zeros(n.shape)
    q[pos] = gammaincc(n[pos], a[pos])
    ok = pos & (q > _TINY)
    out[ok] = gammaln(n[ok] + 1) - n[ok] * np.log(a[ok]) + a[ok] + np.log(q[ok])
    rest = pos & ~ok
    if rest.any():
        nn, aa = n[rest], a[rest]
        term, total = np.ones(nn.shape), np.zeros(nn.shape)
        j, live = 0, np.ones(nn.shape, dtype=bool)
        while live.any():
            term[live] *= (nn[live] - j) / aa[live]
            total[live] += term[live]
            j += 1
            live &= (term > 1e-17 * total) & (nn - j > 0)
        out[rest] = np.log(total)
    return out


def _next_log_e(log_e, agents, traffic):
    """log E(N+1) from log E(N) (E = 1/ErlangB - 1): E(N+1) = (N+1)/A (1 + E(N)), the
    Erlang B recursion, stable upward."""
    return np.log(agents + 1) - np.log(traffic) + np.logaddexp(0.0, log_e)


def _erlang_a_units(traffic, theta, agents, t, log_e=None):
    """Erlang A in units of the mean handle time, over arrays (broadcast): the same
    quantities as ``_erlang_a_core`` (traffic > 0, theta = AHT / mean patience,
    t = answer-within time in AHTs), in closed form instead of a truncated chain.

    With a = N/theta and x = A/theta, an arrival finds all N busy with probability
    P(wait) = M / (E + M) (M = M(a, x), E = 1/ErlangB - 1); a waiting caller's
    offered wait V (the wait until answered, had they stayed) has
    P(V > s | V > 0) = P(a, x e^(-theta s)) / P(a, x) (Mandelbaum and Zeltyn, "The
    M/M/n+M queue: a summary of performance measures"), and they are answered when V
    is below their exponential patience. So, with y = x e^(-theta t),
      P(answered within t | wait) = (a/x) (P(a+1, x) - P(a+1, y)) / P(a, x)
                                  = (a/x) (1 - 1/M) - a/(a+1) e^(x - y - theta t (a+1)) M(a+1, y) / M,
      P(abandon) = P(wait) (1 - (a/x)(1 - 1/M)),
      service level = 1 - P(wait) + P(wait) P(answered within t | wait),
    the same definitions as ``_erlang_a_core`` (abandons count against). N = 0: all
    wait and all abandon. ``log_e``: log E(N) when the caller has it (see
    ``_next_log_e``). Returns (p_wait, p_abandon, service_level) arrays."""
    a_traffic, theta, n, t = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (traffic, theta, agents, t)))
    if log_e is not None:
        log_e = np.broadcast_to(np.asarray(log_e, dtype=float), n.shape)
    shape = a_traffic.shape
    p_wait, p_abandon, sl = np.ones(shape), np.ones(shape), np.zeros(shape)
    some = n > 0
    if some.any():
        A, th, nn, tt = a_traffic[some], theta[some], n[some], t[some]
        a, x = nn / th, A / th
        log_m = _log_m(a, x)
        with np.errstate(over="ignore"):  # e^(huge) = inf: P(wait) 0 (far more agents than calls)
            pw = 1.0 / (1.0 + np.exp((_log_e(nn, A) if log_e is None else log_e[some]) - log_m))
        answered = (a / x) * -np.expm1(-log_m)  # P(answered | wait)
        y = x * np.exp(-th * tt)
        late = (a / (a + 1)) * np.exp(x - y - th * tt * (a + 1) + _log_m(a + 1, y) - log_m)
        within = np.where(tt > 0, answered - late, 0.0)
        p_wait[some] = np.minimum(pw, 1.0)
        p_abandon[some] = np.clip(pw * (1.0 - answered), 0.0, 1.0)
        sl[some] = np.clip(1.0 - pw + pw * within, 0.0, 1.0)
    return p_wait, p_abandon, sl


def erlang_a_arrays(traffic, agents, aht_s, patience_s, answer_within_s) -> dict:
    """Erlang A (M/M/N+M) for many intervals at once: numpy arrays (or numbers) of
    traffic (Erlangs), whole agents, AHT, mean patience and answer-within time in
    seconds, broadcast together. Returns arrays ``p_wait``, ``p_abandon``,
    ``service_level`` (answered within T / offered) and ``asa_s`` (mean time in queue of
    all arrivals), the figures ``erlang_a`` gives one at a time. No traffic: nobody
    waits, service level 1."""
    traffic, agents, aht, patience, t = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (traffic, agents, aht_s, patience_s, answer_within_s))
    )
    theta = aht / patience
    p_wait, p_abandon, sl = _erlang_a_units(np.where(traffic > 0, traffic, 1.0), theta, agents, t / aht)
    none = traffic <= 0
    p_wait, p_abandon, sl = (np.where(none, v0, v) for v, v0 in ((p_wait, 0.0), (p_abandon, 0.0), (sl, 1.0)))
    nan = np.isnan(traffic) | np.isnan(theta) | np.isnan(agents) | np.isnan(t)
    out = {"p_wait": p_wait, "p_abandon": p_abandon, "service_level": sl, "asa_s": p_abandon * patience}
    return {k: np.where(nan, np.nan, v) for k, v in out.items()}


def service_level_arrays(traffic, agents, aht_s, answer_within_s, patience_s=None) -> np.ndarray:
    """Service level per interval at whole numbers of agents: Erlang A where the
    interval's ``patience_s`` is a number, Erlang C where it is missing (None or NaN).
    Arrays broadcast together; 1 where there is no traffic."""
    traffic, agents, aht, t = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (traffic, agents, aht_s, answer_within_s))
    )
    patience = np.broadcast_to(np.asarray(np.nan if patience_s is None else patience_s, dtype=float), traffic.shape)
    out = np.asarray(_erlang_c_service_level(agents, traffic, aht, t), dtype=float).copy()
    use_a = ~np.isnan(patience) & (traffic > 0)
    if use_a.any():
        out[use_a] = _erlang_a_units(
            traffic[use_a], aht[use_a] / patience[use_a], agents[use_a], t[use_a] / aht[use_a]
        )[2]
    return out


def service_level_at_fractional_agents(traffic, agents, aht_s, answer_within_s, patience_s=None) -> np.ndarray:
    """Service level per interval at a fractional number of agents on the phones (an
    average signed in): linear between the whole numbers below and above it, each by
    ``service_level_arrays``'s model choice. Erlang A's two evaluations share one
    Erlang B term (its recursion from the lower number)."""
    traffic, agents, aht, t = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (traffic, agents, aht_s, answer_within_s))
    )
    patience = np.broadcast_to(np.asarray(np.nan if patience_s is None else patience_s, dtype=float), traffic.shape)
    low, high = np.floor(agents), np.ceil(agents)
    use_a = ~np.isnan(patience) & (traffic > 0)
    out = np.empty(traffic.shape)
    c = ~use_a
    if c.any():
        sl_lo = np.asarray(_erlang_c_service_level(low[c], traffic[c], aht[c], t[c]), dtype=float)
        sl_hi = np.asarray(_erlang_c_service_level(high[c], traffic[c], aht[c], t[c]), dtype=float)
        out[c] = sl_lo + (sl_hi - sl_lo) * (agents[c] - low[c])
    if use_a.any():
        a, n = traffic[use_a], low[use_a]
        theta, tt = aht[use_a] / patience[use_a], t[use_a] / aht[use_a]
        log_e = _log_e(n, a)
        sl_lo = _erlang_a_units(a, theta, n, tt, log_e)[2]
        frac = agents[use_a] - n
        sl_hi = sl_lo.copy()
        up = frac > 0
        if up.any():
            sl_hi[up] = _erlang_a_units(a[up], theta[up], n[up] + 1, tt[up], _next_log_e(log_e[up], n[up], a[up]))[2]
        out[use_a] = sl_lo + (sl_hi - sl_lo) * frac
    return out


def _min_agents_erlang_a_arrays(traffic, aht_s, t, target: float, patience_s, floor_n):
    """Minimum N meeting the target under Erlang A, for arrays of intervals with traffic
    > 0: the search of ``_min_agents_erlang_a`` (from the Erlang C answer, galloping
    away from it, then bisecting; N >= max(floor, target x A, 1)) run on all intervals
    together, each step evaluating only the intervals still undecided."""
    a = np.atleast_1d(np.asarray(traffic, dtype=float))
    aht = np.broadcast_to(np.asarray(aht_s, dtype=float), a.shape)
    tt = np.broadcast_to(np.asarray(t, dtype=float), a.shape) / aht
    theta = aht / np.broadcast_to(np.asarray(patience_s, dtype=float), a.shape)
    low = np.maximum(np.maximum(np.asarray(floor_n, dtype=float), np.ceil(target * a - _EPS)), 1.0)
    low = np.broadcast_to(low, a.shape)

    def meets(n, idx, log_e=None):
        sl = _erlang_a_units(a[idx], theta[idx], n, tt[idx], log_e)[2]
        return (n >= low[idx]) & (sl >= target - 1e-12)

    every = np.arange(a.size)
    # Erlang A needs the Erlang C answer or one agent fewer in most intervals (callers who
    # hang up shorten the queue), so the search starts one below it and looks both ways.
    start = np.maximum(low, _min_agents_erlang_c(a, aht, t, target, 0).astype(float) - 1)
    start_log_e = _log_e(start, a)
    ok = meets(start, every, start_log_e)
    passing = np.where(ok, start, np.nan)
    failing = np.where(ok, np.nan, start)
    step = np.ones(a.size)
    # Gallop: down from a passing start, up from a failing one, doubling the step.
    down = np.flatnonzero(ok)
    while down.size:
        cand = passing[down] - step[down]
        m = meets(cand, down)
        passing[down[m]] = cand[m]
        step[down[m]] *= 2
        failing[down[~m]] = np.maximum(cand[~m], low[down[~m]] - 1)
        down = down[m]
    up = np.flatnonzero(~ok)
    first = True
    while up.size:
        cand = failing[up] + step[up]
        # the first step up is one above the start: its Erlang B term by the recursion
        m = meets(cand, up, _next_log_e(start_log_e[up], start[up], a[up]) if first else None)
        first = False
        passing[up[m]] = cand[m]
        failing[up[~m]] = cand[~m]
        step[up[~m]] *= 2
        up = up[~m]
    wide = np.flatnonzero(passing - failing > 1)
    while wide.size:
        mid = np.floor((failing[wide] + passing[wide]) / 2)
        m = meets(mid, wide)
        passing[wide[m]] = mid[m]
        failing[wide[~m]] = mid[~m]
        wide = wide[passing[wide] - failing[wide] > 1]
    return passing.astype(int)


def required_agents_arrays(
    traffic, aht_s, answer_within_s: float, target_sl: float, patience_s=None, floor_n=0
) -> np.ndarray:
    """Minimum agents per interval meeting the target service level: Erlang A where the
    interval's ``patience_s`` is a number, Erlang C where it is missing; at least
    ``floor_n`` (e.g. the occupancy cap's A / max occupancy). 0 where there is no traffic;
    traffic must be known (not NaN)."""
    target = _check_target(target_sl)
    a = np.atleast_1d(np.asarray(traffic, dtype=float))
    aht = np.broadcast_to(np.asarray(aht_s, dtype=float), a.shape)
    t = np.broadcast_to(np.asarray(answer_within_s, dtype=float), a.shape)
    floor_n = np.broadcast_to(np.asarray(floor_n, dtype=float), a.shape)
    patience = np.broadcast_to(np.asarray(np.nan if patience_s is None else patience_s, dtype=float), a.shape)
    out = np.zeros(a.size, dtype=int)
    busy = a > 0
    use_a = busy & ~np.isnan(patience)
    use_c = busy & np.isnan(patience)
    if use_c.any():
        out[use_c] = _min_agents_erlang_c(a[use_c], aht[use_c], t[use_c], target, floor_n[use_c])
    if use_a.any():
        out[use_a] = _min_agents_erlang_a_arrays(
            a[use_a], aht[use_a], t[use_a], target, patience[use_a], floor_n[use_a]
        )
    return out


# ------------------------------------------------------------ required agents


def _min_agents_erlang_c(traffic, aht_s, t, target: float, floor_n):
    """Minimum N meeting the target under Erlang C, vectorised over intervals."""
    a = np.atleast_1d(np.asarray(traffic, dtype=float))
    aht = np.broadcast_to(np.asarray(aht_s, dtype=float), a.shape)
    t = np.broadcast_to(np.asarray(t, dtype=float), a.shape)
    n = np.maximum(np.asarray(floor_n, dtype=float), np.floor(a) + 1)
    n = np.where(a > 0, n, 0.0)
    # SL rises with N above A, so step every unmet interval up together.
    pending = np.asarray(_erlang_c_service_level(n, a, aht, t), dtype=float) < target - 1e-12
    while pending.any():
        n[pending] += 1
        sl = _erlang_c_service_level(n[pending], a[pending], aht[pending], t[pending])
        pending[pending] = np.atleast_1d(sl) < target - 1e-12
    return n.astype(int)


def _min_agents_erlang_a(a: float, aht_s: float, t: float, target: float, patience_s: float, floor_n: int) -> int:
    theta, t_aht = aht_s / patience_s, t / aht_s
    # Answered calls cannot exceed N/A of the offered ones, so N >= target*A is a floor.
    low = max(floor_n, _ceil(target * a), 1)

    def meets(n: int) -> bool:
        return n >= low and _erlang_a_core(a, theta, n, t_aht)[2] >= target - 1e-12

    # Each evaluation is costly: probe the Erlang C answer first (usually within a few
    # agents), gallop away from it, then bisect; SL rises with N.
    start = max(low, int(_min_agents_erlang_c(a, aht_s, t, target, 0)[0]))
    if meets(start):
        passing, step = start, 1
        while meets(passing - step):
            passing -= step
            step *= 2
        failing = max(passing - step, low - 1)
    else:
        failing, step = start, 1
        while not meets(failing + step):
            failing += step
            step *= 2
        passing = failing + step
    while passing - failing > 1:
        mid = (failing + passing) // 2
        if meets(mid):
            passing = mid
        else:
            failing = mid
    return passing


def required_agents(
    calls: float,
    aht_s: float,
    interval_s: float,
    answer_within_s: float,
    target_sl: float,
    shrinkage: float = 0.0,
    max_occupancy: float | None = None,
    patience_s: float | None = None,
) -> StaffingResult:
    """Minimum agents meeting the target service level, with the figures at that N.

    ``max_occupancy`` adds N >= A / max_occupancy; ``patience_s`` switches to
    Erlang A. ``scheduled_agents`` = ceil(N / (1 - shrinkage)); ``traffic_erlangs``
    is the fractional workload for planners who add up many queues.
    """
    a = traffic_erlangs(calls, aht_s, interval_s)
    t = _check_non_negative("answer_within_s", answer_within_s)
    target = _check_target(target_sl)
    shrinkage = _check_shrinkage(shrinkage)
    max_occupancy = _check_max_occupancy(max_occupancy)
    patience_s = _check_patience(patience_s)
    if a == 0:
        n = 0
    else:
        floor_n = _ceil(a / max_occupancy) if max_occupancy is not None else 0
        if patience_s is None:
            n = int(_min_agents_erlang_c(a, aht_s, t, target, floor_n)[0])
        else:
            n = _min_agents_erlang_a(a, aht_s, t, target, patience_s, floor_n)
    if patience_s is None:
        return erlang_c(calls, aht_s, interval_s, n, t, shrinkage)
    return erlang_a(calls, aht_s, interval_s, n, t, patience_s, shrinkage)


# ------------------------------------------------------------- many intervals


def required_vs_staffed(
    df: pd.DataFrame,
    answer_within_s: float,
    target_sl: float,
    shrinkage: float = 0.0,
    max_occupancy: float | None = None,
    patience_s=None,
    interval_s: float = 900,
    service_levels: bool = True,
) -> pd.DataFrame:
    """Required agents per interval next to the agents actually staffed.

    ``df`` has ``offered`` (calls), ``aht_s`` and ``staffed_agents`` (staffed
    seconds / interval seconds, may be fractional) plus any key columns, which are
    kept. Adds ``traffic_erlangs``, ``required_agents``, ``gap_agents`` (staffed -
    required; negative means short), ``scheduled_agents`` (required grossed up for
    shrinkage), ``service_level_at_staffed`` (linear between floor and ceil of a
    fractional staffed number), ``short``, and ``model`` with ``patience_s``: the
    model of the row's figures, ``erlang_a`` with the caller patience or ``erlang_c``.
    ``patience_s`` is one number for every row, or one per row (missing = Erlang C
    for that row), or None (Erlang C throughout). ``staffed_agents`` counts people on
    the phones, so the gap compares it with the required, not the scheduled, number.

    An interval with no calls needs 0 agents whatever its AHT. An interval with calls
    but no usable AHT (missing or <= 0) or no staffed figure gets missing values
    (NaN / <NA>) rather than a guess. Every interval is computed at once (numpy
    arrays), Erlang A included. ``service_levels=False`` leaves
    ``service_level_at_staffed`` missing where it needs the model (for a caller that needs
    the required agents only; ``with_service_levels`` adds it later).
    """
    missing = {"offered", "aht_s", "staffed_agents"} - set(df.columns)
    if missing:
        raise ValueError(f"df is missing column(s): {', '.join(sorted(missing))}")
    _check_non_negative("answer_within_s", answer_within_s)
    _check_target(target_sl)
    _check_shrinkage(shrinkage)
    _check_max_occupancy(max_occupancy)
    _check_positive("interval_s", interval_s)
    rows = len(df)
    if patience_s is None or np.ndim(patience_s) == 0:
        patience = np.full(rows, np.nan if patience_s is None else _check_patience(patience_s))
    else:
        patience = pd.to_numeric(pd.Series(np.asarray(patience_s)), errors="coerce").astype(float).to_numpy()
        if len(patience) != rows:
            raise ValueError("patience_s must be one number or one per row of df")
        given = patience[~np.isnan(patience)]
        if np.any(~(given > 0)) or np.any(np.isinf(given)):
            raise ValueError("patience_s must be > 0 and finite where given")

    offered = pd.to_numeric(df["offered"], errors="coerce").astype(float).to_numpy()
    aht = pd.to_numeric(df["aht_s"], errors="coerce").astype(float).to_numpy()
    staffed = pd.to_numeric(df["staffed_agents"], errors="coerce").astype(float).to_numpy()
    if np.any(offered < 0):
        raise ValueError("offered must be >= 0 in every row")
    if np.any(staffed < 0):
        raise ValueError("staffed_agents must be >= 0 in every row")

    empty = offered == 0
    known = (offered > 0) & (aht > 0)  # NaN compares False: missing AHT stays unknown
    traffic = np.full(rows, np.nan)
    traffic[empty] = 0.0
    traffic[known] = offered[known] * aht[known] / interval_s
    required = np.full(rows, np.nan)
    required[empty] = 0.0
    sl_staffed = np.full(rows, np.nan)
    sl_staffed[empty & ~np.isnan(staffed)] = 1.0

    if known.any():
        floor_n = 0 if max_occupancy is None else np.ceil(traffic[known] / max_occupancy - _EPS)
        required[known] = required_agents_arrays(
            traffic[known], aht[known], answer_within_s, target_sl, patience[known], floor_n
        )

    out = df.copy()
    out["traffic_erlangs"] = traffic
    out["required_agents"] = whole_numbers(required)
    gap = staffed - required
    scheduled = np.where(np.isnan(required), np.nan, np.ceil(required / (1.0 - shrinkage) - _EPS))
    out["scheduled_agents"] = whole_numbers(scheduled)
    out["gap_agents"] = gap
    out["service_level_at_staffed"] = sl_staffed
    with np.errstate(invalid="ignore"):
        out["short"] = pd.arrays.BooleanArray(gap < 0, np.isnan(gap))
    # a category: a month of a large group is ~230 k rows, kept in the lake's bounded cache
    out["model"] = pd.Categorical(np.where(np.isnan(patience), "erlang_c", "erlang_a"), categories=MODELS)
    out["patience_s"] = patience
    return with_service_levels(out, answer_within_s) if service_levels else out


def with_service_levels(table: pd.DataFrame, answer_within_s: float) -> pd.DataFrame:
    """A copy of a ``required_vs_staffed(..., service_levels=False)`` table (or some of its
    rows) with ``service_level_at_staffed`` computed where it needs the model: intervals
    with traffic and a staffed figure, at the row's model (``patience_s``)."""
    traffic = table["traffic_erlangs"].to_numpy(dtype=float)
    aht = pd.to_numeric(table["aht_s"], errors="coerce").astype(float).to_numpy()
    staffed = pd.to_numeric(table["staffed_agents"], errors="coerce").astype(float).to_numpy()
    patience = table["patience_s"].to_numpy(dtype=float)
    sl = table["service_level_at_staffed"].to_numpy(dtype=float).copy()
    with np.errstate(invalid="ignore"):
        judged = (traffic > 0) & ~np.isnan(staffed)
    if judged.any():
        sl[judged] = service_level_at_fractional_agents(
            traffic[judged], staffed[judged], aht[judged], answer_within_s, patience[judged]
        )
    out = table.copy()
    out["service_level_at_staffed"] = sl
    return out
