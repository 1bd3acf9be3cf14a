"""Count first, then fetch the planned pages with a bounded pool, exactly once each.

:class:`PageFetcher` asks ``PUT /list`` for the count, plans
``ceil(count / page_size)`` pages sorted by the record key (``Id`` or
``DocNo``) and fetches them with ``workers`` threads, at most ``prefetch``
pages in flight (default ``2 * workers``). Pages are handed out in page
order, so the output is in key order and memory holds only the pages in
flight.

Never lose or duplicate a record:

- A record whose key is not above the last key handed out was seen already
  (a record deleted during the run shifts the following rows one place back;
  a server that repeats a page instead of answering ``[]`` does the same) and
  is dropped and counted as a duplicate.
- The fetcher counts again after the planned pages. When the rows handed out
  or the new count differ from the first count (records added or deleted
  during the run), it re-checks the tail: records
  with a key above the last one, fetched by key (``key > last``) until a
  short page or a page with nothing new, so a repeating server cannot make it
  loop. If rows are still missing, every gap between two consecutive pages is
  counted (``a < key < b``) and what is found there is fetched too: that is
  where a deletion makes a record slip from one page to the previous one.
  Recovered records come after the tail, out of key order.
- What changed is reported in :class:`PageStats` (added, recovered, dropped
  duplicates, the count at the start and at the end).

A page that still fails once the client's retries are spent raises
:class:`PageFailedError` naming the record type and the page.

With a ``decoder`` (see :mod:`ot_etl.extract.jsonpage`) the planned pages are
decoded by the pool's threads into Arrow struct arrays, and handed out as
such; a page the decoder declines is decoded as JSON into records. Decoding
happens outside the ``workers`` request slots, so the server still sees at
most ``workers`` requests at a time while the network is kept busy. The tail
and gap re-checks always hand out records.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from ot_etl.catalog import RecordType
from ot_etl.client import MAX_PAGE_SIZE, Client, Filter, FilterOp, Sort
from ot_etl.errors import ApiError
from ot_etl.extract.jsonpage import PageDecoder
from ot_etl.extract.schema import key_of

log = logging.getLogger(__name__)

Record = dict[str, Any]
# A page of records, or one decoded into an Arrow struct array.
Page: TypeAlias = "list[Record] | pa.StructArray"
DEFAULT_WORKERS = 4


class PageFailedError(ApiError):
    """A page could not be fetched after the client's retries; names type and page."""

    def __init__(self, record_type: str, page: int, pages: int, cause: ApiError):
        self.page = page
        self.pages = pages
        self.cause = cause
        self.retriable = cause.retriable
        super().__init__(
            f"{record_type}: page {page} of {pages} failed: {cause}",
            status=cause.status,
            record_type=record_type,
        )


@dataclass
class PageStats:
    """What the fetcher saw; ``changed`` is True when the data moved during the run."""

    count: int = 0
    recount: int | None = None
    pages: int = 0
    rows: int = 0
    duplicates: int = 0
    added: int = 0
    recovered: int = 0
    unkeyed: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.duplicates or self.added or self.recovered) or (
            self.recount is not None and self.recount != self.count
        )


class PageFetcher:
    """Fetches every record of one record type matching ``filters``, once."""

    def __init__(
        self,
        client: Client,
        rt: RecordType,
        filters: Sequence[Filter] = (),
        *,
        page_size: int = MAX_PAGE_SIZE,
        workers: int = DEFAULT_WORKERS,
        include_lines: bool = False,
        on_count: Callable[[int], None] | None = None,
        prefetch: int | None = None,
        decoder: PageDecoder | None = None,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page size must be 1..{MAX_PAGE_SIZE}, not {page_size}")
        self.client = client
        self.rt = rt
        self.filters = tuple(filters)
        self.page_size = page_size
        self.workers = max(1, workers)
        self.include_lines = include_lines
        self.on_count = on_count
        self.prefetch = max(1, prefetch or 2 * self.workers)
        self.decoder = decoder
        self._requests = threading.BoundedSemaphore(self.workers)
        self.key = key_of(rt)
        self.stats = PageStats()
        self._last: int | None = None
        self._last_key: pa.Scalar | None = None  # the same key, for Arrow calls
        self._bounds: list[tuple[int, int]] = []
        self._recount: Future[int] | None = None

    def pages(self) -> Iterator[Page]:
        """Yield pages of new records, in key order, then any re-checked records."""
        count = self.client.count(self.rt, self.filters)
        planned = math.ceil(count / self.page_size)
        self.stats.count, self.stats.pages = count, planned
        log.info("%s: %d records in %d pages", self.rt.slug, count, planned)
        if self.on_count is not None:
            self.on_count(count)
        self._recount = None
        yield from self._planned(planned)
        # One more count: records added behind the last planned page leave the
        # rows equal to the first count, but not to this one. It is asked for
        # as soon as every planned page is in, while the last one is written.
        if self._recount is not None and not self._recount.cancelled():
            recount = self._recount.result()
        else:
            recount = self.client.count(self.rt, self.filters)
        if self.stats.rows != count or self.stats.duplicates or recount != count:
            yield from self._recheck(recount)

    # -- the planned pages -----------------------------------------------------

    def _fetch(
        self, page: int, filters: Sequence[Filter] | None = None
    ) -> list[Record]:
        return self.client.list_page(
            self.rt,
            self.filters if filters is None else filters,
            sort=Sort(self.key) if self.key else None,
            page=page,
            size=self.page_size,
            include_line_items=self.include_lines,
        )

    def _decoded(self, page: int) -> Page:
        """One planned page, decoded in the fetching thread."""
        if self.decoder is None:
            return self._fetch(page)
        return self.client.list_page_as(
            self.decoder,
            self.rt,
            self.filters,
            sort=Sort(self.key) if self.key else None,
            page=page,
            size=self.page_size,
            include_line_items=self.include_lines,
            slot=self._requests,
        )

    def _planned(self, planned: int) -> Iterator[Page]:
        # With a decoder, a thread that decodes has released its request
        # slot, so ``workers`` requests stay in flight while pages decode.
        threads = self.workers if self.decoder is None else self.prefetch
        pool = ThreadPoolExecutor(threads, thread_name_prefix="ot-page")
        window: deque[tuple[int, Future[Page]]] = deque()
        next_page = 1
        done = False
        try:
            while next_page <= planned or window:
                while next_page <= planned and len(window) < self.prefetch:
                    window.append((next_page, pool.submit(self._decoded, next_page)))
                    next_page += 1
                page, future = window.popleft()
                try:
                    records = future.result()
                except ApiError as exc:
                    raise PageFailedError(self.rt.slug, page, planned, exc) from exc
                if next_page > planned and not window:  # every page is in
                    self._recount = pool.submit(
                        self.client.count, self.rt, self.filters
                    )
                yield self._accept(records)
            done = True
        finally:
            pool.shutdown(wait=True, cancel_futures=not done)

    def _accept(self, records: Page) -> Page:
        """Sort a page by key and drop what was handed out already."""
        if isinstance(records, list):
            return self._accept_records(records)
        return self._accept_struct(records)

    def _accept_records(self, records: list[Record]) -> list[Record]:
        if not self.key:
            self.stats.rows += len(records)
            return records
        keyed = [r for r in records if type(r.get(self.key)) is int]
        self.stats.unkeyed += len(records) - len(keyed)
        keyed.sort(key=lambda r: int(r[self.key]))  # type: ignore[index]
        fresh = [r for r in keyed if self._last is None or r[self.key] > self._last]
        self.stats.duplicates += len(keyed) - len(fresh)
        if fresh:
            first, last = fresh[0][self.key], fresh[-1][self.key]
            if self._last is not None:
                self._bounds.append((self._last, first))
            self._last, self._last_key = last, None
        unkeyed = [r for r in records if type(r.get(self.key)) is not int]
        out = fresh + unkeyed
        self.stats.rows += len(out)
        return out

    def _accept_struct(self, records: pa.StructArray) -> pa.StructArray:
        """:meth:`_accept` for a decoded page: the same rows in the same order.

        Arrow calls only, on arrays and on scalars taken from arrays: turning a
        Python value into Arrow makes pyarrow import pandas (about 0.25 s).
        """
        if not self.key:
            self.stats.rows += len(records)
            return records
        keys = pc.cast(records.field(self.key), pa.int64())  # null-typed if none
        if self._last is not None and self._last_key is None:  # after a record page
            self._last_key = pa.scalar(self._last, pa.int64())
        if self._in_order(keys):
            # The usual page: every record keyed, in key order, all new.
            self._advance(keys[0], keys[-1])
            self.stats.rows += len(records)
            return records
        # A stable sort (equal keys keep their page order) with the unkeyed
        # records after the keyed ones, in page order.
        order = pc.array_sort_indices(keys, null_placement="at_end")
        n_keyed = len(keys) - keys.null_count
        self.stats.unkeyed += keys.null_count
        keyed, unkeyed = order[:n_keyed], order[n_keyed:]
        if self._last_key is not None and n_keyed:
            keyed = keyed.filter(pc.greater(keys.take(keyed), self._last_key))
        self.stats.duplicates += n_keyed - len(keyed)
        if len(keyed):
            self._advance(keys[keyed[0].as_py()], keys[keyed[-1].as_py()])
        order = pa.concat_arrays([keyed, unkeyed])
        self.stats.rows += len(order)
        out: pa.StructArray = records.take(order)
        return out

    def _in_order(self, keys: pa.Array) -> bool:
        """True when ``keys`` are all set, ascending, and above the last key."""
        if not len(keys) or keys.null_count:
            return False
        if (
            self._last_key is not None
            and not pc.greater(keys[0], self._last_key).as_py()
        ):
            return False
        ascending = pc.all(pc.greater_equal(keys[1:], keys[:-1])).as_py()
        return ascending is not False

    def _advance(self, first: pa.Scalar, last: pa.Scalar) -> None:
        """Note the keys of the records handed out, ``first`` to ``last``."""
        if self._last is not None:
            self._bounds.append((self._last, first.as_py()))
        self._last, self._last_key = last.as_py(), last

    # -- the re-check -----------------------------------------------------------

    def _recheck(self, recount: int) -> Iterator[list[Record]]:
        self.stats.recount = recount
        log.warning(
            "%s: %d records counted, %d fetched (%d duplicates dropped); "
            "%d counted now; re-checking",
            self.rt.slug,
            self.stats.count,
            self.stats.rows,
            self.stats.duplicates,
            recount,
        )
        if not self.key:
            self.stats.notes.append("no key to re-check by; rows may differ")
            return
        before = self.stats.rows
        yield from self._tail()
        self.stats.added = self.stats.rows - before
        # Even when the totals agree again, a deletion may have hidden a record
        # at a page boundary while an addition made up the number.
        before = self.stats.rows
        yield from self._gaps()
        self.stats.recovered = self.stats.rows - before
        if self.stats.rows != recount:
            self.stats.notes.append(
                f"{recount} records counted at the end, {self.stats.rows} written"
            )

    def _tail(self) -> Iterator[list[Record]]:
        assert self.key is not None
        while True:
            filters = list(self.filters)
            if self._last is not None:
                filters.append(Filter(self.key, FilterOp.GREATER, self._last))
            records = self._fetch_checked(1, filters)
            fresh = self._accept(records)
            if fresh:
                yield fresh
            # A short page ends the tail; so does a page with nothing new (a
            # server that ignores the filter or repeats a page).
            if len(records) < self.page_size or not fresh:
                return

    def _gaps(self) -> Iterator[list[Record]]:
        assert self.key is not None
        gaps = [(a, b) for a, b in self._bounds if b - a > 1]
        with ThreadPoolExecutor(self.workers, thread_name_prefix="ot-gap") as pool:
            counts = list(pool.map(lambda g: self._count_between(*g), gaps))
        seen: set[int] = set()
        for (low, high), n in zip(gaps, counts, strict=True):
            if not n:
                continue
            filters = self._between(low, high)
            for page in range(1, math.ceil(n / self.page_size) + 1):
                records = self._fetch_checked(page, filters)
                fresh = [
                    r
                    for r in records
                    if type(r.get(self.key)) is int
                    and low < r[self.key] < high
                    and r[self.key] not in seen
                ]
                seen.update(r[self.key] for r in fresh)
                self.stats.rows += len(fresh)
                if fresh:
                    yield fresh

    def _between(self, low: int, high: int) -> list[Filter]:
        assert self.key is not None
        return [
            *self.filters,
            Filter(self.key, FilterOp.GREATER, low),
            Filter(self.key, FilterOp.LESS, high),
        ]

    def _count_between(self, low: int, high: int) -> int:
        return self.client.count(self.rt, self._between(low, high))

    def _fetch_checked(self, page: int, filters: Sequence[Filter]) -> list[Record]:
        try:
            return self._fetch(page, filters)
        except ApiError as exc:
            raise PageFailedError(self.rt.slug, page, page, exc) from exc
