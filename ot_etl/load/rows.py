"""Between source rows and load items: fingerprints, items, the outcomes table.

A source row is one line of the input frame (``SourceFrame.raw``); an item is
one record to write, built from one row (entities) or several (a document
and its lines). This module turns part one's built records into items and,
at the end, the items back into one outcome per source row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from ot_etl.load.items import LoadItem, Ref, Stage
from ot_etl.load.ledger import combine, fingerprints
from ot_etl.load.lookup import Key
from ot_etl.load.plan import UPSERT_ADVICE
from ot_etl.load.rejects import RejectEntry, mask
from ot_etl.load.resolve import parse_path
from ot_etl.mapping import Mapping


def identity(mapping: Mapping) -> str:
    """What makes two runs "the same load" for the ledger.

    The record type, match fields and document grouping; not the mapping's
    text, so fixing a typo in a field map does not make a re-run create
    everything a second time.
    """
    groups = ",".join(mapping.documents.group_by) if mapping.documents else ""
    return f"{mapping.record_type.number}|{','.join(mapping.match_fields)}|{groups}"


def normalizer(mapping: Mapping) -> Callable[[Key], Key]:
    rule = mapping.match_normalize

    def normalize(values: Key) -> Key:
        return tuple(None if v is None else rule.apply(str(v)) for v in values)

    return normalize


def exists_advice(mapping: Mapping) -> str:
    """What to do about a row whose record exists already (create mode).

    Upsert is the answer only where the mapping could use it: a fill mapping
    refuses it (a shipment is never sent again), and record types the API
    cannot update (no PUT) have no upsert either.
    """
    fields = " / ".join(mapping.match_fields)
    if mapping.fill is not None:
        return (
            f"it was shipped already under that {fields}: remove the shipment's "
            f"rows, or give them a new {fields} if it is another shipment"
        )
    if "PUT" not in mapping.record_type.methods:
        return (
            f"{mapping.record_type.name} records cannot be updated through the API: "
            f"remove the row, or give it a new {fields} if it is another record"
        )
    return UPSERT_ADVICE


def key_is_sensitive(mapping: Mapping) -> bool:
    return any(
        fm.field.sensitive
        for fm in mapping.all_field_maps
        if fm.target in mapping.match_fields
    )


def make_items(
    source: Any,
    mapping: Mapping,
    report: Any,
    pending: Sequence[Any],
    extra: dict[int, list[str]] | None = None,
) -> tuple[list[LoadItem], list[RejectEntry]]:
    """LoadItems from the built records, and reject entries for invalid rows.

    ``extra`` adds validation reasons found outside validation (masked cells
    of a re-loaded rejects file), by frame position.
    """
    raw = source.raw
    prints = fingerprints(identity(mapping), raw, mapping.sensitive_columns)
    reasons: dict[int, list[str]] = {p: list(r) for p, r in (extra or {}).items()}
    for failure in report.failures:
        text = (
            f"{failure.column}: {failure.reason}" if failure.column else failure.reason
        )
        reasons.setdefault(int(failure.position), []).append(text)
    invalid = [RejectEntry(p, "validation", r) for p, r in sorted(reasons.items())]
    items = []
    for n, record in enumerate(pending):
        item = LoadItem(
            position=n,
            rows=[int(i) for i in record.source_index],
            payload=record.payload,
            match_key=tuple(record.match_key),
            refs=[Ref(_path(p), t, str(name)) for p, t, name in record.refs],
        )
        item.fingerprint = combine([prints[i] for i in item.rows])
        if record.problems:
            # A merge conflict (match.duplicates: merge) is a duplicate, not
            # a cell that failed validation.
            kinds = {p.stage for p in record.problems}
            stage: Stage = "duplicate" if kinds == {"duplicate"} else "validation"
            item.reject(stage, [str(p) for p in record.problems])
        bad = [i for i in item.rows if i in reasons]
        if bad:
            texts = [t for i in bad for t in reasons[i]]
            if len(item.rows) > 1:
                rows_text = ", ".join(str(source.row_numbers[i]) for i in bad)
                texts.insert(0, f"row(s) {rows_text} of this document are invalid")
            item.reject("validation", texts)
        items.append(item)
    return items, invalid


def _path(path: Any) -> tuple[str | int, ...]:
    return parse_path(path) if isinstance(path, str) else tuple(path)


def outcomes_table(
    source: Any, mapping: Mapping, items: list[LoadItem], invalid: list[RejectEntry]
) -> pd.DataFrame:
    """One row per source row: its outcome, stage, reasons and record key."""
    n = len(source.raw)
    out: dict[str, list[Any]] = {
        "row": [int(r) for r in source.row_numbers],
        "outcome": ["rejected"] * n,
        "stage": [None] * n,
        "record_key": [None] * n,
        "match_key": [None] * n,
        "reasons": [""] * n,
    }
    for entry in invalid:
        out["stage"][entry.position] = "validation"
        out["reasons"][entry.position] = "; ".join(entry.reasons)
    secret = key_is_sensitive(mapping)
    invalid_rows = {e.position for e in invalid}
    for item in items:
        for r in item.rows:
            if r in invalid_rows:
                continue
            out["outcome"][r] = item.outcome
            out["stage"][r] = item.stage
            out["record_key"][r] = item.record_key
            out["match_key"][r] = mask(item.key_text) if secret else item.key_text
            out["reasons"][r] = "; ".join(item.row_reasons.get(r, item.reasons))
    frame = pd.DataFrame(out)
    frame["record_key"] = frame["record_key"].astype("Int64")
    return frame
