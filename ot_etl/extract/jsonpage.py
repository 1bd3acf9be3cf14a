"""Pages decoded from the answer's bytes straight into Arrow, without a dict per record.

:func:`page_decoder` gives, for one layout, a function from the body of a
``POST /list`` answer to a struct array of its records (nested objects as
nested structs, the columns' types already applied), or None when the page
must take the Python path (``json`` + :func:`ot_etl.extract.flatten.flatten`).
pyarrow's JSON reader parses in C++ without holding the GIL, so the fetching
threads decode their pages in parallel, and flattening the struct array is a
few Arrow calls per page instead of a Python loop over every record.

The reader is given the exact shape the catalog expects and is strict, so the
Python path, which converts values and counts what it changed, still sees
every page that is not plain. A page goes that way when it has:

- a field the catalog does not know, at any depth (an extra field);
- a value of another JSON type than its column's: text in a number column,
  a number or object in a text column, ``1.5`` or an out-of-range number in an
  integer column, a custom-field value that is not text;
- a value in a known field that has no column (a sensitive field left out)
  of another type than the catalog's;
- a null or a non-object in place of a record, a key sent twice in one
  object, bytes that are not valid UTF-8, or a body that is not one array.

Both paths give the same rows, so which one ran cannot be seen in the file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pyarrow as pa
import pyarrow.json as pajson

from ot_etl.extract.schema import Layout

PageDecoder = Callable[[bytes], pa.StructArray | None]

# How each column kind is read: DateTime stays text for flatten to parse, and
# JSON-text columns accept only text (anything else goes the Python path).
_READ: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int16": pa.int16(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": pa.string(),
    "json": pa.string(),
}
# Known fields that are not columns (left-out sensitive fields, $type), read
# by their catalog type so that they do not send every page the slow way.
_CATALOG_READ: dict[str, pa.DataType] = {
    "String": pa.string(),
    "Int32": pa.int32(),
    "Int16": pa.int16(),
    "Decimal": pa.float64(),
    "Boolean": pa.bool_(),
    "DateTime": pa.string(),
    "EntityRef": pa.struct([("Id", pa.int32()), ("Name", pa.string())]),
}
CUSTOM_FIELDS = "CustomFields"
_CUSTOM_TYPE = pa.list_(
    pa.struct([("Name", pa.string()), ("Value", pa.string()), ("Caption", pa.string())])
)
_WRAP_OPEN = b'{"r":'
# Pages are decoded into the C library's allocator, not Arrow's default
# (mimalloc): mimalloc hands the freed memory of each page back to the system
# and faults it in again for the next, about 0.2 s of system CPU per 100 pages.
_POOL = pa.system_memory_pool()
_PARSE_ERRORS = (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError)


def record_struct(layout: Layout) -> pa.StructType:
    """The struct type one record of ``layout`` is read as."""
    kinds = {c.path: c.kind for c in layout.columns}

    def node(path: tuple[str, ...]) -> pa.StructType:
        fields = []
        for key in sorted(layout.known.get(path, ())):
            sub = (*path, key)
            if sub in kinds:
                type_ = _READ[kinds[sub]]
            elif sub in layout.known:
                type_ = node(sub)
            elif key == CUSTOM_FIELDS:
                type_ = _CUSTOM_TYPE
            else:
                type_ = _other(layout, sub)
            fields.append(pa.field(key, type_))
        return pa.struct(fields)

    return node(())


def _other(layout: Layout, path: tuple[str, ...]) -> pa.DataType:
    if path == ("$type",):
        return pa.string()
    field = layout.record_type.field(path[0]) if len(path) == 1 else None
    if field is not None and field.type in _CATALOG_READ:
        return _CATALOG_READ[field.type]
    # Unknown shape: only null passes, anything else goes the Python path.
    return pa.null()


def page_decoder(layout: Layout) -> PageDecoder:
    """A decoder of ``POST /list`` bodies into record structs for ``layout``.

    Not for a header layout whose record type carries line items: the lines
    are not part of the struct, so such pages would always fall back.
    """
    return _Decoder(record_struct(layout))


class _Decoder:
    """Reads pages with a narrow shape first, the full one when that fails.

    Reading a column as null is much cheaper than reading it as a typed
    column of nulls, and most columns of most record types are null on every
    record. So a page is first read with the narrow shape, in which every
    field that has never held a value (a scalar, an object, an array's
    elements) is null-typed; the reader refuses any value in a null-typed
    field, and then the page is read again with the full shape, and the
    fields it has values in are typed from then on. A field is widened once
    at most, so a run pays a few second readings.
    Both shapes are strict in the same way; what passes gives the same rows.
    """

    def __init__(self, full: pa.StructType) -> None:
        self.full = _options(full)
        self._seen: set[tuple[str, ...]] = set()
        self._lock = threading.Lock()
        self.narrow = _options(_narrowed(full, self._seen, ()))

    def __call__(self, body: bytes) -> pa.StructArray | None:
        if not body[:64].lstrip().startswith(b"["):
            return None
        if not body.isascii():
            try:
                body.decode("utf-8")  # the reader does not check the encoding
            except UnicodeDecodeError:
                return None
        # One object holding the array: the reader takes one JSON object per
        # row, and a single block keeps it from splitting the page.
        data = pa.py_buffer(_WRAP_OPEN + body + b"}")
        narrow = self.narrow
        records = _read(data, narrow)
        if records is None and narrow is not self.full:
            records = _read(data, self.full)
            if records is not None:
                self._widen(records)
        return records

    def _widen(self, records: pa.StructArray) -> None:
        found: set[tuple[str, ...]] = set()
        _filled(records, (), found)
        with self._lock:
            if found <= self._seen:
                return
            self._seen |= found
            full = self.full.explicit_schema.field("r").type.value_type
            self.narrow = _options(_narrowed(full, self._seen, ()))


def _options(record: pa.StructType) -> pajson.ParseOptions:
    return pajson.ParseOptions(
        explicit_schema=pa.schema([pa.field("r", pa.list_(record))]),
        unexpected_field_behavior="error",
        newlines_in_values=True,
    )


def _read(data: pa.Buffer, parse: pajson.ParseOptions) -> pa.StructArray | None:
    read = pajson.ReadOptions(use_threads=False, block_size=data.size + 1)
    try:
        table = pajson.read_json(
            data, read_options=read, parse_options=parse, memory_pool=_POOL
        )
    except _PARSE_ERRORS:
        return None
    if table.num_rows != 1:
        return None
    column = table.column(0).chunk(0)
    if column.null_count:
        return None
    records: pa.StructArray = column.flatten()
    if records.null_count:
        return None  # a null record: the Python path says what is wrong
    return records


def _narrowed(
    struct: pa.StructType, seen: set[tuple[str, ...]], path: tuple[str, ...]
) -> pa.StructType:
    """``struct`` with every field never seen holding a value read as null.

    An object never seen is null as a whole; an array never seen with an
    element is an array of nulls.
    """
    fields = []
    for f in struct:
        sub = (*path, f.name)
        type_ = f.type
        if sub not in seen:
            type_ = pa.list_(pa.null()) if pa.types.is_list(type_) else pa.null()
        elif pa.types.is_struct(type_):
            type_ = _narrowed(type_, seen, sub)
        fields.append(pa.field(f.name, type_))
    return pa.struct(fields)


def _filled(
    array: pa.StructArray, path: tuple[str, ...], out: set[tuple[str, ...]]
) -> None:
    """Add the paths of the fields holding a value somewhere in ``array``."""
    for field, child in zip(array.type, array.flatten(), strict=True):
        sub = (*path, field.name)
        if pa.types.is_list(field.type):
            if len(child.flatten()):
                out.add(sub)
        elif child.null_count < len(child):
            out.add(sub)
            if pa.types.is_struct(field.type):
                _filled(child, sub, out)
