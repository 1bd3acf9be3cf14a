"""One record's payload from its source rows: placing values, refs, match keys.

A :class:`PendingRecord` is a payload built from one row (an entity) or a
document's header row; :func:`fill` places each mapped field's value where its
target says (nested objects, EntityRefs, custom fields) and notes the
EntityRefs given by name, which are resolved later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ot_etl.load.validate import RowFailure, ValidationReport
from ot_etl.load.values import Values, field_value
from ot_etl.mapping.model import FieldMap, Mapping


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


def fill(
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
            value = field_value(fm, positions, values)
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
    refs = [r for r in refs if "Id" not in node_at(payload, r.path[len(prefix) :])]
    return payload, refs, problems


def node_at(payload: dict[str, Any], path: Sequence[str | int]) -> dict[str, Any]:
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


def build_record(
    positions: list[int],
    report: ValidationReport,
    mapping: Mapping,
    values: Values,
) -> PendingRecord:
    payload, refs, problems = fill(mapping.fields, positions, report, values)
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
            node: Any = node_at(payload, fm.json_path)
        except (KeyError, TypeError):
            node = None
        if isinstance(node, dict):
            node = node.get("Name", node.get("Id"))
        out.append("" if node is None else mapping.match_normalize.apply(str(node)))
    return tuple(out)
