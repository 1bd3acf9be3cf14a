"""The adaptive pool gate: halve on 429 once per burst, pause, recover."""

from __future__ import annotations

from ot_etl.load.pace import AdaptiveLimit


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_429_halves_once_then_recovers() -> None:
    clock = Clock()
    gate = AdaptiveLimit(8, clock=clock)
    gate.throttled(0.5)
    gate.throttled(0.5)
    gate.throttled(0.5)
    assert gate.snapshot() == {"limit": 4, "lowest_limit": 4, "throttles": 3}
    clock.now += 1.0
    gate.throttled(None)
    assert gate.limit == 2
    clock.now += 2.0
    for _ in range(2 + 3 + 4 + 5 + 6 + 7):
        gate.acquire()
        gate.release(True)
    assert gate.limit == 8
    assert gate.lowest == 2


def test_acquire_waits_for_the_pause() -> None:
    import time

    gate = AdaptiveLimit(2)
    gate.throttled(0.2)
    started = time.monotonic()
    gate.acquire()
    assert time.monotonic() - started >= 0.19
    gate.release()
