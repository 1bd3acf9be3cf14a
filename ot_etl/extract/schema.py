"""The fixed Arrow schema of an exported table, derived from the catalog (pure).

One record type gives one header table (``<type>``) and, for transactions
whose header carries its lines in an array, one lines table
(``<type>_lines``). The columns come from the catalog only, so they are the
same on every run and every page, also when a page is empty or a column is
null throughout. Decisions, also written in ``docs/export.md``:

- ``String`` -> ``string``; ``Int32``/``Int16`` -> nullable ``int32``/``int16``;
  ``Boolean`` -> ``bool``.
- ``Decimal`` -> ``float64``. The API sends decimals as JSON numbers, which
  every JSON parser (ours included) reads as binary doubles, and it documents
  no scale; a fixed ``decimal128(p, s)`` would either round values or fail
  on one with more digits than guessed. float64 is exact to 15 significant
  digits, which covers prices, quantities and rates.
- ``DateTime`` -> ``timestamp[us]`` without a time zone. The API's values are
  naive company-local times; they are stored as the same wall-clock time and
  never relabelled as UTC (see :mod:`ot_etl.extract.flatten` for values that
  arrive with a zone designator).
- ``EntityRef`` -> two columns ``XRef.Id`` (int32) and ``XRef.Name`` (string).
- Nested objects (``Address``, ``Person``, ``RecordInfo``...) -> one column per
  child, named ``Parent.Child``; an object with no known children adds none.
- ``CustomFields`` -> one string column ``CustomFields.<Name>`` per custom field:
  the defined ones (``/customfielddefinition``) in definition order, then
  names seen on pages but not defined (see :func:`arrow_schema`).
- ``Any`` values and arrays other than the line items -> JSON text (string).
- Sensitive fields (card numbers...) are left out unless asked for.
- The ``$type`` discriminator of line items is metadata, not data: left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

from ot_etl.catalog import Field, RecordType, object_fields

ColumnKind = Literal["string", "int32", "int16", "float64", "bool", "timestamp", "json"]

ARROW_TYPES: dict[ColumnKind, pa.DataType] = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int16": pa.int16(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us"),
    "json": pa.string(),
}
_SCALARS: dict[str, ColumnKind] = {
    "String": "string",
    "Int32": "int32",
    "Int16": "int16",
    "Decimal": "float64",
    "Boolean": "bool",
    "DateTime": "timestamp",
    "Any": "json",
}
CUSTOM_PREFIX = "CustomFields."
_MAX_DEPTH = 3  # Address inside LinkedInfo inside a line is as deep as the API goes
_SKIPPED_NAMES = frozenset({"$type"})

# Columns that the lines table adds in front of the line's own fields.
PARENT_DOCNO = "DocNo"
PARENT_ID = "ParentId"
LINE_NO = "LineNo"


@dataclass(frozen=True)
class Column:
    """One flat column: its dotted name, the path into the record, its kind."""

    name: str
    path: tuple[str, ...]
    kind: ColumnKind

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.kind]


@dataclass(frozen=True)
class Layout:
    """How records of one table become rows.

    ``known`` maps each object path (``()`` for the record itself,
    ``("BillAddress",)`` for a nested object) to the keys the catalog knows
    there; anything else the server sends is an extra field, kept as JSON
    text. ``custom_fields`` says whether ``CustomFields`` exists at the top;
    ``custom_defined`` holds the names of the type's defined custom fields in
    definition order, or None when the definitions are unknown.
    """

    table: str
    record_type: RecordType
    columns: tuple[Column, ...]
    known: dict[tuple[str, ...], frozenset[str]] = field(repr=False)
    custom_fields: bool
    key: str | None
    omitted: tuple[str, ...] = ()
    is_lines: bool = False
    custom_defined: tuple[str, ...] | None = None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def base_schema(self) -> pa.Schema:
        """The catalog columns only (no custom fields, no extras)."""
        return pa.schema([pa.field(c.name, c.arrow_type) for c in self.columns])


def lines_field(rt: RecordType) -> Field | None:
    """The header array that holds the line items, when the API has one."""
    if rt.kind != "transaction" or not rt.line_object:
        return None
    for f in rt.fields:
        if f.type == "Array" and f.of == rt.line_object:
            return f
    return None


def header_layout(rt: RecordType, *, include_sensitive: bool = False) -> Layout:
    """The layout of ``rt``'s own table (lines excluded for transactions)."""
    lines = lines_field(rt)
    skip = {lines.name} if lines else set()
    fields = [f for f in rt.fields if f.name not in skip]
    layout = _layout(rt.slug, rt, fields, include_sensitive, key=key_of(rt))
    # The line array is known: it goes to the lines table, not to an extra.
    layout.known[()] = layout.known[()] | skip
    return layout


def lines_layout(rt: RecordType, *, include_sensitive: bool = False) -> Layout | None:
    """The layout of ``<type>_lines``, or None when ``rt`` has no line array.

    The first columns are the parent's ``DocNo`` (and ``ParentId`` when the
    header has an ``Id``), then ``LineNo`` (the line's own, or its 1-based
    position when the line object has none), then the line's other fields.
    """
    if lines_field(rt) is None:
        return None
    lead: list[Column] = []
    header_names = {f.name for f in rt.fields}
    if "DocNo" in header_names:
        lead.append(Column(PARENT_DOCNO, ("\x00parent", "DocNo"), "int32"))
    if "Id" in header_names:
        lead.append(Column(PARENT_ID, ("\x00parent", "Id"), "int32"))
    lead.append(Column(LINE_NO, (LINE_NO,), "int16"))
    taken = {c.name for c in lead}
    fields = [f for f in rt.line_fields if f.name not in taken]
    own = _layout(f"{rt.slug}_lines", rt, fields, include_sensitive, key=None)
    known = dict(own.known)
    known[()] = own.known[()] | taken
    return Layout(
        table=own.table,
        record_type=rt,
        columns=tuple(lead) + own.columns,
        known=known,
        custom_fields=own.custom_fields,
        key=None,
        omitted=own.omitted,
        is_lines=True,
    )


def arrow_schema(
    layout: Layout, custom_names: Iterable[str] = (), extras: Iterable[str] = ()
) -> pa.Schema:
    """The full schema: catalog columns, then custom fields, then extra fields.

    Defined custom fields come first, in definition order, whether or not a
    page holds them; other custom field names and extra names follow sorted,
    so that the schema never depends on the order pages arrived in.
    """
    names = set(layout.column_names)
    cols = [pa.field(c.name, c.arrow_type) for c in layout.columns]
    defined = list(layout.custom_defined or ()) if layout.custom_fields else []
    for name in [*defined, *sorted(set(custom_names) - set(defined))]:
        col = CUSTOM_PREFIX + name
        if col not in names:
            cols.append(pa.field(col, pa.string()))
            names.add(col)
    for name in sorted(set(extras)):
        if name not in names:
            cols.append(pa.field(name, pa.string()))
            names.add(name)
    meta = {
        "ot_etl.record_type": str(layout.record_type.number),
        "ot_etl.table": layout.table,
    }
    return pa.schema(cols, metadata=meta)


def key_of(rt: RecordType) -> str | None:
    """The field that identifies a record in list rows: the type's key field
    (``Id``/``DocNo``) when the catalog has it, else ``Id`` when it has that
    (list-only transactions such as Vendor Return), else None."""
    for key in (rt.key_field, "Id"):
        if rt.field(key) is not None:
            return key
    return None


def _layout(
    table: str,
    rt: RecordType,
    fields: list[Field],
    include_sensitive: bool,
    *,
    key: str | None,
) -> Layout:
    columns: list[Column] = []
    known: dict[tuple[str, ...], frozenset[str]] = {}
    omitted: list[str] = []
    custom = False
    top: set[str] = set(_SKIPPED_NAMES)
    for f in fields:
        top.add(f.name)
        if f.name in _SKIPPED_NAMES:
            continue
        if f.sensitive and not include_sensitive:
            omitted.append(f.name)
            continue
        if f.type == "CustomFields":
            custom = True
            continue
        columns.extend(_columns(f, (), known, 0))
    known[()] = frozenset(top)
    return Layout(
        table=table,
        record_type=rt,
        columns=tuple(columns),
        known=known,
        custom_fields=custom,
        key=key,
        omitted=tuple(omitted),
    )


def _columns(
    f: Field,
    prefix: tuple[str, ...],
    known: dict[tuple[str, ...], frozenset[str]],
    depth: int,
) -> list[Column]:
    path = (*prefix, f.name)
    name = ".".join(path)
    if f.type in _SCALARS:
        return [Column(name, path, _SCALARS[f.type])]
    if f.type == "EntityRef":
        known[path] = frozenset({"Id", "Name"})
        return [
            Column(name + ".Id", (*path, "Id"), "int32"),
            Column(name + ".Name", (*path, "Name"), "string"),
        ]
    kind: str = f.type  # the shipped catalog also says "RecordInfo" here
    if kind in ("Object", "RecordInfo"):
        of = f.of or ("RecordInfo" if kind == "RecordInfo" else None)
        children = _object(of) if depth < _MAX_DEPTH else ()
        known[path] = frozenset(c.name for c in children)
        out: list[Column] = []
        for child in children:
            if child.type == "CustomFields" or child.name in _SKIPPED_NAMES:
                continue
            out.extend(_columns(child, path, known, depth + 1))
        return out
    # Arrays other than the line items, and anything unforeseen: JSON text.
    return [Column(name, path, "json")]


def _object(name: str | None) -> tuple[Field, ...]:
    if not name:
        return ()
    try:
        return object_fields(name)
    except KeyError:
        return ()
