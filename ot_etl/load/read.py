"""Read an input file faithfully: every cell as the text the user typed.

``read_source(path, options)`` returns a :class:`SourceFrame`. Nothing is
converted here (``00123`` stays ``00123``, ``NA`` stays ``NA``); only an empty
or all-blank cell, or one equal to a mapping null marker, becomes missing.
Headers are normalised (BOM, non-breaking and repeated spaces, surrounding
spaces) and may sit below title rows. Typing happens in validation, through
the mapping's schema.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ot_etl.errors import InputFileError
from ot_etl.load.header import header_index, row_width, unique_names
from ot_etl.load.header import normalize_header as normalize_header
from ot_etl.load.readers import EXCEL_SUFFIXES, read_excel_grid, read_text_grid
from ot_etl.mapping.model import JoinSpec, SourceOptions

log = logging.getLogger(__name__)

MAX_COLUMNS = 16384  # Excel's own limit; more means a wrong delimiter or junk
WIDE = 100  # columns above which cells are cleaned row-wise


@dataclass
class SourceFrame:
    """An input file as text.

    ``raw`` holds one column per header (normalised names, pandas string
    dtype) and one row per non-blank data row, indexed 0..n-1.
    ``row_numbers[i]`` is the row the user sees for ``raw`` row ``i`` (the
    first data row under a header on line 1 is row 2). ``original_columns``
    are the header cells as typed; ``sheets`` every sheet of a workbook.
    """

    raw: pd.DataFrame
    path: str
    sheet: str | None
    row_numbers: list[int]
    columns: list[str]
    original_columns: list[str] = field(default_factory=list)
    encoding: str | None = None
    header_row: int = 1
    delimiter: str | None = None
    sheets: tuple[str, ...] = ()  # a workbook's sheet names, in order

    def row(self, index: int) -> int:
        """The sheet row number of frame row ``index``."""
        return self.row_numbers[index]


def read_source(
    path: str | Path,
    options: SourceOptions | None = None,
    *,
    columns: Sequence[str] = (),
) -> SourceFrame:
    """Read ``path`` (CSV/TSV text or an Excel workbook) with ``options``.

    ``columns`` are the names the mapping reads. With ``header_row: auto``
    the first row holding the most of them (after normalisation, repeated
    names suffixed) is the header; only when no row holds any is the header
    guessed from the cells' look.

    Raises InputFileError (file, row, column, fix) for files that cannot be
    used: empty, binary, undecodable, broken quotes, ragged rows, missing
    sheets, encrypted or truncated workbooks. A header with no data rows is
    fine (0 rows, logged).
    """
    opts = options or SourceOptions()
    p = Path(path)
    frame = _read_one(p, opts, opts.sheet, tuple(columns))
    for join in opts.joins:
        frame = _join(frame, join, opts, tuple(columns))
    return frame


def _read_one(
    p: Path, opts: SourceOptions, sheet: str | None, expected: tuple[str, ...]
) -> SourceFrame:
    if not p.exists():
        raise InputFileError(str(p), "no such file.")
    encoding: str | None = None
    delimiter: str | None = None
    sheets: list[str] = []
    if p.suffix.lower() in EXCEL_SUFFIXES:
        grid, sheet_name, sheets = read_excel_grid(p, sheet)
    else:
        grid, encoding, delimiter = read_text_grid(p, opts.encoding, opts.delimiter)
        sheet_name = None
    at = header_index(grid, opts.header_row, str(p), expected)
    frame = _to_frame(grid, at, str(p), opts, delimiter)
    frame.sheet, frame.encoding, frame.delimiter = sheet_name, encoding, delimiter
    frame.sheets = tuple(sheets)
    log.info(
        "read %s%s: header on row %d, %d data rows, %d columns%s",
        p.name,
        f" [{sheet_name}]" if sheet_name else "",
        at + 1,
        len(frame.raw),
        len(frame.columns),
        f", encoding {encoding}" if encoding else "",
    )
    return frame


def _header_names(cells: list[str], width: int, path: str) -> list[str]:
    names, renamed = unique_names(cells, width)
    for old, new in renamed:
        log.warning("%s: header %r repeats; renamed to %r", path, old, new)
    return names


def _to_frame(
    grid: list[list[str]],
    h: int,
    path: str,
    opts: SourceOptions,
    delimiter: str | None,
) -> SourceFrame:
    """The frame under header row ``h``; ``delimiter`` is None for Excel."""
    is_text = delimiter is not None
    header = grid[h]
    width = row_width(header)
    if not is_text:
        width = max([width, *(row_width(r) for r in grid[h + 1 :])])
    if width > MAX_COLUMNS:
        raise InputFileError(
            path,
            f"the header has {width} columns (more than {MAX_COLUMNS}).",
            fix="Check source.delimiter, or remove the empty columns.",
        )
    names = _header_names(header, width, path)
    rows: list[list[str]] = []
    numbers: list[int] = []
    for i in range(h + 1, len(grid)):
        row = grid[i]
        if not "".join(row).strip():
            continue  # a blank row: skipped, the numbering of others stays true
        if len(row) > width:
            w = row_width(row)
            if w > width:
                raise InputFileError(
                    path,
                    f"this row has {w} cells but the header has {width}.",
                    row=i + 1,
                    fix="A value probably contains the delimiter "
                    f"({delimiter!r}) without quotes: quote that value.",
                )
            row = row[:width]
        elif len(row) < width:
            row = row + [""] * (width - len(row))
        rows.append(row)
        numbers.append(i + 1)
    if not rows:
        log.warning("%s has a header but no data rows: nothing to load", path)
    raw = _text_frame(rows, names, opts.null_markers)
    return SourceFrame(
        raw=raw,
        path=path,
        sheet=None,
        row_numbers=numbers,
        columns=names,
        original_columns=[header[j] if j < len(header) else "" for j in range(width)],
        header_row=h + 1,
    )


def _text_frame(
    rows: list[list[str]], names: list[str], markers: tuple[str, ...]
) -> pd.DataFrame:
    """Rows of cell texts as a string frame; blank cells and markers missing."""
    if len(names) > WIDE:
        # Column-wise Series cost more than cell-wise Python once a file is wide.
        marks = frozenset(markers)
        clean = [
            [None if not c.strip() or c.strip() in marks else c for c in r]
            for r in rows
        ]
        frame = pd.DataFrame(clean, columns=names, dtype="str")
        return frame.set_axis(pd.RangeIndex(len(rows)))
    # A 2-D object array slices into columns faster than zip(*rows) transposes.
    grid = np.empty((len(rows), len(names)), dtype=object)
    if rows:
        grid[:] = rows
    data = {name: _text_column(grid[:, j], markers) for j, name in enumerate(names)}
    return pd.DataFrame(data, index=pd.RangeIndex(len(rows)), columns=names)


def _text_column(values: Any, markers: tuple[str, ...]) -> pd.Series:
    col = pd.Series(values, dtype="str")
    stripped = col.str.strip()
    missing = stripped.eq("")
    if markers:
        missing |= stripped.isin(markers)
    return col.mask(missing)


def _join(
    frame: SourceFrame, join: JoinSpec, opts: SourceOptions, expected: tuple[str, ...]
) -> SourceFrame:
    """Join ``join.path`` one-to-many; rows keep the main file's row numbers.

    TODO: a joined row is named by its main-file row only, and a rejects file
    of a joined load holds the joined columns, so it cannot be re-loaded with
    the same mapping (which would join again) without removing the join.
    """
    other_path = Path(frame.path).parent / join.path
    other = _read_one(other_path, opts, join.sheet, (*expected, *join.other_keys))
    for side, f, keys in (
        ("input", frame, join.on),
        ("joined file", other, join.other_keys),
    ):
        absent = [c for c in keys if c not in f.columns]
        if absent:
            raise InputFileError(
                f.path,
                f"the join column(s) {', '.join(absent)} are not in the {side}.",
                fix=f"Its columns are: {', '.join(f.columns[:20])}.",
            )
    stem = Path(join.path).stem
    key_names = dict(zip(join.other_keys, join.on, strict=True))
    renames = {
        c: key_names.get(c, f"{stem}.{c}")
        for c in other.columns
        if c in key_names or (c in frame.columns and c not in join.on)
    }
    right = other.raw.rename(columns=renames)
    left = frame.raw.assign(__row__=frame.row_numbers)
    merged = left.merge(right, on=list(join.on), how=join.how, sort=False)
    numbers = [int(n) for n in merged.pop("__row__")]
    merged = merged.reset_index(drop=True)
    log.info(
        "joined %s on %s: %d rows", other_path.name, ", ".join(join.on), len(merged)
    )
    return SourceFrame(
        raw=merged,
        path=frame.path,
        sheet=frame.sheet,
        row_numbers=numbers,
        columns=list(merged.columns),
        original_columns=frame.original_columns,
        encoding=frame.encoding,
        header_row=frame.header_row,
        delimiter=frame.delimiter,
        sheets=frame.sheets,
    )


def require_columns(frame: SourceFrame, columns: list[str], required: set[str]) -> None:
    """Raise InputFileError if a column in ``required`` is not in the file.

    ``columns`` is the order they are reported in; close matches are listed.
    """
    wanted = dict.fromkeys(c for c in columns if c in required)
    missing = [c for c in wanted if c not in frame.raw.columns]
    if not missing:
        return
    hints = []
    for col in missing:
        close = difflib.get_close_matches(col, frame.columns, n=3, cutoff=0.6)
        folded = [c for c in frame.columns if c.casefold() == col.casefold()]
        near = folded or close
        hints.append(
            f"{col!r}" + (f" (close: {', '.join(map(repr, near))})" if near else "")
        )
    shown = ", ".join(repr(c) for c in frame.columns[:20])
    more = f" and {len(frame.columns) - 20} more" if len(frame.columns) > 20 else ""
    raise InputFileError(
        frame.path,
        f"missing column(s) the mapping needs: {', '.join(hints)}; the header "
        f"has {shown}{more}.",
        row=frame.header_row,
        column=missing[0],
        fix=_missing_fix(frame),
    )


def _missing_fix(frame: SourceFrame) -> str:
    """What to do about missing columns: a delimiter, another sheet, or a rename."""
    rename = "Rename the header in the file, or the column in the mapping."
    # Tabs are folded into spaces in the normalised names: look at the cells.
    cells = frame.original_columns or frame.columns
    glued = [s for s in ";\t|," if any(s in c for c in cells)]
    if frame.delimiter is not None and glued and glued[0] != frame.delimiter:
        sep = glued[0]
        shown = '"\\t" (a tab)' if sep == "\t" else repr(sep)
        return (
            f"The header cells hold {shown}: the file is probably delimited by "
            f"it; set source.delimiter in the mapping to {shown}."
        )
    if len(frame.sheets) > 1:
        listed = ", ".join(repr(n) for n in frame.sheets)
        return (
            f"This is sheet {frame.sheet!r}; the workbook's sheets are {listed}. "
            "If the data is on another sheet, set source.sheet in the mapping to "
            "its name; else " + rename[0].lower() + rename[1:]
        )
    return rename
