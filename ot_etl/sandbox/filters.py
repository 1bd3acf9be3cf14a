"""One ListInfo filter: its property, its value and the predicate it becomes.

Pure functions over plain dicts, used by :mod:`ot_etl.sandbox.listinfo`.
Anything the sandbox cannot honour raises ``ListInfoError`` (sent as a 400).

Comparison rules (documented in the sandbox docstring): values compare as the
catalog type of the property (numbers numerically, booleans from
``true``/``"1"``/``1``, DateTime by parsing, strings case-insensitively as
SQL Server's default collation does); a missing or null property matches only
IsNull; Like is a case-insensitive substring match where ``%`` is a wildcard.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ot_etl.catalog import Field, RecordType, object_fields
from ot_etl.sandbox import messages as msg
from ot_etl.sandbox.dates import (
    Range,
    custom_range,
    format_ts,
    macro_range,
    parse_datetime,
)

OPERATORS = {1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13}
Predicate = Callable[[Mapping[str, Any]], bool]
Bounds = tuple[tuple[str, str], ...]
Condition = tuple[Predicate, Bounds | None]
_MODIFIED = ("RecordInfo", "ModifiedDate")
_SQL_OPS = {1: "=", 2: ">", 3: "<", 4: ">=", 5: "<="}


class ListInfoError(ValueError):
    """A ListInfo the sandbox refuses (400)."""


def to_int(value: Any) -> int | None:
    """An integer given as a number or as digits; None otherwise (bools too)."""
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


def record_value(kind: str, record: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The value at ``path`` as ``kind``; None when missing or not convertible."""
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
            v = record_value(kind, r, path)
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
        v = record_value(kind, r, path)
        return v is not None and test(v)

    return compare


def _in_range(path: tuple[str, ...], span: Range) -> Predicate:
    start, end = span

    def within(r: Mapping[str, Any]) -> bool:
        v = record_value("DateTime", r, path)
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


def condition(rt: RecordType, index: int, raw: Any, now: datetime) -> Condition | None:
    """Filter ``index`` as a predicate and, on ModifiedDate, index bounds.

    None for a DateMacro of "all" with no value: nothing to test.
    """
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
        number = to_int(macro)
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
    op = to_int(op_raw) if op_raw is not None else 1
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
