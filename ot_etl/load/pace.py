"""Adaptive concurrency for the posting pool (additive increase, halving on 429).

Every worker takes a slot before a request and gives it back after. A 429
anywhere halves the number of slots (once per burst) and pauses the whole
pool for the server's ``Retry-After``; each run of ``limit`` successes then
adds one slot back, up to the pool size. So a throttled server sees the
pool back off at once and recover gradually.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

DEFAULT_PAUSE = 1.0


class AdaptiveLimit:
    """A counting gate whose size follows the server's tolerance."""

    def __init__(
        self, maximum: int, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if maximum < 1:
            raise ValueError("the pool needs at least one worker")
        self.maximum = maximum
        self.limit = maximum
        self.lowest = maximum
        self.throttles = 0
        self.active = 0
        self._clock = clock
        self._pause_until = 0.0
        self._last_cut = -1e9
        self._successes = 0
        self._cond = threading.Condition()

    def acquire(self) -> None:
        """Wait for a slot and for any pause to end."""
        with self._cond:
            while True:
                now = self._clock()
                if now < self._pause_until:
                    self._cond.wait(self._pause_until - now)
                elif self.active < self.limit:
                    self.active += 1
                    return
                else:
                    self._cond.wait(0.5)

    def release(self, ok: bool = True) -> None:
        with self._cond:
            self.active -= 1
            if ok and self.limit < self.maximum:
                self._successes += 1
                if self._successes >= self.limit:
                    self.limit += 1
                    self._successes = 0
            self._cond.notify_all()

    def throttled(self, retry_after: float | None) -> None:
        """A 429 arrived: halve once per pause window and pause everyone."""
        with self._cond:
            now = self._clock()
            pause = DEFAULT_PAUSE if retry_after is None else max(retry_after, 0.0)
            self.throttles += 1
            # 429s answered in the same window are one signal, not several.
            if now - self._last_cut >= max(pause, 0.05):
                self.limit = max(1, self.limit // 2)
                self.lowest = min(self.lowest, self.limit)
                self._last_cut = now
                self._successes = 0
            self._pause_until = max(self._pause_until, now + pause)
            self._cond.notify_all()

    def snapshot(self) -> dict[str, int]:
        with self._cond:
            return {
                "limit": self.limit,
                "lowest_limit": self.lowest,
                "throttles": self.throttles,
            }
