"""Northwind's own checks: line amounts and which orders the shipments filled.

Line amounts: Northwind's extended price is ``unitPrice * quantity *
(1 - discount)``; the order mapping posts the net unit price, so the
export's ``Quantity * Price`` must give the same sum for the orders that
loaded (compared to the cent).

Fills: an order is filled when every one of its exported lines has ship-doc
lines (linked by ``LinkedInfo.DocNo``/``LineNo``) adding up to its quantity.
The orders that must end filled are exactly the loaded ones with a shipped
date in ``orders.csv``; the rest stay open.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Amounts:
    """Sums of line amounts, to the cent."""

    source_all: float
    source_loaded: float
    source_rejected: float
    exported: float

    @property
    def agrees(self) -> bool:
        return round(self.source_loaded, 2) == round(self.exported, 2)

    def line(self) -> str:
        verdict = "(equal to the cent)" if self.agrees else "(MISMATCH)"
        return (
            f"line amounts: source {self.source_all:,.2f} = loaded "
            f"{self.source_loaded:,.2f} + rejected {self.source_rejected:,.2f}; "
            f"exported {self.exported:,.2f} {verdict}"
        )


@dataclass(frozen=True)
class Fills:
    """Loaded orders filled / open, against what ``orders.csv`` says shipped."""

    filled: int
    open: int
    shipped_in_source: int
    unshipped_in_source: int

    @property
    def agrees(self) -> bool:
        return (self.filled, self.open) == (
            self.shipped_in_source,
            self.unshipped_in_source,
        )

    def line(self) -> str:
        verdict = "ok" if self.agrees else "MISMATCH"
        return (
            f"orders filled: {self.filled:,} (loaded with a shipped date: "
            f"{self.shipped_in_source:,}); open: {self.open:,} (without one: "
            f"{self.unshipped_in_source:,}) {verdict}"
        )


def order_details(data_dir: Path) -> pd.DataFrame:
    details = pd.read_csv(data_dir / "order_details.csv", dtype={"orderID": str})
    details["amount"] = (
        details["unitPrice"] * details["quantity"] * (1 - details["discount"])
    )
    return details


def loaded_order_numbers(export_dir: Path) -> set[str]:
    heads = pd.read_parquet(export_dir / "salesorder.parquet", columns=["DocNo"])
    return set(heads["DocNo"].astype(str))


def amounts(data_dir: Path, export_dir: Path) -> tuple[pd.Series, Amounts]:
    """Per source line whether its order loaded, and the amount sums."""
    details = order_details(data_dir)
    is_loaded = details["orderID"].isin(loaded_order_numbers(export_dir))
    lines = pd.read_parquet(
        export_dir / "salesorder_lines.parquet", columns=["Quantity", "Price"]
    )
    sums = Amounts(
        source_all=float(details["amount"].sum()),
        source_loaded=float(details.loc[is_loaded, "amount"].sum()),
        source_rejected=float(details.loc[~is_loaded, "amount"].sum()),
        exported=float((lines["Quantity"] * lines["Price"]).sum()),
    )
    return is_loaded, sums


def fills(data_dir: Path, export_dir: Path) -> Fills:
    orders = pd.read_csv(
        data_dir / "orders.csv", dtype=str, keep_default_na=False, na_values=["NULL"]
    )
    loaded = loaded_order_numbers(export_dir)
    orders = orders[orders["orderID"].isin(loaded)]
    shipped = int(orders["shippedDate"].notna().sum())
    so_lines = pd.read_parquet(
        export_dir / "salesorder_lines.parquet", columns=["DocNo", "LineNo", "Quantity"]
    )
    ship_lines = pd.read_parquet(
        export_dir / "shipdoc_lines.parquet",
        columns=["LinkedInfo.DocNo", "LinkedInfo.LineNo", "Quantity"],
    )
    shipped_qty = (
        ship_lines.groupby(["LinkedInfo.DocNo", "LinkedInfo.LineNo"])["Quantity"]
        .sum()
        .rename_axis(["DocNo", "LineNo"])
    )
    ordered = so_lines.set_index(["DocNo", "LineNo"])["Quantity"]
    left = ordered.sub(shipped_qty, fill_value=0)
    open_orders = {str(d) for d in left[left > 0].index.get_level_values(0)}
    all_orders = {str(d) for d in so_lines["DocNo"]}
    return Fills(
        filled=len(all_orders - open_orders),
        open=len(open_orders),
        shipped_in_source=shipped,
        unshipped_in_source=len(orders) - shipped,
    )
