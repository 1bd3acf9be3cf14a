"""When and how long to wait before trying a request again.

Retried: connection errors, timeouts, 429 and 5xx, for reads (GET, /list,
/entityref), PUT and DELETE. Never retried: a create (POST to a record
endpoint), because the first attempt may have saved the record; the caller
looks it up first. Other 4xx answers are final.

Failures count against ``max_attempts``; 429 answers do not (the server says
when to come back) but against ``max_throttles`` and the ``max_total_wait``
shared by both.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6  # attempts ending in a failure other than 429
    max_throttles: int = 30  # 429s in a row (also bounded by max_total_wait)
    base_delay: float = 0.25
    max_delay: float = 10.0
    max_total_wait: float = 60.0
    jitter: float = 0.5  # fraction of the delay drawn at random

    def delay(
        self, attempt: int, retry_after: float | None, rng: random.Random
    ) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 1).

        A server's Retry-After wins over the backoff, capped at max_delay so a
        hostile value cannot park a worker for an hour.
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        backoff = min(self.base_delay * 2 ** (attempt - 1), self.max_delay)
        spread = 1 - self.jitter + self.jitter * rng.random()
        return float(backoff * spread)


NO_RETRY = RetryPolicy(max_attempts=1, max_throttles=0)
