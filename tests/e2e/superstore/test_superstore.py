"""Superstore end to end: 9,994 order lines become customers, items and orders.

Tableau's "Sample - Superstore" sheet has one row per order line; customers
and products exist only as columns repeated on every line. The mappings in
``mappings/`` (written as a user would) derive the customer and item lists
from the lines with ``match.duplicates: merge`` and load the orders with
their lines into a real sandbox, through the real HTTP client. The same
mappings load the 2015 ``.xls`` workbook (numeric ZIP cells that lost their
leading zeros, one text ZIP) and the BOM-prefixed CSV export (M/D/YYYY
dates, blank ZIPs).

The data is not shipped with the project (its license is unclear): the test
reads it from ``../shared/datasets/superstore/`` next to the repository, or
from the folder in ``OT_ETL_SUPERSTORE_DIR``, and is skipped without it.
Every expected figure is computed here from the file, read without the
loader's reader, and checked against the published facts of the data set.
"""

from __future__ import annotations

import csv
import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from python_calamine import CalamineWorkbook

from ot_etl.client import Client
from ot_etl.load import load_file
from ot_etl.sandbox import Sandbox

HERE = Path(__file__).resolve().parent
MAPPINGS = HERE / "mappings"
DATA = Path(
    os.environ.get("OT_ETL_SUPERSTORE_DIR")
    or HERE.parents[2] / ".." / "shared" / "datasets" / "superstore"
)
SOURCES = {
    "xls": "apress/Sample - Superstore.xls",  # 2015 workbook, sheet Orders
    "csv": "timlafferty/Sample - Superstore.csv",  # same lines, UTF-8 with BOM
}
STEPS = (
    "01_item_groups",
    "01b_ship_methods",
    "02_customers",
    "03_items",
    "04_sales_orders",
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not DATA.is_dir(),
        reason=f"the Superstore data set is not here ({DATA}); "
        "set OT_ETL_SUPERSTORE_DIR to its folder",
    ),
]


@dataclass(frozen=True)
class Line:
    """One order line of the sheet, as the file holds it."""

    row: int  # the sheet row (the header is row 1)
    row_id: int
    order: str
    customer_id: str
    customer: str
    product_id: str
    product: str
    zip: str | None  # padded to five digits; None when the cell is empty
    sales: Decimal  # to 4 places: the workbook's floats carry binary noise
    quantity: int
    discount: Decimal
    rest: tuple[Any, ...]  # every other cell, for finding repeated lines


def read_lines(path: Path) -> list[Line]:
    """The Orders sheet with the csv module or calamine, not the loader."""
    if path.suffix == ".xls":
        header, *body = (
            CalamineWorkbook.from_path(str(path))
            .get_sheet_by_name("Orders")
            .to_python()
        )
        records = [dict(zip(header, r, strict=True)) for r in body]
    else:
        with path.open(encoding="utf-8-sig", newline="") as f:
            records = list(csv.DictReader(f))
    return [_line(n, r) for n, r in enumerate(records, start=2)]


def _line(row: int, r: dict[str, Any]) -> Line:
    raw_zip = r["Postal Code"]
    if isinstance(raw_zip, float):  # a number cell: 1040.0 was 01040
        zip_code: str | None = f"{int(raw_zip):05d}"
    else:
        zip_code = raw_zip.zfill(5) if raw_zip else None
    sales, discount = r["Sales"], r["Discount"]
    return Line(
        row=row,
        row_id=int(r["Row ID"]),
        order=r["Order ID"],
        customer_id=r["Customer ID"],
        customer=r["Customer Name"],
        product_id=r["Product ID"],
        # 16 workbook cells end with a space (the CSV export has none); the
        # mappings strip surrounding spaces, as they do by default.
        product=r["Product Name"].strip(),
        zip=zip_code,
        sales=_decimal(sales),
        quantity=int(r["Quantity"]),
        discount=_decimal(discount),
        rest=tuple(v for k, v in r.items() if k != "Row ID"),
    )


def _decimal(cell: str | float) -> Decimal:
    return Decimal(repr(round(cell, 4))) if isinstance(cell, float) else Decimal(cell)


def every(client: Client, record_type: str, lines: bool = False) -> list[Any]:
    out: list[Any] = []
    page = 1
    while True:
        rows = client.list_page(
            record_type, page=page, size=1000, include_line_items=lines
        )
        out += rows
        if len(rows) < 1000:
            return out
        page += 1


def custom(record: dict[str, Any], name: str) -> Any:
    fields = record.get("CustomFields") or []
    return next((f["Value"] for f in fields if f["Name"] == name), None)


@pytest.fixture(params=sorted(SOURCES))
def loaded(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A fresh sandbox with every mapping loaded from one source file."""
    source = DATA / SOURCES[request.param]
    lists = yaml.safe_load((MAPPINGS / "company_setup.yaml").read_text("utf-8"))
    with Sandbox(lists=lists) as sandbox:
        client = Client(**sandbox.client_kwargs())
        try:
            results = {step: _load(source, step, client, tmp_path) for step in STEPS}
            yield source, read_lines(source), results, client
        finally:
            client.close()


def _load(source: Path, step: str, client: Client, folder: Path) -> Any:
    suffix = ".xlsx" if source.suffix == ".xls" else ".csv"
    # The data folder is read-only: rejects and ledgers go to the test's folder.
    return load_file(
        source,
        MAPPINGS / f"{step}.yaml",
        client=client,
        workers=8,
        rejects_path=folder / f"{step}.rejects{suffix}",
        ledger_path=folder / f"{step}.ledger.sqlite",
    )


def test_superstore_lines_become_customers_items_and_orders(
    loaded: Any, tmp_path: Path
) -> None:
    source, lines, results, client = loaded
    assert len(lines) == 9994
    for step in STEPS:
        assert results[step].counts["rows_read"] == 9994, step
    _check_lists(results)
    _check_customers(lines, results["02_customers"], client)
    _check_items(lines, results["03_items"], client)
    _check_orders(source, lines, results["04_sales_orders"], client)
    # Running the orders again creates nothing: the ledger knows every line.
    again = _load(source, "04_sales_orders", client, tmp_path)
    assert (again.counts["skipped"], again.counts["created"]) == (5009, 0)
    assert len(every(client, "salesorder")) == 5009


def _check_lists(results: dict[str, Any]) -> None:
    # 17 sub-categories and 4 ship modes, each verified once, not once a line.
    assert results["01_item_groups"].counts["unchanged"] == 17
    assert results["01b_ship_methods"].counts["unchanged"] == 4
    assert results["01_item_groups"].exit_code == 0
    assert results["01b_ship_methods"].exit_code == 0


def _check_customers(lines: list[Line], result: Any, client: Client) -> None:
    expected = {line.customer_id: line.customer for line in lines}
    assert len(expected) == 793
    assert result.exit_code == 0
    assert (result.counts["created"], len(result.rejects)) == (793, 0)
    found = every(client, "customer")
    assert {c["AccountNumber"]: c["Name"] for c in found} == expected
    assert len(found) == 793


def _check_items(lines: list[Line], result: Any, client: Client) -> None:
    first_name: dict[str, str] = {}
    names: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        first_name.setdefault(line.product_id, line.product)
        names[line.product_id].add(line.product)
    several = {pid for pid, n in names.items() if len(n) > 1}
    conflicting = {
        line.row for line in lines if line.product != first_name[line.product_id]
    }
    assert (len(first_name), len(several), len(conflicting)) == (1862, 32, 137)
    # Each Product ID is one item, named as on its first line ...
    assert result.counts["created"] == 1862
    items = {i["Name"]: i for i in every(client, "partitem")}
    assert {n: i["Description"] for n, i in items.items()} == first_name
    # ... and every line giving that ID another name is rejected, not merged.
    rejects = result.rejects
    assert result.exit_code == 3
    assert result.counts["duplicates"] == 137
    assert set(rejects["_row"]) == conflicting
    assert result.summary.rejects_path.is_file()  # for someone to decide on
    assert set(rejects["_stage"]) == {"duplicate"}
    assert set(rejects["Product ID"]) == several
    for _, reject in rejects.iterrows():
        kept = first_name[reject["Product ID"]]
        assert f"differs on Description ({kept!r} vs " in reject["_reasons"]
        assert reject["Product Name"] != kept


def _check_orders(source: Path, lines: list[Line], result: Any, client: Client) -> None:
    by_order: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        by_order[line.order].append(line)
    assert len(by_order) == 5009
    assert result.exit_code == 0
    assert (result.counts["created"], len(result.rejects)) == (5009, 0)
    orders = {o["CustomerPO"]: o for o in every(client, "salesorder", lines=True)}
    assert set(orders) == set(by_order)
    for po, order in orders.items():
        _check_order(order, by_order[po])
    sheet_total = sum(line.sales for line in lines)
    loaded_total = sum(_amount(li) for o in orders.values() for li in o["LineItems"])
    assert loaded_total == sheet_total
    _check_zips(source, lines, orders)
    _check_repeated_line(lines, orders)


def _amount(line: dict[str, Any]) -> Decimal:
    return Decimal(str(line["Quantity"])) * Decimal(str(line["Price"]))


def _check_order(order: dict[str, Any], lines: list[Line]) -> None:
    """Same customer, same lines in sheet order, same amounts to the last digit."""
    got = order["LineItems"]
    assert order["CustomerRef"]["Name"] == lines[0].customer
    assert [custom(li, "RowID") for li in got] == [line.row_id for line in lines]
    assert [li["ItemRef"]["Name"] for li in got] == [x.product_id for x in lines]
    assert [li["Description"] for li in got] == [x.product for x in lines]
    assert [_amount(li) for li in got] == [x.sales for x in lines]
    assert [Decimal(str(custom(li, "Discount"))) for li in got] == [
        x.discount for x in lines
    ]
    assert sum(_amount(li) for li in got) == sum(x.sales for x in lines)


def _check_zips(source: Path, lines: list[Line], orders: dict[str, Any]) -> None:
    zips = {po: (o.get("ShipAddress") or {}).get("Zip") for po, o in orders.items()}
    expected = {line.order: line.zip for line in lines}
    assert zips == expected
    # The workbook's number cells lost 438 leading zeros; all are back. The
    # CSV leaves Burlington, VT (11 lines) empty, the workbook has '05408'.
    short = Counter(len(z) for z in zips.values() if z is not None)
    assert set(short) == {5}
    lost = [line for line in lines if line.zip and line.zip.startswith("0")]
    burlington = [line for line in lines if line.zip is None]
    if source.suffix == ".xls":
        assert (len(lost), len(burlington)) == (449, 0)
    else:
        assert (len(lost), len(burlington)) == (438, 11)
        assert all(zips[line.order] is None for line in burlington)


def _check_repeated_line(lines: list[Line], orders: dict[str, Any]) -> None:
    """Rows 3406 and 3407 are one line twice: both load, as the mapping says."""
    seen: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for line in lines:
        seen[line.rest].append(line.row_id)
    repeated = [ids for ids in seen.values() if len(ids) > 1]
    assert repeated == [[3406, 3407]]
    twice = next(line for line in lines if line.row_id == 3406)
    order = orders[twice.order]
    items = [li for li in order["LineItems"] if custom(li, "RowID") in (3406, 3407)]
    assert [li["ItemRef"]["Name"] for li in items] == [twice.product_id] * 2
    assert [_amount(li) for li in items] == [twice.sales] * 2
