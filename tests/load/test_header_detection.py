"""`header_row: auto`: the row naming the mapping's columns is the header.

A repeated header name, a data row with a stray extra cell, or a repeated
name on a column the mapping does not read must not make a data row the
header.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner
from load_helpers import customers, write

from ot_etl.cli import main
from ot_etl.load.read import read_source

MAPPING = """\
record_type: customer
match:
  fields: [Name]
schema:
  columns:
    name: {dtype: str}
    city: {dtype: str, nullable: true}
    since: {dtype: 'datetime64[ns]', nullable: true}
fields:
  Name: name
  BillAddress.City: city
  Note: {template: "customer since {since:%Y-%m-%d}"}
"""

REPEATED = "name,city,city,since\nA,P,L,2024-01-02\nB,R,M,2024-01-03\n"


def _validate(tmp_path: Path, text: str) -> Any:
    mapping = write(tmp_path / "customers.yaml", MAPPING)
    data = write(tmp_path / "d.csv", text)
    return CliRunner().invoke(main, ["validate", str(mapping), str(data)])


def test_a_repeated_header_name_keeps_the_header_and_gets_a_suffix(
    tmp_path: Path,
) -> None:
    result = _validate(tmp_path, REPEATED)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"WARNING ot_etl.load.read: {tmp_path / 'd.csv'}: header 'city' repeats; "
        "renamed to 'city (2)'",
        "d.csv: 2 rows read, 2 valid, 0 with problems; 2 records built",
    ]
    frame = read_source(tmp_path / "d.csv", columns=["name", "city", "since"])
    assert frame.header_row == 1
    assert frame.columns == ["name", "city", "city (2)", "since"]
    assert frame.raw["city (2)"].tolist() == ["L", "M"]


def test_without_a_mapping_a_repeated_name_still_reads_as_the_header(
    tmp_path: Path,
) -> None:
    frame = read_source(write(tmp_path / "d.csv", REPEATED))
    assert frame.header_row == 1
    assert frame.columns == ["name", "city", "city (2)", "since"]


def test_a_repeated_unmapped_column_does_not_move_the_header(tmp_path: Path) -> None:
    text = "name,note,note,city,since\nA,x,y,Paris,\nB,z,w,Rome,\n"
    result = _validate(tmp_path, text)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "d.csv: 2 rows read, 2 valid, 0 with problems; 2 records built"
    )


def test_a_row_with_an_extra_cell_is_reported_not_taken_as_the_header(
    tmp_path: Path,
) -> None:
    text = "name,city,since\nA,P,2024-01-02\nB,Rome,Italy,2024-01-03\nC,L,\n"
    result = _validate(tmp_path, text)
    assert result.exit_code == 2, result.output
    assert result.output.strip() == (
        f"error: {tmp_path / 'd.csv'}, row 3: this row has 4 cells but the header "
        "has 3. A value probably contains the delimiter (',') without quotes: "
        "quote that value."
    )
    # Without a mapping, the look of the rows finds the same header.
    data = tmp_path / "d.csv"
    assert _header_error_row(data) == 3


def _header_error_row(path: Path) -> int | None:
    from ot_etl.errors import InputFileError

    try:
        read_source(path)
    except InputFileError as exc:
        return exc.row
    return None


def test_title_rows_above_the_named_header_are_skipped(tmp_path: Path) -> None:
    text = "Customer list,,\nexported 2024-05-01,,\nname,city,since\nA,P,2024-01-02\n"
    frame = read_source(write(tmp_path / "d.csv", text), columns=["name", "city"])
    assert frame.header_row == 3
    assert frame.row_numbers == [4]


def test_load_of_a_file_with_a_repeated_header_name(
    sandbox: Any, client: Any, tmp_path: Path
) -> None:
    env = sandbox.environment()
    mapping = write(tmp_path / "customers.yaml", MAPPING)
    data = write(tmp_path / "d.csv", REPEATED)
    result = CliRunner().invoke(main, ["load", str(mapping), str(data)], env=env)
    assert result.exit_code == 0, result.output
    assert "  created        2" in result.output.splitlines()
    made = customers(client)
    assert [(made[n]["BillAddress"]["City"], made[n]["Note"]) for n in ("A", "B")] == [
        ("P", "customer since 2024-01-02"),
        ("R", "customer since 2024-01-03"),
    ]
