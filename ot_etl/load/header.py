"""Finding the header row of a grid and naming its columns.

With ``header_row: auto`` the row naming the most of the mapping's columns is
the header; without such a row (a wrong delimiter, or no mapping yet) the
first row that looks like a header: mostly filled, mostly distinct, not
numbers or dates, as wide as most rows below it. Names are normalised and
repeats numbered (``city``, ``city (2)``).
"""

from __future__ import annotations

import math
import re
from collections import Counter

from ot_etl.errors import InputFileError

HEADER_SCAN = 30  # rows searched for the header when header_row is auto
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\ufeff]+")
_NUMERIC = re.compile(r"^[-+]?[\d.,\s]+(e[-+]?\d+)?$|^\d{4}-\d\d-\d\d", re.IGNORECASE)


def normalize_header(text: str) -> str:
    """Header text with BOMs, odd and repeated spaces folded to single spaces."""
    return _SPACES.sub(" ", text).strip()


def _looks_like_data(cell: str) -> bool:
    return bool(_NUMERIC.match(cell))


def row_width(row: list[str]) -> int:
    """Cells up to the last one holding text (0 for a blank row)."""
    for i in range(len(row) - 1, -1, -1):
        if row[i].strip():
            return i + 1
    return 0


def header_index(
    grid: list[list[str]],
    header_row: int | str,
    path: str,
    expected: tuple[str, ...] = (),
) -> int:
    """0-based index of the header row (see SourceOptions.header_row).

    In auto mode the mapping's column names are the strongest signal: the
    first row naming the most of them wins. The look of the cells decides
    only when no row names any (a wrong delimiter, or no mapping at all).
    """
    if not any(row_width(r) for r in grid):
        raise InputFileError(path, "the file has no cells with text in them.")
    if isinstance(header_row, int):
        if header_row > len(grid) or not row_width(grid[header_row - 1]):
            raise InputFileError(
                path,
                f"source.header_row is {header_row} but that row is empty or "
                f"beyond the end (the file has {len(grid)} rows).",
                fix="Set header_row to the row holding the column names, or auto.",
            )
        return header_row - 1
    first = next(i for i, r in enumerate(grid) if row_width(r))
    scan = range(first, min(len(grid), first + HEADER_SCAN))
    named = _most_named_row(grid, scan, set(expected))
    if named is not None:
        return named
    for i in scan:
        if _plausible_header(grid, i):
            return i
    return first


def _most_named_row(
    grid: list[list[str]], scan: range, expected: set[str]
) -> int | None:
    """The first row of ``scan`` holding the most ``expected`` names, if any."""
    best, best_hits = None, 0
    for i in scan:
        names, _ = unique_names(grid[i], row_width(grid[i]))
        hits = len(expected.intersection(names))
        if hits > best_hits:
            best, best_hits = i, hits
            if hits == len(expected):
                break
    return best


def _plausible_header(grid: list[list[str]], i: int) -> bool:
    """Mostly non-empty, mostly distinct, non-numeric cells, as wide as the data.

    The data's width is the commonest width of the rows below (the narrower
    on a tie), so one row with a stray extra cell does not disqualify the
    header: it is reported as a ragged row instead.
    """
    cells = [c.strip() for c in grid[i]]
    filled = [c for c in cells if c]
    if not filled:
        return False
    below = Counter(w for w in (row_width(r) for r in grid[i + 1 : i + 21]) if w)
    data_width = (
        min(below.items(), key=lambda wc: (-wc[1], wc[0]))[0]
        if below
        else row_width(grid[i])
    )
    if len(filled) < max(1, math.ceil(data_width / 2)):
        return False
    if len(set(filled)) * 4 < len(filled) * 3:
        return False
    if sum(_looks_like_data(c) for c in filled) * 4 > len(filled):
        return False
    return data_width <= row_width(grid[i])


def unique_names(
    cells: list[str], width: int
) -> tuple[list[str], list[tuple[str, str]]]:
    """Normalised header names, repeats suffixed `` (2)``, and the renames."""
    names: list[str] = []
    renamed: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for i in range(width):
        name = normalize_header(cells[i]) if i < len(cells) else ""
        if not name:
            name = f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            renamed.append((name, f"{name} ({seen[name]})"))
            name = renamed[-1][1]
        else:
            seen[name] = 1
        names.append(name)
    return names, renamed
