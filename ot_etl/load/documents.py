"""Transaction documents: rows grouped by ``documents.group_by``, with their lines.

One :class:`PendingRecord` per document: the header from its rows (which
must agree), one line item per row. A document with any failed row is still
built, with a problem, so the whole document is rejected rather than loaded
short.
"""

from __future__ import annotations

from typing import Any

from ot_etl.load.payload import PendingRecord, build_record, fill, node_at
from ot_etl.load.validate import RowFailure, ValidationReport
from ot_etl.load.values import Values
from ot_etl.mapping.model import Mapping


def build_documents(
    report: ValidationReport, mapping: Mapping, values: Values
) -> list[PendingRecord]:
    raw = report.raw
    spec = mapping.documents
    if spec is None or not len(raw):
        return [build_record([p], report, mapping, values) for p in report.valid.index]
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
    record = build_record(good[:1] or positions[:1], report, mapping, values)
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
        line, refs, problems = fill(
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
                node_at(payload, fm.json_path)
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
