"""Loading a rejects file again: it is its own rejects file, then it goes away.

The rows still rejected replace it (naming the original file's rows); when
none is left it is removed, and the summary says so. No
``X.rejects.rejects.csv`` is ever written, and the original's ledger is kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from click.testing import CliRunner
from load_helpers import HEADER, customer_mapping, customers, write

from ot_etl.cli import main


def _env(sandbox: Any) -> dict[str, str]:
    return sandbox.environment()


def _load(sandbox: Any, mapping: Path, data: Path) -> Any:
    return CliRunner().invoke(
        main, ["load", str(mapping), str(data)], env=_env(sandbox)
    )


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_a_rejects_file_is_rewritten_in_place_then_removed(
    sandbox: Any, client: Any, tmp_path: Path
) -> None:
    mapping = customer_mapping(tmp_path)
    data = write(
        tmp_path / "customers.csv",
        HEADER + "Ann,Oslo,1,,\nBob,Oslo,-1,,\nCid,Rome,many,,\n",
    )
    first = _load(sandbox, mapping, data)
    assert first.exit_code == 3, first.output
    rejects = tmp_path / "customers.rejects.csv"
    assert _read(rejects)[["Name", "Limit", "_row"]].values.tolist() == [
        ["Bob", "'-1", "3"],
        ["Cid", "many", "4"],
    ]
    table = _read(rejects)
    table.loc[table["Name"] == "Bob", "Limit"] = "5"
    table.to_csv(rejects, index=False, encoding="utf-8-sig")

    second = _load(sandbox, mapping, rejects)
    assert second.exit_code == 3, second.output
    lines = second.output.splitlines()
    assert "  created        1" in lines
    assert f"  rejects file   {rejects}" in lines
    assert f"  ledger         {tmp_path / 'customers.ledger.sqlite'}" in lines
    left = _read(rejects)
    # Cid still names its row in the original file, not in the rewritten one.
    assert left[
        ["Name", "Limit", "_source_file", "_row", "_stage"]
    ].values.tolist() == [["Cid", "many", str(data), "4", "validation"]]
    assert left["_reasons"].tolist() == ["Limit: not a number"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "customers.csv",
        "customers.ledger.sqlite",
        "customers.ledger.sqlite.lock",
        "customers.rejects.csv",
        "customers_create.yaml",
    ]

    left.loc[0, "Limit"] = "7"
    left.to_csv(rejects, index=False, encoding="utf-8-sig")
    third = _load(sandbox, mapping, rejects)
    assert third.exit_code == 0, third.output
    assert (
        f"  every row of the rejects file loaded; {rejects} removed"
        in third.output.splitlines()
    )
    assert not rejects.exists()
    assert {n: c["CreditLimit"] for n, c in customers(client).items()} == {
        "Ann": 1,
        "Bob": 5,
        "Cid": 7,
    }


def test_an_excel_rejects_file_is_rewritten_as_excel(
    sandbox: Any, tmp_path: Path
) -> None:
    mapping = customer_mapping(tmp_path)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Customers"
    sheet.append(HEADER.strip().split(","))
    sheet.append(["Ann", "Oslo", 1])
    sheet.append(["Bob", "Oslo", "lots"])
    sheet.append(["Cid", "Rome", "many"])
    data = tmp_path / "customers.xlsx"
    book.save(data)
    assert _load(sandbox, mapping, data).exit_code == 3
    rejects = tmp_path / "customers.rejects.xlsx"
    again = _load(sandbox, mapping, rejects)
    assert again.exit_code == 3, again.output
    assert not (tmp_path / "customers.rejects.rejects.xlsx").exists()
    table = pd.read_excel(rejects, dtype=str, sheet_name="Customers", engine="openpyxl")
    assert table[["Name", "_row", "_sheet"]].values.tolist() == [
        ["Bob", "3", "Customers"],
        ["Cid", "4", "Customers"],
    ]
