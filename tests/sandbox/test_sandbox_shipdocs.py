"""Ship docs fill sales-order lines: link rules with exact messages, fills."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_helpers import Api, make_customer, make_item, make_order, so_line

SHIP_LINE = "AOLib7.ShipDocLineItem, AOLib7"


@pytest.fixture
def ordered(api: Api) -> Api:
    make_customer(api, "A")
    make_customer(api, "B")
    make_item(api, "Chai")
    make_item(api, "Chang")
    make_order(api, "A", so_line("Chai", 3), so_line("Chang", 5))
    return api


def line(
    quantity: float,
    doc_no: int = 1,
    line_no: int = 1,
    item: int = 1,
    tran_type: int | None = 7,
) -> dict[str, Any]:
    link: dict[str, Any] = {"DocNo": doc_no, "LineNo": line_no}
    if tran_type is not None:
        link["TranType"] = tran_type
    return {
        "$type": SHIP_LINE,
        "ItemRef": {"Id": item},
        "Price": 10.0,
        "Quantity": quantity,
        "LinkedInfo": link,
    }


def ship(api: Api, *lines: dict[str, Any], customer: int = 1, **extra: Any) -> Any:
    body = {
        "CustomerRef": {"Id": customer},
        "Date": "2024-03-05",
        "LineItems": list(lines),
        **extra,
    }
    return api.post("/shipdoc", body)


def problem(r: Any) -> list[tuple[str, str]]:
    assert r.status_code == 409, r.text
    return [(p["PropertyName"], p["Message"]) for p in r.json()]


def test_a_ship_doc_fills_order_lines(ordered: Api) -> None:
    r = ship(ordered, line(2), line(5, line_no=2, item=2), TrackingNo="1Z999")
    assert r.status_code == 200, r.text
    doc = r.json()
    assert (doc["DocNo"], doc["SONo"], doc["ShipToRef"]) == (
        1,
        1,
        {"Id": 1, "Name": "Primary"},
    )
    assert [
        (ln["$type"], ln["Id"], ln["LineNo"], ln["TranType"], ln["DocNo"])
        for ln in doc["LineItems"]
    ] == [(SHIP_LINE, 1, 1, 4, 1), (SHIP_LINE, 2, 2, 4, 1)]
    assert doc["LineItems"][0]["LinkedInfo"] == {
        "TranType": 7,
        "DocNo": 1,
        "LineNo": 1,
        "PromiseDate": None,
    }
    rows = ordered.rows({"Type": 4, "IncludeLineItems": True})
    assert [ln["Quantity"] for ln in rows[0]["LineItems"]] == [2, 5]
    assert ordered.rows({"Type": 4})[0]["LineItems"] == []


def test_over_fill_counts_other_ship_docs_and_earlier_lines(ordered: Api) -> None:
    assert ship(ordered, line(2)).status_code == 200
    assert problem(ship(ordered, line(2))) == [
        (
            "LineItems[1].LinkedInfo",
            "LineItems[1]: quantity 2 is more than the 1 still open "
            "on Sales Order 1 line 1",
        )
    ]
    assert problem(ship(ordered, line(1), line(0.5))) == [
        (
            "LineItems[2].LinkedInfo",
            "LineItems[2]: quantity 0.5 is more than the 0 still open "
            "on Sales Order 1 line 1",
        )
    ]
    r = ship(ordered, line(1))
    assert r.status_code == 200
    assert r.json()["DocNo"] == 2
    assert (
        ordered.rows(
            {"Type": 4, "Filters": [{"PropertyName": "SONo", "FilterValueArray": 1}]}
        )[1]["DocNo"]
        == 2
    )


def test_deleting_a_ship_doc_releases_its_quantities(ordered: Api) -> None:
    assert ship(ordered, line(3)).status_code == 200
    assert problem(ship(ordered, line(1)))[0][1].endswith(
        "quantity 1 is more than the 0 still open on Sales Order 1 line 1"
    )
    assert ordered.delete("/shipdoc?docNo=1").text == "true"
    assert ship(ordered, line(3)).status_code == 200


@pytest.mark.parametrize(
    ("bad", "customer", "message"),
    [
        (line(1, doc_no=9), 1, "LineItems[1]: no Sales Order with DocNo 9"),
        (line(1, line_no=7), 1, "LineItems[1]: Sales Order 1 has no line 7"),
        (line(1), 2, "LineItems[1]: Sales Order 1 belongs to customer 1, not 2"),
        (
            line(1, item=2),
            1,
            "LineItems[1]: the item 'Chang' differs from 'Chai' "
            "on Sales Order 1 line 1",
        ),
        (
            line(-2),
            1,
            "LineItems[1]: quantity -2 cannot fill Sales Order 1 line 1; it must "
            "be more than 0",
        ),
        (
            line(1, tran_type=13),
            1,
            "LineItems[1]: LinkedInfo with TranType 7, DocNo and LineNo is required",
        ),
    ],
)
def test_link_rules(
    ordered: Api, bad: dict[str, Any], customer: int, message: str
) -> None:
    assert problem(ship(ordered, bad, customer=customer)) == [
        ("LineItems[1].LinkedInfo", message)
    ]


def test_put_keeps_what_a_put_cannot_change(ordered: Api) -> None:
    doc = ship(ordered, line(2), TrackingNo="1Z999").json()
    doc["TrackingNo"] = "changed"
    doc["StatusRef"] = {"Name": "Shipped"}
    doc["Memo"] = "left at the door"
    doc["LineItems"] = [line(3)]
    saved = ordered.put("/shipdoc", doc).json()
    assert (saved["TrackingNo"], saved["StatusRef"], saved["Memo"]) == (
        "1Z999",
        {"Id": 3, "Name": "Shipped"},
        "left at the door",
    )
    assert [ln["Quantity"] for ln in saved["LineItems"]] == [2]
    # Its own fill is not counted twice, and it still holds 2 of the 3.
    assert problem(ship(ordered, line(2)))[0][1].endswith(
        "the 1 still open on Sales Order 1 line 1"
    )


def test_unlinked_lines_are_allowed(ordered: Api) -> None:
    unlinked = {
        "$type": SHIP_LINE,
        "ItemRef": {"Name": "Chai"},
        "Price": 1,
        "Quantity": 50,
    }
    r = ship(ordered, unlinked)
    assert r.status_code == 200
    assert r.json()["SONo"] is None
