"""Records whose match key repeats: merging them, or reporting them.

With ``match.duplicates: merge`` entity rows that build the same record are
merged into one (:func:`merged_records`); ``ot-etl validate`` lists every
repeat of a match key (:func:`find_duplicates`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ot_etl.load.payload import PendingRecord, build_record, node_at
from ot_etl.load.validate import RowFailure, ValidationReport
from ot_etl.load.values import Values
from ot_etl.mapping.model import FieldMap, Mapping


def merged_records(
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
        record = build_record([pos], report, mapping, values)
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
        node = node_at(payload, fm.json_path)
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
