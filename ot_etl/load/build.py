"""Build API records from validated rows: payloads, match keys, refs to resolve.

``build_records(report, mapping)`` turns the typed rows of a
:class:`ValidationReport` into :class:`PendingRecord` objects: one per row
for entities, one per document (its rows grouped by ``documents.group_by``)
for transactions. Payloads are plain JSON: nested objects for dotted targets,
EntityRefs as ``{"Name": ...}`` or ``{"Id": ...}``, custom fields as
``[{"Name": ..., "Value": ...}]``, line items with ``$type`` first. An empty
cell leaves its field out of the payload (never ``null``, never NaN), so an
update keeps the value the record has.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ot_etl.errors import MappingError, Problem
from ot_etl.load.validate import RowFailure, ValidationReport
from ot_etl.mapping.convert import kind_of, to_bool, to_datetime, to_int, to_number
from ot_etl.mapping.model import FieldMap, Mapping
from ot_etl.mapping.rules import target_text

log = logging.getLogger(__name__)

ISO_SECONDS = "%Y-%m-%dT%H:%M:%S"

Values = dict[str, dict[int, Any]]
"""Per field (by YAML path): frame position -> JSON-ready value; empties absent."""


class RefNeed(NamedTuple):
    """An EntityRef given by name: its payload path, target type number, name."""

    path: tuple[str | int, ...]
    target: int | None
    name: str


@dataclass
class PendingRecord:
    """One record to write, and the source rows (frame positions) it came from."""

    source_index: list[int]
    payload: dict[str, Any]
    match_key: tuple[str, ...] = ()
    refs: list[RefNeed] = field(default_factory=list)
    problems: list[RowFailure] = field(default_factory=list)


def build_records(report: ValidationReport, mapping: Mapping) -> list[PendingRecord]:
    """Records for every valid row (entities) or every document (transactions).

    Rows that failed validation produce no entity record (their failures are
    in the report). A document with any failed row is still returned, with a
    problem, so the whole document is rejected rather than loaded short.
    With ``match.duplicates: merge``, entity rows repeating a match key are
    merged (see :func:`_merged`).
    """
    values = _column_values(report, mapping)
    if mapping.record_type.is_transaction:
        records = _documents(report, mapping, values)
    elif mapping.duplicates == "merge":
        records = _merged(report, mapping, values)
    else:
        records = [
            _record([pos], report, mapping, values) for pos in report.valid.index
        ]
    log.info("built %d %s records", len(records), mapping.record_type.name)
    return records


# -- values ----------------------------------------------------------------


def _column_values(report: ValidationReport, mapping: Mapping) -> Values:
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


def _value(fm: FieldMap, positions: list[int], values: Values) -> Any:
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


# -- payloads --------------------------------------------------------------


def _place(
    payload: dict[str, Any],
    fm: FieldMap,
    value: Any,
    refs: list[RefNeed],
    prefix: tuple[str | int, ...] = (),
) -> None:
    """Put ``value`` where ``fm`` says in ``payload`` (refs and custom fields too)."""
    if fm.kind == "custom":
        payload.setdefault("CustomFields", []).append(
            {"Name": fm.json_path[1], "Value": value}
        )
        return
    node = payload
    for key in fm.json_path[:-1]:
        node = node.setdefault(key, {})
    leaf = fm.json_path[-1]
    if fm.kind == "value":
        node[leaf] = value
        return
    ref = node.setdefault(leaf, {})
    if fm.kind == "ref_id":
        ref["Id"] = value
        return
    ref["Name"] = str(value)
    refs.append(RefNeed((*prefix, *fm.json_path), fm.field.ref, str(value)))


def _fill(
    maps: Sequence[FieldMap],
    positions: list[int],
    report: ValidationReport,
    values: Values,
    prefix: tuple[str | int, ...] = (),
) -> tuple[dict[str, Any], list[RefNeed], list[RowFailure]]:
    payload: dict[str, Any] = {}
    refs: list[RefNeed] = []
    problems: list[RowFailure] = []
    pos = positions[0]
    for fm in maps:
        try:
            value = _value(fm, positions, values)
        except (KeyError, ValueError, IndexError) as exc:
            problems.append(
                _problem(report, pos, fm, f"template cannot be filled: {exc}")
            )
            continue
        if value is None:
            continue
        limit = fm.field.max_length
        if fm.template is not None and limit is not None and len(value) > limit:
            problems.append(
                _problem(report, pos, fm, f"{len(value)} characters; at most {limit}")
            )
            continue
        _place(payload, fm, value, refs, prefix)
    # A ref given by Id as well as by name needs no lookup.
    refs = [r for r in refs if "Id" not in _at(payload, r.path[len(prefix) :])]
    return payload, refs, problems


def _at(payload: dict[str, Any], path: Sequence[str | int]) -> dict[str, Any]:
    node: Any = payload
    for key in path:
        node = node[key]
    return node  # type: ignore[no-any-return]


def _problem(
    report: ValidationReport, pos: int, fm: FieldMap, reason: str
) -> RowFailure:
    column = fm.column or ",".join(fm.columns) or fm.target
    return RowFailure(
        pos, report.row_numbers[pos], column, None, f"{fm.target}: {reason}"
    )


def _record(
    positions: list[int],
    report: ValidationReport,
    mapping: Mapping,
    values: Values,
) -> PendingRecord:
    payload, refs, problems = _fill(mapping.fields, positions, report, values)
    return PendingRecord(
        source_index=positions,
        payload=payload,
        match_key=match_key(payload, mapping),
        refs=refs,
        problems=problems,
    )


def match_key(payload: dict[str, Any], mapping: Mapping) -> tuple[str, ...]:
    """The normalised match-key values of ``payload`` ("" where absent)."""
    by_target = {fm.target: fm for fm in mapping.fields}
    out = []
    for name in mapping.match_fields:
        fm = by_target[name]
        try:
            node: Any = _at(payload, fm.json_path)
        except (KeyError, TypeError):
            node = None
        if isinstance(node, dict):
            node = node.get("Name", node.get("Id"))
        out.append("" if node is None else mapping.match_normalize.apply(str(node)))
    return tuple(out)


# -- merging rows that repeat a match key ------------------------------------


def _merged(
    report: ValidationReport, mapping: Mapping, values: Values
) -> list[PendingRecord]:
    """One record per match key, made of every row that builds exactly it.

    Rows are built one by one, as without merging. A row whose key an earlier
    row already gave joins that row's record when every mapped field has the
    same value (an empty cell included); otherwise it becomes a record of its
    own with a ``duplicate`` problem naming the first row and each field that
    differs, so nothing is merged silently. Rows without a full key, or
    with problems, are left as they are.
    """
    records: list[PendingRecord] = []
    first: dict[tuple[str, ...], PendingRecord] = {}
    for pos in (int(p) for p in report.valid.index):
        record = _record([pos], report, mapping, values)
        key = record.match_key
        if record.problems or not key or "" in key:
            records.append(record)
            continue
        kept = first.setdefault(key, record)
        if kept is record:
            records.append(record)
            continue
        clash = _disagreement(kept, record, report, mapping)
        if clash is None:
            kept.source_index.append(pos)
        else:
            record.problems.append(clash)
            records.append(record)
    return records


def _disagreement(
    kept: PendingRecord,
    record: PendingRecord,
    report: ValidationReport,
    mapping: Mapping,
) -> RowFailure | None:
    """Why ``record`` cannot merge into ``kept`` (same key), or None if it can."""
    differ = [
        (fm, a, b)
        for fm in mapping.fields
        if (a := _mapped(kept.payload, fm)) != (b := _mapped(record.payload, fm))
    ]
    if not differ:
        return None
    pos = record.source_index[0]
    row, first_row = report.row_numbers[pos], report.row_numbers[kept.source_index[0]]
    shown = [f"{fm.target} ({_shown(fm, a)} vs {_shown(fm, b)})" for fm, a, b in differ]
    by_target = {fm.target: fm for fm in mapping.fields}
    key = " / ".join(
        _shown(by_target[name], _mapped(record.payload, by_target[name]), quote=False)
        for name in mapping.match_fields
    )
    fm, _, value = differ[0]
    return RowFailure(
        pos,
        row,
        fm.column or ",".join(fm.columns) or fm.target,
        None if fm.field.sensitive or value is None else str(value),
        f"row {row} repeats the match key {key!r} of "
        f"row {first_row} but differs on {', '.join(shown)}; only row "
        f"{first_row}'s values are loaded",
        stage="duplicate",
    )


def _mapped(payload: dict[str, Any], fm: FieldMap) -> Any:
    """The value ``fm`` put into ``payload`` (None when its cell was empty)."""
    if fm.kind == "custom":
        entries = payload.get("CustomFields", [])
        return next((e["Value"] for e in entries if e["Name"] == fm.json_path[1]), None)
    try:
        node = _at(payload, fm.json_path)
    except (KeyError, TypeError):
        return None
    if fm.kind in ("ref_name", "ref_id"):
        return node.get("Name" if fm.kind == "ref_name" else "Id")
    return node


def _shown(fm: FieldMap, value: Any, quote: bool = True) -> str:
    if value is None:
        return "empty"
    if fm.field.sensitive:  # never echo a card number in a reason
        return "****"
    return repr(value) if quote else str(value)


# -- transactions ----------------------------------------------------------


def _documents(
    report: ValidationReport, mapping: Mapping, values: Values
) -> list[PendingRecord]:
    raw = report.raw
    spec = mapping.documents
    if spec is None or not len(raw):
        return [_record([p], report, mapping, values) for p in report.valid.index]
    keys = raw[list(spec.group_by)].apply(lambda s: s.str.strip())
    empty = keys.isna().any(axis=1)
    records = []
    for pos in raw.index[empty]:
        rec = PendingRecord([int(pos)], {})
        rec.problems.append(
            RowFailure(
                int(pos),
                report.row_numbers[pos],
                spec.group_by[0],
                None,
                f"{', '.join(spec.group_by)} is empty: the row belongs to no document",
            )
        )
        records.append(rec)
    by = spec.group_by[0] if len(spec.group_by) == 1 else list(spec.group_by)
    grouped = keys[~empty].groupby(by, sort=False).groups
    for index in grouped.values():
        records.append(_document([int(p) for p in index], report, mapping, values))
    records.sort(key=lambda r: r.source_index[0])
    return records


def _document(
    positions: list[int],
    report: ValidationReport,
    mapping: Mapping,
    values: Values,
) -> PendingRecord:
    assert mapping.documents is not None
    good = [p for p in positions if p not in report.failed_rows]
    record = _record(good[:1] or positions[:1], report, mapping, values)
    record.source_index = positions
    bad = [p for p in positions if p in report.failed_rows]
    if bad:
        rows = ", ".join(str(report.row_numbers[p]) for p in bad)
        record.problems.append(
            RowFailure(
                bad[0],
                report.row_numbers[bad[0]],
                "",
                None,
                f"row(s) {rows} of this document failed validation; the document "
                "is not loaded",
            )
        )
    record.problems += _header_conflicts(good, report, mapping, values)
    if good and mapping.mode in ("create", "upsert"):
        record.problems += _missing_header(record.payload, good[0], report, mapping)
    lines = []
    tag = mapping.record_type.line_type_tag
    for n, pos in enumerate(good):
        line, refs, problems = _fill(
            mapping.documents.lines, [pos], report, values, ("LineItems", n)
        )
        lines.append({"$type": tag, **line} if tag else line)
        record.refs += refs
        record.problems += problems
    if lines:
        record.payload["LineItems"] = lines
    return record


def _missing_header(
    payload: dict[str, Any], pos: int, report: ValidationReport, mapping: Mapping
) -> list[RowFailure]:
    """Required header fields that no row of the document gives."""
    out = []
    for fm in mapping.fields:
        if fm.field.required and fm.kind != "custom" and fm.column is not None:
            try:
                _at(payload, fm.json_path)
            except KeyError:
                reason = f"{fm.target} is required; no row of this document has it"
                out.append(
                    RowFailure(pos, report.row_numbers[pos], fm.column, None, reason)
                )
    return out


def _header_conflicts(
    positions: list[int],
    report: ValidationReport,
    mapping: Mapping,
    values: Values,
) -> list[RowFailure]:
    """Header cells that differ between rows of one document (blanks allowed)."""
    out = []
    for fm in mapping.fields:
        if fm.column is None or len(positions) < 2:
            continue
        cells = values[fm.yaml_path]
        seen = [(p, cells[p]) for p in positions if p in cells]
        differ = [(p, v) for p, v in seen if v != seen[0][1]]
        if differ:
            (first, a), (other, b) = seen[0], differ[0]
            if fm.field.sensitive:  # never echo a card number in a reason
                a, b = "****", "****"
            rows = f"rows {report.row_numbers[first]} and {report.row_numbers[other]}"
            out.append(
                RowFailure(
                    other,
                    report.row_numbers[other],
                    fm.column,
                    str(b),
                    f"{rows} of one document disagree on {fm.target} ({a!r} vs {b!r})",
                )
            )
    return out


def find_duplicates(
    records: Sequence[PendingRecord], row_numbers: Sequence[int]
) -> list[RowFailure]:
    """Records whose match key repeats an earlier record's (stage ``duplicate``).

    Used by ``ot-etl validate``; the loader marks duplicates itself, after
    resolving references. Records without a full key are never duplicates.
    """
    first: dict[tuple[str, ...], PendingRecord] = {}
    out = []
    for rec in records:
        if rec.problems or not rec.match_key or "" in rec.match_key:
            continue
        earlier = first.setdefault(rec.match_key, rec)
        if earlier is rec:
            continue
        pos = rec.source_index[0]
        out.append(
            RowFailure(
                pos,
                row_numbers[pos],
                "",
                " / ".join(rec.match_key),
                f"duplicate of row {row_numbers[earlier.source_index[0]]} (same "
                "match key); only that row is loaded",
                stage="duplicate",
            )
        )
    return out
