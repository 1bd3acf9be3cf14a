"""A user's own ``_``-prefixed columns are data; only a rejects file loses columns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from load_helpers import customers, write

from ot_etl.cli.mapping import validate_command
from ot_etl.client import Client
from ot_etl.load import EXIT_OK, EXIT_REJECTED, load_file
from ot_etl.load.rejects import strip_extras

MAPPING = """\
record_type: customer
match:
  fields: [Name]
schema:
  columns:
    Name: {dtype: str, nullable: false}
    _id:
      dtype: str
      checks: {str_length: {min_value: 3, max_value: 9}}
    Limit: {dtype: float64, nullable: true, checks: {ge: 0}}
fields:
  Name: Name
  AccountNumber: _id
  CreditLimit: Limit
"""


def test_strip_extras_keeps_a_plain_files_columns() -> None:
    frame = pd.DataFrame(
        {"_id": ["'7"], "_stage": ["x"], "_row": ["1"], "Name": ["=A"]}, dtype="str"
    )
    same, was_rejects = strip_extras(frame)
    assert not was_rejects
    assert same.to_dict("list") == {
        "_id": ["'7"],
        "_stage": ["x"],
        "_row": ["1"],
        "Name": ["=A"],
    }


def test_strip_extras_drops_only_the_added_columns_of_a_rejects_file() -> None:
    frame = pd.DataFrame(
        {
            "_id": ["'-7"],
            "Name": ["A"],
            "_source_file": ["in.csv"],
            "_sheet": [""],
            "_row": ["2"],
            "_stage": ["server"],
            "_reasons": ["x"],
            "_raw": [""],
        },
        dtype="str",
    )
    cleaned, was_rejects = strip_extras(frame)
    assert was_rejects
    assert cleaned.to_dict("list") == {"_id": ["-7"], "Name": ["A"]}


def test_underscore_column_loads_and_survives_the_rejects_file(
    client: Client, tmp_path: Path
) -> None:
    mapping = write(tmp_path / "m.yaml", MAPPING)
    source = write(
        tmp_path / "in.csv", "Name,_id,Limit\nAda,A-001,5\nBob,B-002,-1\nCy,C,1\n"
    )
    first = load_file(source, mapping, client=client)
    assert first.exit_code == EXIT_REJECTED
    assert first.outcomes[["row", "outcome"]].values.tolist() == [
        [2, "created"],
        [3, "rejected"],
        [4, "rejected"],
    ]
    assert customers(client)["Ada"]["AccountNumber"] == "A-001"
    rejects = tmp_path / "in.rejects.csv"
    table = pd.read_csv(rejects, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert table.columns.tolist()[:3] == ["Name", "_id", "Limit"]
    assert table[["Name", "_id", "Limit", "_row", "_stage"]].values.tolist() == [
        ["Bob", "B-002", "'-1", "3", "validation"],
        ["Cy", "C", "1", "4", "validation"],
    ]
    table.loc[0, "Limit"] = "1"
    table.loc[1, "_id"] = "C-003"
    table.to_csv(rejects, index=False, encoding="utf-8-sig")
    second = load_file(rejects, mapping, client=client)
    assert second.exit_code == EXIT_OK and second.counts["created"] == 2
    assert {n: c["AccountNumber"] for n, c in customers(client).items()} == {
        "Ada": "A-001",
        "Bob": "B-002",
        "Cy": "C-003",
    }


def test_validate_checks_an_underscore_column(tmp_path: Path) -> None:
    write(tmp_path / "m.yaml", MAPPING)
    write(tmp_path / "in.csv", "Name,_id,Limit\nAda,A-001,5\nCy,C,1\n")
    result = CliRunner().invoke(
        validate_command, [str(tmp_path / "m.yaml"), str(tmp_path / "in.csv")]
    )
    assert result.exit_code == 3
    assert result.output.splitlines()[0] == (
        "in.csv: 2 rows read, 1 valid, 1 with problems; 1 records built"
    )
    assert result.output.splitlines()[1:] == [
        "row  column  value  reason",
        "3    _id     C      length must be between 3 and 9 (str_length(3, 9))",
    ]
