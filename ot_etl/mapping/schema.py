"""The ``schema`` section of a mapping: pandera's YAML, checked piece by piece.

pandera reads a schema whole and stops at its first error, with a message that
names no column. Each column's dtype and each check is first tried on its own,
so every bad piece is reported at its YAML path
(``schema.columns.Qty.checks.grater_than``) in the same run.
"""

from __future__ import annotations

import difflib
from typing import Any

import pandera.pandas as pa
import yaml

from ot_etl.mapping.problems import Problems

SCHEMA_KEYS = (
    "schema_type",
    "version",
    "columns",
    "checks",
    "index",
    "dtype",
    "coerce",
    "strict",
    "name",
    "ordered",
    "unique",
    "report_duplicates",
    "unique_column_names",
    "add_missing_columns",
    "title",
    "description",
    "metadata",
    "drop_invalid_rows",
)
COLUMN_KEYS = (
    "dtype",
    "nullable",
    "unique",
    "coerce",
    "required",
    "regex",
    "default",
    "report_duplicates",
    "drop_invalid_rows",
    "checks",
    "title",
    "description",
)
_FLAGS = ("nullable", "unique", "coerce", "required", "regex")
_DTYPES = "str, int64, Int64, float64, bool or datetime64[ns]"


def read_schema(
    data: dict[str, Any], ctx: Problems
) -> tuple[set[str], pa.DataFrameSchema | None]:
    """The schema's column names and the schema (None when absent or bad)."""
    raw = data.get("schema")
    if raw is None:
        return set(), None
    if not isinstance(raw, dict) or not isinstance(raw.get("columns", {}), dict):
        ctx.add("schema", "expected pandera's YAML schema: schema_type, columns: {...}")
        return set(), None
    raw = {"schema_type": "dataframe", **raw}
    columns = {str(c) for c in raw.get("columns") or {}}
    before = len(ctx.problems)
    ctx.keys(raw, "schema", SCHEMA_KEYS)
    for name, stats in (raw.get("columns") or {}).items():
        _column(str(name), stats, ctx)
    _checks(raw.get("checks"), "schema.checks", None, ctx)
    # The schema's own options (strict, unique...), without the pieces above.
    rest = {k: v for k, v in raw.items() if k not in ("columns", "checks")}
    pieces_ok = len(ctx.problems) == before
    try:
        schema = _build(raw if pieces_ok else rest)
    except Exception as exc:  # pandera raises many kinds for a bad schema
        ctx.add(
            "schema", f"pandera cannot read this schema: {type(exc).__name__}: {exc}"
        )
        return columns, None
    return columns, schema if pieces_ok else None


def _column(name: str, stats: Any, ctx: Problems) -> None:
    path = f"schema.columns.{name}"
    if not isinstance(stats, dict):
        ctx.add(
            path, "expected the column's options, e.g. {dtype: str, nullable: true}"
        )
        return
    ctx.keys(stats, path, COLUMN_KEYS)
    for flag in _FLAGS:
        ctx.typed(stats, flag, path, bool)
    dtype = stats.get("dtype")
    if dtype is not None and _error({"columns": {name: {"dtype": dtype}}}):
        ctx.add(f"{path}.dtype", f"unknown dtype {dtype!r}; use {_DTYPES}")
        dtype = None
    _checks(stats.get("checks"), f"{path}.checks", (name, dtype), ctx)


def _checks(
    checks: Any, path: str, column: tuple[str, Any] | None, ctx: Problems
) -> None:
    """Try each check alone: on ``column`` (name, dtype), or on the whole frame."""
    if checks is None:
        return
    if not isinstance(checks, dict):
        ctx.add(path, "expected {check: argument}, e.g. {greater_than: 0}")
        return
    for check, args in checks.items():
        where = f"{path}.{check}"
        if str(check).startswith("_") or not hasattr(pa.Check, str(check)):
            ctx.add(where, f"unknown check {check!r}.{_hint(str(check))}")
            continue
        one = {check: args}
        if column is None:
            error = _error({"checks": one})
        else:
            name, dtype = column
            error = _error({"columns": {name: {"dtype": dtype, "checks": one}}})
        if error:
            ctx.add(where, f"pandera cannot build this check: {error}")


def _hint(name: str) -> str:
    known = [n for n in dir(pa.Check) if pa.Check.is_builtin_check(n)]
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f" Did you mean {close[0]!r}?"
    return " Built-in checks include greater_than, in_range, isin and str_length."


def _build(raw: dict[str, Any]) -> pa.DataFrameSchema:
    text = yaml.safe_dump({"schema_type": "dataframe", **raw}, sort_keys=False)
    return pa.DataFrameSchema.from_yaml(text)


def _error(raw: dict[str, Any]) -> str | None:
    """pandera's complaint about a piece of schema, or None when it reads."""
    try:
        _build(raw)
    except Exception as exc:  # pandera raises many kinds for a bad schema
        return str(exc) or type(exc).__name__
    return None
