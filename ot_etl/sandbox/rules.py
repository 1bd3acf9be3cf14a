"""Record rules: check a submitted record against the catalog, gather every failure.

``shape`` checks JSON types (a wrong type is a 400: the request cannot be
read as that object) and returns the record reduced to the catalog's fields,
each present (null when not given) in catalog order, as the .NET service
serialises them. ``validate`` then gathers every data problem at once
(required, lengths, EntityRefs, line ``$type``) as ValidationResults (409).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ot_etl.catalog import Field, RecordType, object_fields
from ot_etl.sandbox import messages as msg
from ot_etl.sandbox.dates import parse_datetime
from ot_etl.sandbox.refs import RefResolver
from ot_etl.sandbox.rows import ITEM_KINDS

_UNITS = ("UomRef", "UomSetRef")
_ADDRESS_PARENT = 121


class BadInputError(Exception):
    """The request cannot be read (400); ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RejectedError(Exception):
    """Validation failed (409) with every ValidationResult."""

    def __init__(self, results: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(results)} validation problem(s)")
        self.results = results


class MissingError(Exception):
    """No such record (404)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Problems:
    """ValidationResults gathered while checking one record."""

    results: list[dict[str, Any]] = field(default_factory=list)

    def add(self, prop: str, message: str, value: Any = None) -> None:
        shown = "" if value is None else str(value)
        self.results.append({"PropertyName": prop, "Message": message, "Value": shown})

    def raise_if_any(self) -> None:
        if self.results:
            raise RejectedError(self.results)


# -- shape: JSON types ---------------------------------------------------------

_EXPECTED = {
    "String": "a string",
    "Int32": "an integer",
    "Int16": "an integer",
    "Decimal": "a number",
    "Boolean": "true or false",
    "DateTime": "a date string",
    "EntityRef": 'an EntityRef object {"Id": .., "Name": ..}',
    "Object": "an object",
    "Array": "an array",
    "CustomFields": "an array of {Name, Value} objects",
}


def _fits(kind: str, value: Any) -> bool:
    if kind == "String":
        return isinstance(value, str)
    if kind in ("Int32", "Int16"):
        if isinstance(value, float):
            return value.is_integer()
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "Decimal":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "Boolean":
        return isinstance(value, bool)
    if kind == "DateTime":
        return isinstance(value, str) and parse_datetime(value) is not None
    if kind in ("EntityRef", "Object", "RecordInfo"):
        return isinstance(value, Mapping)
    if kind == "Array":
        return isinstance(value, list)
    if kind == "CustomFields":
        return isinstance(value, list) and all(isinstance(v, Mapping) for v in value)
    return True


def _normal(kind: str, value: Any) -> Any:
    if kind in ("Int32", "Int16") and isinstance(value, float):
        return int(value)
    if kind == "DateTime":
        moment = parse_datetime(value)
        assert moment is not None
        text = moment.strftime("%Y-%m-%dT%H:%M:%S")
        return text + (f".{moment.microsecond:06d}" if moment.microsecond else "")
    return value


def shape(
    fields: tuple[Field, ...], body: Mapping[str, Any], prefix: str, errors: list[str]
) -> dict[str, Any]:
    """The record reduced to ``fields`` in catalog order; type errors appended."""
    out: dict[str, Any] = {}
    for f in fields:
        value = body.get(f.name)
        path = prefix + f.name
        if f.read_only and f.type in ("Object", "RecordInfo"):
            out[f.name] = None
            continue
        if value is None:
            out[f.name] = [] if f.type in ("Array", "CustomFields") else None
            continue
        if not _fits(f.type, value):
            errors.append(
                msg.WRONG_TYPE.format(
                    path=path,
                    expected=_EXPECTED.get(f.type, f.type),
                    value=_json(value),
                )
            )
            continue
        if f.type == "Object" and f.of:
            try:
                inner = object_fields(f.of)
            except KeyError:
                out[f.name] = dict(value)
                continue
            out[f.name] = shape(inner, value, path + ".", errors)
        elif f.type == "EntityRef":
            out[f.name] = _shape_ref(value, path, errors)
        else:
            out[f.name] = _normal(f.type, value)
    return out


def _shape_ref(value: Mapping[str, Any], path: str, errors: list[str]) -> Any:
    ref_id, name = value.get("Id"), value.get("Name")
    digits = isinstance(ref_id, str) and ref_id.strip().isdigit()
    if ref_id is not None and not _fits("Int32", ref_id) and not digits:
        errors.append(
            msg.WRONG_TYPE.format(
                path=path + ".Id", expected="an integer", value=_json(ref_id)
            )
        )
    if name is not None and not isinstance(name, str):
        errors.append(
            msg.WRONG_TYPE.format(
                path=path + ".Name", expected="a string", value=_json(name)
            )
        )
    if ref_id is None and not name:
        return None
    return {"Id": ref_id, "Name": name}


def _json(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 60 else f'"{value[:57]}..."'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return str(value)


# -- validate: data rules -------------------------------------------------------


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def check_fields(
    fields: tuple[Field, ...],
    record: dict[str, Any],
    prefix: str,
    problems: Problems,
    conditional: frozenset[str] = frozenset(),
) -> None:
    """Required fields and maximum lengths, nested objects included.

    Fields in ``conditional`` are left to ``check_conditional``.
    """
    for f in fields:
        value = record.get(f.name)
        path = prefix + f.name
        if (
            f.required
            and not f.read_only
            and f.type not in ("Boolean", "Array")
            and f.name not in conditional
            and _empty(value)
        ):
            problems.add(path, msg.REQUIRED.format(field=path), value)
        if f.max_length and isinstance(value, str) and len(value) > f.max_length:
            problems.add(
                path, msg.TOO_LONG.format(field=path, limit=f.max_length), value
            )
        if f.type == "Object" and f.of and isinstance(value, dict):
            try:
                inner = object_fields(f.of)
            except KeyError:
                continue
            check_fields(inner, value, path + ".", problems)


def resolve_refs(
    fields: tuple[Field, ...],
    record: dict[str, Any],
    prefix: str,
    problems: Problems,
    resolver: RefResolver,
    customer: int | None = None,
    skip: frozenset[str] = frozenset(),
) -> None:
    """Resolve every EntityRef with a known target, in place."""
    for f in fields:
        value = record.get(f.name)
        if f.type != "EntityRef" or not isinstance(value, Mapping) or f.ref is None:
            continue
        if f.name in skip:
            continue
        path = prefix + f.name
        parent = customer if f.ref == _ADDRESS_PARENT else None
        resolved, error = resolver.resolve(path, f.ref, value, parent)
        if error is not None:
            problems.add(path, error, value.get("Name") or value.get("Id"))
        else:
            record[f.name] = resolved


def boolean_defaults(fields: tuple[Field, ...], record: dict[str, Any]) -> None:
    """``IsActive`` left out is True (new records are active); another required
    Boolean left out is False."""
    for f in fields:
        if f.type != "Boolean" or record.get(f.name) is not None:
            continue
        if f.name == "IsActive":
            record[f.name] = True
        elif f.required:
            record[f.name] = False


def conditional(rt: RecordType) -> frozenset[str]:
    """Item fields an Item Group supplies: accounts and units.

    The catalog flags them ``conditional``; every ``...AccountRef`` of an item
    kind is treated so too, as the reference says of all item kinds.
    """
    if rt.number not in ITEM_KINDS:
        return frozenset()
    return frozenset(
        f.name for f in rt.fields if f.conditional or f.name.endswith("AccountRef")
    )


def check_conditional(
    rt: RecordType, record: Mapping[str, Any], problems: Problems
) -> None:
    """Item accounts and units are required only without an Item Group.

    The group supplies them otherwise; of the two units either will do.
    """
    names = conditional(rt)
    if not names or not _empty(record.get("ItemGroupRef")):
        return
    for f in rt.fields:
        if f.name in names and f.name not in _UNITS and _empty(record.get(f.name)):
            problems.add(f.name, msg.REQUIRED.format(field=f.name))
    if all(_empty(record.get(u)) for u in _UNITS if rt.field(u)):
        problems.add("UomRef", msg.UOM_REQUIRED)


def check_type_tag(
    rt: RecordType, line: Mapping[str, Any], where: str, problems: Problems
) -> None:
    expected = rt.line_type_tag
    if expected is None:
        return
    tag = line.get("$type")
    if tag is None or tag == "":
        problems.add(
            where + ".$type",
            msg.TYPE_TAG_MISSING.format(where=where, expected=expected),
        )
    elif tag != expected:
        problems.add(
            where + ".$type",
            msg.TYPE_TAG_WRONG.format(where=where, expected=expected, value=tag),
            tag,
        )
