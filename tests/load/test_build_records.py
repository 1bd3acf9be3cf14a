"""Building API records: payload shapes, documents with lines, joins, no NaN."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ot_etl.catalog import resolve
from ot_etl.errors import MappingError
from ot_etl.load.build import PendingRecord, RefNeed, build_records, find_duplicates
from ot_etl.load.read import read_source
from ot_etl.load.validate import validate
from ot_etl.mapping import parse_mapping


def build(tmp_path: Path, mapping_text: str, csv_text: str) -> list[PendingRecord]:
    path = tmp_path / "in.csv"
    path.write_text(csv_text, encoding="utf-8")
    mapping = parse_mapping(mapping_text)
    return build_records(validate(read_source(path, mapping.source), mapping), mapping)


CUSTOMERS = """
record_type: customer
mode: upsert
match: {fields: [Name]}
schema:
  columns:
    id: {dtype: str}
    company: {dtype: str, nullable: true}
    city: {dtype: str, nullable: true}
    zip: {dtype: str, nullable: true}
    rep: {dtype: str, nullable: true}
    terms: {dtype: int64, nullable: true}
    limit: {dtype: float64, nullable: true}
    since: {dtype: 'datetime64[ns]', nullable: true}
fields:
  Name: id
  CompanyName: company
  BillAddress.City: city
  BillAddress.Zip: zip
  SalesRepRef.Name: rep
  TermRef.Id: terms
  CreditLimit: limit
  IsActive: {value: true}
  Note: {template: "Northwind customer {id} since {since:%Y}"}
  CustomFields.LegacyCode: id
  CustomFields.Since: since
"""


def test_entity_payloads(tmp_path: Path) -> None:
    csv = (
        "id,company,city,zip,rep,terms,limit,since\n"
        "00123, Acme ,Boston,02116,Ann,3,1500.5,1996-07-04\n"
        "B2,,,,,,,\n"
    )
    first, second = build(tmp_path, CUSTOMERS, csv)
    assert first.payload == {
        "Name": "00123",
        "CompanyName": "Acme",
        "BillAddress": {"City": "Boston", "Zip": "02116"},
        "SalesRepRef": {"Name": "Ann"},
        "TermRef": {"Id": 3},
        "CreditLimit": 1500.5,
        "IsActive": True,
        "Note": "Northwind customer 00123 since 1996",
        "CustomFields": [
            {"Name": "LegacyCode", "Value": "00123"},
            {"Name": "Since", "Value": "1996-07-04T00:00:00"},
        ],
    }
    assert first.refs == [RefNeed(("SalesRepRef",), 370, "Ann")]
    assert first.match_key == ("00123",)
    assert first.source_index == [0]
    # Empty cells leave their fields out: never null, never NaN; a template
    # with an empty cell is left out too.
    assert second.payload == {
        "Name": "B2",
        "IsActive": True,
        "CustomFields": [{"Name": "LegacyCode", "Value": "B2"}],
    }
    text = json.dumps([first.payload, second.payload], allow_nan=False)
    assert "NaN" not in text
    assert type(first.payload["TermRef"]["Id"]) is int


def test_invalid_rows_build_no_entity_record(tmp_path: Path) -> None:
    csv = "id,company,city,zip,rep,terms,limit,since\nA,,,,,x,,\nB,,,,,,,\n"
    records = build(tmp_path, CUSTOMERS, csv)
    assert [r.payload["Name"] for r in records] == ["B"]
    assert records[0].source_index == [1]


def test_duplicates_after_key_normalisation(tmp_path: Path) -> None:
    csv = (
        "id,company,city,zip,rep,terms,limit,since\n"
        "Acme,,,,,,,\nBolt,,,,,,,\n acme ,,,,,,,\n"
    )
    records = build(tmp_path, CUSTOMERS, csv)
    assert [r.match_key for r in records] == [("acme",), ("bolt",), ("acme",)]
    dupes = find_duplicates(records, [2, 3, 4])
    assert [(d.row, d.stage, d.reason) for d in dupes] == [
        (4, "duplicate", "duplicate of row 2 (same match key); only that row is loaded")
    ]


ORDERS = """
record_type: salesorder
mode: create
schema:
  columns:
    orderID: {dtype: str}
    customer: {dtype: str}
    orderDate: {dtype: str, nullable: true}
    product: {dtype: str}
    quantity: {dtype: int64, checks: {greater_than: 0}}
    unitPrice: {dtype: float64}
fields:
  CustomerRef.Name: customer
  CustomerPO: orderID
  Date: {column: orderDate, format: "%Y-%m-%d %H:%M:%S.%f"}
documents:
  group_by: [orderID]
  lines:
    ItemRef.Name: product
    Quantity: quantity
    Price: unitPrice
"""

ORDER_CSV = (
    "orderID,customer,orderDate,product,quantity,unitPrice\n"
    "10248,VINET,1996-07-04 00:00:00.000,Queso Cabrales,12,14\n"
    "10248,VINET,1996-07-04 00:00:00.000,Singaporean Hokkien,10,9.8\n"
    "10249,TOMSP,1996-07-05 00:00:00.000,Tofu,9,18.6\n"
    "10248,VINET,,Mozzarella,5,34.8\n"
    "10250,HANAR,1996-07-08 00:00:00.000,Jack's Chowder,0,7.7\n"
    "10250,HANAR,1996-07-08 00:00:00.000,Manjimup Apples,35,42.4\n"
)


def test_one_row_per_line_becomes_documents(tmp_path: Path) -> None:
    records = build(tmp_path, ORDERS, ORDER_CSV)
    assert [r.source_index for r in records] == [[0, 1, 3], [2], [4, 5]]
    first = records[0]
    assert first.payload == {
        "CustomerRef": {"Name": "VINET"},
        "CustomerPO": "10248",
        "Date": "1996-07-04T00:00:00",
        "LineItems": [
            {
                "$type": "AOLib7.SalesOrderLineItem, AOLib7",
                "ItemRef": {"Name": "Queso Cabrales"},
                "Quantity": 12,
                "Price": 14,
            },
            {
                "$type": "AOLib7.SalesOrderLineItem, AOLib7",
                "ItemRef": {"Name": "Singaporean Hokkien"},
                "Quantity": 10,
                "Price": 9.8,
            },
            {
                "$type": "AOLib7.SalesOrderLineItem, AOLib7",
                "ItemRef": {"Name": "Mozzarella"},
                "Quantity": 5,
                "Price": 34.8,
            },
        ],
    }
    assert next(iter(first.payload["LineItems"][0])) == "$type"
    item = next(f for f in resolve("salesorder").line_fields if f.name == "ItemRef").ref
    assert first.refs == [
        RefNeed(("CustomerRef",), 120, "VINET"),
        RefNeed(("LineItems", 0, "ItemRef"), item, "Queso Cabrales"),
        RefNeed(("LineItems", 1, "ItemRef"), item, "Singaporean Hokkien"),
        RefNeed(("LineItems", 2, "ItemRef"), item, "Mozzarella"),
    ]
    assert first.problems == []
    total = sum(li["Quantity"] * li["Price"] for li in first.payload["LineItems"])
    assert round(total, 2) == 12 * 14 + 10 * 9.8 + 5 * 34.8
    # A document with one invalid line is kept whole, with a problem: no short order.
    last = records[2]
    assert [str(p) for p in last.problems] == [
        "row(s) 6 of this document failed validation; the document is not loaded"
    ]


def test_header_values_that_disagree_within_a_document(tmp_path: Path) -> None:
    csv = (
        "orderID,customer,orderDate,product,quantity,unitPrice\n"
        "1,VINET,1996-07-04 00:00:00.000,A,1,1\n"
        "1,TOMSP,1996-07-04 00:00:00.000,B,1,1\n"
    )
    (record,) = build(tmp_path, ORDERS, csv)
    assert [(p.row, p.column, p.reason) for p in record.problems] == [
        (
            3,
            "customer",
            "rows 2 and 3 of one document disagree on CustomerRef.Name "
            "('VINET' vs 'TOMSP')",
        )
    ]


def test_joined_details_file(tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_text(
        "orderID,customer,orderDate\n"
        "10248,VINET,1996-07-04 00:00:00.000\n"
        "10249,TOMSP,1996-07-05 00:00:00.000\n",
        encoding="utf-8",
    )
    (tmp_path / "order_details.csv").write_text(
        "orderID,product,quantity,unitPrice\n"
        "10249,Tofu,9,18.6\n10248,Queso Cabrales,12,14\n10248,Mozzarella,5,34.8\n",
        encoding="utf-8",
    )
    mapping = parse_mapping(
        ORDERS.replace(
            "mode: create\n",
            "mode: create\nsource: {join: {path: order_details.csv, on: orderID}}\n",
        )
    )
    frame = read_source(tmp_path / "orders.csv", mapping.source)
    assert frame.row_numbers == [2, 2, 3]
    records = build_records(validate(frame, mapping), mapping)
    lines = [[li["ItemRef"]["Name"] for li in r.payload["LineItems"]] for r in records]
    assert lines == [["Queso Cabrales", "Mozzarella"], ["Tofu"]]


def test_numpy_and_timestamp_values_serialise(tmp_path: Path) -> None:
    mapping = """
record_type: customer
schema:
  columns:
    n: {dtype: str}
    since: {dtype: 'datetime64[ns]'}
    count: {dtype: int64}
    active: {dtype: bool}
fields:
  Name: n
  CustomFields.Since: since
  CustomFields.Count: count
  CustomFields.Active: active
  OnCreditHold: active
"""
    (record,) = build(tmp_path, mapping, "n,since,count,active\nA,35250,7,yes\n")
    assert json.loads(json.dumps(record.payload)) == {
        "Name": "A",
        "OnCreditHold": True,
        "CustomFields": [
            {"Name": "Since", "Value": "1996-07-04T00:00:00"},
            {"Name": "Count", "Value": 7},
            {"Name": "Active", "Value": True},
        ],
    }


EXPR = """
record_type: salesorder
schema:
  columns:
    order: {dtype: str}
    item: {dtype: str}
    qty: {dtype: float64}
    price: {dtype: float64}
    discount: {dtype: float64, nullable: true}
    note: {dtype: str, nullable: true}
fields:
  CustomerPO: order
documents:
  group_by: order
  lines:
    ItemRef.Name: item
    Quantity: qty
    Price: {expr: "round(price * (1 - discount), 4)"}
    Description: {template: "{item} x{qty:.0f}"}
"""


def test_expression_fields(tmp_path: Path) -> None:
    csv = "order,item,qty,price,discount,note\n1,Tofu,2,19.45,0.05,\n1,Chai,1,18,,\n"
    (record,) = build(tmp_path, EXPR, csv)
    lines = record.payload["LineItems"]
    assert [(li.get("Price"), li["Description"]) for li in lines] == [
        (18.4775, "Tofu x2"),
        (None, "Chai x1"),  # an empty discount leaves the price out
    ]


def test_expression_on_a_text_column_is_a_mapping_problem(tmp_path: Path) -> None:
    mapping = EXPR.replace('"round(price * (1 - discount), 4)"', '"note / 2"')
    mapping = mapping.replace(
        "note: {dtype: str, nullable: true}", "note: {dtype: str}"
    )
    with pytest.raises(MappingError) as err:
        build(tmp_path, mapping, "order,item,qty,price,discount,note\n1,A,1,1,0,x\n")
    (problem,) = err.value.problems
    assert problem.where == "documents.lines.Price.expr"
    assert problem.message.startswith("cannot compute 'note / 2': ")
