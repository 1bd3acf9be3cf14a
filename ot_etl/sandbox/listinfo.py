"""The ListInfo engine: parse a ListInfo body, then filter, sort and page records.

Pure functions over plain dicts; no HTTP and no storage. ``parse`` raises
``ListInfoError`` (sent as a 400) for anything the sandbox cannot honour.
Each filter is checked and turned into a predicate by
:mod:`ot_etl.sandbox.filters`, whose docstring gives the comparison rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ot_etl.catalog import RecordType, record_types
from ot_etl.sandbox import messages as msg
from ot_etl.sandbox.filters import (
    OPERATORS,
    Bounds,
    ListInfoError,
    Predicate,
    canonical_path,
    condition,
    property_type,
    record_value,
    to_int,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "OPERATORS",
    "ListInfoError",
    "Query",
    "page_of",
    "parse",
    "record_type_of",
    "select",
]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class Query:
    """A parsed ListInfo.

    ``plain`` is True when there is no filter and the order is the record key
    (the cheap path the store serves without decoding records). ``signature``
    identifies filters and sort, for caching a selection between pages.
    ``modified_bounds`` is set when the order is the key and every filter is a
    comparison or range on ``RecordInfo.ModifiedDate`` (an incremental export):
    ``(">=", "2024-01-01T00:00:00.000000")`` pairs the store answers from an
    index without decoding records.
    """

    rt: RecordType
    predicates: tuple[Predicate, ...]
    sort_path: tuple[str, ...]
    sort_type: str
    descending: bool
    page: int
    size: int
    include_lines: bool
    plain: bool
    signature: str
    modified_bounds: tuple[tuple[str, str], ...] | None = None


def _types_by_number() -> dict[int, RecordType]:
    return {rt.number: rt for rt in record_types()}


def _paging(body: Mapping[str, Any]) -> tuple[int, int]:
    page_raw = body.get("PageNumber", 1)
    page = to_int(page_raw) if page_raw is not None else 1
    if page is None or page < 1:
        raise ListInfoError(msg.PAGE_NUMBER.format(value=page_raw))
    size_raw = body.get("NumberOfRecords", DEFAULT_PAGE_SIZE)
    size = to_int(size_raw) if size_raw is not None else DEFAULT_PAGE_SIZE
    if size is None or size < 1:
        raise ListInfoError(msg.PAGE_SIZE.format(value=size_raw))
    # Clients that ask for more than the documented maximum get the maximum.
    return page, min(size, MAX_PAGE_SIZE)


def record_type_of(body: Mapping[str, Any]) -> RecordType:
    """The record type a ListInfo names; ListInfoError when missing, unknown or
    a line type (1000, 1040...), which is listed through its document."""
    raw = body.get("Type")
    if raw is None:
        raise ListInfoError(msg.TYPE_REQUIRED)
    number = to_int(raw)
    rt = _types_by_number().get(number) if number is not None else None
    if rt is None:
        raise ListInfoError(msg.TYPE_UNKNOWN.format(value=raw))
    if rt.kind == "line":
        # A line has no row of its own: it lives in its document's LineItems.
        docs = [t for t in record_types() if t.line_object == rt.object]
        raise ListInfoError(
            msg.LINES_NOT_LISTED.format(
                record_type=rt.name,
                number=rt.number,
                documents=" or ".join(f"{t.name} ({t.number})" for t in docs),
            )
        )
    return rt


def parse(body: Any, now: datetime) -> Query:
    """Parse and check a ListInfo body against the catalog."""
    if not isinstance(body, Mapping):
        raise ListInfoError(msg.BODY_NOT_OBJECT)
    rt = record_type_of(body)
    filters = body.get("Filters") or []
    if not isinstance(filters, list):
        raise ListInfoError(msg.FILTERS_NOT_LIST)
    conditions = [
        c for i, f in enumerate(filters) if (c := condition(rt, i, f, now)) is not None
    ]
    predicates = tuple(p for p, _ in conditions)
    sort_path, sort_type, descending = _sortation(rt, body.get("Sortation"))
    page, size = _paging(body)
    by_key = sort_path == (rt.key_field,)
    plain = not predicates and by_key
    bounds: Bounds | None = None
    if conditions and by_key and all(b is not None for _, b in conditions):
        bounds = tuple(pair for _, b in conditions for pair in b or ())
    signature = json.dumps(
        [filters, list(sort_path), descending, now.date().isoformat()],
        sort_keys=True,
        default=str,
    )
    return Query(
        rt=rt,
        predicates=predicates,
        sort_path=sort_path,
        sort_type=sort_type,
        descending=descending,
        page=page,
        size=size,
        include_lines=bool(body.get("IncludeLineItems")),
        plain=plain,
        signature=signature,
        modified_bounds=bounds,
    )


def _sortation(rt: RecordType, raw: Any) -> tuple[tuple[str, ...], str, bool]:
    if raw is None:
        return (rt.key_field,), "Int32", False
    if not isinstance(raw, Mapping) or not raw.get("PropertyName"):
        raise ListInfoError(msg.BAD_SORT)
    name = str(raw["PropertyName"])
    kind = property_type(rt, name)
    direction = raw.get("Direction", 1)
    number = to_int(direction) if direction is not None else 1
    if number not in (1, 2):
        raise ListInfoError(msg.BAD_DIRECTION.format(value=direction))
    return canonical_path(rt, name), kind, number == 2


def select(records: Iterable[tuple[int, Mapping[str, Any]]], query: Query) -> list[int]:
    """Keys of the records that pass every filter, in the query's order.

    ``records`` must come in ascending key order: ties of the sort property
    keep that order, so pages are stable.
    """
    kept = [(key, rec) for key, rec in records if all(p(rec) for p in query.predicates)]
    if query.sort_path != (query.rt.key_field,):
        kind, path = query.sort_type, query.sort_path

        def sort_key(item: tuple[int, Mapping[str, Any]]) -> tuple[int, Any]:
            v = record_value(kind, item[1], path)
            return (0, 0) if v is None else (1, v)

        kept.sort(key=sort_key, reverse=query.descending)
    elif query.descending:
        kept.reverse()
    return [key for key, _ in kept]


def page_of(keys: list[int], page: int, size: int) -> list[int]:
    """The slice of ``keys`` for a 1-based page; [] past the end."""
    start = (page - 1) * size
    return keys[start : start + size]
