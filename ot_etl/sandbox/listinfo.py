"""The ListInfo engine: parse a ListInfo body, then filter, sort and page records.

Pure functions over plain dicts; no HTTP and no storage. ``parse`` raises
``ListInfoError`` (sent as a 400) for anything the sandbox cannot honour.

Comparison rules (documented in the sandbox docstring): values compare as the
catalog type of the property (numbers numerically, booleans from
``true``/``"1"``/``1``, DateTime by parsing, strings case-insensitively as
SQL Server's default collation does); a missing or null property matches only
IsNull; Like is a case-insensitive substring match where ``%`` is a wildcard.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ot_etl.catalog import Field, RecordType, object_fields, record_types
from ot_etl.sandbox import messages as msg
from ot_etl.sandbox.dates import (
    Range,
    custom_range,
    format_ts,
    macro_range,
    parse_datetime,
)

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
OPERATORS = {1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13}
Predicate = Callable[[Mapping[str, Any]], bool]
Bounds = tuple[tuple[str, str], ...]
Condition = tuple[Predicate, Bounds | None]
_MODIFIED = ("RecordInfo", "ModifiedDate")
_SQL_OPS = {1: "=", 2: ">", 3: "<", 4: ">=", 5: "<="}


class ListInfoError(ValueError):
    """A ListInfo the sandbox refuses (400)."""


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


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def property_type(rt: RecordType, path: str) -> str:
    """The catalog type of a dotted property path of ``rt``'s records.

    Raises ListInfoError for unknown paths and for paths ending at an object.
    """
    fields: tuple[Field, ...] = rt.fields
    parts = path.split(".")
    for i, part in enumerate(parts):
        found = next((f for f in fields if f.name.lower() == part.lower()), None)
        if found is None:
            raise ListInfoError(
                msg.UNKNOWN_PROPERTY.format(record_type=rt.name, path=path)
            )
        last = i == len(parts) - 1
        kind: str = found.type
        if kind == "EntityRef":
            fields = object_fields("EntityRef")
        elif kind == "RecordInfo" or (kind == "Object" and found.of):
            fields = object_fields(found.of or "RecordInfo")
        elif not last:
            raise ListInfoError(
                msg.UNKNOWN_PROPERTY.format(record_type=rt.name, path=path)
            )
        if last:
            if kind in ("EntityRef", "Object", "RecordInfo", "Array", "CustomFields"):
                raise ListInfoError(msg.NOT_SCALAR.format(path=path))
            return kind
    raise ListInfoError(msg.UNKNOWN_PROPERTY.format(record_type=rt.name, path=path))


def canonical_path(rt: RecordType, path: str) -> tuple[str, ...]:
    """The path with each part spelled as in the catalog (input is case-blind)."""
    out: list[str] = []
    fields: tuple[Field, ...] = rt.fields
    for part in path.split("."):
        found = next(f for f in fields if f.name.lower() == part.lower())
        out.append(found.name)
        if found.type == "EntityRef":
            fields = object_fields("EntityRef")
        elif str(found.type) == "RecordInfo" or found.of:
            fields = object_fields(found.of or "RecordInfo")
    return tuple(out)


def lookup(record: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The value at a dotted path, or None when any step is missing."""
    value: Any = record
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def coerce(kind: str, value: Any) -> Any:
    """A value as its catalog type, for comparing; raises ValueError."""
    if value is None:
        return None
    if kind in ("Int32", "Int16", "Decimal"):
        if isinstance(value, bool):
            return float(value)
        return float(value)
    if kind == "Boolean":
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValueError(value)
    if kind == "DateTime":
        if isinstance(value, datetime):
            return value
        moment = parse_datetime(str(value))
        if moment is None:
            raise ValueError(value)
        return moment
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).casefold()


def _record_value(kind: str, record: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    try:
        return coerce(kind, lookup(record, path))
    except (ValueError, TypeError):
        return None


def _like(pattern: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in pattern.casefold().split("%")]
    return re.compile(".*".join(parts), re.DOTALL)


def _compare(op: int, kind: str, path: tuple[str, ...], raw: Any) -> Predicate:
    if op in (10, 11):
        want_null = op == 10
        return lambda r: (lookup(r, path) is None) == want_null
    if op in (12, 13):
        regex = _like("" if raw is None else str(raw))
        hit = op == 12

        def like(r: Mapping[str, Any]) -> bool:
            v = lookup(r, path)
            if v is None:
                return False
            text = coerce("String", v) if kind != "String" else str(v).casefold()
            return (regex.search(str(text)) is not None) == hit

        return like
    if op in (8, 9):
        items = {coerce(kind, s.strip()) for s in str(raw).split(",")}
        inside = op == 8

        def member(r: Mapping[str, Any]) -> bool:
            v = _record_value(kind, r, path)
            return v is not None and (v in items) == inside

        return member
    target = coerce(kind, raw)
    tests: dict[int, Callable[[Any], bool]] = {
        1: lambda v: v == target,
        2: lambda v: v > target,
        3: lambda v: v < target,
        4: lambda v: v >= target,
        5: lambda v: v <= target,
        6: lambda v: v != target,
    }
    test = tests[op]

    def compare(r: Mapping[str, Any]) -> bool:
        v = _record_value(kind, r, path)
        return v is not None and test(v)

    return compare


def _in_range(path: tuple[str, ...], span: Range) -> Predicate:
    start, end = span

    def within(r: Mapping[str, Any]) -> bool:
        v = _record_value("DateTime", r, path)
        if v is None:
            return False
        return (start is None or v >= start) and (end is None or v < end)

    return within


def _span_bounds(path: tuple[str, ...], span: Range) -> Bounds | None:
    if path != _MODIFIED:
        return None
    start, end = span
    out: list[tuple[str, str]] = []
    if start is not None:
        out.append((">=", format_ts(start)))
    if end is not None:
        out.append(("<", format_ts(end)))
    return tuple(out)


def _op_bounds(path: tuple[str, ...], op: int, value: Any) -> Bounds | None:
    if path != _MODIFIED or op not in _SQL_OPS:
        return None
    return ((_SQL_OPS[op], format_ts(coerce("DateTime", value))),)


def _filter(rt: RecordType, index: int, raw: Any, now: datetime) -> Condition | None:
    if not isinstance(raw, Mapping) or not raw.get("PropertyName"):
        raise ListInfoError(msg.FILTER_PROPERTY.format(index=index))
    name = str(raw["PropertyName"])
    kind = property_type(rt, name)
    path = canonical_path(rt, name)
    value = raw.get("FilterValueArray")
    if isinstance(value, (list, dict)):
        # Compared as text, ["T"] would quietly match nothing (or everything).
        raise ListInfoError(_not_scalar(index, name, value))
    macro = raw.get("DateMacro")
    if macro is not None:
        number = _int(macro)
        if number is None or not 0 <= number <= 25:
            raise ListInfoError(msg.BAD_MACRO.format(index=index, value=macro))
        if kind != "DateTime":
            raise ListInfoError(msg.MACRO_NOT_DATE.format(index=index, path=name))
        if number == 25:
            span = custom_range("" if value is None else str(value))
            if span is None:
                raise ListInfoError(
                    msg.BAD_VALUE.format(index=index, value=value, type=kind, path=name)
                )
            return _in_range(path, span), _span_bounds(path, span)
        if number != 0:
            span = macro_range(number, now)
            return _in_range(path, span), _span_bounds(path, span)
        if value is None:
            return None  # "all" with nothing else to test
    op_raw = raw.get("Operator", 1)
    op = _int(op_raw) if op_raw is not None else 1
    if op not in OPERATORS:
        raise ListInfoError(msg.BAD_OPERATOR.format(index=index, value=op_raw))
    assert op is not None
    if value is None and op not in (10, 11):
        raise ListInfoError(msg.VALUE_REQUIRED.format(index=index, op=op))
    try:
        return _compare(op, kind, path, value), _op_bounds(path, op, value)
    except (ValueError, TypeError):
        raise ListInfoError(
            msg.BAD_VALUE.format(index=index, value=value, type=kind, path=name)
        ) from None


def _not_scalar(index: int, path: str, value: list[Any] | dict[str, Any]) -> str:
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > 60:
        text = text[:57] + "..."
    shape = "array" if isinstance(value, list) else "object"
    return msg.VALUE_NOT_SCALAR.format(index=index, value=text, path=path, shape=shape)


def _paging(body: Mapping[str, Any]) -> tuple[int, int]:
    page_raw = body.get("PageNumber", 1)
    page = _int(page_raw) if page_raw is not None else 1
    if page is None or page < 1:
        raise ListInfoError(msg.PAGE_NUMBER.format(value=page_raw))
    size_raw = body.get("NumberOfRecords", DEFAULT_PAGE_SIZE)
    size = _int(size_raw) if size_raw is not None else DEFAULT_PAGE_SIZE
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
    number = _int(raw)
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
        c for i, f in enumerate(filters) if (c := _filter(rt, i, f, now)) is not None
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
    number = _int(direction) if direction is not None else 1
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
            v = _record_value(kind, item[1], path)
            return (0, 0) if v is None else (1, v)

        kept.sort(key=sort_key, reverse=query.descending)
    elif query.descending:
        kept.reverse()
    return [key for key, _ in kept]


def page_of(keys: list[int], page: int, size: int) -> list[int]:
    """The slice of ``keys`` for a 1-based page; [] past the end."""
    start = (page - 1) * size
    return keys[start : start + size]
