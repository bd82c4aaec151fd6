"""Admission control for page runs: at most as many pages compute at once as the machine has
cores; the others wait their turn, first come first served.

Streamlit runs every session's script in a thread of one server process. A page's work is
DuckDB statements, which already use every core, and pandas over their results, which holds
the GIL. When 20 sessions asked for pages at once, all 20 ran together: the statements took
turns on two cores, the threads queued for the GIL, and every page finished near the end of
the whole batch. At 52.5 M calls on 2 cores (20 sessions, two unseen views each, issue 18)
that gave a median view of 2.1 s and a p95 of 5.0 s, in 5.7 s of wall time and 8.9 s of CPU.
Two pages at a time in arrival order: median 1.7 s, p95 2.2 s, in 3.7 s and 5.8 s of CPU (less
switching between threads, less memory in flight). A plain semaphore is not enough: a thread
that arrives as another leaves takes the slot before those already waiting (median 0.4 s but
p95 3.7 s, some sessions starved), hence the queue.

Imports (the data page) are not admitted through the gate: they take minutes and would hold a
slot. A run that has waited ``MAX_WAIT_S`` runs anyway, so a stuck page can slow the others
but never stop them. Importable without Streamlit (the bench goes through the same gate).
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

MAX_WAIT_S = 30.0
# Pages that never wait or hold a slot: the data page runs imports for minutes.
UNGATED_PAGES = frozenset({"data"})


class FairGate:
    """A counting semaphore that serves waiters in arrival order."""

    def __init__(self, slots: int, max_wait_s: float = MAX_WAIT_S):
        if slots < 1:
            raise ValueError("a gate needs at least one slot")
        self.slots = slots
        self.max_wait_s = max_wait_s
        self._free = slots
        self._lock = threading.Lock()
        self._waiting: deque[threading.Event] = deque()

    def _acquire(self) -> bool:
        """True once this thread holds a slot; False when it waited too long and goes without."""
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return True
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(self.max_wait_s):
            return True  # a leaving run handed its slot over (see _release)
        with self._lock:
            if turn.is_set():  # handed over between the timeout and the lock
                return True
            self._waiting.remove(turn)
            return False

    def _release(self) -> None:
        with self._lock:
            if self._waiting:  # the slot passes straight to the longest waiter: nobody jumps it
                self._waiting.popleft().set()
            else:
                self._free += 1

    @contextmanager
    def slot(self) -> Iterator[None]:
        held = self._acquire()
        try:
            yield
        finally:
            if held:
                self._release()

    def busy(self) -> tuple[int, int]:
        """(runs holding a slot, runs waiting), for a status line or a test."""
        with self._lock:
            return self.slots - self._free, len(self._waiting)


# One gate per server process, shared by every session. Two slots at least: on 2 cores two
# at a time measured best (3 and 4 gave the same p95, a little more CPU).
PAGE_RUNS = FairGate(max(2, os.cpu_count() or 2))


@contextmanager
def page_run(url_path: str) -> Iterator[None]:
    """Around a page's run: wait for a slot unless the page is one that never waits."""
    if url_path in UNGATED_PAGES:
        yield
        return
    with PAGE_RUNS.slot():
        yield
