"""The rejects file: every row that did not load, as typed, with the reasons.

Columns: the input's own columns unchanged, then ``_source_file``, ``_sheet``,
``_row`` (the row number the user sees in the input), ``_stage``
(validation / reference / duplicate / server), ``_reasons`` (all of them,
``; ``-separated) and ``_raw`` (the server's ValidationResult list as JSON).
CSV inputs get a UTF-8 CSV with a BOM (so Excel shows accents), Excel inputs
an ``.xlsx``.

Formula injection: a file meant for people must not run what a row typed, so
every cell that starts with ``=``, ``+``, ``-``, ``@``, a tab, a carriage
return or an apostrophe is written with one extra leading apostrophe. The
original is recovered by removing exactly one leading apostrophe, which
:func:`strip_extras` does when the loader re-reads a rejects file (one that
has the ``_stage`` and ``_reasons`` columns); the columns added here
(:data:`EXTRA_COLUMNS`) are dropped there, so a fixed rejects file loads with
the same mapping as is. The input's own ``_``-prefixed columns are kept.

Values of columns mapped to sensitive fields (card numbers) are masked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

EXTRA_COLUMNS = ("_source_file", "_sheet", "_row", "_stage", "_reasons", "_raw")
_RISKY_START = ("=", "+", "-", "@", "\t", "\r", "'")
MASK_CHAR = "*"
_MASKED = r"\*{2,}[^*]{0,4}"


@dataclass(frozen=True)
class RejectEntry:
    """One rejected source row: its position in the frame and why."""

    position: int
    stage: str
    reasons: Sequence[str]
    raw: Sequence[dict[str, Any]] = ()


def neutralise(value: Any) -> Any:
    """Prefix a cell a spreadsheet could run as a formula with one apostrophe."""
    if isinstance(value, str) and value.startswith(_RISKY_START):
        return "'" + value
    return value


def restore(value: Any) -> Any:
    """Undo :func:`neutralise`: drop exactly one leading apostrophe."""
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return value


def is_rejects_file(columns: Iterable[str]) -> bool:
    names = set(columns)
    return "_stage" in names and "_reasons" in names


def strip_extras(raw: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """Undo what writing a rejects file added, when ``raw`` is one.

    A rejects file (it has ``_stage`` and ``_reasons``) loses exactly the
    columns the loader added (:data:`EXTRA_COLUMNS`) and gets its neutralised
    cells restored. Any other file is returned as is: a user's own ``_id``
    column is data, in a rejects file too.

    Returns the cleaned frame and whether it was a rejects file.
    """
    if not is_rejects_file(str(c) for c in raw.columns):
        return raw, False
    keep = [c for c in raw.columns if str(c) not in EXTRA_COLUMNS]
    out = raw.loc[:, keep].copy()
    for col in out.columns:
        out[col] = _restore_column(out[col])
    return out, True


def _restore_column(column: pd.Series) -> pd.Series:
    """:func:`restore` on a column, keeping its (string) dtype and missing cells."""
    text = column.astype("str")
    quoted = text.str.startswith("'").fillna(False).astype(bool)
    return text.where(~quoted, text.str.slice(1))


def masked_cells(raw: pd.DataFrame, columns: Sequence[str]) -> dict[int, list[str]]:
    """Cells of sensitive columns still holding a mask, by frame position.

    A rejects file never keeps a card number; loading it again as is would
    send the mask, so such rows are refused until the value is typed again.
    """
    out: dict[int, list[str]] = {}
    for col in columns:
        if col not in raw.columns:
            continue
        hits = raw[col].astype("str").str.fullmatch(_MASKED).fillna(False)
        for position in raw.index[hits.astype(bool)]:
            out.setdefault(int(position), []).append(
                f"{col}: masked in the rejects file; type the full value again"
            )
    return out


def mask(value: Any) -> Any:
    """Keep the last four characters of a sensitive value, hide the rest."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return value
    text = str(value)
    if len(text) <= 4:
        return MASK_CHAR * len(text)
    return MASK_CHAR * (len(text) - 4) + text[-4:]


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Mask each sensitive value where it appears inside a message."""
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, str(mask(secret)))
    return text


ORIGIN_COLUMNS = ("_source_file", "_sheet", "_row")
"""Where a row came from; kept as they were when a rejects file is re-loaded."""


def origins(raw: pd.DataFrame) -> pd.DataFrame | None:
    """The origin columns of a rejects file as read (``None`` for other files).

    Re-loading a rejects file rewrites it with the rows still rejected; they
    keep naming the row of the original input, not a row of the file being
    rewritten.
    """
    if not is_rejects_file(str(c) for c in raw.columns):
        return None
    present = [c for c in ORIGIN_COLUMNS if c in raw.columns]
    return raw.loc[:, present].astype(object).map(restore)


def build_rejects(
    raw: pd.DataFrame,
    row_numbers: Sequence[int],
    entries: Sequence[RejectEntry],
    *,
    source_file: str,
    sheet: str | None,
    sensitive_columns: Sequence[str] = (),
    origin: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The rejects table (values as typed, not yet neutralised), in input order.

    ``origin`` (from :func:`origins`, same positions as ``raw``) gives rows
    of a re-loaded rejects file their first ``_source_file``, ``_sheet`` and
    ``_row`` where it holds them.
    """
    ordered = sorted(entries, key=lambda e: e.position)
    positions = [e.position for e in ordered]
    table = raw.iloc[positions].reset_index(drop=True).copy()
    secrets: set[str] = set()
    for col in sensitive_columns:
        if col in table.columns:
            secrets.update(str(v) for v in raw[col].dropna())
            table[col] = table[col].map(mask)
    table["_source_file"] = source_file
    table["_sheet"] = sheet or ""
    table["_row"] = [int(row_numbers[p]) for p in positions]
    if origin is not None:
        _keep_origin(table, origin, positions)
    table["_stage"] = [e.stage for e in ordered]
    table["_reasons"] = [scrub("; ".join(e.reasons), secrets) for e in ordered]
    table["_raw"] = [
        scrub(json.dumps(list(e.raw), ensure_ascii=False), secrets) if e.raw else ""
        for e in ordered
    ]
    return table


def _keep_origin(
    table: pd.DataFrame, origin: pd.DataFrame, positions: list[int]
) -> None:
    """Overwrite the origin columns with the re-loaded file's non-empty ones."""
    for col in origin.columns:
        before = origin[col].iloc[positions].reset_index(drop=True)
        given = before.notna() & before.astype(str).str.strip().ne("")
        table[col] = table[col].astype(object).where(~given, before)


def is_rejects_input(source: Path, columns: Iterable[str]) -> bool:
    """Whether ``source`` is a rejects file the loader wrote: by name and columns.

    ``<stem>.rejects.csv`` or ``.xlsx`` holding ``_stage`` and ``_reasons``.
    """
    return (
        source.stem.endswith(".rejects")
        and source.suffix.lower() in (".csv", ".xlsx")
        and is_rejects_file(columns)
    )


def default_rejects_path(source: Path, columns: Iterable[str] = ()) -> Path:
    """``<stem>.rejects.csv`` (or ``.xlsx`` for Excel inputs) next to the input.

    A rejects file given back to the loader (see :func:`is_rejects_input`;
    ``columns`` are the file's header) is its own rejects file: it is
    rewritten with the rows still rejected, and removed when none is left.
    """
    if is_rejects_input(source, columns):
        return source
    suffix = ".xlsx" if source.suffix.lower() in (".xlsx", ".xls", ".xlsm") else ".csv"
    return source.with_name(f"{source.stem}.rejects{suffix}")


def write_rejects(
    table: pd.DataFrame,
    path: Path,
    *,
    sheet: str | None = None,
    delimiter: str = ",",
    title_rows: int = 0,
) -> Path:
    """Write the table neutralised against formulas; ``.xlsx`` by suffix, else CSV.

    ``delimiter`` and ``title_rows`` (empty rows above the header) follow the
    input's reading options, so the same mapping reads the rejects file.
    Written to a temporary name first, then renamed, so a crash never leaves
    half a rejects file where the user expects a whole one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = table.astype(object).map(neutralise)
    tmp = path.with_name(path.name + ".partial")
    if path.suffix.lower() == ".xlsx":
        name = (sheet or "rejects")[:31]
        safe.to_excel(
            tmp, index=False, sheet_name=name, startrow=title_rows, engine="openpyxl"
        )
    else:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
            handle.write("\r\n" * title_rows)
            safe.to_csv(handle, index=False, sep=delimiter, lineterminator="\r\n")
    tmp.replace(path)
    return path
