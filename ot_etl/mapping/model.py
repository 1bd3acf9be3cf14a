"""The parsed shape of a mapping file: plain frozen dataclasses.

A :class:`Mapping` is what :func:`ot_etl.mapping.load_mapping` returns once
every problem of the YAML file has been ruled out: the record type resolved
in the catalog, each target field resolved to its catalog :class:`Field`, and
the pandera schema built. Nothing here reads data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

import pandera.pandas as pa

from ot_etl.catalog import Field, FieldType, RecordType
from ot_etl.mapping.expr import Expression

Mode = Literal["create", "update", "upsert", "verify"]
MODES: tuple[Mode, ...] = ("create", "update", "upsert", "verify")
"""``verify`` writes nothing: every row must match an existing record. It is
for lists the API cannot create (Ship Methods, Sales Reps, Item Groups...),
checked before the records that point at them are loaded."""

Duplicates = Literal["reject", "merge"]
"""What rows repeating a match key do (``match.duplicates``).

``reject``: the first row loads, the others are rejected as duplicates.
``merge`` (entities only): rows that build exactly the same record are that
one record; a row that builds anything different is rejected, naming the
first row and every field that differs. For lists derived from other data,
e.g. customers taken from order lines that repeat them.
"""

TargetKind = Literal["value", "ref_name", "ref_id", "custom"]
"""How a mapped value lands in the payload.

``value``: a plain property (possibly nested, ``BillAddress.City``);
``ref_name`` / ``ref_id``: an EntityRef given by ``Name`` or ``Id``;
``custom``: one entry of ``CustomFields`` (``{"Name": ..., "Value": ...}``).
"""


@dataclass(frozen=True)
class JoinSpec:
    """Another file joined one-to-many onto the input on ``on`` columns.

    ``path`` is relative to the input file's folder. Rows of the input without
    a partner are kept once (``how: left``) or dropped (``how: inner``).
    """

    path: str
    on: tuple[str, ...]
    how: Literal["left", "inner"] = "left"
    sheet: str | None = None
    # The joined file's key columns when their names differ from the input's
    # (``on: {shipVia: shipperID}``); empty means the same names as ``on``.
    right_on: tuple[str, ...] = ()

    @property
    def other_keys(self) -> tuple[str, ...]:
        return self.right_on or self.on


@dataclass(frozen=True)
class SourceOptions:
    """How to read the input file. The defaults fit a plain UTF-8 CSV.

    ``header_row`` is the 1-based row (line) of the header as a spreadsheet
    shows it, or ``"auto"`` to skip title rows. ``encoding`` ``"auto"`` tries
    UTF-8 (with or without BOM), then UTF-16 with a BOM, then cp1252.
    ``null_markers`` are cell texts read as missing besides the empty cell.
    """

    sheet: str | None = None
    header_row: int | Literal["auto"] = "auto"
    encoding: str = "auto"
    delimiter: str = ","
    decimal: str = "."
    thousands: str | None = None
    null_markers: tuple[str, ...] = ()
    joins: tuple[JoinSpec, ...] = ()


@dataclass(frozen=True)
class MatchNormalize:
    """How match-key values are normalised before comparing them."""

    strip: bool = True
    case: Literal["sensitive", "insensitive"] = "insensitive"

    def apply(self, value: str) -> str:
        text = value.strip() if self.strip else value
        return text.casefold() if self.case == "insensitive" else text


@dataclass(frozen=True)
class FieldMap:
    """One target field and where its value comes from.

    Exactly one of ``column``, ``value`` (a constant), ``expr`` (arithmetic on
    typed columns, see :mod:`ot_etl.mapping.expr`) and ``template`` (a
    ``str.format`` text whose ``{placeholders}`` are source columns) is set.
    ``field`` is the catalog field of the leaf (for ``ref_*`` the EntityRef
    field itself, for ``custom`` the ``CustomFields`` field).
    """

    target: str
    json_path: tuple[str, ...]
    kind: TargetKind
    field: Field
    yaml_path: str
    column: str | None = None
    value: Any = None
    template: str | None = None
    template_columns: tuple[str, ...] = ()
    format: str | None = None
    strip: bool = True
    decimals: int | None = None
    allow_scientific: bool = False
    expr: Expression | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """Every source column this field reads."""
        if self.column is not None:
            return (self.column,)
        if self.expr is not None:
            return self.expr.columns
        return self.template_columns

    @property
    def value_type(self) -> FieldType:
        """The JSON type the payload needs at this field's place."""
        if self.kind == "ref_id":
            return "Int32"
        if self.kind in ("ref_name", "custom"):
            return "String" if self.kind == "ref_name" else "Any"
        return self.field.type


@dataclass(frozen=True)
class DocumentSpec:
    """Transactions: the columns grouping rows into one document, and its lines."""

    group_by: tuple[str, ...]
    lines: tuple[FieldMap, ...]


@dataclass(frozen=True)
class FillSpec:
    """Ship docs that fill sales orders: the column naming each row's order.

    ``order_field`` says what that column holds: the order's ``DocNo`` or its
    ``CustomerPO``. The loader links each row to the order line it fills (see
    :mod:`ot_etl.load.fill`); the customer and the line's price come from the
    order.
    """

    order: str
    order_field: Literal["DocNo", "CustomerPO"] = "DocNo"


@dataclass(frozen=True)
class Mapping:
    """One import: target record type, mode, match key, source, schema, fields."""

    path: str
    record_type: RecordType
    mode: Mode
    match_fields: list[str]
    match_normalize: MatchNormalize
    source: SourceOptions
    schema: pa.DataFrameSchema
    fields: list[FieldMap]
    documents: DocumentSpec | None = None
    fill: FillSpec | None = None
    text: str = field(default="", repr=False)
    duplicates: Duplicates = "reject"

    @property
    def digest(self) -> str:
        """A short hash of the mapping text: changes when the mapping does."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]

    @property
    def all_field_maps(self) -> list[FieldMap]:
        lines = list(self.documents.lines) if self.documents else []
        return [*self.fields, *lines]

    @property
    def columns(self) -> list[str]:
        """Every source column the mapping reads, in first-use order."""
        seen: dict[str, None] = {}
        for fm in self.all_field_maps:
            for col in fm.columns:
                seen.setdefault(col, None)
        for col in self.documents.group_by if self.documents else ():
            seen.setdefault(col, None)
        if self.fill is not None:
            seen.setdefault(self.fill.order, None)
        return list(seen)

    @property
    def header_names(self) -> list[str]:
        """The names the file's header should hold: mapped, then schema columns.

        The reader looks for the row holding them when ``header_row`` is auto.
        """
        return list(dict.fromkeys([*self.columns, *self.schema.columns]))

    @property
    def sensitive_columns(self) -> list[str]:
        """Source columns feeding a field the catalog marks sensitive."""
        return sorted(
            {c for fm in self.all_field_maps if fm.field.sensitive for c in fm.columns}
        )

    def column_format(self, column: str) -> str | None:
        """The date format the field maps give ``column``, if any."""
        for fm in self.all_field_maps:
            if fm.column == column and fm.format:
                return fm.format
        return None
