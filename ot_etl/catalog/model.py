"""The catalog's data shapes: record types and their fields, as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["entity", "transaction", "line"]
FieldType = Literal[
    "String",
    "Int32",
    "Int16",
    "Decimal",
    "Boolean",
    "DateTime",
    "Any",
    "EntityRef",
    "Object",
    "Array",
    "CustomFields",
]


@dataclass(frozen=True)
class Field:
    """One property of an API object.

    ``of`` names the nested object for ``Object`` fields (``Address``,
    ``Person``, ``RecordInfo``...) and the element object for ``Array`` fields
    (``SalesOrderLineItem``...). ``ref`` is the record type number an EntityRef
    points to, when the reference says. ``put`` is False for transaction header
    fields that a PUT cannot change.
    """

    name: str
    type: FieldType
    required: bool = False
    max_length: int | None = None
    ref: int | None = None
    of: str | None = None
    read_only: bool = False
    put: bool = True
    sensitive: bool = False
    inferred: bool = False
    enum: str | None = None
    # Required only in some cases the catalog cannot express as a flag (item
    # account and UOM refs, which an ItemGroupRef makes optional).
    conditional: bool = False


@dataclass(frozen=True)
class RecordType:
    """One RecordTypeEnum value and what the API offers for it.

    ``endpoint`` is the single-record path (``/customer``) or None for list-only
    types, which are read through ``/list`` and ``/entityref`` only.
    ``key_params`` are the query parameters that name one record on that path
    (``["id"]``, ``["docNo"]``, ``["customerId", "id"]``).
    """

    number: int
    name: str
    slug: str
    kind: Kind
    endpoint: str | None
    key_params: tuple[str, ...]
    methods: tuple[str, ...]
    object: str
    fields: tuple[Field, ...] = field(repr=False)
    line_object: str | None = None
    line_type_tag: str | None = None
    line_fields: tuple[Field, ...] = field(default=(), repr=False)
    official: bool = True

    @property
    def is_transaction(self) -> bool:
        return self.kind == "transaction"

    @property
    def key_field(self) -> str:
        """The property that identifies a record: ``DocNo`` or ``Id``."""
        return "DocNo" if self.is_transaction and self.number != 660 else "Id"

    @property
    def writable(self) -> bool:
        return self.endpoint is not None and "POST" in self.methods

    def field(self, name: str) -> Field | None:
        """The top-level field called ``name`` (exact match), or None."""
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"
