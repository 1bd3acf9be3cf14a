"""Excel workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) through python-calamine.

Cells come back typed; they are rendered as the text a person would type:
date cells as ISO (``1996-07-04`` or ``1996-07-04T13:05:00``), whole numbers
without ``.0``, other numbers as Excel shows them (15 significant digits, in
their shortest form), booleans as ``TRUE``/``FALSE``. Text cells are
untouched, so ``00123`` keeps its zeros.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import python_calamine as pc

from ot_etl.errors import InputFileError

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
_OLE = b"\xd0\xcf\x11\xe0"


def render_cell(value: Any) -> str:
    """The text for one typed cell (see the module docstring)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # Excel shows at most 15 significant digits: the 731.94 a person typed
        # is stored as 731.9399999999999, and must read as 731.94.
        value = float(f"{value:.15g}")
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


def _open(path: Path) -> Any:
    name = str(path)
    try:
        return pc.CalamineWorkbook.from_path(name)
    except pc.PasswordError:
        raise _protected(name) from None
    except FileNotFoundError:
        raise InputFileError(name, "no such file.") from None
    except Exception as exc:  # calamine raises several kinds for a damaged file
        head = path.read_bytes()[:8] if path.exists() else b""
        if head.startswith(_OLE) and path.suffix.lower() != ".xls":
            raise _protected(name) from None
        raise InputFileError(
            name,
            f"cannot open it as an Excel workbook ({type(exc).__name__}: {exc}).",
            fix="The file may be truncated or not really Excel: open it in Excel "
            "and save it again as .xlsx.",
        ) from None


def _protected(path: str) -> InputFileError:
    return InputFileError(
        path,
        "the workbook is password-protected (encrypted).",
        fix="Open it in Excel, remove the password (File > Info > Protect "
        "Workbook) and save it again.",
    )


def read_excel_grid(
    path: Path, sheet: str | None
) -> tuple[list[list[str]], str, list[str]]:
    """Every row of one sheet (the first one by default) as cell texts.

    Returns ``(grid, sheet name, every sheet's name)``; row ``i`` of the grid
    is sheet row ``i + 1``.
    """
    book = _open(path)
    names = list(book.sheet_names)
    if not names:
        raise InputFileError(str(path), "the workbook has no sheets.")
    chosen = sheet if sheet is not None else names[0]
    if chosen not in names:
        listed = ", ".join(repr(n) for n in names)
        raise InputFileError(
            str(path),
            f"there is no sheet {chosen!r}; the sheets are {listed}.",
            fix="Set source.sheet in the mapping to one of them.",
        )
    try:
        rows = book.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except Exception as exc:  # a damaged sheet part
        raise InputFileError(
            str(path),
            f"cannot read sheet {chosen!r} ({exc}).",
            fix="Open the workbook in Excel and save it again.",
        ) from None
    return [[render_cell(c) for c in row] for row in rows], chosen, names
