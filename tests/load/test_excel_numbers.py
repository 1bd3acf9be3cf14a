"""Excel number cells read as Excel shows them, not as their binary value."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from ot_etl.load.read import read_source
from ot_etl.load.readers.excel import render_cell


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (731.9399999999999, "731.94"),  # the binary value of a typed 731.94
        (22.368000000000002, "22.368"),
        (6.8713999999999995, "6.8714"),
        (2.0000000000000004, "2"),
        (42420.0, "42420"),
        (0.1, "0.1"),
        (957.5775, "957.5775"),
        (-383.031, "-383.031"),
        (1.5e-07, "1.5e-07"),
        (123456789012.345, "123456789012.345"),
    ],
)
def test_numbers_keep_excel_s_fifteen_digits(value: float, text: str) -> None:
    assert render_cell(value) == text


def test_a_workbook_amount_has_the_decimals_a_person_typed(tmp_path: Path) -> None:
    path = tmp_path / "lines.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Sales", "Zip"])
    sheet.append([731.9399999999999, 1040])
    book.save(path)
    frame = read_source(path)
    assert frame.raw.iloc[0].tolist() == ["731.94", "1040"]
