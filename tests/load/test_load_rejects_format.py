"""A rejects file keeps the input's delimiter and header position."""

from __future__ import annotations

from pathlib import Path

from load_helpers import customers, write

from ot_etl.client import Client
from ot_etl.load import EXIT_OK, EXIT_REJECTED, load_file

MAPPING = """\
record_type: customer
source:
  delimiter: ";"
  decimal: ","
  header_row: 3
schema:
  columns:
    Name: {dtype: str, nullable: false}
    Limit: {dtype: float64, nullable: true, checks: {ge: 0}}
fields:
  Name: Name
  CreditLimit: Limit
"""


def test_semicolon_file_with_title_rows(client: Client, tmp_path: Path) -> None:
    mapping = write(tmp_path / "m.yaml", MAPPING)
    text = "Kunden;\nStand 2024;\nName;Limit\nMüller;1,5\nSchmidt;-2,5\n"
    source = write(tmp_path / "kunden.csv", text)
    first = load_file(source, mapping, client=client)
    assert first.exit_code == EXIT_REJECTED
    rejects = tmp_path / "kunden.rejects.csv"
    lines = rejects.read_text(encoding="utf-8-sig").splitlines()
    assert lines[:3] == [
        "",
        "",
        "Name;Limit;_source_file;_sheet;_row;_stage;_reasons;_raw",
    ]
    assert lines[3].startswith("Schmidt;'-2,5;")
    rejects.write_text(
        rejects.read_text(encoding="utf-8-sig").replace("'-2,5", "2,5"),
        encoding="utf-8-sig",
    )
    second = load_file(rejects, mapping, client=client)
    assert second.exit_code == EXIT_OK and second.counts["created"] == 1
    stored = customers(client)
    assert (stored["Müller"]["CreditLimit"], stored["Schmidt"]["CreditLimit"]) == (
        1.5,
        2.5,
    )
