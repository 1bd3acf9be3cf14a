"""Fault and latency knobs, and the counters tests read.

``Faults`` is a plain mutable object: change a knob on a running sandbox and
the next request sees it. Random draws come from one ``random.Random`` seeded
with ``seed``, in a fixed order per request, so a run with the same requests
in the same order injects the same faults.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any


@dataclass
class Faults:
    """Knobs; rates are probabilities per request between 0 and 1.

    ``latency``: seconds added to every request. ``error_rate``: answer 500.
    ``drop_rate``: close the connection without an answer. ``throttle_rate``:
    answer 429 with ``Retry-After: retry_after``. ``commit_then_fail_rate``:
    on a create, save the record and then answer 500. ``slow_rate``: sleep
    ``slow_seconds`` before answering. ``max_concurrent``: above that many
    requests in flight, answer 429. ``repeat_pages``: a page past the end
    repeats the last page instead of ``[]``. ``misspell_property_name``: 409
    bodies say ``ProperyName`` as the reference page does.
    """

    latency: float = 0.0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    throttle_rate: float = 0.0
    retry_after: float = 1.0
    commit_then_fail_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 0.0
    max_concurrent: int | None = None
    repeat_pages: bool = False
    misspell_property_name: bool = False
    seed: int | None = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "seed" and "_rng" in self.__dict__:
            self._rng.seed(value)

    def draw(self, rate: float) -> bool:
        """True with probability ``rate`` (no draw at all when rate is 0)."""
        if rate <= 0:
            return False
        with self._lock:
            return self._rng.random() < rate

    def retry_after_header(self) -> str:
        """Whole seconds as HTTP wants them; fractions kept for fast tests."""
        value = self.retry_after
        return str(int(value)) if float(value).is_integer() else f"{value:g}"

    def knobs(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name[0] != "_"}


class Fault(Enum):
    NONE = "none"
    DROP = "drop"
    THROTTLE = "throttle"
    ERROR = "error"


@dataclass
class Stats:
    """Counters of requests and injected faults (thread-safe)."""

    connections: int = 0
    requests: int = 0
    errors: int = 0
    drops: int = 0
    throttles: int = 0
    slow: int = 0
    commit_then_fail: int = 0
    concurrency_rejections: int = 0
    repeated_pages: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + amount)

    def status(self, code: int) -> None:
        with self._lock:
            self.by_status[code] = self.by_status.get(code, 0) + 1

    def enter(self, limit: int | None) -> bool:
        """Count a request in flight; False when over ``limit`` (not counted)."""
        with self._lock:
            self.requests += 1
            if limit is not None and self.in_flight >= limit:
                self.concurrency_rejections += 1
                return False
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return True

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            out = {
                f.name: getattr(self, f.name) for f in fields(self) if f.name[0] != "_"
            }
            out["by_status"] = dict(self.by_status)
            return out


def choose(faults: Faults) -> tuple[Fault, bool]:
    """The fault for one request and whether it is slow, drawn in fixed order."""
    slow = faults.draw(faults.slow_rate)
    if faults.draw(faults.drop_rate):
        return Fault.DROP, slow
    if faults.draw(faults.throttle_rate):
        return Fault.THROTTLE, slow
    if faults.draw(faults.error_rate):
        return Fault.ERROR, slow
    return Fault.NONE, slow


def whole_seconds(value: float) -> int:
    return max(0, math.ceil(value))
