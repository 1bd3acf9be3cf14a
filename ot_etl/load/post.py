"""Post planned items with a bounded, adaptive pool, checkpointing batches.

The caller's thread walks the items in batches: it writes the batch's intent
to the ledger (one transaction), hands the items to the pool, and, once every
item of the batch is done, writes their outcomes (one transaction). At most
a few batches are in flight, so intents always run ahead of the requests.

Per item:

* create -> POST. A ``UnavailableError`` with ``sent=False`` (refused before
  the server could act) fails the item for the next run. After a 5xx answer
  the server is done with the request, so the record is looked up by its
  match key and created only if absent. With no answer at all (timeout,
  dropped connection) the server may still be working on it: the item fails
  as unknown and the ledger keeps it ``sending``, so the next run looks it
  up. Without a match key it is never re-sent: the ledger keeps it as
  ``sending`` and the item fails with a message saying so.
* update -> GET the current record, apply the mapped fields, PUT the whole
  record (the API's PUT is holistic); equal already -> unchanged.
* 409 -> rejected with every ValidationResult; 400 -> rejected with the
  message; 401/403 -> the run stops at once (every further row would fail
  the same way) and :class:`RunStopped` carries the server's refusal.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from ot_etl.catalog import RecordType
from ot_etl.errors import (
    ApiError,
    AuthError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    UnavailableError,
)
from ot_etl.load.items import LoadItem
from ot_etl.load.ledger import Ledger
from ot_etl.load.lookup import Normalize, field_value, find_one
from ot_etl.load.pace import AdaptiveLimit
from ot_etl.load.plan import apply_fields, differences

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""``progress(done, total)``, called from worker threads after each item."""

MAX_CREATE_ATTEMPTS = 3


@dataclass(frozen=True)
class PostSettings:
    workers: int = 8
    batch_size: int = 100


class Poster:
    """Posts one run's items of one record type; reusable only once."""

    def __init__(
        self,
        client: Any,
        rt: RecordType,
        *,
        match_fields: Sequence[str],
        normalize: Normalize,
        settings: PostSettings,
        ledger: Ledger | None = None,
        source_file: str = "",
        progress: Progress | None = None,
    ) -> None:
        self.client = client
        self.rt = rt
        self.match_fields = list(match_fields)
        self.normalize = normalize
        self.settings = settings
        self.ledger = ledger
        self.source_file = source_file
        self.progress = progress
        self.limit = AdaptiveLimit(max(1, settings.workers))
        self.stopped: ApiError | None = None
        self._done = 0
        self._total = 0
        self._count_lock = threading.Lock()
        self._listening = True
        self._halted = False
        # TODO: the client keeps this listener after the run (it has no way to
        # remove one); it is a no-op then, but a long-lived client collects one
        # per load.
        if hasattr(client, "on_throttle"):
            client.on_throttle(self._on_throttle)

    def _on_throttle(self, retry_after: float | None) -> None:
        if self._listening:
            self.limit.throttled(retry_after)

    def run(self, items: Sequence[LoadItem]) -> None:
        """Post every item whose action is create or update.

        Stops early when the server refuses the credentials or the role
        (401/403): in-flight requests end, items never sent keep outcome
        None, and :attr:`stopped` holds the refusal.
        """
        todo = [i for i in items if i.action in ("create", "update")]
        self._total = len(todo)
        size = max(1, self.settings.batch_size)
        batches = [todo[i : i + size] for i in range(0, len(todo), size)]
        ahead = max(2, math.ceil(2 * self.settings.workers / size))
        inflight: deque[tuple[int, list[LoadItem], list[Future[None]]]] = deque()
        try:
            with ThreadPoolExecutor(
                max_workers=max(1, self.settings.workers), thread_name_prefix="post"
            ) as pool:
                for number, batch in enumerate(batches, start=1):
                    if self.stopped is not None:
                        break
                    if self.ledger is not None:
                        self.ledger.mark_sending(
                            [i for i in batch if i.action == "create"], self.source_file
                        )
                    futures = [pool.submit(self._post_one, item) for item in batch]
                    inflight.append((number, batch, futures))
                    while len(inflight) >= ahead:
                        self._finish(*inflight.popleft())
                while inflight:
                    self._finish(*inflight.popleft())
        except BaseException:
            # Ctrl-C or a bug: queued items must not start while the pool drains.
            self._halted = True
            raise
        finally:
            self._listening = False

    def _finish(
        self, number: int, batch: list[LoadItem], futures: list[Future[None]]
    ) -> None:
        wait(futures)
        for future in futures:
            error = future.exception()
            if error is not None:
                raise error
        if self.ledger is None:
            return
        unsent = [i for i in batch if i.outcome is None]
        if unsent:
            self.ledger.clear_sending(unsent)
        # An unknown create outcome keeps its "sending" intent for the next run.
        self.ledger.record(
            [i for i in batch if i.outcome is not None and not i.unknown],
            self.source_file,
            batch_no=number,
        )
        log.info("batch %d: %d records checkpointed", number, len(batch))

    # -- one item ----------------------------------------------------------

    def _post_one(self, item: LoadItem) -> None:
        if self.stopped is not None or self._halted:
            return
        self.limit.acquire()
        ok = False
        try:
            if item.action == "create":
                self._create(item)
            else:
                self._update(item)
            ok = item.outcome in ("created", "updated", "unchanged")
        except AuthError as exc:
            self.stopped = self.stopped or exc
            item.outcome = None
        except ConflictError as exc:
            raw = [
                {
                    "PropertyName": r.property_name,
                    "Message": r.message,
                    "Value": r.value,
                }
                for r in exc.results
            ]
            reasons = [_reason(r.property_name, r.message) for r in exc.results]
            item.reject("server", reasons or [exc.detail], raw)
        except (BadRequestError, NotFoundError) as exc:
            item.reject("server", [exc.detail])
        except UnavailableError as exc:
            item.outcome = "failed"
            item.reasons = [f"server unavailable ({exc.detail}); re-run to retry"]
        except ApiError as exc:
            item.reject("server", [f"HTTP {exc.status}: {exc.detail}"])
        finally:
            self.limit.release(ok)
            self._tick()

    def _tick(self) -> None:
        with self._count_lock:
            self._done += 1
            done = self._done
        if self.progress is not None:
            self.progress(done, self._total)

    def _create(self, item: LoadItem) -> None:
        while True:
            item.attempts += 1
            try:
                saved = self.client.create(self.rt, item.payload)
            except UnavailableError as exc:
                if not exc.sent:
                    raise
                if exc.status is None:
                    # No answer at all (read timeout, dropped connection): the
                    # server may still be saving the record, so a lookup now
                    # can miss it and a re-send creates it twice (seen with
                    # slow answers in tests/faults). The next run looks it up.
                    _mark_unknown(
                        item, f"outcome unknown ({exc.detail}); re-run to check"
                    )
                    return
                if self._recover(item, exc) or item.attempts >= MAX_CREATE_ATTEMPTS:
                    return
                continue
            item.outcome = "created"
            item.record_key = _key(saved, self.rt)
            return

    def _recover(self, item: LoadItem, exc: UnavailableError) -> bool:
        """After an unknown outcome: True when settled, False to create again."""
        sent = [field_value(item.payload, f) for f in self.match_fields]
        if not self.match_fields or all(v in (None, "") for v in sent):
            _mark_unknown(
                item,
                f"outcome unknown ({exc.detail}) and no match key "
                "to look the record up; not re-sent",
            )
            return True
        try:
            matches = find_one(
                self.client, self.rt, self.match_fields, sent, self.normalize
            )
        except UnavailableError as lookup_exc:
            _mark_unknown(
                item,
                f"outcome unknown ({exc.detail}); the lookup failed "
                f"too ({lookup_exc.detail}); re-run to check",
            )
            return True
        if matches:
            item.outcome = "created"
            item.recovered = True
            item.record_key = _key(matches[0], self.rt)
            log.warning(
                "create of %r had an unknown outcome; found %s %s",
                item.key_text,
                self.rt.key_field,
                item.record_key,
            )
            return True
        if item.attempts >= MAX_CREATE_ATTEMPTS:
            item.outcome = "failed"
            item.reasons = [
                f"create failed {item.attempts} times ({exc.detail}); re-run to retry"
            ]
            return True
        log.info(
            "create of %r was not saved (%s); sending it again",
            item.key_text,
            exc.detail,
        )
        return False

    def _update(self, item: LoadItem) -> None:
        item.attempts += 1
        if item.record_key is None:
            raise NotFoundError("the existing record has no key to update")
        current = self.client.get(self.rt, item.record_key)
        if not differences(item.payload, current):
            item.outcome = "unchanged"
            return
        record = apply_fields(current, item.payload)
        saved = self.client.update(self.rt, record)
        item.outcome = "updated"
        item.record_key = _key(saved, self.rt) or item.record_key


def _reason(prop: str, message: str) -> str:
    """``Prop: message``, unless the message already starts with the property."""
    if not prop or message.startswith(prop):
        return message
    return f"{prop}: {message}"


def _key(record: dict[str, Any], rt: RecordType) -> int | None:
    value = record.get(rt.key_field)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _mark_unknown(item: LoadItem, reason: str) -> None:
    item.outcome = "failed"
    item.reasons = [reason]
    item.unknown = True
