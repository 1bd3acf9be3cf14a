"""A sales order CSV with one row per line becomes whole orders."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from load_helpers import write

from ot_etl.client import Client
from ot_etl.load import EXIT_OK, load_file

MAPPING = """\
record_type: salesorder
mode: create
match:
  fields: [CustomerPO]
schema:
  columns:
    Order: {dtype: str, nullable: false}
    Customer: {dtype: str, nullable: false}
    Date: {dtype: datetime64, nullable: false}
    Item: {dtype: str, nullable: false}
    Qty: {dtype: float64, nullable: false, checks: {gt: 0}}
    Price: {dtype: float64, nullable: false, checks: {ge: 0}}
fields:
  CustomerPO: Order
  CustomerRef.Name: Customer
  Date: {column: Date, format: "%Y-%m-%d"}
  PromiseDate: {column: Date, format: "%Y-%m-%d"}
documents:
  group_by: [Order]
  lines:
    ItemRef.Name: Item
    Quantity: Qty
    Price: {column: Price, decimals: 2}
"""

ROWS = [
    ("SO-1", "Acme", "2024-03-01", "Widget", "2", "3.50"),
    ("SO-2", "Bolt & Co", "2024-03-02", "Gadget", "1", "10.00"),
    ("SO-1", "Acme", "2024-03-01", "Gadget", "4", "9.99"),
    ("SO-3", "Acme", "2024-03-03", "Widget", "10", "3.25"),
    ("SO-1", "Acme", "2024-03-01", "Sprocket", "1", "0.10"),
    ("SO-2", "Bolt & Co", "2024-03-02", "Widget", "3", "3.50"),
]


def _setup(client: Client) -> None:
    for name in ("Acme", "Bolt & Co"):
        client.create("customer", {"Name": name})
    for name in ("Widget", "Gadget", "Sprocket"):
        client.create("partitem", {"Name": name, "ItemGroupRef": {"Name": "General"}})


def _orders(client: Client) -> dict[str, dict[str, Any]]:
    rows = client.list_page("salesorder", size=1000, include_line_items=True)
    return {r["CustomerPO"]: r for r in rows}


def test_one_row_per_line_becomes_orders(client: Client, tmp_path: Path) -> None:
    _setup(client)
    mapping = write(tmp_path / "orders.yaml", MAPPING)
    text = "Order,Customer,Date,Item,Qty,Price\n"
    text += "".join(",".join(r) + "\n" for r in ROWS)
    csv = write(tmp_path / "orders.csv", text)
    result = load_file(csv, mapping, client=client, workers=2)
    assert result.exit_code == EXIT_OK
    assert result.summary.rows_read == 6 and result.summary.created == 3
    expected_lines: dict[str, int] = defaultdict(int)
    expected_total: dict[str, Decimal] = defaultdict(Decimal)
    for order, _, _, _, qty, price in ROWS:
        expected_lines[order] += 1
        expected_total[order] += Decimal(qty) * Decimal(price)
    orders = _orders(client)
    assert sorted(orders) == ["SO-1", "SO-2", "SO-3"]
    for po, order in orders.items():
        lines = order["LineItems"]
        assert len(lines) == expected_lines[po]
        total = sum(
            Decimal(str(x["Quantity"])) * Decimal(str(x["Price"])) for x in lines
        )
        assert total == expected_total[po]
    so1 = orders["SO-1"]
    assert so1["CustomerRef"]["Name"] == "Acme"
    assert so1["Date"].startswith("2024-03-01T00:00:00")
    assert [x["ItemRef"]["Name"] for x in so1["LineItems"]] == [
        "Widget",
        "Gadget",
        "Sprocket",
    ]
    keys = result.outcomes.set_index("row")["record_key"].to_dict()
    assert keys[2] == keys[4] == keys[6] == so1["DocNo"]
    again = load_file(csv, mapping, client=client)
    assert again.counts["skipped"] == 3 and len(_orders(client)) == 3


def test_upsert_updates_only_the_changed_order(client: Client, tmp_path: Path) -> None:
    _setup(client)
    text = "Order,Customer,Date,Item,Qty,Price\n"
    text += "".join(",".join(r) + "\n" for r in ROWS)
    load_file(
        write(tmp_path / "o.csv", text),
        write(tmp_path / "c.yaml", MAPPING),
        client=client,
    )
    before = _orders(client)
    upsert = write(tmp_path / "u.yaml", MAPPING.replace("mode: create", "mode: upsert"))
    changed = write(
        tmp_path / "o2.csv",
        text.replace(
            "SO-3,Acme,2024-03-03,Widget,10,", "SO-3,Acme,2024-03-03,Widget,12,"
        ),
    )
    result = load_file(changed, upsert, client=client)
    assert (result.summary.unchanged, result.summary.updated) == (2, 1)
    after = _orders(client)
    line = after["SO-3"]["LineItems"][0]
    assert line["Quantity"] == 12
    assert line["Id"] == before["SO-3"]["LineItems"][0]["Id"]
    assert after["SO-1"] == before["SO-1"]
