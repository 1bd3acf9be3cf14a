"""The fast path of flattening: Arrow's converter reads the catalog columns at once.

One ``pa.array(records, type=struct)`` call turns a page of nested dicts into
a struct array in C++, far faster than a Python loop per column. It is
strict where it matters: a string where a number is expected, a number where
a string or boolean is expected, or a non-object where an object is
expected raises, and the caller falls back to the Python path, which coerces
value by value and counts what it changed. Integer columns are read as
float64 and cast back with a safe cast, so ``1.5`` in an Int32 column is not
silently truncated (that column alone goes the slow way). DateTime columns
come back as text for :func:`ot_etl.extract.flatten` to parse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ot_etl.extract.schema import Column

_READ_AS: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int32": pa.float64(),
    "int16": pa.float64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": pa.string(),
}
_CONVERT_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError)


@cache
def _struct(columns: tuple[Column, ...]) -> pa.StructType:
    tree: dict[str, Any] = {}
    for col in columns:
        if col.kind not in _READ_AS:
            continue
        node = tree
        for part in col.path[:-1]:
            node = node.setdefault(part, {})
        node[col.path[-1]] = _READ_AS[col.kind]

    def build(node: dict[str, Any]) -> pa.StructType:
        return pa.struct(
            [(k, build(v) if isinstance(v, dict) else v) for k, v in node.items()]
        )

    return build(tree)


def fast_arrays(
    columns: tuple[Column, ...], records: Sequence[Mapping[str, Any]]
) -> dict[str, pa.Array] | None:
    """Arrays by column name, or None when the page needs the Python path.

    Integer columns that do not cast safely are left out of the result;
    DateTime columns are returned as string arrays.
    """
    struct = _struct(columns)
    if struct.num_fields == 0:
        return {}
    try:
        top = pa.array(records, type=struct)
    except _CONVERT_ERRORS:
        return None
    return struct_arrays(columns, top)


def struct_arrays(
    columns: tuple[Column, ...], top: pa.StructArray
) -> dict[str, pa.Array]:
    """Arrays by column name from records already read as a struct array.

    Integer columns that do not cast safely are left out of the result.
    """
    leaves: dict[tuple[str, ...], pa.Array] = {}
    _walk(top, (), leaves)
    out: dict[str, pa.Array] = {}
    for col in columns:
        array = leaves.get(col.path)
        if array is None:
            continue
        if col.kind in ("int32", "int16") and array.type != col.arrow_type:
            try:
                array = pc.cast(array, col.arrow_type, safe=True)
            except _CONVERT_ERRORS:
                continue
        out[col.name] = array
    return out


def _walk(
    array: pa.StructArray, prefix: tuple[str, ...], out: dict[tuple[str, ...], pa.Array]
) -> None:
    # StructArray.flatten() folds the parent's nulls into its children, so a
    # null BillAddress gives null BillAddress.City, never a stale default.
    for field, child in zip(array.type, array.flatten(), strict=True):
        path = (*prefix, field.name)
        if pa.types.is_struct(field.type):
            _walk(child, path, out)
        else:
            out[path] = child
