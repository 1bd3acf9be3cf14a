"""Reading input files faithfully: every cell as typed, clear errors for bad files."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ot_etl.errors import InputFileError
from ot_etl.load.read import read_source, require_columns
from ot_etl.mapping import SourceOptions


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def cells(frame_raw: pd.DataFrame) -> list[list[str | None]]:
    return [[None if pd.isna(v) else v for v in row] for row in frame_raw.values]


def test_leading_zeros_and_na_texts_stay_as_typed(tmp_path: Path) -> None:
    path = write(
        tmp_path, "c.csv", "id,zip,note\n00123,02116,NA\n7,00501,NULL\n8,,None\n"
    )
    frame = read_source(path)
    assert cells(frame.raw) == [
        ["00123", "02116", "NA"],
        ["7", "00501", "NULL"],
        ["8", None, "None"],
    ]
    assert frame.row_numbers == [2, 3, 4]
    assert str(frame.raw["id"].dtype) == "str"


def test_null_markers_only_when_the_mapping_lists_them(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "id,note\n1,NULL\n2,NA\n3, \n")
    frame = read_source(path, SourceOptions(null_markers=("NULL",)))
    assert cells(frame.raw) == [["1", None], ["2", "NA"], ["3", None]]


def test_bom_and_odd_spaces_in_headers_are_normalised(tmp_path: Path) -> None:
    text = "\ufeffid,\u00a0Company\u00a0 Name ,  City\n1,Acme,Boston\n"
    frame = read_source(write(tmp_path, "c.csv", text))
    assert frame.columns == ["id", "Company Name", "City"]
    assert frame.original_columns == ["id", "\u00a0Company\u00a0 Name ", "  City"]
    assert frame.encoding == "utf-8-sig"


def test_cp1252_is_decoded_as_cp1252_with_a_logged_note(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(
        tmp_path,
        "c.csv",
        "name,city\nCaf\u00e9 \u201cA\u201d,K\u00f6ln\n".encode("cp1252"),
    )
    with caplog.at_level(logging.WARNING):
        frame = read_source(path)
    assert cells(frame.raw) == [["Caf\u00e9 \u201cA\u201d", "K\u00f6ln"]]
    assert frame.encoding == "cp1252"
    assert "decoded it as Windows-1252 (cp1252)" in caplog.text


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "id,name\n1,\u00c5se\n".encode("utf-16"))
    assert cells(read_source(path).raw) == [["1", "\u00c5se"]]


def test_bytes_neither_utf8_nor_cp1252_are_refused_with_the_line(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "c.csv", b"id,name\n1,ok\n2,bad\x81\x8d\n")
    with pytest.raises(InputFileError) as err:
        read_source(path)
    assert err.value.row == 3
    assert "neither UTF-8 nor Windows-1252" in str(err.value)


def test_header_below_title_rows_is_found(tmp_path: Path) -> None:
    text = (
        "Northwind customers,,\nexported 2024-01-05,,\n,,\n"
        "id,name,city\n1,Acme,Oslo\n2,Bolt,Rome\n"
    )
    frame = read_source(write(tmp_path, "c.csv", text))
    assert frame.columns == ["id", "name", "city"]
    assert frame.header_row == 4
    assert frame.row_numbers == [5, 6]


def test_explicit_header_row(tmp_path: Path) -> None:
    text = "a,b\nid,name\n1,x\n"
    frame = read_source(write(tmp_path, "c.csv", text), SourceOptions(header_row=2))
    assert frame.columns == ["id", "name"]
    assert frame.row_numbers == [3]


def test_blank_rows_are_skipped_but_row_numbers_stay_true(tmp_path: Path) -> None:
    frame = read_source(write(tmp_path, "c.csv", "id\n1\n\n,\n2\n"))
    assert cells(frame.raw) == [["1"], ["2"]]
    assert frame.row_numbers == [2, 5]


def test_semicolon_file(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "id;price\n1;1.234,50\n")
    frame = read_source(path, SourceOptions(delimiter=";", decimal=",", thousands="."))
    assert cells(frame.raw) == [["1", "1.234,50"]]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiter_auto(tmp_path: Path, sep: str) -> None:
    text = f'id{sep}name{sep}price\n1{sep}"A{sep} Inc"{sep}1.5\n2{sep}B{sep}2\n'
    frame = read_source(write(tmp_path, "c.csv", text), SourceOptions(delimiter="auto"))
    assert frame.delimiter == sep
    assert frame.columns == ["id", "name", "price"]
    assert cells(frame.raw)[1] == ["2", "B", "2"]


def test_quoted_multiline_cell_keeps_one_row(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", 'id,note\r\n1,"two\r\nlines"\r\n2,x\r\n')
    frame = read_source(path)
    assert cells(frame.raw) == [["1", "two\r\nlines"], ["2", "x"]]
    assert frame.row_numbers == [2, 3]


def test_header_only_file_has_zero_rows(tmp_path: Path) -> None:
    frame = read_source(write(tmp_path, "c.csv", "id,name\n"))
    assert frame.columns == ["id", "name"]
    assert len(frame.raw) == 0


@pytest.mark.parametrize(
    ("name", "data", "message", "row"),
    [
        ("empty.csv", b"", "the file is empty", None),
        ("blank.csv", b"\n\n  \n", "the file is empty", None),
        ("junk.csv", b"\x00\x01\x02binary\x00junk", "not a text file", None),
        ("zip.csv", b"PK\x03\x04rest", "is an Excel workbook", None),
        (
            "ragged.csv",
            b"id,name\n1,Acme\n2,Acme, Inc\n",
            "has 3 cells but the header has 2",
            3,
        ),
        ("quote.csv", b'id,name\n1,"Acme\n2,Bolt\n', "never closed", 2),
        ("badquote.csv", b'id,name\n1,"Ac"me\n', "cannot split the row", 2),
    ],
)
def test_bad_text_files_are_clear_errors(
    tmp_path: Path, name: str, data: bytes, message: str, row: int | None
) -> None:
    with pytest.raises(InputFileError) as err:
        read_source(write(tmp_path, name, data))
    assert message in str(err.value)
    assert err.value.row == row
    assert str(tmp_path / name) in str(err.value)


def test_huge_cell_names_the_row(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "id,note\n1,ok\n2," + "x" * 200_000 + "\n")
    with pytest.raises(InputFileError) as err:
        read_source(path)
    assert err.value.row == 3
    assert "longer than 131072 characters" in str(err.value)


def test_thousands_of_columns_are_read(tmp_path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(3000))
    row = ",".join(str(i) for i in range(3000))
    frame = read_source(write(tmp_path, "wide.csv", f"{header}\n{row}\n"))
    assert len(frame.columns) == 3000
    assert frame.raw.at[0, "c2999"] == "2999"


def test_missing_column_lists_close_matches(tmp_path: Path) -> None:
    frame = read_source(write(tmp_path, "c.csv", "customerId,name\n1,a\n"))
    with pytest.raises(InputFileError) as err:
        require_columns(frame, ["customerID", "name"], {"customerID", "name"})
    assert (
        "missing column(s) the mapping needs: 'customerID' (close: 'customerId')"
        in str(err.value)
    )
    assert err.value.column == "customerID"


def test_wrong_delimiter_hint(tmp_path: Path) -> None:
    frame = read_source(write(tmp_path, "c.csv", "id;name\n1;a\n"))
    with pytest.raises(InputFileError, match=r"set source\.delimiter"):
        require_columns(frame, ["id"], {"id"})


# -- Excel --------------------------------------------------------------------


def make_workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Orders"
    sheet.append(["Order export"])
    sheet.append([])
    sheet.append(["id", "when", "qty", "price", "flag", "zip"])
    sheet.append(["00123", dt.datetime(1996, 7, 4), 1, 12.5, True, "02116"])
    sheet.append(["2", 35250, 2.0, 3, False, 2116])
    sheet.append(["3", "1996-07-04", None, 0.1, None, None])
    sheet.append(["4", dt.datetime(1996, 7, 4, 13, 5), 10**12, 1e-7, None, None])
    sheet.cell(row=8, column=1, value="5")
    sheet.cell(row=8, column=2).value = dt.date(1996, 7, 4)
    book.create_sheet("Other")
    book.save(path)


def test_excel_cells_render_as_typed_text(tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    make_workbook(path)
    frame = read_source(path)
    assert frame.sheet == "Orders"
    assert frame.header_row == 3
    assert frame.row_numbers == [4, 5, 6, 7, 8]
    assert cells(frame.raw) == [
        ["00123", "1996-07-04", "1", "12.5", "TRUE", "02116"],
        ["2", "35250", "2", "3", "FALSE", "2116"],
        ["3", "1996-07-04", None, "0.1", None, None],
        ["4", "1996-07-04T13:05:00", "1000000000000", "1e-07", None, None],
        ["5", "1996-07-04", None, None, None, None],
    ]


def test_missing_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    make_workbook(path)
    with pytest.raises(InputFileError) as err:
        read_source(path, SourceOptions(sheet="Customers"))
    assert "there is no sheet 'Customers'; the sheets are 'Orders', 'Other'" in str(
        err.value
    )


def test_other_sheet_by_name(tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    make_workbook(path)
    book = openpyxl.load_workbook(path)
    book["Other"].append(["code"])
    book["Other"].append(["A1"])
    book.save(path)
    frame = read_source(path, SourceOptions(sheet="Other"))
    assert (frame.sheet, cells(frame.raw)) == ("Other", [["A1"]])


def test_truncated_xlsx_is_a_clear_error(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    make_workbook(good)
    bad = write(tmp_path, "bad.xlsx", good.read_bytes()[:1500])
    with pytest.raises(InputFileError, match="cannot open it as an Excel workbook"):
        read_source(bad)


def test_password_protected_xlsx_is_named_as_such(tmp_path: Path) -> None:
    # An encrypted .xlsx is an OLE compound file, not a zip.
    path = write(
        tmp_path, "secret.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    )
    with pytest.raises(InputFileError, match="password-protected"):
        read_source(path)


# -- what to do about missing columns -------------------------------------------

ITEMS = Path(__file__).parents[1] / "data" / "bad" / "items.yaml"


def _validate(path: Path) -> str:
    from click.testing import CliRunner

    from ot_etl.cli import main

    result = CliRunner().invoke(main, ["validate", str(ITEMS), str(path)])
    assert result.exit_code == 2, result.output
    return str(result.output).strip().splitlines()[-1]  # after any warning


def test_a_tab_delimited_file_read_as_comma_gets_the_tab_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "items.csv", "Name\tUPC\tPrice\nBolt\t0123\t1.5\n")
    assert _validate(path) == (
        f"error: {path}, row 1, column 'Name': missing column(s) the mapping needs: "
        "'Name', 'UPC', 'Price', 'Qty', 'Group'; the header has 'Name UPC Price'. "
        'The header cells hold "\\t" (a tab): the file is probably delimited by it; '
        'set source.delimiter in the mapping to "\\t" (a tab).'
    )


def test_a_workbook_whose_first_sheet_is_not_the_data_lists_its_sheets(
    tmp_path: Path,
) -> None:
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Read me"
    notes.append(["Price list, 2024"])
    items = book.create_sheet("Items")
    items.append(["Name", "UPC", "Price", "Qty", "Group"])
    items.append(["Bolt", "0123", 1.5, 10, "General"])
    path = tmp_path / "items.xlsx"
    book.save(path)
    assert _validate(path) == (
        f"error: {path}, row 1, column 'Name': missing column(s) the mapping needs: "
        "'Name', 'UPC', 'Price', 'Qty', 'Group'; the header has 'Price list, 2024'. "
        "This is sheet 'Read me'; the workbook's sheets are 'Read me', 'Items'. If "
        "the data is on another sheet, set source.sheet in the mapping to its name; "
        "else rename the header in the file, or the column in the mapping."
    )
