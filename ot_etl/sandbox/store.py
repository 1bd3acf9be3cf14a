"""The sandbox's storage: one SQLite table of records plus in-memory indexes.

SQLite (a file in WAL mode, or ``:memory:``) is the truth; every write is its
own committed transaction, so a killed server restarts on a consistent file.
Records are stored as compact JSON text; transaction lines are kept in a
separate column so a list page without line items never decodes anything.

In memory, per record type and loaded lazily (:mod:`ot_etl.sandbox.caches`):
the sorted list of keys (so a plain page is a slice plus one indexed range
read), the decoded records (only when a filter or sort needs them) and the
last few filtered selections (so paging through a filtered result filters
once). Writes keep these up to date under the store's lock, which every
caller holds around reads and writes.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ot_etl.sandbox.caches import TypeCaches
from ot_etl.sandbox.rows import (
    ITEM_ALL,
    ITEM_KINDS,
    SCHEMA,
    compose,
    dumps,
    group_of,
    kinds_of,
    modified_of,
)

logger = logging.getLogger(__name__)

_BULK_CHUNK = 20_000
_INSERT = (
    "INSERT OR REPLACE INTO records"
    " (grp, key, rtype, name, parent, body, lines, modified)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def _row(
    rtype: int,
    key: int,
    record: dict[str, Any],
    header: dict[str, Any],
    lines: str | None,
    name: str | None,
    parent: int | None,
) -> tuple[Any, ...]:
    """The values of ``_INSERT`` for a record split into header and lines."""
    body = dumps(header)
    return (group_of(rtype), key, rtype, name, parent, body, lines, modified_of(record))


class Store:
    """Records by (record type, key), with counters and ship-doc fills."""

    def __init__(self, path: str | Path | None = None) -> None:
        target = str(path) if path is not None else ":memory:"
        self._db = sqlite3.connect(
            target, check_same_thread=False, isolation_level=None
        )
        if path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL survives a killed process; only power loss may lose
            # the last commits, which a sandbox can afford.
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self.lock = threading.RLock()
        self._depth = 0
        self._cache = TypeCaches()

    def close(self) -> None:
        with self.lock:
            self._db.close()

    # -- transactions --------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[None]:
        """One committed write transaction; caches are dropped on failure.

        Nested use joins the outer transaction.
        """
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                self._cache.forget()
                raise
            finally:
                self._depth = 0
            self._db.execute("COMMIT")

    # -- reads ---------------------------------------------------------------

    def keys(self, rtype: int) -> list[int]:
        """Sorted keys of a record type (Item All: of every item kind)."""
        with self.lock:
            found = self._cache.keys.get(rtype)
            if found is None:
                if rtype in ITEM_ALL:
                    found = list(heapq.merge(*(self.keys(k) for k in ITEM_KINDS)))
                else:
                    rows = self._db.execute(
                        "SELECT key FROM records WHERE rtype=? ORDER BY key", (rtype,)
                    )
                    found = [r[0] for r in rows]
                self._cache.keys[rtype] = found
            return found

    def records(self, rtype: int) -> list[tuple[int, dict[str, Any]]]:
        """(key, record without lines) of a type, in key order, decoded once.

        TODO: the first call on a large type decodes every record (about 4 s
        for 100,000 customers) and keeps them in memory; only filters other
        than ModifiedDate comparisons, and sorts on non-key properties, need it.
        """
        with self.lock:
            out: list[tuple[int, dict[str, Any]]] = []
            for kind in kinds_of(rtype):
                cache = self._cache.decoded.get(kind)
                if cache is None:
                    rows = self._db.execute(
                        "SELECT key, body FROM records WHERE rtype=? ORDER BY key",
                        (kind,),
                    )
                    cache = {key: json.loads(body) for key, body in rows}
                    self._cache.decoded[kind] = cache
                out.extend(cache.items())
            if len(kinds_of(rtype)) > 1:
                out.sort(key=lambda item: item[0])
            return out

    def keys_modified(self, rtype: int, bounds: Sequence[tuple[str, str]]) -> list[int]:
        """Sorted keys whose ``RecordInfo.ModifiedDate`` meets every bound.

        Timestamps are stored in one fixed-width format, so text comparison
        is time order. ``bounds`` pairs come from the ListInfo engine only.
        """
        allowed = {"=", ">", "<", ">=", "<="}
        where = " AND ".join(f"modified {op} ?" for op, _ in bounds if op in allowed)
        args = [value for op, value in bounds if op in allowed]
        found: list[int] = []
        with self.lock:
            for kind in kinds_of(rtype):
                rows = self._db.execute(
                    f"SELECT key FROM records WHERE rtype=? AND {where or '1'}",
                    (kind, *args),
                )
                found.extend(r[0] for r in rows)
        found.sort()
        return found

    def selection(self, rtype: int, signature: str) -> list[int] | None:
        with self.lock:
            return self._cache.selection(rtype, signature)

    def generation(self, rtype: int) -> tuple[int, int]:
        """A token that changes whenever a write touches what ``rtype`` lists.

        Take it before reading the records a selection is computed from.
        """
        with self.lock:
            return self._cache.generation(rtype)

    def remember(
        self, rtype: int, signature: str, keys: list[int], generation: tuple[int, int]
    ) -> None:
        """Cache a selection, unless a write landed since ``generation`` was taken
        (the selection may then miss it, and the write's invalidation is past)."""
        with self.lock:
            self._cache.remember(rtype, signature, keys, generation)

    def texts(self, rtype: int, keys: Sequence[int], include_lines: bool) -> list[str]:
        """JSON texts of the records with ``keys``, in that order."""
        if not keys:
            return []
        grp = group_of(rtype)
        found: dict[int, str] = {}
        with self.lock:
            low, high = min(keys), max(keys)
            if high - low < 4 * len(keys):
                rows: Iterable[tuple[int, str, str | None]] = self._db.execute(
                    "SELECT key, body, lines FROM records"
                    " WHERE grp=? AND key BETWEEN ? AND ?",
                    (grp, low, high),
                )
                wanted = set(keys)
                rows = [r for r in rows if r[0] in wanted]
            else:
                rows = []
                for i in range(0, len(keys), 500):
                    chunk = list(keys[i : i + 500])
                    marks = ",".join("?" * len(chunk))
                    rows.extend(
                        self._db.execute(
                            "SELECT key, body, lines FROM records"
                            f" WHERE grp=? AND key IN ({marks})",
                            (grp, *chunk),
                        )
                    )
        for key, body, lines in rows:
            found[key] = compose(body, lines, include_lines)
        return [found[k] for k in keys if k in found]

    def names(self, rtype: int, keys: Sequence[int]) -> list[tuple[int, str | None]]:
        """(key, name) pairs of ``keys`` in order, for /entityref."""
        if not keys:
            return []
        with self.lock:
            rows = self._db.execute(
                "SELECT key, name FROM records WHERE grp=? AND key BETWEEN ? AND ?",
                (group_of(rtype), min(keys), max(keys)),
            )
            found = {k: n for k, n in rows}
        return [(k, found.get(k)) for k in keys]

    def get(self, rtype: int, key: int) -> dict[str, Any] | None:
        """One record with its lines, or None (type must match for non-items)."""
        row = self.row(group_of(rtype), key)
        if row is None or (row[0] not in kinds_of(rtype)):
            return None
        return row[1]

    def row(self, grp: int, key: int) -> tuple[int, dict[str, Any]] | None:
        """(stored record type, full record) by Id space and key."""
        with self.lock:
            found = self._db.execute(
                "SELECT rtype, body, lines FROM records WHERE grp=? AND key=?",
                (grp, key),
            ).fetchone()
        if found is None:
            return None
        rtype, body, lines = found
        record: dict[str, Any] = json.loads(compose(body, lines, True))
        return rtype, record

    def find_name(
        self, rtypes: Sequence[int], name: str, parent: int | None = None
    ) -> list[tuple[int, int]]:
        """(record type, key) of records of ``rtypes`` named exactly ``name``."""
        grp = group_of(rtypes[0])
        sql = "SELECT rtype, key FROM records WHERE grp=? AND name=?"
        args: list[Any] = [grp, name]
        if parent is not None:
            sql += " AND parent=?"
            args.append(parent)
        with self.lock:
            rows = self._db.execute(sql, args).fetchall()
        return [(t, k) for t, k in rows if t in rtypes]

    def children(self, rtype: int, parent: int) -> list[dict[str, Any]]:
        """Records of ``rtype`` whose parent is ``parent`` (addresses of a customer)."""
        with self.lock:
            rows = self._db.execute(
                "SELECT body FROM records WHERE grp=? AND parent=? ORDER BY key",
                (group_of(rtype), parent),
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def count(self, rtype: int) -> int:
        return len(self.keys(rtype))

    # -- writes (call inside ``write()``) --------------------------------------

    def put(
        self,
        rtype: int,
        key: int,
        record: dict[str, Any],
        name: str | None = None,
        parent: int | None = None,
    ) -> None:
        """Insert or replace a record; ``LineItems`` go to their own column."""
        header = {k: v for k, v in record.items() if k != "LineItems"}
        lines = dumps(record["LineItems"]) if "LineItems" in record else None
        self._db.execute(_INSERT, _row(rtype, key, record, header, lines, name, parent))
        self._cache.stored(rtype, key, header)

    def delete(self, rtype: int, key: int) -> None:
        self._db.execute(
            "DELETE FROM records WHERE grp=? AND key=?", (group_of(rtype), key)
        )
        self._cache.deleted(rtype, key)

    def next_value(self, counter: str, floor: int = 0) -> int:
        """The next number of a counter (Ids, DocNos, line Ids), at least floor+1."""
        row = self._db.execute(
            "SELECT value FROM counters WHERE name=?", (counter,)
        ).fetchone()
        value = max(row[0] if row else 0, floor) + 1
        self.raise_counter(counter, value)
        return value

    def raise_counter(self, counter: str, value: int) -> None:
        """Make sure a counter is at least ``value`` (a client-chosen DocNo)."""
        self._db.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?)"
            " ON CONFLICT(name) DO UPDATE SET value=max(value, excluded.value)",
            (counter, value),
        )

    def bulk(
        self, rows: Iterable[tuple[int, int, dict[str, Any], str | None, int | None]]
    ) -> int:
        """Insert many (rtype, key, record, name, parent) rows, in chunks.

        Used by the seeder; caches are dropped. Returns the number of rows.
        """

        def encoded() -> Iterator[tuple[Any, ...]]:
            for rtype, key, record, name, parent in rows:
                header, lines = record, None
                if "LineItems" in record:
                    header = {k: v for k, v in record.items() if k != "LineItems"}
                    lines = dumps(record["LineItems"])
                yield _row(rtype, key, record, header, lines, name, parent)

        # Commits every _BULK_CHUNK rows, so the WAL is checkpointed as it goes
        # instead of growing to the size of the whole seed.
        source, total = encoded(), 0
        while True:
            with self.write():
                chunk = list(itertools.islice(source, _BULK_CHUNK))
                self._db.executemany(_INSERT, chunk)
                self._cache.forget()
            total += len(chunk)
            if len(chunk) < _BULK_CHUNK:
                return total

    # -- ship doc fills --------------------------------------------------------

    def filled(
        self, so_doc: int, so_line: int, except_ship: int | None = None
    ) -> float:
        with self.lock:
            row = self._db.execute(
                "SELECT COALESCE(SUM(quantity), 0) FROM fills"
                " WHERE so_doc=? AND so_line=? AND ship_doc IS NOT ?",
                (so_doc, so_line, except_ship),
            ).fetchone()
        return float(row[0])

    def set_fills(self, ship_doc: int, fills: Iterable[tuple[int, int, float]]) -> None:
        """Replace the fills of a ship doc (call inside ``write()``)."""
        self._db.execute("DELETE FROM fills WHERE ship_doc=?", (ship_doc,))
        self._db.executemany(
            "INSERT INTO fills (ship_doc, so_doc, so_line, quantity) VALUES (?,?,?,?)",
            [(ship_doc, d, n, q) for d, n, q in fills],
        )
