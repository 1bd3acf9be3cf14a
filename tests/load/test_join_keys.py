"""Joins whose key columns are named differently in the two files."""

from __future__ import annotations

from pathlib import Path

from load_helpers import write

from ot_etl.load.read import read_source
from ot_etl.mapping import parse_mapping

MAPPING = """\
record_type: salesorder
source:
  join:
    - {path: shippers.csv, on: {shipVia: shipperID}}
fields:
  DocNo: orderID
  CustomerRef.Name: customer
  ShipMethodRef.Name: companyName
documents:
  group_by: [orderID]
  lines:
    ItemRef.Name: item
"""


def test_join_on_differently_named_keys(tmp_path: Path) -> None:
    write(tmp_path / "shippers.csv", "shipperID,companyName\n1,Speedy\n2,United\n")
    orders = write(
        tmp_path / "orders.csv",
        "orderID,customer,shipVia,item,companyName\n"
        "7,Acme,2,Chai,Acme Ltd\n8,Bolt,1,Chang,Bolt Inc\n9,Cogs,5,Tofu,Cogs\n",
    )
    mapping = parse_mapping(MAPPING)
    (join,) = mapping.source.joins
    assert (join.on, join.right_on, join.other_keys) == (
        ("shipVia",),
        ("shipperID",),
        ("shipperID",),
    )
    frame = read_source(orders, mapping.source)
    assert list(frame.raw.columns) == [
        "orderID",
        "customer",
        "shipVia",
        "item",
        "companyName",
        "shippers.companyName",
    ]
    assert frame.raw["shippers.companyName"].tolist()[:2] == ["United", "Speedy"]
    assert frame.raw["shippers.companyName"].isna().tolist() == [False, False, True]
    assert frame.row_numbers == [2, 3, 4]
