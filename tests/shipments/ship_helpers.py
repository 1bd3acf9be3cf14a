"""Shared bits of the shipment tests: a small order book, a mapping, CSV files."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pandas as pd

from ot_etl.extract import read_frame

SO_LINE = "AOLib7.SalesOrderLineItem, AOLib7"
HEADER = ["shipment", "order", "sku", "qty", "date", "carrier", "tracking"]

MAPPING = """\
record_type: shipdoc
mode: create
match:
  fields: [TrackingNo]
  case: sensitive
fill:
  order: order
  by: {by}
schema:
  columns:
    shipment: {{dtype: str, nullable: false}}
    order: {{dtype: str, nullable: false}}
    sku: {{dtype: str, nullable: false}}
    qty: {{dtype: float64, nullable: false, checks: {{gt: 0}}}}
    date: {{dtype: datetime64, nullable: false}}
    carrier: {{dtype: str, nullable: true}}
    tracking: {{dtype: str, nullable: true}}
fields:
  Date: date
  ShipMethodRef.Name: carrier
  TrackingNo: tracking
documents:
  group_by: [shipment]
  lines:
    ItemRef.Name: sku
    Quantity: qty
"""


def mapping(folder: Path, by: str = "DocNo") -> Path:
    path = folder / f"shipments_{by}.yaml"
    path.write_text(MAPPING.format(by=by), encoding="utf-8")
    return path


def shipment_csv(folder: Path, rows: list[tuple[Any, ...]], name: str) -> Path:
    """Rows of (shipment, order, sku, qty); date, carrier and tracking added."""
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(HEADER)
        for shipment, order, sku, qty in rows:
            out.writerow(
                [shipment, order, sku, qty, "2024-03-05", "UPS Ground", f"T-{shipment}"]
            )
    return path


def order_book(client: Any) -> None:
    """Customers A and B; Sales Orders 1-4 (Chai sits on two lines of 1)."""
    for name in ("A", "B"):
        client.create("customer", {"Name": name})
    for name in ("Chai", "Chang", "Tofu"):
        client.create(
            "partitem", {"Name": name, "ItemGroupRef": {"Name": "General"}, "Price": 5}
        )
    orders = [
        ("A", None, [("Chai", 10, 4.5), ("Chang", 5, 7), ("Chai", 4, 4.25)]),
        ("A", "PO-7", [("Tofu", 3, 2)]),
        ("B", "PO-9", [("Chai", 2, 5)]),
        ("B", "PO-9", [("Chang", 1, 5)]),
    ]
    for customer, po, lines in orders:
        body: dict[str, Any] = {
            "CustomerRef": {"Name": customer},
            "Date": "2024-03-01",
            "PromiseDate": "2024-03-08",
            "LineItems": [
                {"$type": SO_LINE, "ItemRef": {"Name": i}, "Quantity": q, "Price": p}
                for i, q, p in lines
            ],
        }
        if po:
            body["CustomerPO"] = po
        client.create("salesorder", body)


def ship_lines(client: Any) -> pd.DataFrame:
    """Every ship-doc line as exported: ship doc, order, order line, item, qty."""
    _, lines = read_frame("shipdoc", client=client, include_lines=True)
    return lines


def filled(client: Any) -> dict[tuple[int, int], float]:
    """Quantity filled per (order, order line), from the exported ship docs."""
    lines = ship_lines(client)
    out: dict[tuple[int, int], float] = {}
    for doc, line, qty in zip(
        lines["LinkedInfo.DocNo"],
        lines["LinkedInfo.LineNo"],
        lines["Quantity"],
        strict=True,
    ):
        key = (int(doc), int(line))
        out[key] = out.get(key, 0.0) + float(qty)
    return out
