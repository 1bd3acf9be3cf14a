"""Cell values for building records: per mapped field, JSON-ready per frame position.

Values are computed a column at a time (vectorised) from a
:class:`ValidationReport`, so building a payload is a dictionary lookup per
cell. An empty cell has no entry, so its field is left out of the payload.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ot_etl.errors import MappingError, Problem
from ot_etl.load.validate import ValidationReport
from ot_etl.mapping.convert import kind_of, to_bool, to_datetime, to_int, to_number
from ot_etl.mapping.model import FieldMap, Mapping
from ot_etl.mapping.rules import target_text

ISO_SECONDS = "%Y-%m-%dT%H:%M:%S"

Values = dict[str, dict[int, Any]]
"""Per field (by YAML path): frame position -> JSON-ready value; empties absent."""


def column_values(report: ValidationReport, mapping: Mapping) -> Values:
    """For each column-mapped field: JSON-ready values per frame position.

    Computed a column at a time (vectorised), so building is a dictionary
    lookup per cell.
    """
    out: Values = {}
    src = mapping.source
    for fm in mapping.all_field_maps:
        if fm.column is None or fm.column not in report.raw.columns:
            continue
        raw = report.raw[fm.column]
        typed = report.typed[fm.column]
        column = mapping.schema.columns.get(fm.column)
        kind = kind_of(column.dtype) if column is not None else "text"
        vtype: str = fm.value_type
        if vtype == "Any":
            vtype = {"int": "Int32", "number": "Decimal", "bool": "Boolean"}.get(
                kind, "DateTime" if kind == "datetime" else "String"
            )
        if vtype == "String":
            series = target_text(raw, fm)
        elif vtype == "Decimal":
            series = (
                typed
                if kind in ("int", "number")
                else (to_number(raw, src.decimal, src.thousands)[0])
            )
        elif vtype in ("Int32", "Int16"):
            series = (
                typed if kind == "int" else to_int(raw, src.decimal, src.thousands)[0]
            )
        elif vtype == "Boolean":
            series = typed if kind == "bool" else to_bool(raw)[0]
        else:  # DateTime
            stamps = typed if kind == "datetime" else to_datetime(raw, fm.format)[0]
            series = stamps.dt.strftime(ISO_SECONDS)
        out[fm.yaml_path] = _sparse(series)
    for fm in mapping.all_field_maps:
        if fm.expr is not None:
            cols = {c: report.typed[c] for c in fm.expr.columns}
            out[fm.yaml_path] = _sparse(_evaluate(fm, cols, mapping))
    for col in {c for fm in mapping.all_field_maps if fm.template for c in fm.columns}:
        if col in report.typed.columns:
            out[f"(template){col}"] = _sparse(report.typed[col], keep_types=True)
    return out


def _evaluate(fm: FieldMap, cols: dict[str, pd.Series], mapping: Mapping) -> pd.Series:
    """An ``expr`` field's values; a type error is a mapping problem, not a row's."""
    assert fm.expr is not None
    try:
        return fm.expr.evaluate(cols)
    except (TypeError, ValueError, ZeroDivisionError) as exc:
        problem = Problem(
            f"{fm.yaml_path}.expr",
            f"cannot compute {fm.expr.text!r}: {exc}; give the columns it reads a "
            "numeric dtype in the schema",
        )
        raise MappingError(mapping.path, [problem]) from None


def _sparse(series: pd.Series, keep_types: bool = False) -> dict[int, Any]:
    present = series.dropna()
    cells = present.tolist()
    if not keep_types:
        cells = [to_json(v) for v in cells]
    return dict(zip((int(i) for i in present.index), cells, strict=True))


def to_json(value: Any) -> Any:
    """A cell value as plain JSON: numpy and pandas scalars unwrapped, NaN -> None."""
    if type(value) is str:  # the common case, first
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, pd.Timestamp):
        return value.strftime(ISO_SECONDS)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _template(fm: FieldMap, pos: int, values: Values) -> str | None:
    """The filled template, or None when one of its cells is empty."""
    cells = {c: values.get(f"(template){c}", {}).get(pos) for c in fm.columns}
    if any(v is None for v in cells.values()):
        return None
    text = (fm.template or "").format_map(cells)
    text = text.strip() if fm.strip else text
    return text or None


def field_value(fm: FieldMap, positions: list[int], values: Values) -> Any:
    """The field's value; a column's comes from the first of ``positions`` with one.

    (A document's header may be typed on its first row only.)
    """
    if fm.column is not None or fm.expr is not None:
        cells = values[fm.yaml_path]
        for pos in positions:
            if pos in cells:
                return cells[pos]
        return None
    if fm.template is not None:
        return _template(fm, positions[0], values)
    return to_json(fm.value)
