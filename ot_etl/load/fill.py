"""Which sales-order lines a shipment fills: pure allocation, no I/O.

A shipment (one ship doc) is a list of :class:`Wanted` rows: an order key, an
item and a quantity shipped. Each row is resolved against the order's lines:

* the order must exist (one order for the key; a CustomerPO shared by several
  orders is ambiguous) and must not be fully filled already;
* the item must be on the order; an item on several lines fills them in line
  order, each at most up to its open quantity;
* the quantity may not exceed what is open on the item's lines, counting what
  existing ship docs and earlier rows of this run took;
* every order of one shipment belongs to the same customer (a ship doc has
  one).

A shipment is filled whole or not at all: one row that cannot be filled
rejects every row of it, each with its own reason. Open quantities are only
taken once the whole shipment fits, so a rejected shipment leaves them as
they were for the shipments after it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SALES_ORDER = 7
EPSILON = 1e-9

LineKey = tuple[int, int]
"""(sales order DocNo, LineNo)."""


@dataclass(frozen=True)
class OrderLine:
    line_no: int
    item_id: int | None
    item: str
    ordered: float
    price: Any


@dataclass(frozen=True)
class Order:
    doc_no: int
    customer: Mapping[str, Any]
    lines: tuple[OrderLine, ...]

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Order:
        """An order from a ``/list`` record with its line items."""
        lines = tuple(
            OrderLine(
                line_no=int(li["LineNo"]),
                item_id=(li.get("ItemRef") or {}).get("Id"),
                item=str((li.get("ItemRef") or {}).get("Name") or ""),
                ordered=float(li.get("Quantity") or 0),
                price=li.get("Price"),
            )
            for li in record.get("LineItems") or []
        )
        customer = dict(record.get("CustomerRef") or {})
        return cls(int(record["DocNo"]), customer, lines)

    @property
    def customer_label(self) -> str:
        return str(self.customer.get("Name") or self.customer.get("Id"))


@dataclass(frozen=True)
class Wanted:
    """One source row of a shipment: what it says was shipped."""

    position: int  # frame position
    order_key: str
    item: str  # the item's name, or its Id as text (``item_is_id``)
    quantity: float
    line: Mapping[str, Any]  # the row's mapped line fields
    item_is_id: bool = False


@dataclass(frozen=True)
class Fill:
    """One ship-doc line: ``quantity`` of an order line, and what stays open."""

    position: int
    doc_no: int
    line_no: int
    item: str
    quantity: float
    open_after: float


@dataclass
class Shipment:
    """The outcome of one shipment: its fills, or a reason per rejected row."""

    fills: list[Fill] = field(default_factory=list)
    reasons: dict[int, list[str]] = field(default_factory=dict)
    lines: list[dict[str, Any]] = field(default_factory=list)
    customer: Mapping[str, Any] | None = None
    still_open: list[tuple[int, int, str, float]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.reasons


def num(value: float) -> str:
    """A quantity as a person writes it: 12, 2.5."""
    return f"{value:g}"


class Allocator:
    """Open quantities per order line, taken shipment by shipment."""

    def __init__(
        self,
        orders: Mapping[str, Sequence[Order]],
        filled: Mapping[LineKey, float],
        order_field: str = "DocNo",
        explain: Callable[[str], str] | None = None,
    ) -> None:
        self.orders = orders
        self.order_field = order_field
        # Why an order is missing, when an earlier load knows ("; rejected by...").
        self.explain = explain or (lambda key: "")
        self.open: dict[LineKey, float] = {}
        for candidates in orders.values():
            for order in candidates:
                for ln in order.lines:
                    key = (order.doc_no, ln.line_no)
                    self.open[key] = ln.ordered - filled.get(key, 0.0)

    def ship(self, wants: Sequence[Wanted]) -> Shipment:
        """Fill one shipment's rows, or reject it whole with a reason per row."""
        out = Shipment()
        taken: dict[LineKey, float] = {}
        touched: dict[int, Order] = {}
        for want in wants:
            order, reason = self._order(want)
            if order is not None:
                reason = self._customer(order, out) or self._take(
                    want, order, taken, out
                )
                touched.setdefault(order.doc_no, order)
            if reason:
                out.reasons[want.position] = [reason]
        if out.reasons:
            bad = sorted(out.reasons)
            for want in wants:
                out.reasons.setdefault(want.position, [_companion(len(bad))])
            out.fills, out.lines = [], []
            return out
        for key, quantity in taken.items():
            self.open[key] -= quantity
        out.fills = [
            Fill(f.position, f.doc_no, f.line_no, f.item, f.quantity, self._open(f))
            for f in out.fills
        ]
        out.still_open = [
            (o.doc_no, ln.line_no, ln.item, self.open[(o.doc_no, ln.line_no)])
            for o in touched.values()
            for ln in o.lines
            if self.open[(o.doc_no, ln.line_no)] > EPSILON
        ]
        return out

    def _open(self, fill: Fill) -> float:
        return max(self.open[(fill.doc_no, fill.line_no)], 0.0)

    def _order(self, want: Wanted) -> tuple[Order | None, str]:
        found = self.orders.get(want.order_key) or []
        label = want.order_key if self.order_field == "DocNo" else repr(want.order_key)
        if not found:
            return None, (
                f"unknown order: no Sales Order with {self.order_field} {label}"
                + self.explain(want.order_key)
            )
        if len(found) > 1:
            numbers = ", ".join(str(o.doc_no) for o in found)
            return None, (
                f"order {label} is ambiguous: Sales Orders {numbers} have "
                f"{self.order_field} {label}; name the order by its DocNo"
            )
        order = found[0]
        if all(self.open[(order.doc_no, ln.line_no)] <= EPSILON for ln in order.lines):
            return None, f"Sales Order {order.doc_no} is fully filled already"
        return order, ""

    def _customer(self, order: Order, out: Shipment) -> str:
        if out.customer is None:
            out.customer = order.customer
            return ""
        if out.customer.get("Id") == order.customer.get("Id"):
            return ""
        first = out.customer.get("Name") or out.customer.get("Id")
        return (
            f"Sales Order {order.doc_no} belongs to customer "
            f"{order.customer_label!r}, not {first!r} like the shipment's first "
            "order; a ship doc has one customer: ship them separately"
        )

    def _take(
        self,
        want: Wanted,
        order: Order,
        taken: dict[LineKey, float],
        out: Shipment,
    ) -> str:
        lines = [ln for ln in order.lines if _same_item(ln, want)]
        if not lines:
            items = ", ".join(dict.fromkeys(ln.item for ln in order.lines))
            return (
                f"item {want.item!r} is not on Sales Order {order.doc_no} "
                f"(its items: {items})"
            )
        keys = [(order.doc_no, ln.line_no) for ln in lines]
        free = [max(self.open[k] - taken.get(k, 0.0), 0.0) for k in keys]
        if want.quantity > sum(free) + EPSILON:
            where = "" if len(lines) == 1 else f" (lines {_nums(lines)})"
            return (
                f"quantity {num(want.quantity)} of {lines[0].item!r} is more than "
                f"the {num(sum(free))} still open on Sales Order {order.doc_no}"
                f"{where}"
            )
        left = want.quantity
        for ln, key, room in zip(lines, keys, free, strict=True):
            part = min(left, room)
            if part <= EPSILON:
                continue
            taken[key] = taken.get(key, 0.0) + part
            left -= part
            out.fills.append(
                Fill(want.position, order.doc_no, ln.line_no, ln.item, part, 0.0)
            )
            out.lines.append(_line(want, order, ln, part))
        return ""


def _same_item(line: OrderLine, want: Wanted) -> bool:
    if want.item_is_id:
        return str(line.item_id) == want.item
    return _fold(line.item) == _fold(want.item)


def _fold(name: str) -> str:
    # As the loader's own name lookup: case and inner spacing ignored.
    return " ".join(name.split()).casefold()


def _nums(lines: Sequence[OrderLine]) -> str:
    return ", ".join(str(ln.line_no) for ln in lines)


def _companion(bad: int) -> str:
    return (
        f"not loaded: {bad} row(s) of this shipment cannot be filled, and a "
        "shipment is loaded whole or not at all"
    )


def _line(
    want: Wanted, order: Order, line: OrderLine, quantity: float
) -> dict[str, Any]:
    """The ship-doc line: the row's mapped fields, linked to the order line."""
    out = copy.deepcopy(dict(want.line))
    out["ItemRef"] = {"Id": line.item_id, "Name": line.item}
    out["Quantity"] = int(quantity) if float(quantity).is_integer() else quantity
    if "Price" not in out and line.price is not None:
        out["Price"] = line.price
    out["LinkedInfo"] = {
        "TranType": SALES_ORDER,
        "DocNo": order.doc_no,
        "LineNo": line.line_no,
    }
    return out
