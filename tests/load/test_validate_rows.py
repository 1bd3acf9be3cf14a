"""Validation: every failure at once, per cell, with sheet rows and clear reasons."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ot_etl.errors import InputFileError
from ot_etl.load.read import read_source
from ot_etl.load.validate import ValidationReport, validate
from ot_etl.mapping import parse_mapping


def run(
    tmp_path: Path, mapping_text: str, csv_text: str, name: str = "in.csv"
) -> ValidationReport:
    path = tmp_path / name
    path.write_text(csv_text, encoding="utf-8")
    mapping = parse_mapping(mapping_text)
    return validate(read_source(path, mapping.source), mapping)


def table(report: ValidationReport) -> list[tuple[int, str, str | None, str]]:
    return [tuple(r) for r in report.table().itertuples(index=False)]  # type: ignore[misc]


QTY = """
record_type: customer
schema:
  columns:
    Name: {dtype: str}
    Qty: {dtype: int64, checks: {greater_than_or_equal_to: 0}}
fields:
  Name: Name
  CustomFields.Qty: Qty
"""


def test_a_failed_conversion_does_not_hide_other_checks_on_the_column(
    tmp_path: Path,
) -> None:
    report = run(tmp_path, QTY, "Name,Qty\nA,1\nB,-1\nC,x\n")
    assert table(report) == [
        (3, "Qty", "-1", "must be at least 0 (greater_than_or_equal_to(0))"),
        (4, "Qty", "x", "not a number"),
    ]
    assert report.failed_rows == {1, 2}
    assert list(report.valid.index) == [0]
    assert report.valid["Qty"].tolist() == [1]
    assert str(report.valid["Qty"].dtype) == "Int64"


def test_nullable_integer_column_keeps_integers(tmp_path: Path) -> None:
    mapping = QTY.replace("{dtype: int64,", "{dtype: int64, nullable: true,")
    report = run(tmp_path, mapping, "Name,Qty\nA,1\nB,\nC,3\n")
    assert report.failures == []
    assert report.valid["Qty"].tolist() == [1, pd.NA, 3]
    assert str(report.valid["Qty"].dtype) == "Int64"


def test_an_empty_cell_in_a_non_nullable_column(tmp_path: Path) -> None:
    report = run(tmp_path, QTY, "Name,Qty\nA,\n")
    assert table(report) == [
        (2, "Qty", None, "is empty, but the schema requires a value")
    ]


PRICES = """
record_type: salesorder
schema:
  columns:
    order: {dtype: str}
    customer: {dtype: str}
    product: {dtype: str}
    qty: {dtype: float64}
    price: {dtype: float64}
    cost: {dtype: str, nullable: true}
fields:
  CustomerRef.Name: customer
  CustomerPO: order
documents:
  group_by: order
  lines:
    ItemRef.Name: product
    Quantity: qty
    Price: price
    UomConversionRate: {column: cost, decimals: 2}
"""


def test_decimal_places_beyond_the_target_are_rejected(tmp_path: Path) -> None:
    csv = (
        "order,customer,product,qty,price,cost\n"
        "1,Acme,Bolt,2,12.3456,\n"
        "1,Acme,Nut,1,9.99999,1.5\n"
        "2,Acme,Nut,12 pcs,1.50000,1.234\n"
    )
    report = run(tmp_path, PRICES, csv)
    assert table(report) == [
        (
            3,
            "price",
            "9.99999",
            "has 5 decimal places; Price keeps at most 4 (round it "
            "in the file, or set decimals: on the field)",
        ),
        (
            4,
            "cost",
            "1.234",
            "has 3 decimal places; UomConversionRate keeps at most 2 "
            "(round it in the file, or set decimals: on the field)",
        ),
        (4, "qty", "12 pcs", "not a number (remove the unit 'pcs')"),
    ]


def test_required_targets_and_max_lengths(tmp_path: Path) -> None:
    mapping = """
record_type: customer
schema:
  columns:
    id: {dtype: str, nullable: true}
    company: {dtype: str, nullable: true}
    upc: {dtype: str, nullable: true}
fields:
  Name: id
  CompanyName: company
  AccountNumber: upc
"""
    long_name = "x" * 51
    csv = f"id,company,upc\n,ok,012345678905\nB,{long_name},1.23457E+11\n"
    report = run(tmp_path, mapping, csv)
    assert table(report) == [
        (2, "id", None, "Name is required; the cell is empty"),
        (3, "company", long_name, "51 characters; CompanyName allows at most 50"),
        (
            3,
            "upc",
            "1.23457E+11",
            "looks like a code Excel turned into scientific "
            "notation (the original digits are lost): format the column as text in "
            "Excel and export again, or set allow_scientific: true on the field",
        ),
    ]


def test_pandera_checks_are_all_reported(tmp_path: Path) -> None:
    mapping = """
record_type: customer
schema:
  columns:
    id: {dtype: str, unique: true, checks: {str_length: {min_value: 1, max_value: 5}}}
    kind: {dtype: str, checks: {isin: [a, b]}}
    score: {dtype: float64, checks: {in_range: {min_value: 0, max_value: 10}}}
fields:
  Name: id
"""
    csv = "id,kind,score\nA,a,1\nA,c,11\nTOOLONG,b,5\n"
    assert table(run(tmp_path, mapping, csv)) == [
        (
            3,
            "id",
            "A",
            "repeats the value of row 2 in a column the schema marks "
            "unique; only the first is kept",
        ),
        (3, "kind", "c", "must be one of ['a', 'b'] (isin(['a', 'b']))"),
        (3, "score", "11", "must be between 0 and 10 (in_range(0, 10))"),
        (4, "id", "TOOLONG", "length must be between 1 and 5 (str_length(1, 5))"),
    ]


def test_semicolon_file_with_decimal_commas(tmp_path: Path) -> None:
    mapping = """
record_type: customer
source: {delimiter: ";", decimal: ",", thousands: "."}
schema:
  columns:
    name: {dtype: str}
    limit: {dtype: float64}
fields:
  Name: name
  CreditLimit: limit
"""
    report = run(tmp_path, mapping, "name;limit\nA;1.234,5\nB;12,75\nC;1,5x\n")
    assert report.valid["limit"].tolist() == [1234.5, 12.75]
    assert table(report) == [(4, "limit", "1,5x", "not a number")]


def test_decimal_comma_without_the_option_says_how(tmp_path: Path) -> None:
    mapping = QTY.replace("int64", "float64")
    report = run(tmp_path, mapping, 'Name,Qty\nA,"1,5"\n')
    assert table(report) == [
        (
            2,
            "Qty",
            "1,5",
            'not a number; if "," is the decimal separator set source.decimal: ","',
        )
    ]


DATES = """
record_type: salesorder
schema:
  columns:
    id: {dtype: str}
    when: {dtype: 'datetime64[ns]'}
fields:
  CustomerPO: id
  Date: {column: when, format: "%d/%m/%Y"}
"""


def test_excel_date_cells_serials_and_text_dates_are_the_same_date(
    tmp_path: Path,
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id", "when"])
    for value in [
        dt.datetime(1996, 7, 4),
        dt.date(1996, 7, 4),
        35250,
        "1996-07-04",
        "04/07/1996",
        "1996-07-04 00:00:00.000",
        "31/02/1996",
    ]:
        sheet.append(["x", value])
    path = tmp_path / "dates.xlsx"
    book.save(path)
    mapping = parse_mapping(DATES)
    report = validate(read_source(path, mapping.source), mapping)
    assert report.valid["when"].tolist() == [pd.Timestamp("1996-07-04")] * 6
    assert table(report) == [
        (
            8,
            "when",
            "31/02/1996",
            "not a date in the format '%d/%m/%Y' (nor ISO YYYY-MM-DD)",
        )
    ]


def test_ambiguous_text_dates_need_a_format(tmp_path: Path) -> None:
    mapping = DATES.replace(', format: "%d/%m/%Y"', "")
    report = run(tmp_path, mapping, "id,when\nx,07/04/1996\nx,1996-07-04T13:05:00\n")
    assert report.valid["when"].tolist() == [pd.Timestamp("1996-07-04 13:05")]
    assert table(report) == [
        (
            2,
            "when",
            "07/04/1996",
            "ambiguous date: add a format to the field in the "
            'mapping, e.g. format: "%m/%d/%Y" or "%d/%m/%Y" (or write it as '
            "YYYY-MM-DD)",
        )
    ]


def test_date_reasons_say_invalid_and_suggest_a_format_that_reads_the_column(
    tmp_path: Path,
) -> None:
    mapping = DATES.replace(', format: "%d/%m/%Y"', "")
    csv = (
        "id,when\nx,2024-13-45\nx,2024-02-30\nx,13/02/2024\nx,07/04/2024\n"
        "x,31/02/2024\nx,1996-07-04 25:00\n"
    )
    suggest = 'e.g. format: "%d/%m/%Y" (or write it as YYYY-MM-DD)'
    assert [(r, v, why) for r, _, v, why in table(run(tmp_path, mapping, csv))] == [
        (2, "2024-13-45", "not a valid date: there is no month 13 (YYYY-MM-DD)"),
        (
            3,
            "2024-02-30",
            "not a valid date: February 2024 has 29 days, not 30 (YYYY-MM-DD)",
        ),
        (
            4,
            "13/02/2024",
            f"not an ISO date: add a format to the field in the mapping, {suggest}",
        ),
        (
            5,
            "07/04/2024",
            f"ambiguous date: add a format to the field in the mapping, {suggest}",
        ),
        (
            6,
            "31/02/2024",
            "not a valid date: no day, month and year order reads it (correct the "
            "value, or write it as YYYY-MM-DD)",
        ),
        (
            7,
            "1996-07-04 25:00",
            "not a valid time of day (HH:MM or HH:MM:SS, hours 0 to 23)",
        ),
    ]
    # The suggested format reads every one of them that is a date.
    report = run(tmp_path, DATES, "id,when\nx,13/02/2024\nx,07/04/2024\n")
    assert report.valid["when"].tolist() == [
        pd.Timestamp("2024-02-13"),
        pd.Timestamp("2024-04-07"),
    ]


def test_dates_across_the_whole_calendar(tmp_path: Path) -> None:
    mapping = DATES.replace(', format: "%d/%m/%Y"', "")
    csv = "id,when\nx,9999-12-31\nx,0001-01-01\nx,1\nx,59\nx,61\nx,2958465\n"
    report = run(tmp_path, mapping, csv)
    assert report.failures == []
    assert [str(t.date()) for t in report.valid["when"]] == [
        "9999-12-31",
        "0001-01-01",
        "1900-01-01",
        "1900-02-28",  # Excel's serials skip its phantom 29 February 1900 (60)
        "1900-03-01",
        "9999-12-31",
    ]


def test_booleans(tmp_path: Path) -> None:
    mapping = """
record_type: customer
schema:
  columns:
    n: {dtype: str}
    active: {dtype: str, nullable: true}
fields:
  Name: n
  IsActive: active
"""
    report = run(tmp_path, mapping, "n,active\na,TRUE\nb,no\nc,maybe\nd,\n")
    assert table(report) == [
        (4, "active", "maybe", "not true/false (use TRUE, FALSE, yes, no, 1, 0)")
    ]


def test_a_missing_column_stops_before_validation(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as err:
        run(tmp_path, QTY, "name,Qty\nA,1\n")
    assert "missing column(s) the mapping needs: 'Name' (close: 'name')" in str(
        err.value
    )


def test_strict_schema_failure_is_a_file_error(tmp_path: Path) -> None:
    mapping = QTY.replace("schema:\n", "schema:\n  strict: true\n")
    with pytest.raises(InputFileError, match="the schema rejects the file as a whole"):
        run(tmp_path, mapping, "Name,Qty,Extra\nA,1,x\n")


def test_header_only_file_validates_to_nothing(tmp_path: Path) -> None:
    report = run(tmp_path, QTY, "Name,Qty\n")
    assert (report.rows_read, report.failures, len(report.valid)) == (0, [], 0)
