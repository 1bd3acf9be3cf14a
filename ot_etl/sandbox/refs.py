"""EntityRef resolution: ``{"Id": .., "Name": ..}`` to a stored record.

A ref resolves by ``Id`` when it has one, else by exact ``Name``. Refs to
"Item" (100/115) resolve against every item kind; refs to a Customer Address
(121) can be limited to one customer's addresses. The resolved ref is written
back normalised as ``{"Id": id, "Name": name}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ot_etl.catalog import resolve
from ot_etl.sandbox import messages as msg
from ot_etl.sandbox.rows import ITEM_ALL, group_of, kinds_of
from ot_etl.sandbox.store import Store


def target_name(target: int) -> str:
    return "Item" if target in ITEM_ALL else resolve(target).name


def ref_id(ref: Mapping[str, Any]) -> int | None:
    """The positive ``Id`` of a ref as an int (digit strings accepted), or None."""
    value = ref.get("Id")
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    # .NET clients send Id 0 for "no Id"; the Name then decides.
    return value if isinstance(value, int) and value > 0 else None


class RefResolver:
    """Resolves refs against a store; call with the store's lock held."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def resolve(
        self,
        field: str,
        target: int,
        ref: Mapping[str, Any],
        parent: int | None = None,
    ) -> tuple[dict[str, Any] | None, str | None]:
        """(normalised ref, None) or (None, message) for ``field``'s ref."""
        label = target_name(target)
        key = ref_id(ref)
        name = ref.get("Name")
        if key is not None:
            row = self._store.row(group_of(target), key)
            if row is None or row[0] not in kinds_of(target):
                return None, msg.REF_NO_ID.format(field=field, target=label, value=key)
            record = row[1]
            if parent is not None and _parent_of(record) != parent:
                return None, msg.SHIPTO_OTHER.format(value=key, customer=parent)
            return {"Id": key, "Name": record.get("Name")}, None
        if not isinstance(name, str) or not name:
            return None, msg.REF_EMPTY.format(field=field)
        found = self._store.find_name(kinds_of(target), name, parent)
        if not found:
            return None, msg.REF_NO_NAME.format(field=field, target=label, value=name)
        if len(found) > 1:
            return None, msg.REF_AMBIGUOUS.format(
                field=field, count=len(found), target=label, value=name
            )
        return {"Id": found[0][1], "Name": name}, None

    def record(self, target: int, key: int) -> dict[str, Any] | None:
        row = self._store.row(group_of(target), key)
        if row is None or row[0] not in kinds_of(target):
            return None
        return row[1]


def _parent_of(record: Mapping[str, Any]) -> int | None:
    owner = record.get("CustomerRef")
    return ref_id(owner) if isinstance(owner, Mapping) else None
