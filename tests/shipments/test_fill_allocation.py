"""Allocation of shipment rows to order lines, without a server."""

from __future__ import annotations

from ot_etl.load.fill import Allocator, Order, OrderLine, Wanted

A = {"Id": 1, "Name": "A"}
B = {"Id": 2, "Name": "B"}


def order(doc_no: int, *lines: tuple[str, float], customer: dict = A) -> Order:
    return Order(
        doc_no,
        customer,
        tuple(
            OrderLine(n, {"Chai": 1, "Chang": 2, "Tofu": 3}[item], item, qty, 4.5)
            for n, (item, qty) in enumerate(lines, start=1)
        ),
    )


def want(pos: int, key: str, item: str, qty: float) -> Wanted:
    return Wanted(pos, key, item, qty, {"$type": "t", "Quantity": qty})


def book(filled: dict | None = None) -> Allocator:
    orders = {
        "1": [order(1, ("Chai", 10), ("Chang", 5), ("Chai", 4))],
        "2": [order(2, ("Tofu", 3))],
        "3": [order(3, ("Chai", 2), customer=B)],
    }
    return Allocator(orders, filled or {})


def test_an_item_on_several_lines_fills_them_in_line_order() -> None:
    alloc = book()
    first = alloc.ship([want(0, "1", "chai", 12)])
    assert [(f.line_no, f.quantity, f.open_after) for f in first.fills] == [
        (1, 10, 0),
        (3, 2, 2),
    ]
    assert [ln["LinkedInfo"] for ln in first.lines] == [
        {"TranType": 7, "DocNo": 1, "LineNo": 1},
        {"TranType": 7, "DocNo": 1, "LineNo": 3},
    ]
    assert [(ln["Quantity"], ln["Price"]) for ln in first.lines] == [
        (10, 4.5),
        (2, 4.5),
    ]
    assert first.still_open == [(1, 2, "Chang", 5), (1, 3, "Chai", 2)]
    second = alloc.ship([want(1, "1", "Chai", 2)])
    assert [(f.line_no, f.quantity) for f in second.fills] == [(3, 2)]


def test_existing_fills_count_and_nothing_goes_past_open() -> None:
    alloc = book({(1, 1): 9, (1, 3): 4})
    shipped = alloc.ship([want(0, "1", "Chai", 2)])
    assert shipped.reasons == {
        0: [
            "quantity 2 of 'Chai' is more than the 1 still open on Sales Order 1 "
            "(lines 1, 3)"
        ]
    }
    assert alloc.ship([want(0, "1", "Chai", 1)]).ok


def test_rows_that_cannot_be_filled_reject_the_whole_shipment() -> None:
    alloc = book({(2, 1): 3})
    shipped = alloc.ship(
        [
            want(0, "1", "Chang", 2),
            want(1, "9", "Chai", 1),
            want(2, "1", "Tofu", 1),
            want(3, "1", "Chang", 4),
            want(4, "2", "Tofu", 1),
            want(5, "3", "Chai", 1),
        ]
    )
    assert shipped.reasons == {
        0: [
            "not loaded: 5 row(s) of this shipment cannot be filled, and a "
            "shipment is loaded whole or not at all"
        ],
        1: ["unknown order: no Sales Order with DocNo 9"],
        2: ["item 'Tofu' is not on Sales Order 1 (its items: Chai, Chang)"],
        3: ["quantity 4 of 'Chang' is more than the 3 still open on Sales Order 1"],
        4: ["Sales Order 2 is fully filled already"],
        5: [
            "Sales Order 3 belongs to customer 'B', not 'A' like the shipment's "
            "first order; a ship doc has one customer: ship them separately"
        ],
    }
    assert shipped.fills == [] and shipped.lines == []
    # Nothing was taken: the same rows alone still fit.
    assert alloc.ship([want(0, "1", "Chang", 5)]).ok


def test_customer_po_keys_and_ambiguity() -> None:
    orders = {
        "PO-7": [order(2, ("Tofu", 3))],
        "PO-9": [order(3, ("Chai", 2), customer=B), order(4, ("Chang", 1))],
    }
    alloc = Allocator(orders, {}, order_field="CustomerPO")
    assert alloc.ship([want(0, "PO-7", "Tofu", 3)]).ok
    assert alloc.ship([want(0, "PO-9", "Chai", 1)]).reasons == {
        0: [
            "order 'PO-9' is ambiguous: Sales Orders 3, 4 have CustomerPO 'PO-9'; "
            "name the order by its DocNo"
        ]
    }
    assert alloc.ship([want(0, "PO-1", "Chai", 1)]).reasons == {
        0: ["unknown order: no Sales Order with CustomerPO 'PO-1'"]
    }
