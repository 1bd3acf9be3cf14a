"""A reference to a record whose own row was rejected says so, with that reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from load_helpers import write

from ot_etl.load import load_file
from ot_etl.mapping import parse_mapping

CUSTOMERS = """\
record_type: customer
mode: create
match: {fields: [Name]}
schema:
  columns:
    name: {dtype: str, nullable: false}
    city: {dtype: str, nullable: true, checks: {str_matches: '^[^0-9]'}}
fields:
  Name: name
  BillAddress.City: city
"""

ORDERS = """\
record_type: salesorder
mode: create
fields:
  CustomerRef.Name: customer
  Date: date
  PromiseDate: date
documents:
  group_by: [order]
  lines:
    ItemRef.Name: item
    Quantity: qty
    Price: price
"""


def test_order_of_a_rejected_customer_carries_its_reason(
    tmp_path: Path, client: Any
) -> None:
    client.create("partitem", {"Name": "Chai", "ItemGroupRef": {"Name": "General"}})
    customers = write(
        tmp_path / "customers.csv", "name,city\nAcme,Paris\nQue Delicia,12 Rio\n"
    )
    orders = write(
        tmp_path / "orders.csv",
        "order,customer,item,qty,price,date\n1,Acme,Chai,2,5,2024-01-02\n"
        "2,Que Delicia,Chai,3,5,2024-01-02\n3,Nobody,Chai,1,5,2024-01-02\n",
    )
    first = load_file(customers, parse_mapping(CUSTOMERS), client=client)
    assert (first.counts["created"], first.counts["invalid"]) == (1, 1)

    second = load_file(orders, parse_mapping(ORDERS), client=client)

    assert (second.counts["created"], second.counts["unresolved"]) == (1, 2)
    reasons = dict(
        zip(second.rejects["order"], second.rejects["_reasons"], strict=True)
    )
    assert reasons["2"] == (
        "CustomerRef: no Customer named 'Que Delicia'; rejected by an earlier "
        "load: customers.csv row 3: city: must match the pattern '^[^0-9]' "
        "(str_matches('^[^0-9]'))"
    )
    # A name no earlier load rejected keeps the plain reason (with hints).
    assert reasons["3"].startswith("CustomerRef: no Customer named 'Nobody'")
    assert "earlier load" not in reasons["3"]
