"""Northwind end to end: mappings 01..06 into a fresh sandbox, then warehouse files.

The whole migration is loaded once per module into a SQLite file; tests that
write more ship docs start their own sandbox on a copy of that file.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ot_etl.client import Client
from ot_etl.extract import export_types
from ot_etl.load import EXIT_REJECTED, LoadResult, load_file
from ot_etl.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
NORTHWIND = ROOT / "sample_data" / "northwind"
MAPPINGS = ROOT / "mappings" / "northwind"
SHIPMENTS = MAPPINGS / "06_shipments.yaml"
STEPS = [
    ("01_company_setup.yaml", "shippers.csv"),
    ("01b_sales_reps.yaml", "employees.csv"),
    ("01c_item_groups.yaml", "categories.csv"),
    ("02_vendors.yaml", "suppliers.csv"),
    ("03_items.yaml", "products.csv"),
    ("04_customers.yaml", "customers.csv"),
    ("05_sales_orders.yaml", "orders.csv"),
    ("06_shipments.yaml", "shipments.csv"),
]
QUEDE_ORDERS = [10261, 10291, 10379, 10421, 10587, 10647, 10720, 10794, 10989]


@dataclass
class Migration:
    folder: Path  # a copy of the Northwind files (rejects files land here)
    db: Path
    lists: dict[str, list[str]]
    shipped: LoadResult


def _sqlite_copy(db: Path, to: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        part = Path(str(db) + suffix)
        if part.exists():
            shutil.copy(part, str(to) + suffix)
    return to


@pytest.fixture(scope="module")
def migration(tmp_path_factory: pytest.TempPathFactory) -> Migration:
    base = tmp_path_factory.mktemp("northwind")
    folder = base / "data"
    shutil.copytree(NORTHWIND, folder)
    lists = yaml.safe_load((NORTHWIND / "company_setup.yaml").read_text("utf-8"))
    db = base / "sandbox.sqlite"
    with Sandbox(db, lists=lists) as sb, Client(**sb.client_kwargs()) as api:
        for mapping, data in STEPS:
            result = load_file(folder / data, MAPPINGS / mapping, client=api)
    return Migration(folder, db, lists, result)


@pytest.fixture
def api(migration: Migration, tmp_path: Path) -> Iterator[Client]:
    """A sandbox on a copy of the migrated database, and a client for it."""
    db = _sqlite_copy(migration.db, tmp_path / "sandbox.sqlite")
    with Sandbox(db, lists=migration.lists) as sb, Client(**sb.client_kwargs()) as c:
        yield c


def _exported(api: Client, out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    export_types(["shipdoc", "salesorder"], out, client=api)
    return (
        pd.read_parquet(out / "shipdoc.parquet"),
        pd.read_parquet(out / "shipdoc_lines.parquet"),
    )


def _open_orders(api: Client, out: Path) -> set[int]:
    """Sales orders with a line not filled completely, from exported tables."""
    _, ship_lines = _exported(api, out)
    so_lines = pd.read_parquet(out / "salesorder_lines.parquet")
    filled = ship_lines.groupby(["LinkedInfo.DocNo", "LinkedInfo.LineNo"])[
        "Quantity"
    ].sum()
    ordered = so_lines.set_index(["DocNo", "LineNo"])["Quantity"]
    left = ordered.sub(filled.rename_axis(["DocNo", "LineNo"]), fill_value=0)
    assert (left >= 0).all(), "an order line was filled past its quantity"
    return {int(d) for d in left[left > 0].index.get_level_values(0)}


def test_shipped_orders_are_filled_and_the_others_stay_open(
    migration: Migration, api: Client, tmp_path: Path
) -> None:
    counts = migration.shipped.counts
    assert (counts["rows_read"], counts["created"], counts["unfilled"]) == (
        2082,
        800,
        9,
    )
    assert counts["rejected"] == counts["failed"] == counts["invalid"] == 0
    orders = pd.read_csv(NORTHWIND / "orders.csv", keep_default_na=False)
    never_shipped = set(orders.loc[orders["shippedDate"] == "NULL", "orderID"])
    assert _open_orders(api, tmp_path) == never_shipped
    assert len(never_shipped) == 21
    # QUEDE's customer row was rejected, so were its orders and their shipments.
    rejects = pd.read_csv(
        migration.folder / "shipments.rejects.csv", dtype=str, encoding="utf-8-sig"
    )
    assert set(rejects["_stage"]) == {"fill"}
    assert sorted(set(rejects["order_no"].astype(int))) == QUEDE_ORDERS
    # Each names the missing order and, from the earlier loads' rejects, why.
    for order, reason in zip(rejects["order_no"], rejects["_reasons"], strict=True):
        assert reason.startswith(
            f"unknown order: no Sales Order with DocNo {order}; rejected by an "
            "earlier load: orders.csv row "
        )
        assert reason.endswith(
            "CustomerRef: no Customer named 'Que Delícia'; rejected by an earlier "
            "load: customers.csv row 62: city: must match the pattern "
            "'^[^0-9\\s]' (str_matches('^[^0-9\\s]'))"
        )


def test_exported_ship_docs_reconcile_with_the_shipment_file(
    migration: Migration, api: Client, tmp_path: Path
) -> None:
    heads, lines = _exported(api, tmp_path)
    sent = pd.read_csv(NORTHWIND / "shipments.csv")
    sent = sent[~sent["order_no"].isin(QUEDE_ORDERS)]
    assert len(heads) == sent["shipment_id"].nunique() == 800
    assert heads["SONo"].nunique() == 800  # one ship doc fills each order
    assert len(lines) == len(sent) == 2082 - 24
    # Every line: its order, item and quantity, as the warehouse sent them.
    got = lines.groupby(["LinkedInfo.DocNo", "ItemRef.Name"])["Quantity"].sum()
    want = sent.groupby(["order_no", "sku"])["qty_shipped"].sum()
    assert got.rename_axis(want.index.names).astype(float).to_dict() == (
        want.astype(float).to_dict()
    )
    # Every header: tracking number, order, date, carrier and freight.
    first = sent.drop_duplicates("shipment_id").set_index("tracking_no")
    heads = heads.set_index("TrackingNo").loc[first.index]
    assert (heads["SONo"].astype(int) == first["order_no"]).all()
    assert (heads["Date"].dt.strftime("%Y-%m-%d") == first["ship_date"]).all()
    assert (heads["ShipMethodRef.Name"] == first["carrier"]).all()
    assert (heads["ShipAmount"].astype(float).round(2) == first["freight"]).all()


def test_a_rerun_fills_nothing_twice(migration: Migration, api: Client) -> None:
    again = load_file(migration.folder / "shipments.csv", SHIPMENTS, client=api)
    assert (again.counts["skipped"], again.counts["created"]) == (800, 0)
    assert again.counts["unfilled"] == 9
    assert api.count("shipdoc") == 800


def test_the_warehouse_file_rejects_each_mistake(
    migration: Migration, api: Client, tmp_path: Path
) -> None:
    csv = Path(shutil.copy(NORTHWIND / "shipments_warehouse.csv", tmp_path))
    result = load_file(csv, SHIPMENTS, client=api)
    assert result.exit_code == EXIT_REJECTED
    assert (result.counts["created"], result.counts["unfilled"]) == (2, 4)
    rejects = pd.read_csv(
        tmp_path / "shipments_warehouse.rejects.csv", dtype=str, encoding="utf-8-sig"
    )
    assert rejects[["_row", "shipment_id", "_reasons"]].values.tolist() == [
        [
            "4",
            "WH-0002",
            "quantity 30 of 'Steeleye Stout' is more than the 24 still open on "
            "Sales Order 11039",
        ],
        [
            "5",
            "WH-0003",
            "item 'Chai' is not on Sales Order 11045 (its items: Geitost, "
            "Manjimup Dried Apples)",
        ],
        [
            "6",
            "WH-0003",
            "not loaded: 1 row(s) of this shipment cannot be filled, and a "
            "shipment is loaded whole or not at all",
        ],
        ["7", "WH-0004", "unknown order: no Sales Order with DocNo 11099"],
        ["8", "WH-0005", "Sales Order 10248 is fully filled already"],
    ]
    # The partial shipment leaves 30 Rössle Sauerkraut and the Flotemysost open.
    plan = result.fills.set_index(["order", "item"])
    assert plan.loc[(11008, "Rössle Sauerkraut"), "open_after"] == 30
    assert api.count("shipdoc") == 802
    open_orders = _open_orders(api, tmp_path)
    assert 11008 in open_orders and 11019 not in open_orders
    assert len(open_orders) == 20

    # The rest of order 11008 comes in a second file: the two add up exactly.
    rest = tmp_path / "rest.csv"
    header = csv.read_text(encoding="utf-8").splitlines(keepends=True)[0]
    rest.write_text(
        header
        + "WH-0101,11008,Rössle Sauerkraut,30,1998-05-12,Federal Shipping,12,1ZWH0101\n"
        + "WH-0101,11008,Flotemysost,21,1998-05-12,Federal Shipping,12,1ZWH0101\n",
        encoding="utf-8",
    )
    assert load_file(rest, SHIPMENTS, client=api).counts["created"] == 1
    assert _open_orders(api, tmp_path / "again") == open_orders - {11008}


def test_rows_fixed_in_the_rejects_file_are_loaded_to_the_original(
    api: Client, tmp_path: Path
) -> None:
    csv = Path(shutil.copy(NORTHWIND / "shipments_warehouse.csv", tmp_path))
    first = load_file(csv, SHIPMENTS, client=api)
    assert (first.counts["records"], first.counts["created"]) == (6, 2)
    assert first.counts["unfilled"] == 4
    # Fix WH-0002 (ship the 24 open) and WH-0003 (the item the order holds).
    path = tmp_path / "shipments_warehouse.rejects.csv"
    fixed = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    fixed.loc[fixed["_row"] == "4", "qty_shipped"] = "24"
    fixed.loc[fixed["_row"] == "5", "sku"] = "Manjimup Dried Apples"
    fixed.to_csv(path, index=False, encoding="utf-8-sig")

    second = load_file(path, SHIPMENTS, client=api)
    assert (second.counts["rows_read"], second.counts["records"]) == (5, 4)
    assert (second.counts["created"], second.counts["unfilled"]) == (2, 2)
    left = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    assert left["_row"].tolist() == ["7", "8"]  # the file shrank to the rest
    keys = second.outcomes["record_key"].tolist()[:3]  # rows 4, 5, 6

    third = load_file(csv, SHIPMENTS, client=api)
    assert third.counts["records"] == 6
    assert (third.counts["skipped"], third.counts["created"]) == (4, 0)
    assert (third.counts["unfilled"], third.counts["duplicates"]) == (2, 0)
    out = third.outcomes.set_index("row")
    assert out.loc[[4, 5, 6], "outcome"].tolist() == ["skipped"] * 3
    assert out.loc[[4, 5, 6], "record_key"].tolist() == keys
    assert out.loc[[7, 8], "stage"].tolist() == ["fill", "fill"]
    assert api.count("shipdoc") == 804
