"""``GET /customfielddefinition?recordType=N``: a record type's custom fields.

The reference (core.md section 8) gives a definition's properties: ``Name``,
``Caption``, ``FieldType`` (DataTypeEnum), ``FieldSize``, ``IsRequired``,
``IsCalculated`` and ``Selections``. The sandbox has no admin screen to
define fields, so a type's definitions are the ones configured for it
(``Sandbox(custom_fields={"Customer": ["CustCust1"]})``, in that order),
then every other custom-field name found on its stored records, sorted.
Every field is a text field; the choices are listed in ``docs/sandbox.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ot_etl.catalog import RecordType, record_types, resolve
from ot_etl.sandbox.store import Store

# DataTypeEnum's numbers are undocumented; 0 stands for String, the default.
STRING_FIELD_TYPE = 0
FIELD_SIZE = 50  # the documented length of a custom field's Name and Caption
PARAM = "recordtype"


class DefinitionError(Exception):
    """A request the endpoint answers with 400."""


def configured(custom_fields: Mapping[str, Sequence[str]]) -> dict[int, list[str]]:
    """``{"Customer": ["CustCust1"]}`` keyed by record type number instead.

    Raises the catalog's error for a record type it does not know.
    """
    out: dict[int, list[str]] = {}
    for name, fields in custom_fields.items():
        names = out.setdefault(resolve(name).number, [])
        names.extend(f for f in fields if f not in names)
    return out


def definitions(
    store: Store, configured: Mapping[int, Sequence[str]], query: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The answer to one GET, from the lower-cased query parameters."""
    rt = _record_type(query.get(PARAM))
    names = list(configured.get(rt.number, ()))
    seen = _seen(store, rt) - set(names)
    return [_definition(n) for n in [*names, *sorted(seen)]]


def _record_type(raw: str | None) -> RecordType:
    if raw is None or raw == "":
        raise DefinitionError("The query parameter 'recordType' is required")
    try:
        number = int(raw)
    except ValueError:
        raise DefinitionError(
            f"The query parameter 'recordType' must be an integer, got '{raw}'"
        ) from None
    for rt in record_types():
        if rt.number == number:
            return rt
    raise DefinitionError(f"recordType {number} is not a known record type")


def _seen(store: Store, rt: RecordType) -> set[str]:
    """Custom-field names on the stored records (line types: none, as their
    records live inside documents)."""
    if rt.kind == "line" or rt.field("CustomFields") is None:
        return set()
    names: set[str] = set()
    for _, record in store.records(rt.number):
        for entry in record.get("CustomFields") or ():
            if isinstance(entry, dict) and isinstance(entry.get("Name"), str):
                names.add(entry["Name"])
    return names


def _definition(name: str) -> dict[str, Any]:
    return {
        "Name": name,
        "Caption": name,
        "FieldType": STRING_FIELD_TYPE,
        "FieldSize": FIELD_SIZE,
        "IsRequired": False,
        "IsCalculated": False,
        "Selections": [],
    }
