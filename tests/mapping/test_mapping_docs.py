"""The examples in docs/mappings.md are valid and work on the Northwind sample."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ot_etl.load.build import build_records, find_duplicates
from ot_etl.load.read import read_source
from ot_etl.load.validate import validate
from ot_etl.mapping import Mapping, load_mapping, parse_mapping

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
    assert (len(frame.raw), len(records)) == (91, 90)
    assert [(f.row, f.column, f.value) for f in report.failures] == [
        (62, "city", " 12Rio de Janeiro")
    ]
    assert records[0].payload == {
        "Name": "Alfreds Futterkiste",
        "CompanyName": "Alfreds Futterkiste",
        "AccountNumber": "ALFKI",
        "PrimaryContact": {"FirstName": "Maria Anders"},
        "BillAddress": {
            "Addr1": "Alfreds Futterkiste",
            "Addr2": "Obere Str. 57",
            "City": "Berlin",
            "Zip": "12209",
            "Country": "Germany",
            "Phone": "030-0074321",
        },
        "IsActive": True,
    }
    # Leading zeros survive: ANATR's postal code is 05021.
    assert records[1].payload["BillAddress"]["Zip"] == "05021"
    assert find_duplicates(records, report.row_numbers) == []


def test_examples_abridge_the_shipped_northwind_mappings() -> None:
    """Every target an example maps, the shipped mapping maps from the same source."""
    shipped = [
        load_mapping(ROOT / "mappings" / "northwind" / name)
        for name in ("04_customers.yaml", "05_sales_orders.yaml")
    ]
    for text, full in zip(examples(), shipped, strict=True):
        example = parse_mapping(text)
        assert (example.record_type, example.mode, example.match_fields) == (
            full.record_type,
            full.mode,
            full.match_fields,
        )
        assert _sources(example) <= _sources(full)


def _sources(mapping: Mapping) -> set[tuple[object, ...]]:
    return {
        (f.target, f.columns, f.value, f.template, f.format)
        for f in mapping.all_field_maps
    }


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
    net = details["quantity"] * details["unitPrice"] * (1 - details["discount"])
    totals = {
        int(r.payload["DocNo"]): sum(
            li["Quantity"] * li["Price"] for li in r.payload["LineItems"]
        )
        for r in records
    }
    for order_id, total in net.groupby(details["orderID"]).sum().items():
        assert abs(totals[int(order_id)] - total) < 0.005
    first = records[0].payload
    assert (first["DocNo"], first["CustomerRef"], first["Date"]) == (
        10248,
        {"Name": "Vins et alcools Chevalier"},
        "1996-07-04T00:00:00",
    )
    assert len(first["LineItems"]) == 3
