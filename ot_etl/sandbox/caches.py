"""The store's in-memory caches, per record type, kept in step with its writes.

Three caches, each filled lazily by :class:`~ot_etl.sandbox.store.Store`:
the sorted keys of a type (a plain page is a slice of them), its decoded
records (only when a filter or sort needs them) and the last few filtered
selections (so paging through a filtered result filters once).

Not thread-safe on its own: the store calls every method under its lock.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from typing import Any

from ot_etl.sandbox.rows import ITEM_ALL, ITEM_KINDS

_SELECTIONS = 32


class TypeCaches:
    """Keys, decoded records and selections by record type number."""

    def __init__(self) -> None:
        self.keys: dict[int, list[int]] = {}
        self.decoded: dict[int, dict[int, dict[str, Any]]] = {}
        self._selections: OrderedDict[tuple[int, str], list[int]] = OrderedDict()
        # Bumped by every write that touches a listed type (and by forget), so
        # a selection computed from records read before a write is not cached
        # after it: see generation() and remember().
        self._generations: dict[int, int] = {}
        self._epoch = 0

    def forget(self) -> None:
        """Drop everything (a rolled-back write, a bulk insert)."""
        self._epoch += 1
        self.keys.clear()
        self.decoded.clear()
        self._selections.clear()

    def touch(self, rtype: int) -> None:
        """Invalidate what lists ``rtype``: its selections, and Item All's keys."""
        listed = {rtype}
        if rtype in ITEM_KINDS:
            listed.update(ITEM_ALL)
            for union in ITEM_ALL:
                self.keys.pop(union, None)
        for listed_type in listed:
            self._generations[listed_type] = self._generations.get(listed_type, 0) + 1
        for cached in [k for k in self._selections if k[0] in listed]:
            del self._selections[cached]

    def stored(self, rtype: int, key: int, header: dict[str, Any]) -> None:
        """A record was inserted or replaced: update the caches already loaded."""
        keys = self.keys.get(rtype)
        if keys is not None:
            at = bisect.bisect_left(keys, key)
            if at == len(keys) or keys[at] != key:
                keys.insert(at, key)
        decoded = self.decoded.get(rtype)
        if decoded is not None:
            out_of_order = (
                key not in decoded and decoded and key < next(reversed(decoded))
            )
            decoded[key] = header
            if out_of_order:
                self.decoded[rtype] = dict(sorted(decoded.items()))
        self.touch(rtype)

    def deleted(self, rtype: int, key: int) -> None:
        """A record was deleted: update the caches already loaded."""
        keys = self.keys.get(rtype)
        if keys is not None:
            at = bisect.bisect_left(keys, key)
            if at < len(keys) and keys[at] == key:
                del keys[at]
        decoded = self.decoded.get(rtype)
        if decoded is not None:
            decoded.pop(key, None)
        self.touch(rtype)

    def selection(self, rtype: int, signature: str) -> list[int] | None:
        return self._selections.get((rtype, signature))

    def generation(self, rtype: int) -> tuple[int, int]:
        return self._epoch, self._generations.get(rtype, 0)

    def remember(
        self, rtype: int, signature: str, keys: list[int], generation: tuple[int, int]
    ) -> None:
        if generation != self.generation(rtype):
            return
        self._selections[(rtype, signature)] = keys
        while len(self._selections) > _SELECTIONS:
            self._selections.popitem(last=False)
