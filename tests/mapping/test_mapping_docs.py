"""The examples in docs/mappings.md are valid and work on the Northwind sample."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ot_etl.load.build import build_records, find_duplicates
from ot_etl.load.read import read_source
from ot_etl.load.validate import validate
from ot_etl.mapping import parse_mapping

ROOT = Path(__file__).resolve().parents[2]
NORTHWIND = ROOT / "sample_data" / "northwind"


def examples() -> list[str]:
    text = (ROOT / "docs" / "mappings.md").read_text(encoding="utf-8")
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def test_customer_example_on_the_sample() -> None:
    mapping = parse_mapping(examples()[0])
    frame = read_source(NORTHWIND / "customers.csv", mapping.source)
    report = validate(frame, mapping)
    records = build_records(report, mapping)
    assert (len(frame.raw), report.failures, len(records)) == (91, [], 91)
    assert records[0].payload == {
        "Name": "ALFKI",
        "CompanyName": "Alfreds Futterkiste",
        "PrimaryContact": {"FirstName": "Maria Anders"},
        "BillAddress": {
            "Addr2": "Obere Str. 57",
            "City": "Berlin",
            "Zip": "12209",
            "Country": "Germany",
            "Phone": "030-0074321",
        },
        "IsActive": True,
        "Note": "Imported from Northwind (ALFKI)",
        "CustomFields": [{"Name": "LegacyCode", "Value": "ALFKI"}],
    }
    # Leading zeros survive: ANATR's postal code is 05021.
    assert records[1].payload["BillAddress"]["Zip"] == "05021"
    assert find_duplicates(records, report.row_numbers) == []


def test_order_example_joins_lines_and_keeps_totals() -> None:
    mapping = parse_mapping(examples()[1])
    frame = read_source(NORTHWIND / "orders.csv", mapping.source)
    report = validate(frame, mapping)
    records = build_records(report, mapping)
    details = pd.read_csv(NORTHWIND / "order_details.csv")
    assert report.failures == []
    assert len(records) == details["orderID"].nunique() == 830
    assert sum(len(r.payload["LineItems"]) for r in records) == len(details) == 2155
    assert all(not r.problems for r in records)
    expected = (details["quantity"] * details["unitPrice"]).groupby(details["orderID"])
    totals = {
        int(r.payload["CustomerPO"]): sum(
            li["Quantity"] * li["Price"] for li in r.payload["LineItems"]
        )
        for r in records
    }
    for order_id, total in expected.sum().items():
        assert round(totals[int(order_id)], 2) == round(total, 2)
    first = records[0].payload
    assert (first["CustomerPO"], first["Date"], len(first["LineItems"])) == (
        "10248",
        "1996-07-04T00:00:00",
        3,
    )
