"""Write the bad files too big, or too binary, to keep in the repository.

``python tests/data/bad/generate.py OUT_DIR`` writes them; the bad-input tests
call :func:`generate` into a temporary folder. Every file is deterministic.

* ``huge_cell.csv``: one quoted cell of 5 MB (a pasted document, or a quote
  that swallowed the rest of the file);
* ``many_columns.csv``: 20,000 columns (a wrong delimiter, or junk);
* ``wide.csv``: 3,000 columns, of which the mapped five; it must still load;
* ``truncated.xlsx``: a real workbook cut in half (an interrupted download);
* ``protected.xlsx``: an encrypted workbook as Excel writes it (an OLE
  compound file holding ``EncryptionInfo`` and ``EncryptedPackage``);
* ``missing_sheet.xlsx``: a workbook whose only sheet is not the mapped one.
* ``notes_first.xlsx``: the data on the second sheet, a notes sheet first.
"""

from __future__ import annotations

import io
import struct
import sys
from pathlib import Path

HEADER = ["Name", "UPC", "Price", "Qty", "Group"]
ROW = ["Bolt", "012345678905", "1.50", "10", "General"]


def generate(out: Path) -> dict[str, Path]:
    """Write every generated file into ``out``; returns them by name."""
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "huge_cell.csv": _huge_cell(),
        "many_columns.csv": _columns(20_000),
        "wide.csv": _columns(3_000),
        "truncated.xlsx": _truncated_xlsx(),
        "protected.xlsx": _encrypted_ole(),
        "missing_sheet.xlsx": _xlsx([HEADER, ROW], title="Sheet1"),
        "notes_first.xlsx": _xlsx(
            [["Price list 2024"], ["Prices in EUR"]],
            title="Notes",
            more={"Items": [HEADER, ROW]},
        ),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = out / name
        paths[name].write_bytes(data)
    return paths


def _csv(rows: list[list[str]]) -> bytes:
    return "".join(",".join(r) + "\r\n" for r in rows).encode()


def _huge_cell() -> bytes:
    note = "lorem ipsum " * (5 * 1024 * 1024 // 12)
    return (
        _csv([[*HEADER, "Note"], [*ROW, "short"], ["Nut", "", "1", "2", "General"]])[
            :-2
        ]
        + f',"{note}"\r\n'.encode()
    )


def _columns(n: int) -> bytes:
    extra = [f"c{i}" for i in range(n - len(HEADER))]
    return _csv([HEADER + extra, ROW + ["x"] * len(extra)])


def _xlsx(
    rows: list[list[str]],
    title: str,
    more: dict[str, list[list[str]]] | None = None,
) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for name, other_rows in (more or {}).items():
        other = book.create_sheet(name)
        for row in other_rows:
            other.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _truncated_xlsx() -> bytes:
    whole = _xlsx([HEADER] + [ROW] * 200, title="Items")
    return whole[: len(whole) // 2]


# -- an OLE compound file (MS-CFB, version 3, 512-byte sectors) -------------

_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_SECTOR = 512


def _encrypted_ole() -> bytes:
    """An Office encrypted package: the streams are right, the cipher text junk."""
    info = b"\x04\x00\x04\x00\x40\x00\x00\x00" + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
        b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" '
        b'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" '
        b'hashAlgorithm="SHA512"/></encryption>'
    )
    package = struct.pack("<Q", 6000) + bytes((i * 7) % 251 for i in range(6000))
    streams = [("EncryptionInfo", _pad(info, 4096)), ("EncryptedPackage", package)]
    return _compound_file(streams)


def _pad(data: bytes, size: int) -> bytes:
    return data + b"\x00" * (size - len(data))


def _compound_file(streams: list[tuple[str, bytes]]) -> bytes:
    """A compound file whose streams (each >= 4096 bytes) sit in plain sectors."""
    fat = [_FATSECT, _END]  # sector 0: the FAT, sector 1: the directory
    starts = []
    body = b""
    for _, data in streams:
        count = -(-len(data) // _SECTOR)
        first = len(fat)
        starts.append(first)
        fat += [first + i + 1 for i in range(count - 1)] + [_END]
        body += _pad(data, count * _SECTOR)
    assert len(fat) <= _SECTOR // 4
    fat_sector = struct.pack(f"<{_SECTOR // 4}I", *fat, *[_FREE] * (128 - len(fat)))
    entries = [_dir_entry("Root Entry", 5, child=1, start=_END, size=0)]
    for i, ((name, data), start) in enumerate(zip(streams, starts, strict=True)):
        right = i + 2 if i + 1 < len(streams) else _NOSTREAM
        entries.append(_dir_entry(name, 2, right=right, start=start, size=len(data)))
    while len(entries) < _SECTOR // 128:
        entries.append(_dir_entry("", 0, start=0, size=0))
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
        + struct.pack("<109I", 0, *[_FREE] * 108)
    )
    return header + fat_sector + b"".join(entries) + body


def _dir_entry(
    name: str,
    kind: int,
    *,
    start: int,
    size: int,
    child: int = _NOSTREAM,
    right: int = _NOSTREAM,
) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le") if name else b""
    return (
        _pad(encoded, 64)
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", _NOSTREAM, right, child)
        + b"\x00" * 16  # CLSID
        + b"\x00" * 4  # state bits
        + b"\x00" * 16  # creation and modification times
        + struct.pack("<IQ", start, size)
    )


if __name__ == "__main__":
    for written in generate(Path(sys.argv[1])).values():
        print(written)
