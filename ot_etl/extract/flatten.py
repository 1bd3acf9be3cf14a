"""Records (API JSON) -> columns of a fixed Arrow schema, and back (pure).

:func:`flatten` turns one page of records into a :class:`FlatPage`: one Arrow
array per catalog column, the values of each custom field, and the values of
each extra field (one the catalog does not know). Nothing is dropped
silently:

- A value of the wrong JSON type (``"12"`` for an Int32, ``1`` for a Boolean)
  is converted when that is lossless and otherwise stored as null; either way
  it is counted in ``FlatPage.coercions`` (column -> count) and logged once per
  column at WARNING by the caller.
- DateTime values are parsed as naive wall-clock times, fractions beyond
  microseconds are truncated (the API can send 7 digits). A value that
  carries a zone designator (``Z``, ``+02:00``) keeps its wall-clock time and
  is counted in ``FlatPage.zoned``; it is never converted or relabelled.
- Custom field values and extra fields are text: a string stays as it is,
  any other JSON value (number, boolean, object, array) is written as its
  compact JSON text, so a custom field holding ``5`` on one record and
  ``"abc"`` on another becomes the strings ``"5"`` and ``"abc"``.

:func:`unflatten` rebuilds the nested record from a row; it exists for the
round-trip tests and for callers that want JSON-shaped rows back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ot_etl.extract.coerce import CHECKS, COERCE, FAST_TYPES, text_of
from ot_etl.extract.fastpath import fast_arrays, struct_arrays
from ot_etl.extract.jsonpage import CUSTOM_FIELDS
from ot_etl.extract.schema import (
    CUSTOM_PREFIX,
    LINE_NO,
    Column,
    Layout,
    arrow_schema,
)

PARENT = "\x00parent"
_ZONE = r"(Z|[+-]\d\d:?\d\d)$"
_ZONED = re.compile(r"T.*" + _ZONE)
_DATETIME = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?)?\s*"
    r"(Z|[+-]\d\d:?\d\d)?$"
)


@dataclass
class FlatPage:
    """One page flattened. ``arrays`` follow ``layout.columns``."""

    layout: Layout
    rows: int
    arrays: list[pa.Array]
    custom: dict[str, list[str | None]] = field(default_factory=dict)
    extras: dict[str, list[str | None]] = field(default_factory=dict)
    coercions: Counter[str] = field(default_factory=Counter)
    zoned: Counter[str] = field(default_factory=Counter)

    def to_table(self, schema: pa.Schema) -> pa.Table:
        """This page as a table of ``schema`` (columns it lacks are null)."""
        by_name = dict(zip(self.layout.column_names, self.arrays, strict=True))
        for name, values in self.custom.items():
            by_name[CUSTOM_PREFIX + name] = pa.array(values, pa.string())
        for name, values in self.extras.items():
            by_name[name] = pa.array(values, pa.string())
        arrays = [_or_nulls(by_name.get(f.name), self.rows, f.type) for f in schema]
        return pa.Table.from_arrays(arrays, schema=schema)


def flatten(
    layout: Layout, records: Sequence[Mapping[str, Any]] | pa.StructArray
) -> FlatPage:
    """Flatten one page of records (or of line rows, see :func:`line_rows`).

    ``records`` may also be a page decoded by :mod:`ot_etl.extract.jsonpage`
    (a struct array, which has no extra fields by construction).
    """
    if isinstance(records, pa.StructArray):
        return _flatten_struct(layout, records)
    page = FlatPage(layout, len(records), [])
    fast = fast_arrays(layout.columns, records) or {}
    for col in layout.columns:
        array = fast.get(col.name)
        if array is not None and col.kind == "timestamp":
            array = _parse_texts(col, array, page)
        if array is None:
            array = _to_array(col, _values(records, col.path), page)
        page.arrays.append(array)
    if layout.custom_fields:
        page.custom = _pivot_custom(records)
    page.extras = _extras(layout, records)
    return page


def _flatten_struct(layout: Layout, records: pa.StructArray) -> FlatPage:
    page = FlatPage(layout, len(records), [])
    arrays = struct_arrays(layout.columns, records)
    for col in layout.columns:
        array = arrays.get(col.name)
        if array is not None and pa.types.is_null(array.type):
            array = pa.nulls(len(array), col.arrow_type)  # read as null: none held
        elif array is not None and col.kind == "timestamp":
            texts = array
            array = _parse_texts(col, texts, page)
            if array is None:
                array = _timestamps(col, texts.to_pylist(), page)
        if array is None:  # its object was read as null: no record has it
            array = pa.nulls(len(records), col.arrow_type)
        page.arrays.append(array)
    if layout.custom_fields and CUSTOM_FIELDS in records.type.names:
        page.custom = _pivot_custom_struct(records.field(CUSTOM_FIELDS))
    return page


def line_rows(
    parent_records: Iterable[Mapping[str, Any]], lines_key: str
) -> tuple[list[dict[str, Any]], int]:
    """Line items of a page of headers, each with its parent's keys attached.

    Returns the line rows and the number of headers that had no lines. A line
    without a ``LineNo`` gets its 1-based position in the array.
    """
    out: list[dict[str, Any]] = []
    without = 0
    for parent in parent_records:
        lines = parent.get(lines_key)
        if not isinstance(lines, list) or not lines:
            without += 1
            continue
        keys = {"DocNo": parent.get("DocNo"), "Id": parent.get("Id")}
        for pos, line in enumerate(lines, start=1):
            if not isinstance(line, Mapping):
                continue
            row = dict(line)
            row[PARENT] = keys
            if row.get(LINE_NO) is None:
                row[LINE_NO] = pos
            out.append(row)
    return out, without


def page_schema(layout: Layout, page: FlatPage) -> pa.Schema:
    """The schema of ``layout`` widened by this page's custom fields and extras."""
    return arrow_schema(layout, page.custom, page.extras)


# -- reading values ------------------------------------------------------------


def _get(record: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for part in path:
        if type(value) is not dict:
            return None
        value = value.get(part)
    return value


def _values(records: Sequence[Mapping[str, Any]], path: tuple[str, ...]) -> list[Any]:
    """The value at ``path`` in every record (None where absent); the hot loop."""
    if len(path) == 1:
        key = path[0]
        return [r.get(key) for r in records]
    if len(path) == 2:
        outer, inner = path
        out = []
        for r in records:
            obj = r.get(outer)
            out.append(obj.get(inner) if type(obj) is dict else None)
        return out
    return [_get(r, path) for r in records]


def _to_array(col: Column, values: list[Any], page: FlatPage) -> pa.Array:
    kind = col.kind
    if kind == "timestamp":
        return _timestamps(col, values, page)
    if kind == "json":
        return pa.array([text_of(v) for v in values], pa.string())
    if set(map(type, values)) <= FAST_TYPES[kind]:
        try:
            return pa.array(values, col.arrow_type)
        except (pa.ArrowInvalid, OverflowError):
            pass  # out of range for the integer type: coerced below
    checker = CHECKS[kind]
    fixed = []
    for v in values:
        if v is None or checker(v):
            fixed.append(v)
            continue
        page.coercions[col.name] += 1
        fixed.append(COERCE[kind](v))
    return pa.array(fixed, col.arrow_type)


def _timestamps(col: Column, values: list[Any], page: FlatPage) -> pa.Array:
    """Parse ISO texts fast through Arrow, falling back value by value."""
    if set(map(type, values)) <= FAST_TYPES["string"]:
        done = _parse_texts(col, pa.array(values, pa.string()), page)
        if done is not None:
            return done
    parsed = []
    for v in values:
        moment = parse_datetime(v) if isinstance(v, str) else None
        if v is not None and moment is None:
            page.coercions[col.name] += 1
        elif moment is not None and _ZONED.search(v.strip()):
            page.zoned[col.name] += 1
        parsed.append(moment)
    return pa.array(parsed, pa.timestamp("us"))


def _parse_texts(col: Column, texts: pa.Array, page: FlatPage) -> pa.Array | None:
    """ISO texts -> timestamps in Arrow, or None when some text needs a closer look."""
    zoned = pc.match_substring_regex(texts, _ZONE)
    n_zoned = pc.sum(zoned).as_py() or 0
    if n_zoned:
        texts = pc.replace_substring_regex(texts, _ZONE, "")
    texts = pc.replace_substring_regex(texts, r"(\.\d{6})\d+", r"\1")
    try:
        parsed = pc.cast(texts, pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if n_zoned:
        page.zoned[col.name] += n_zoned
    return parsed


def parse_datetime(text: str) -> dt.datetime | None:
    """A naive datetime from the API's ISO text (zone dropped, wall clock kept)."""
    m = _DATETIME.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, _zone = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    try:
        return dt.datetime(  # noqa: DTZ001 - the API's datetimes are naive
            int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), micro
        )
    except ValueError:
        return None


# -- custom fields and extras ---------------------------------------------------


def _pivot_custom(records: Sequence[Mapping[str, Any]]) -> dict[str, list[str | None]]:
    columns: dict[str, list[str | None]] = {}
    n = len(records)
    for i, record in enumerate(records):
        fields = record.get("CustomFields")
        if type(fields) is not list:
            continue
        for cf in fields:
            if type(cf) is not dict:
                continue
            name = cf.get("Name")
            if type(name) is not str or not name:
                continue
            column = columns.get(name)
            if column is None:
                column = columns[name] = [None] * n
            column[i] = text_of(cf.get("Value"))
    return columns


def _pivot_custom_struct(lists: pa.ListArray) -> dict[str, list[str | None]]:
    """:func:`_pivot_custom` for a decoded page (values are text already)."""
    columns: dict[str, list[str | None]] = {}
    items = lists.flatten()
    if not len(items) or pa.types.is_null(items.type):
        return columns
    parents = pc.list_parent_indices(lists).to_pylist()
    fields = dict(zip(items.type.names, items.flatten(), strict=True))
    names, values = fields["Name"].to_pylist(), fields["Value"].to_pylist()
    n = len(lists)
    for i, name, value in zip(parents, names, values, strict=True):
        if not name:
            continue
        column = columns.get(name)
        if column is None:
            column = columns[name] = [None] * n
        column[i] = value
    return columns


def _extras(
    layout: Layout, records: Sequence[Mapping[str, Any]]
) -> dict[str, list[str | None]]:
    """Values of keys the catalog does not know, one JSON text column per key."""
    found: dict[str, list[str | None]] = {}
    n = len(records)
    # Objects at each path, computed from their parent's list: one pass per
    # path in comprehensions, the hot spot of flattening wide records.
    objects: dict[tuple[str, ...], list[Any]] = {(): list(records)}
    for path in sorted(layout.known, key=len):
        parent = objects.get(path[:-1]) if path else None
        if path and parent is None:
            continue
        if parent is not None:
            objects[path] = _children(parent, path[-1])
        objs = objects[path]
        known = layout.known[path]
        try:
            if all(map(known.issuperset, objs)):
                continue  # the common case, decided in C
        except TypeError:
            pass  # a number where an object belongs: look closer below
        odd = [
            i for i, o in enumerate(objs) if type(o) is dict and not known.issuperset(o)
        ]
        for i in odd:
            obj = objs[i]
            for key in obj.keys() - known:
                if key == PARENT:
                    continue
                name = ".".join((*path, key))
                column = found.get(name)
                if column is None:
                    column = found[name] = [None] * n
                column[i] = text_of(obj[key])
    return found


def _children(parent: list[Any], key: str) -> list[Any]:
    """``o[key]`` of every object in ``parent``; missing ones as an empty dict."""
    try:
        return [o.get(key) or _EMPTY for o in parent]
    except AttributeError:  # something other than an object in the parent list
        return [(o.get(key) or _EMPTY) if type(o) is dict else None for o in parent]


_EMPTY: dict[str, Any] = {}


# -- back to records ------------------------------------------------------------


def unflatten(layout: Layout, row: Mapping[str, Any]) -> dict[str, Any]:
    """Rebuild the nested record of one row (nulls left out, custom fields last).

    Objects whose columns are all null are left out too, so a record with
    ``"BillAddress": null`` and one without ``BillAddress`` read back alike.
    Timestamps go back to ISO text and JSON-text columns stay text, so
    ``flatten(unflatten(row))`` gives ``row`` again.
    """
    record: dict[str, Any] = {}
    for col in layout.columns:
        value = row.get(col.name)
        if value is None:
            continue
        if isinstance(value, dt.datetime):
            value = value.isoformat(timespec="microseconds")
        target = record
        for part in col.path[:-1]:
            target = target.setdefault(part, {})
        target[col.path[-1]] = value
    custom = [
        {"Name": name[len(CUSTOM_PREFIX) :], "Value": value}
        for name, value in row.items()
        if name.startswith(CUSTOM_PREFIX)
    ]
    if custom:
        record["CustomFields"] = custom
    return record


def _or_nulls(array: pa.Array | None, rows: int, type_: pa.DataType) -> pa.Array:
    return pa.nulls(rows, type_) if array is None else array
