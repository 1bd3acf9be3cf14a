"""Single records: create, read, holistic PUT, delete, and the 409 rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sandbox_helpers import (
    SO_LINE,
    Api,
    FrozenClock,
    make_customer,
    make_item,
    make_order,
    so_line,
)

from ot_etl.sandbox import Sandbox


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 18, 12, 0))


@pytest.fixture
def timed(clock: FrozenClock) -> Iterator[Api]:
    ready = clock.now
    clock.now = datetime(2026, 3, 1)  # the company setup happens before
    with Sandbox(clock=clock) as sb:
        clock.now = ready
        api = Api(sb.client_kwargs())
        yield api
        api.close()


def test_create_get_and_primary_address(timed: Api, clock: FrozenClock) -> None:
    made = make_customer(
        timed,
        "Alfreds",
        BillAddress={"City": "Berlin", "Zip": "12209"},
        CreditLimit=500,
    )
    assert (made["Id"], made["IsActive"]) == (1, True)
    assert made["RecordInfo"] == {
        "CreatedDate": "2026-03-18T12:00:00.000000",
        "ModifiedDate": "2026-03-18T12:00:00.000000",
    }
    assert timed.get("/customer?id=1").json() == made
    address = timed.get("/customeraddress?customerId=1&id=1").json()
    assert (address["Name"], address["City"], address["Zip"], address["IsPrimary"]) == (
        "Primary",
        "Berlin",
        "12209",
        True,
    )
    assert address["CustomerRef"] == {"Id": 1, "Name": "Alfreds"}
    assert timed.get("/customeraddress?customerId=2&id=1").status_code == 404


def test_validation_gathers_every_problem(api: Api) -> None:
    make_customer(api, "Taken")
    r = api.post(
        "/customer",
        {
            "Name": "Taken",
            "CompanyName": "x" * 51,
            "TermRef": {"Name": "Net 99"},
            "SalesRepRef": {"Id": 77},
            "BillAddress": {"Addr1": "y" * 60},
        },
    )
    assert r.status_code == 409
    assert r.json() == [
        {
            "PropertyName": "CompanyName",
            "Message": "CompanyName exceeds 50 characters",
            "Value": "x" * 51,
        },
        {
            "PropertyName": "BillAddress.Addr1",
            "Message": "BillAddress.Addr1 exceeds 50 characters",
            "Value": "y" * 60,
        },
        {
            "PropertyName": "SalesRepRef",
            "Message": "SalesRepRef: no Sales Rep with Id 77",
            "Value": "77",
        },
        {
            "PropertyName": "TermRef",
            "Message": "TermRef: no Term with Name 'Net 99'",
            "Value": "Net 99",
        },
        {
            "PropertyName": "Name",
            "Message": "A Customer named 'Taken' already exists",
            "Value": "Taken",
        },
    ]
    r = api.post("/customer", {"CompanyName": "no name"})
    assert r.json() == [
        {"PropertyName": "Name", "Message": "Name is required", "Value": ""}
    ]
    assert api.put("/list", {"Type": 120}).text == "1"


def test_wrong_json_types_are_400(api: Api) -> None:
    r = api.post(
        "/customer",
        {"Name": 12, "CreditLimit": "lots", "IsActive": "yes", "TermRef": "Net 30"},
    )
    assert r.status_code == 400
    assert r.json()["Message"] == (
        "Name: expected a string, got 12; "
        'TermRef: expected an EntityRef object {"Id": .., "Name": ..}, got "Net 30"; '
        'CreditLimit: expected a number, got "lots"; '
        'IsActive: expected true or false, got "yes"'
    )


def test_put_is_holistic_and_keeps_created_date(timed: Api, clock: FrozenClock) -> None:
    made = make_customer(timed, "Ana", CompanyName="Ana SA", TermRef={"Name": "Net 30"})
    assert made["TermRef"] == {"Id": 1, "Name": "Net 30"}
    clock.now = datetime(2026, 3, 19, 8, 30)
    saved = timed.put("/customer", {"Id": 1, "Name": "Ana Trujillo"}).json()
    assert (saved["Name"], saved["CompanyName"], saved["TermRef"]) == (
        "Ana Trujillo",
        None,
        None,
    )
    assert saved["RecordInfo"] == {
        "CreatedDate": "2026-03-18T12:00:00.000000",
        "ModifiedDate": "2026-03-19T08:30:00.000000",
    }
    by_query = timed.put("/customer?id=1", {"Name": "Ana T"})
    assert by_query.json()["Name"] == "Ana T"
    assert timed.put("/customer", {"Name": "Who"}).json() == {
        "Message": "The record has no Id: a PUT must say which record it replaces"
    }
    assert timed.put("/customer", {"Id": 9, "Name": "Ghost"}).status_code == 404


def test_delete_returns_true_and_removes_addresses(api: Api) -> None:
    make_customer(api, "Gone")
    r = api.delete("/customer?id=1")
    assert (r.status_code, r.text) == (200, "true")
    assert api.get("/customer?id=1").json() == {"Message": "No Customer with Id 1"}
    assert api.put("/list", {"Type": 121}).text == "0"
    assert api.delete("/customer?id=1").status_code == 404


def test_item_names_are_unique_across_kinds_and_item_all_lists_them(api: Api) -> None:
    make_item(api, "Chai")
    r = api.post("/serviceitem", {"Name": "Chai", "ItemGroupRef": {"Name": "General"}})
    assert r.json() == [
        {
            "PropertyName": "Name",
            "Message": "A Part Item named 'Chai' already exists",
            "Value": "Chai",
        }
    ]
    make_item(api, "Setup", path="/serviceitem")
    make_item(api, "Chang")
    assert api.ids({"Type": 115}) == [1, 2, 3]
    assert api.ids({"Type": 101}) == [1, 3]
    assert api.ids({"Type": 105}) == [2]
    assert api.get("/serviceitem?id=1").status_code == 404
    assert api.get("/serviceitem?id=2").json()["IsActive"] is True
    order = make_order(api, "A" if make_customer(api, "A") else "", so_line("Setup"))
    assert order["LineItems"][0]["ItemRef"] == {"Id": 2, "Name": "Setup"}


def test_item_without_group_needs_accounts_and_units(api: Api) -> None:
    r = api.post("/partitem", {"Name": "Bare"})
    assert [p["Message"] for p in r.json()] == [
        "ItemGroupRef is required",
        "AssetAccountRef is required",
        "COGSAccountRef is required",
        "IncomeAccountRef is required",
        "UomRef or UomSetRef is required when ItemGroupRef is not given",
    ]


def test_sales_order_lines_and_defaults(api: Api) -> None:
    make_customer(api, "Alfreds", TermRef={"Name": "Net 30"})
    make_item(api, "Chai", 18)
    order = make_order(api, "Alfreds", so_line("Chai", 3, 18), so_line("Chai", 1, 17.5))
    assert order["DocNo"] == 1
    assert order["ShipToRef"] == {"Id": 1, "Name": "Primary"}
    assert order["TermRef"] == {"Id": 1, "Name": "Net 30"}
    assert order["Date"] == "2024-03-01T00:00:00"
    lines = order["LineItems"]
    assert [(ln["$type"], ln["Id"], ln["LineNo"], ln["Quantity"]) for ln in lines] == [
        (SO_LINE, 1, 1, 3),
        (SO_LINE, 2, 2, 1),
    ]
    assert list(lines[0])[:3] == ["$type", "Id", "LineNo"]


def test_sales_order_line_rules(api: Api) -> None:
    make_customer(api, "Alfreds")
    make_item(api, "Chai")
    no_tag = {"ItemRef": {"Name": "Chai"}, "Quantity": 1, "Price": 1}
    wrong_tag = {**no_tag, "$type": "AOLib7.PurchaseOrderLineItem, AOLib7"}
    r = api.post(
        "/salesorder",
        {
            "CustomerRef": {"Name": "Alfreds"},
            "Date": "2024-01-01",
            "LineItems": [no_tag, wrong_tag, so_line("Nope")],
        },
    )
    assert r.status_code == 409
    assert r.json() == [
        {
            "PropertyName": "PromiseDate",
            "Message": "PromiseDate is required",
            "Value": "",
        },
        {
            "PropertyName": "LineItems[1].$type",
            "Message": "LineItems[1]: $type is required "
            "('AOLib7.SalesOrderLineItem, AOLib7')",
            "Value": "",
        },
        {
            "PropertyName": "LineItems[2].$type",
            "Message": "LineItems[2]: $type must be "
            "'AOLib7.SalesOrderLineItem, AOLib7', "
            "got 'AOLib7.PurchaseOrderLineItem, AOLib7'",
            "Value": "AOLib7.PurchaseOrderLineItem, AOLib7",
        },
        {
            "PropertyName": "LineItems[3].ItemRef",
            "Message": "LineItems[3].ItemRef: no Item with Name 'Nope'",
            "Value": "Nope",
        },
    ]
    r = api.post(
        "/salesorder",
        {
            "CustomerRef": {"Name": "Nobody"},
            "Date": "2024-01-01",
            "PromiseDate": "2024-01-02",
        },
    )
    assert [p["Message"] for p in r.json()] == [
        "CustomerRef: no Customer with Name 'Nobody'",
        "ShipToRef is required",
    ]


def test_ship_to_resolves_among_the_customers_addresses(api: Api) -> None:
    make_customer(api, "A")
    make_customer(api, "B")
    make_item(api, "Chai")
    wa = api.create("/customeraddress", {"CustomerRef": {"Id": 1}, "Name": "Warehouse"})
    wb = api.create("/customeraddress", {"CustomerRef": {"Id": 2}, "Name": "Warehouse"})
    assert (wa["Id"], wb["Id"]) == (3, 4)
    dup = api.post("/customeraddress", {"CustomerRef": {"Id": 1}, "Name": "Warehouse"})
    assert (
        dup.json()[0]["Message"]
        == "Customer 1 already has an address named 'Warehouse'"
    )
    order = make_order(api, "B", so_line("Chai"), ShipToRef={"Name": "Warehouse"})
    assert order["ShipToRef"] == {"Id": 4, "Name": "Warehouse"}
    r = api.post(
        "/salesorder",
        {
            "CustomerRef": {"Id": 1},
            "ShipToRef": {"Id": 4},
            "Date": "2024-01-01",
            "PromiseDate": "2024-01-02",
        },
    )
    assert (
        r.json()[0]["Message"] == "ShipToRef: address 4 does not belong to customer 1"
    )


def test_ambiguous_names_need_an_id(api: Api) -> None:
    make_customer(api, "A")
    api.create("/contact", {"Name": "Pat"})
    api.create("/contact", {"Name": "Pat"})
    r = api.post(
        "/salesorder",
        {
            "CustomerRef": {"Id": 1},
            "ContactRef": {"Name": "Pat"},
            "Date": "2024-01-01",
            "PromiseDate": "2024-01-02",
        },
    )
    assert r.json() == [
        {
            "PropertyName": "ContactRef",
            "Message": "ContactRef: 2 Contact records are named 'Pat'; give the Id",
            "Value": "Pat",
        }
    ]


def test_doc_numbers_chosen_by_the_client(api: Api) -> None:
    make_customer(api, "A")
    make_item(api, "Chai")
    assert make_order(api, "A", so_line("Chai"), DocNo=500)["DocNo"] == 500
    assert make_order(api, "A", so_line("Chai"))["DocNo"] == 501
    assert make_order(api, "A", so_line("Chai"), DocNo=0)["DocNo"] == 502
    r = api.post(
        "/salesorder",
        {
            "CustomerRef": {"Id": 1},
            "DocNo": 500,
            "Date": "2024-01-01",
            "PromiseDate": "2024-01-02",
        },
    )
    assert r.json() == [
        {
            "PropertyName": "DocNo",
            "Message": "DocNo 500 is already used by another Sales Order",
            "Value": "500",
        }
    ]


def test_put_keeps_fields_a_put_cannot_change(api: Api) -> None:
    make_customer(api, "A")
    make_customer(api, "B")
    make_item(api, "Chai")
    make_item(api, "Chang")
    order = make_order(api, "A", so_line("Chai", 2), so_line("Chang", 5))
    order["CustomerRef"] = {"Id": 2}
    order["Memo"] = "rush"
    order["LineItems"] = [order["LineItems"][1], so_line("Chai", 7)]
    saved = api.put("/salesorder", order).json()
    assert saved["CustomerRef"] == {"Id": 1, "Name": "A"}
    assert saved["Memo"] == "rush"
    assert [(ln["Id"], ln["LineNo"], ln["Quantity"]) for ln in saved["LineItems"]] == [
        (2, 1, 5),
        (3, 2, 7),
    ]
    assert api.get("/salesorder?docNo=1").json() == saved


def test_transaction_rows_have_lines_only_when_asked(api: Api) -> None:
    make_customer(api, "A")
    make_item(api, "Chai")
    make_order(api, "A", so_line("Chai"))
    assert api.rows({"Type": 7})[0]["LineItems"] == []
    rows = api.rows({"Type": 7, "IncludeLineItems": True})
    assert [ln["ItemRef"]["Name"] for ln in rows[0]["LineItems"]] == ["Chai"]


def test_misspelled_property_name_knob(sandbox: Sandbox, api: Api) -> None:
    sandbox.faults.misspell_property_name = True
    r = api.post("/customer", {})
    assert r.json() == [
        {"ProperyName": "Name", "Message": "Name is required", "Value": ""}
    ]


def test_contacts_do_not_inherit_the_customers_refs(api: Api) -> None:
    make_customer(api, "A", SalesRepRef={"Name": "Jane Seller"})
    contact = api.create("/contact", {"Name": "Pat", "CustomerRef": {"Name": "A"}})
    assert (contact["CustomerRef"], contact["SalesRepRef"]) == (
        {"Id": 1, "Name": "A"},
        None,
    )
