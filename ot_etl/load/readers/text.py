"""Delimited text files (CSV, TSV): decode faithfully, then split into cells."""

from __future__ import annotations

import codecs
import csv
import io
import logging
from pathlib import Path

from ot_etl.errors import InputFileError

log = logging.getLogger(__name__)

DELIMITERS = ",;\t|"
MAX_CELL = 131072  # the csv module's default limit, kept: beyond it is a broken quote
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"


def _row_of(data: bytes, offset: int) -> int:
    """The 1-based line holding byte ``offset``."""
    return data.count(b"\n", 0, offset) + 1


def _sniff_binary(data: bytes, path: str) -> None:
    if data.startswith(_ZIP) or data.startswith(_OLE):
        raise InputFileError(
            path,
            "this is an Excel workbook (or another binary file), not CSV text.",
            fix="Give it its real extension (.xlsx or .xls) so it is read as Excel.",
        )
    head = data[:8192]
    if b"\x00" in head:
        raise InputFileError(
            path,
            "this is not a text file (it contains NUL bytes).",
            fix="Export the sheet as CSV (comma-separated values) and load that file.",
        )


def decode_bytes(data: bytes, encoding: str, path: str) -> tuple[str, str]:
    """Decode file bytes; returns ``(text, encoding used)``.

    A UTF-8 or UTF-16 BOM always decides, even over an explicit ``encoding``:
    a BOM is the file saying what it is, while a mapping's encoding is often
    shared by files saved different ways. ``auto`` without a BOM: strict
    UTF-8, then strict cp1252 (with a logged note). Latin-1 is never a silent
    fallback: it accepts any byte and would turn a wrong guess into mangled
    text.
    """
    bom = _bom_encoding(data)
    if bom is not None:
        if encoding != "auto" and _codec(encoding) not in _BOM_FAMILY[bom]:
            log.warning(
                "%s starts with a byte order mark: read as %s, not %s",
                path,
                bom,
                encoding,
            )
        return _decode(data, bom, path), bom
    _sniff_binary(data, path)
    if encoding != "auto":
        return _decode(data, encoding, path), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            row = _row_of(data, utf8_error.start)
            raise InputFileError(
                path,
                f"the text is neither UTF-8 nor Windows-1252 (cp1252); the first "
                f"bad byte is on line {row}.",
                row=row,
                fix="Save the file as 'CSV UTF-8', or set source.encoding in the "
                "mapping to its real encoding.",
            ) from None
    log.warning(
        "%s is not UTF-8: decoded it as Windows-1252 (cp1252); set "
        "source.encoding to silence this note",
        path,
    )
    return text, "cp1252"


def _bom_encoding(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    return None


_BOM_FAMILY = {
    "utf-8-sig": {"utf-8", "utf-8-sig"},
    "utf-16": {"utf-16", "utf-16-le", "utf-16-be"},
}


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name


def _decode(data: bytes, encoding: str, path: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError:
        raise InputFileError(
            path,
            f"unknown encoding {encoding!r}.",
            fix="Use a Python codec name such as utf-8, cp1252 or utf-16.",
        ) from None
    except UnicodeDecodeError as exc:
        row = _row_of(data, exc.start)
        raise InputFileError(
            path,
            f"the file is not valid {encoding} (line {row}).",
            row=row,
            fix="Set source.encoding to the file's real encoding, or auto.",
        ) from None


def sniff_delimiter(text: str) -> str:
    """The likeliest of ``, ; TAB |`` for ``delimiter: auto`` (``,`` if unsure)."""
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        best = max(DELIMITERS, key=first.count)
        return best if first.count(best) else ","


def read_text_grid(
    path: Path, encoding: str, delimiter: str
) -> tuple[list[list[str]], str, str]:
    """Every record of a delimited text file as a list of cell texts.

    Returns ``(grid, encoding used, delimiter used)``; ``delimiter`` may be
    ``auto``. An unbalanced quote or an oversized cell raises InputFileError
    naming the record where it starts.
    """
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(name, f"cannot read the file: {exc.strerror}.") from None
    if not data.strip():
        raise InputFileError(
            name,
            "the file is empty.",
            fix="Export the sheet again, with its header row.",
        )
    text, used = decode_bytes(data, encoding, name)
    if delimiter == "auto":
        delimiter = sniff_delimiter(text)
        log.info("%s: the delimiter looks like %r", name, delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    grid: list[list[str]] = []
    try:
        for row in reader:
            grid.append(row)
    except csv.Error as exc:
        raise _csv_error(name, len(grid) + 1, str(exc)) from None
    return grid, used, delimiter


def _csv_error(path: str, row: int, message: str) -> InputFileError:
    if "field larger than field limit" in message:
        return InputFileError(
            path,
            f"a cell is longer than {MAX_CELL} characters.",
            row=row,
            fix="This usually comes from an unbalanced double quote in this row or "
            "just above it: close the quote or remove it. A value really this long "
            "cannot be loaded (Order Time's longest text fields hold 4000 "
            "characters): shorten it.",
        )
    if "unexpected end of data" in message:
        return InputFileError(
            path,
            "a double quote opened in this row is never closed.",
            row=row,
            fix='Close the quote, or double it ("") if it is part of the text.',
        )
    return InputFileError(
        path,
        f"cannot split the row into cells ({message}).",
        row=row,
        fix='A quote inside a quoted value must be doubled ("").',
    )
