"""The page-run gate (ui/admission.py): at most N runs at once, waiters served in arrival
order (nobody arriving later jumps the queue), a run that waited too long goes without a slot
and never frees one it did not take, and the data page never waits."""

from __future__ import annotations

import threading
import time

import pytest

from ui import admission
from ui.admission import FairGate


def _wait_until(cond, timeout=5.0):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("condition not reached")
        time.sleep(0.002)


class Runner:
    """A thread that enters the gate, notes when it got in, and leaves when told."""

    def __init__(self, gate: FairGate, name: str, entered: list):
        self.leave = threading.Event()
        self.inside = threading.Event()

        def body():
            with gate.slot():
                entered.append(name)
                self.inside.set()
                self.leave.wait(5)

        self.thread = threading.Thread(target=body, daemon=True)
        self.thread.start()

    def finish(self):
        self.leave.set()
        self.thread.join(5)


def test_at_most_n_run_and_waiters_enter_in_arrival_order():
    gate, entered = FairGate(2, max_wait_s=10), []
    a, b = Runner(gate, "a", entered), Runner(gate, "b", entered)
    _wait_until(lambda: gate.busy() == (2, 0))
    waiting = []
    for i, name in enumerate("cde"):  # each arrives after the one before is queued
        waiting.append(Runner(gate, name, entered))
        _wait_until(lambda n=i + 1: gate.busy() == (2, n))
    assert sorted(entered) == ["a", "b"]

    a.finish()
    _wait_until(lambda: len(entered) == 3)
    # A run arriving as "a" leaves finds d and e queued: it goes behind them.
    late = Runner(gate, "f", entered)
    _wait_until(lambda: gate.busy() == (2, 3))
    b.finish()
    _wait_until(waiting[1].inside.is_set)  # one leaves, one enters: the next in line
    waiting[0].finish()
    _wait_until(waiting[2].inside.is_set)
    assert not late.inside.is_set()
    for r in waiting[1:] + [late]:
        r.finish()
    assert entered == ["a", "b", "c", "d", "e", "f"] or entered == ["b", "a", "c", "d", "e", "f"]
    assert gate.busy() == (0, 0)


def test_a_slot_passes_to_the_longest_waiter_not_to_a_newcomer():
    """Leaving hands the slot to the longest waiter: a run arriving right after, before that
    waiter has even woken, finds no free slot (a semaphore would let it in first)."""
    gate, entered = FairGate(1, max_wait_s=0.3), []
    assert gate._acquire()  # this thread holds the slot
    first = Runner(gate, "first", entered)
    _wait_until(lambda: gate.busy() == (1, 1))
    gate._release()
    newcomer_in = gate._acquire()  # at once, from the thread that just left
    assert newcomer_in is False  # it waited its 0.3 s behind "first", then went without
    assert entered == ["first"] and gate.busy() == (1, 0)
    first.finish()
    assert gate.busy() == (0, 0)


def test_a_run_that_waits_too_long_goes_without_a_slot_and_frees_none():
    gate, entered = FairGate(1, max_wait_s=0.05), []
    holder = Runner(gate, "holder", entered)
    _wait_until(lambda: gate.busy() == (1, 0))
    t = time.monotonic()
    with gate.slot():  # waits 0.05 s, then runs anyway
        assert time.monotonic() - t >= 0.05
        assert gate.busy() == (1, 0)  # not counted, not queued any more
    assert gate.busy() == (1, 0)  # leaving did not free the holder's slot
    holder.finish()
    assert gate.busy() == (0, 0)
    with gate.slot():
        assert gate.busy() == (1, 0)


def test_the_data_page_never_waits(monkeypatch):
    gate = FairGate(1, max_wait_s=10)
    monkeypatch.setattr(admission, "PAGE_RUNS", gate)
    holder = Runner(gate, "holder", [])
    _wait_until(lambda: gate.busy() == (1, 0))
    t = time.monotonic()
    with admission.page_run("data"):
        assert gate.busy() == (1, 0)
    assert time.monotonic() - t < 1
    done = threading.Event()

    def analytics_page():
        with admission.page_run("service_level"):
            done.set()

    threading.Thread(target=analytics_page, daemon=True).start()
    _wait_until(lambda: gate.busy() == (1, 1))
    assert not done.is_set()
    holder.finish()
    assert done.wait(5)


def test_a_gate_needs_a_slot():
    with pytest.raises(ValueError):
        FairGate(0)
