"""Excel inputs get an .xlsx rejects file that loads again once fixed."""

from __future__ import annotations

from pathlib import Path

from load_helpers import customer_mapping, customers
from openpyxl import Workbook, load_workbook

from ot_etl.client import Client
from ot_etl.load import EXIT_OK, EXIT_REJECTED, load_file


def test_xlsx_rejects_round_trip(client: Client, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Customers"
    sheet.append(["Name", "City", "Limit", "Rep", "Terms"])
    sheet.append(["Café Lumière", "Paris", 100, "Jane Seller", None])
    sheet.append(["Minus", "-Lyon", -3, None, None])
    path = tmp_path / "clients.xlsx"
    book.save(path)
    mapping = customer_mapping(tmp_path)
    first = load_file(path, mapping, client=client)
    assert first.exit_code == EXIT_REJECTED
    rejects = tmp_path / "clients.rejects.xlsx"
    assert first.summary.rejects_path == rejects
    fixed = load_workbook(rejects)
    assert fixed.sheetnames == ["Customers"]
    ws = fixed["Customers"]
    header = [c.value for c in ws[1]]
    assert header == [
        "Name",
        "City",
        "Limit",
        "Rep",
        "Terms",
        "_source_file",
        "_sheet",
        "_row",
        "_stage",
        "_reasons",
        "_raw",
    ]
    row = [c.value for c in ws[2]]
    assert row[:3] == ["Minus", "'-Lyon", "'-3"]
    assert row[6:9] == ["Customers", 3, "validation"]
    ws["C2"] = 3
    fixed.save(rejects)
    second = load_file(rejects, mapping, client=client)
    assert second.exit_code == EXIT_OK and second.counts["created"] == 1
    stored = customers(client)
    assert stored["Minus"]["BillAddress"]["City"] == "-Lyon"
    assert stored["Minus"]["CreditLimit"] == 3
    assert stored["Café Lumière"]["CreditLimit"] == 100
