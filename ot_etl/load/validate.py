"""Validate a read file against its mapping: every failure at once, per cell.

Three passes, all gathered before reporting:

1. conversion: each schema column is converted cell by cell from its text
   (numbers, whole numbers, booleans, dates) following the schema's dtype;
   a cell that does not convert is a failure *and is masked*, so
2. pandera's own checks (nullability, uniqueness, ranges, lengths, regex,
   allowed values), run lazily on the converted columns, still judge every
   other cell of that column - pandera alone stops at the failed coercion;
3. the catalog's rules for each mapped target: required values, string
   lengths, decimal places, whole numbers in range, dates, booleans, and
   codes Excel turned into scientific notation (``1.23457E+11``).

Row numbers are the ones the user sees in the sheet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from ot_etl.errors import InputFileError
from ot_etl.load.read import SourceFrame, require_columns
from ot_etl.mapping.convert import convert, kind_of
from ot_etl.mapping.model import Mapping
from ot_etl.mapping.rules import check_targets

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RowFailure:
    """One failed cell (or row): where, what was typed, and why.

    ``position`` is the row's index in the frame, ``row`` the sheet row.
    ``stage`` is ``validation`` (or ``duplicate`` for a repeated match key).
    """

    position: int
    row: int
    column: str
    value: str | None
    reason: str
    stage: str = "validation"

    def __str__(self) -> str:
        return f"{self.column}: {self.reason}" if self.column else self.reason


@dataclass
class ValidationReport:
    """What validation found. ``valid`` holds the typed rows that passed."""

    valid: pd.DataFrame
    failures: list[RowFailure]
    failed_rows: set[int]
    raw: pd.DataFrame
    row_numbers: list[int]
    typed: pd.DataFrame = field(repr=False)

    @property
    def rows_read(self) -> int:
        return len(self.raw)

    def table(self) -> pd.DataFrame:
        """Failures as a table: row, column, value, reason (sheet order)."""
        rows = sorted(self.failures, key=lambda f: (f.row, f.column))
        return pd.DataFrame(
            {
                "row": [f.row for f in rows],
                "column": [f.column for f in rows],
                "value": pd.Series([f.value for f in rows], dtype="object"),
                "reason": [f.reason for f in rows],
            },
            columns=["row", "column", "value", "reason"],
        )


class _Collector:
    """Failures so far; one per (row, column) unless the reasons differ."""

    def __init__(self, raw: pd.DataFrame, row_numbers: list[int]) -> None:
        self.raw = raw
        self.rows = row_numbers
        self.items: list[RowFailure] = []
        self.cells: set[tuple[int, str]] = set()

    def add(
        self, position: int, column: str, reason: str, *, once: bool = True
    ) -> None:
        if once and (position, column) in self.cells:
            return
        self.cells.add((position, column))
        value: Any = None
        if column in self.raw.columns:
            value = self.raw.at[position, column]
        text = None if value is None or pd.isna(value) else str(value)
        self.items.append(
            RowFailure(position, self.rows[position], column, text, reason)
        )

    def add_series(self, column: str, reasons: pd.Series) -> None:
        """Report each non-missing reason, skipping cells that failed already."""
        for position, reason in reasons.dropna().items():
            self.add(int(str(position)), column, str(reason))


def validate(frame: SourceFrame, mapping: Mapping) -> ValidationReport:
    """Validate ``frame`` (from ``read_source``) against ``mapping``.

    Raises InputFileError when a column the mapping or schema requires is not
    in the file, or when the schema fails as a whole (e.g. ``strict``).
    """
    raw = frame.raw
    schema = mapping.schema
    required = set(mapping.columns) | {
        name for name, col in schema.columns.items() if col.required
    }
    require_columns(frame, [*mapping.columns, *schema.columns], required)
    found = _Collector(raw, list(frame.row_numbers))
    typed = _convert(raw, mapping, found)
    _run_schema(typed, schema, frame, found)
    check_targets(typed, raw, mapping, found.add_series)
    failed = {f.position for f in found.items}
    mask = raw.index.isin(sorted(failed))
    log.info(
        "validated %d rows: %d valid, %d with problems (%d failures)",
        len(raw),
        int((~mask).sum()),
        len(failed),
        len(found.items),
    )
    return ValidationReport(
        valid=typed.loc[~mask],
        failures=sorted(found.items, key=lambda f: (f.row, f.column)),
        failed_rows=failed,
        raw=raw,
        row_numbers=list(frame.row_numbers),
        typed=typed,
    )


def _convert(raw: pd.DataFrame, mapping: Mapping, found: _Collector) -> pd.DataFrame:
    """Typed copy of ``raw``: schema columns converted, failing cells masked."""
    src = mapping.source
    typed = raw.copy()
    for name, column in mapping.schema.columns.items():
        if name not in raw.columns:
            continue
        values, reasons = convert(
            raw[name],
            kind_of(column.dtype),
            decimal=src.decimal,
            thousands=src.thousands,
            fmt=mapping.column_format(name),
        )
        typed[name] = values
        found.add_series(name, reasons)
    return typed


def _without_dtypes(schema: pa.DataFrameSchema, present: list[str]) -> Any:
    """The schema with dtypes and coercion dropped: conversion is done already."""
    updates = {
        name: {"dtype": None, "coerce": False}
        for name in schema.columns
        if name in present
    }
    trimmed = schema.remove_columns([c for c in schema.columns if c not in present])
    return trimmed.update_columns(updates)


def _run_schema(
    typed: pd.DataFrame,
    schema: pa.DataFrameSchema,
    frame: SourceFrame,
    found: _Collector,
) -> None:
    checker = _without_dtypes(schema, list(typed.columns))
    try:
        checker.validate(typed, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        whole: list[str] = []
        first_seen: dict[tuple[str, str], int] = {}
        for case in cases.sort_values("index", na_position="first").itertuples(
            index=False
        ):
            index = getattr(case, "index", None)
            column = str(case.column) if case.column is not None else ""
            if index is None or pd.isna(index):
                whole.append(f"{column or 'file'}: {case.check}")
                continue
            position = int(index)
            reason = humanize(str(case.check), case.failure_case)
            if case.check == "field_uniqueness":
                # Like duplicate match keys: the first row keeps the value.
                key = (column, str(case.failure_case))
                first = first_seen.setdefault(key, position)
                if first == position:
                    continue
                reason = (
                    f"repeats the value of row {found.rows[first]} in a column the "
                    "schema marks unique; only the first is kept"
                )
            found.add(position, column, reason)
        if whole:
            raise InputFileError(
                frame.path,
                "the schema rejects the file as a whole: " + "; ".join(whole) + ".",
                fix="Fix the file's columns, or relax the schema in the mapping.",
            ) from None


_CHECKS = {
    "greater_than_or_equal_to": "must be at least {0}",
    "ge": "must be at least {0}",
    "greater_than": "must be greater than {0}",
    "gt": "must be greater than {0}",
    "less_than_or_equal_to": "must be at most {0}",
    "le": "must be at most {0}",
    "less_than": "must be less than {0}",
    "lt": "must be less than {0}",
    "equal_to": "must be {0}",
    "not_equal_to": "must not be {0}",
    "in_range": "must be between {0} and {1}",
    "str_length": "length must be between {0} and {1}",
    "str_matches": "must match the pattern {0}",
    "str_contains": "must contain {0}",
    "str_startswith": "must start with {0}",
    "str_endswith": "must end with {0}",
    "isin": "must be one of {0}",
    "notin": "must not be one of {0}",
}


def humanize(check: str, value: Any) -> str:
    """A readable reason for a pandera check name such as ``ge(0)``."""
    if check == "not_nullable":
        return "is empty, but the schema requires a value"
    if check == "field_uniqueness":
        return "repeats a value in a column the schema marks unique"
    name, _, args = check.partition("(")
    template = _CHECKS.get(name)
    if template is None:
        return f"fails the check {check}"
    parts = [a.strip() for a in args.rstrip(")").split(",")] if args else []
    if name in ("isin", "notin"):
        parts = [args.rstrip(")")]
    try:
        return template.format(*parts) + f" ({check})"
    except IndexError:
        return f"fails the check {check}"
