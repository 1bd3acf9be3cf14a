"""The company setup a fresh sandbox starts with: rows of list-only record types.

The API has no endpoint to create these (an admin sets them up in the Order
Time UI), so the sandbox seeds a few sensible rows once, when its store is
new; ``Sandbox(lists=...)`` and ``ot-etl sandbox serve --lists`` add more.
"""

from __future__ import annotations

from ot_etl.sandbox.records import Records

_INITIALISED = "meta:initialised"

DEFAULT_LISTS: dict[str, list[str]] = {
    "Sales Rep": ["House Account", "Jane Seller"],
    "Ship Method": ["UPS Ground", "FedEx 2Day", "Will Call"],
    "Term": ["Net 30", "Net 15", "Due on Receipt"],
    "Sales Tax Code": ["Tax", "Non"],
    "Item Group": ["General", "Finished Goods"],
    "UOM": ["Each", "Case", "Box"],
    "UOM Set": ["Each"],
    "Location": ["Main Warehouse"],
    "Customer Type": ["Retail", "Wholesale"],
    "Price Level": ["Retail", "Wholesale"],
    "Class": ["East", "West"],
    "Currency": ["USD", "EUR", "CAD"],
    "Account": [
        "Inventory Asset",
        "Cost of Goods Sold",
        "Sales Income",
        "Expenses",
        "Accounts Receivable",
        "Accounts Payable",
    ],
    "Doc Status": ["Open", "Approved", "Shipped", "Closed"],
}


def initialise(records: Records) -> None:
    """Seed ``DEFAULT_LISTS`` the first time a store is opened, never again."""
    store = records.store
    with store.write():
        first = store.next_value(_INITIALISED) == 1
    if first:
        records.ensure_lists(DEFAULT_LISTS)
