"""Derive the shipment file a warehouse would have sent for Northwind's orders.

Usage: ``python tools/derive_shipments.py sample_data/northwind``

Writes ``shipments.csv`` beside the Northwind files: one row per order line of
every order that has a shipped date, with the carrier from shippers.csv and the
order's freight repeated on each row of its shipment. Northwind has no tracking
numbers, so one is made up from the order number (``NW`` + order id + ``S``).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path


def main(folder: Path) -> None:
    def rows(name: str) -> list[dict[str, str]]:
        with (folder / name).open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    shippers = {r["shipperID"]: r["companyName"] for r in rows("shippers.csv")}
    products = {r["productID"]: r["productName"] for r in rows("products.csv")}
    lines: dict[str, list[dict[str, str]]] = {}
    for line in rows("order_details.csv"):
        lines.setdefault(line["orderID"], []).append(line)
    out = folder / "shipments.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(
            [
                "shipment_id",
                "order_no",
                "sku",
                "qty_shipped",
                "ship_date",
                "carrier",
                "freight",
                "tracking_no",
            ]
        )
        count = 0
        for order in rows("orders.csv"):
            if order["shippedDate"] == "NULL":
                continue
            for line in lines[order["orderID"]]:
                writer.writerow(
                    [
                        f"SHP-{order['orderID']}",
                        order["orderID"],
                        products[line["productID"]],
                        line["quantity"],
                        order["shippedDate"][:10],
                        shippers[order["shipVia"]],
                        order["freight"],
                        f"NW{order['orderID']}S",
                    ]
                )
                count += 1
    print(f"wrote {count} shipment lines to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
