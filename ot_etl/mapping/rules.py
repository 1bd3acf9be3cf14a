"""The catalog's rules for mapped values, checked column at a time.

pandera judges the *source* columns by the user's schema; these rules judge
what each mapped *target* field needs according to the catalog: a value
when the field is required, string lengths, decimal places, whole numbers in
the Int16/Int32 range, dates, booleans, and codes that Excel turned into
scientific notation (which are flagged, never "fixed": the digits are gone).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ot_etl.mapping.convert import (
    DEFAULT_DECIMALS,
    INT_RANGES,
    decimal_places,
    kind_of,
    looks_scientific,
    normalize_number,
    to_bool,
    to_datetime,
    to_int,
    to_number,
)
from ot_etl.mapping.model import FieldMap, Mapping

Report = Callable[[str, pd.Series], None]
"""Receives (column, reasons per frame index; NA where the cell is fine)."""


def target_text(raw: pd.Series, fm: FieldMap) -> pd.Series:
    """The text a String target receives: the cell as typed, stripped if asked."""
    text = raw.str.strip() if fm.strip else raw
    return text.mask(text.str.strip().eq(""))


def check_targets(
    typed: pd.DataFrame, raw: pd.DataFrame, mapping: Mapping, report: Report
) -> None:
    """Apply the catalog rules to every column-mapped field; report failures.

    TODO: values computed by ``template`` or ``expr`` are checked only in
    build (template lengths); an expr result is not checked for decimal
    places or integer range.
    """
    for fm in mapping.all_field_maps:
        if fm.column is None or fm.column not in raw.columns:
            continue
        kind = (
            kind_of(mapping.schema.columns[fm.column].dtype)
            if (fm.column in mapping.schema.columns)
            else "text"
        )
        reasons = _check_one(typed[fm.column], raw[fm.column], fm, kind, mapping)
        # A document's header may sit on its first row only: build checks it.
        header_of_document = mapping.documents is not None and fm in mapping.fields
        required = fm.field.required and fm.kind != "custom"
        creates = mapping.mode in ("create", "upsert")  # update/verify: no new records
        if creates and required and not header_of_document:
            empty = typed[fm.column].isna() & raw[fm.column].isna()
            reasons[empty & reasons.isna()] = (
                f"{fm.target} is required; the cell is empty"
            )
        report(fm.column, reasons)


def _check_one(
    typed: pd.Series, raw: pd.Series, fm: FieldMap, kind: str, mapping: Mapping
) -> pd.Series:
    vtype = fm.value_type
    src = mapping.source
    reasons = pd.Series(pd.NA, index=raw.index, dtype="object")
    if vtype == "String":
        text = target_text(raw, fm)
        limit = fm.field.max_length if fm.kind == "value" else None
        if limit is not None:
            lengths = text.str.len()
            for i in text.index[(lengths > limit).fillna(False).astype(bool)]:
                reasons[i] = (
                    f"{int(lengths[i])} characters; {fm.target} allows at most {limit}"
                )
        if not fm.allow_scientific:
            reasons[looks_scientific(text) & reasons.isna()] = (
                "looks like a code Excel turned into scientific notation (the "
                "original digits are lost): format the column as text in Excel and "
                "export again, or set allow_scientific: true on the field"
            )
        return reasons
    if vtype == "Decimal":
        if kind == "text":
            _, reasons = to_number(raw, src.decimal, src.thousands)
        elif kind not in ("int", "number"):
            reasons[raw.notna()] = f"{fm.target} needs a number, the column is {kind}"
            return reasons
        limit = fm.decimals if fm.decimals is not None else DEFAULT_DECIMALS
        places = decimal_places(normalize_number(raw, src.decimal, src.thousands))
        too_many = (places > limit) & reasons.isna() & raw.notna()
        for i in raw.index[too_many]:
            reasons[i] = (
                f"has {int(places[i])} decimal places; {fm.target} keeps at most "
                f"{limit} (round it in the file, or set decimals: on the field)"
            )
        return reasons
    if vtype in INT_RANGES:
        values = typed
        if kind != "int":
            values, reasons = to_int(raw, src.decimal, src.thousands)
        low, high = INT_RANGES[vtype]
        out = values.notna() & ((values < low) | (values > high)).fillna(False)
        reasons[out.astype(bool)] = f"out of range for {fm.target} ({low} to {high})"
        return reasons
    if vtype == "Boolean" and kind != "bool":
        return to_bool(raw)[1]
    if vtype == "DateTime" and kind != "datetime":
        return to_datetime(raw, fm.format)[1]
    return reasons
