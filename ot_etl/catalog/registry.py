"""Loads the shipped catalog and resolves the names users give record types."""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from importlib import resources
from typing import Any

from ot_etl.catalog.model import Field, RecordType
from ot_etl.errors import UnknownRecordTypeError


def _field(raw: dict[str, Any]) -> Field:
    return Field(
        name=raw["name"],
        type=raw["type"],
        required=raw.get("required", False),
        max_length=raw.get("max_length"),
        ref=raw.get("ref"),
        of=raw.get("of"),
        read_only=raw.get("read_only", False),
        put=raw.get("put", True),
        sensitive=raw.get("sensitive", False),
        inferred=raw.get("inferred", False),
        enum=raw.get("enum"),
        conditional=raw.get("conditional", False),
    )


@cache
def _raw() -> dict[str, Any]:
    text = resources.files("ot_etl.catalog").joinpath("catalog.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def object_fields(name: str) -> tuple[Field, ...]:
    """Fields of a named object (``Address``, ``SalesOrderLineItem``...)."""
    raw = _raw()["objects"].get(name)
    if raw is None:
        raise KeyError(f"no object {name!r} in the catalog")
    return tuple(_field(f) for f in raw)


@cache
def record_types() -> tuple[RecordType, ...]:
    """Every record type the catalog knows, ordered by number."""
    out = []
    for r in _raw()["record_types"]:
        line = r.get("line_object")
        out.append(
            RecordType(
                number=r["number"],
                name=r["name"],
                slug=r["slug"],
                kind=r["kind"],
                endpoint=r["endpoint"],
                key_params=tuple(r["key_params"]),
                methods=tuple(r["methods"]),
                object=r["object"],
                fields=object_fields(r["object"]),
                line_object=line,
                line_type_tag=r.get("line_type_tag"),
                line_fields=object_fields(line) if line else (),
                official=r["official"],
            )
        )
    return tuple(out)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@cache
def _index() -> dict[str, RecordType]:
    index: dict[str, RecordType] = {}
    for rt in record_types():
        index[str(rt.number)] = rt
        index[rt.slug] = rt
        if rt.endpoint:
            index[_norm(rt.endpoint)] = rt
    # Common short names users type.
    for alias, number in _ALIASES.items():
        index[alias] = next(r for r in record_types() if r.number == number)
    return index


_ALIASES = {
    "so": 7,
    "po": 6,
    "item": 115,
    "items": 115,
    "customers": 120,
    "vendors": 130,
    "salesorders": 7,
    "purchaseorders": 6,
    "shipdocs": 4,
    "partitems": 101,
    "locationbin": 151,
}


def resolve(name: str | int | RecordType) -> RecordType:
    """Resolve ``customer``, ``120``, ``"Sales Order"`` or ``/partitem`` to a type.

    Raises UnknownRecordTypeError listing the close matches.
    """
    if isinstance(name, RecordType):
        return name
    key = _norm(str(name))
    found = _index().get(key)
    if found is not None:
        return found
    choices = sorted({r.slug for r in record_types()})
    close = difflib.get_close_matches(key, choices, n=4, cutoff=0.6)
    raise UnknownRecordTypeError(str(name), close)
