"""The demo made on the dashboard's first start runs inside the server, a process of many
threads: its workers must not be forked there (a forked worker can inherit a lock another
thread held and wait on it for ever: README command 1 once hung so in a fresh clone)."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from analytics.demo import generator


@pytest.fixture
def two_worker_small_scale(monkeypatch):
    monkeypatch.setitem(generator.SCALES, "small_two", {**generator.SCALES["small"], "workers": 2})
    monkeypatch.setattr(generator.mp, "cpu_count", lambda: 2)
    forks = []
    real = generator.mp.get_context
    monkeypatch.setattr(generator.mp, "get_context", lambda method=None: forks.append(method) or real(method))
    return forks


def test_no_fork_beside_other_threads_and_the_same_calls(two_worker_small_scale):
    forks = two_worker_small_scale
    alone = generator.generate("small_two", seed=3)  # pytest's own process: one thread
    assert forks == ["fork"]
    beside: dict = {}
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # stands for the server's threads
    other.start()
    try:
        worker = threading.Thread(target=lambda: beside.update(generator.generate("small_two", seed=3)))
        worker.start()
        worker.join()
    finally:
        stop.set()
        other.join()
    assert forks == ["fork"]  # no second pool: simulated in the calling process
    pd.testing.assert_frame_equal(beside["calls"], alone["calls"])
