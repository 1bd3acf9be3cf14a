"""Shipment files loaded into a live sandbox: rejects, partial fills, plan, re-runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from ship_helpers import filled, mapping, order_book, ship_lines, shipment_csv

from ot_etl.cli import main
from ot_etl.client import Client
from ot_etl.load import EXIT_OK, EXIT_REJECTED, load_file


@pytest.fixture
def book(client: Client) -> Client:
    order_book(client)
    return client


def rejects(path: Path) -> list[tuple[int, str, str]]:
    frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    return list(
        zip(frame["_row"].astype(int), frame["_stage"], frame["_reasons"], strict=True)
    )


def test_rejects_name_the_reason(book: Client, tmp_path: Path) -> None:
    csv = shipment_csv(
        tmp_path,
        [
            ("S1", 2, "Tofu", 3),  # fills Sales Order 2 whole
            ("S2", 9, "Chai", 1),  # unknown order
            ("S3", 1, "Tofu", 1),  # item not on the order
            ("S4", 1, "Chang", 6),  # more than the 5 open
            ("S5", 2, "Tofu", 1),  # filled whole by S1 already
            ("S6", 1, "Chai", 1),  # fine, but shipped with an order of B
            ("S6", 3, "Chai", 1),
            ("S7", 1, "Chang", 5),  # fine, but its shipment has an unknown SKU
            ("S7", 1, "Chia", 1),
        ],
        "warehouse.csv",
    )
    result = load_file(csv, mapping(tmp_path), client=book)
    assert result.exit_code == EXIT_REJECTED
    assert (result.counts["created"], result.counts["unfilled"]) == (1, 6)
    assert rejects(tmp_path / "warehouse.rejects.csv") == [
        (3, "fill", "unknown order: no Sales Order with DocNo 9"),
        (4, "fill", "item 'Tofu' is not on Sales Order 1 (its items: Chai, Chang)"),
        (
            5,
            "fill",
            "quantity 6 of 'Chang' is more than the 5 still open on Sales Order 1",
        ),
        (6, "fill", "Sales Order 2 is fully filled already"),
        (
            7,
            "fill",
            "not loaded: 1 row(s) of this shipment cannot be filled, and a "
            "shipment is loaded whole or not at all",
        ),
        (
            8,
            "fill",
            "Sales Order 3 belongs to customer 'B', not 'A' like the shipment's "
            "first order; a ship doc has one customer: ship them separately",
        ),
        (
            9,
            "fill",
            "not loaded: 1 row(s) of this shipment cannot be filled, and a "
            "shipment is loaded whole or not at all",
        ),
        (10, "fill", "item 'Chia' is not on Sales Order 1 (its items: Chai, Chang)"),
    ]
    assert filled(book) == {(2, 1): 3.0}


def test_orders_named_by_customer_po(book: Client, tmp_path: Path) -> None:
    csv = shipment_csv(
        tmp_path, [("S1", "po-7", "Tofu", 2), ("S2", "PO-9", "Chai", 1)], "po.csv"
    )
    result = load_file(csv, mapping(tmp_path, by="CustomerPO"), client=book)
    assert result.outcomes["reasons"].tolist() == [
        "",
        "order 'PO-9' is ambiguous: Sales Orders 3, 4 have CustomerPO 'PO-9'; "
        "name the order by its DocNo",
    ]
    assert filled(book) == {(2, 1): 2.0}


def test_partial_fills_over_two_files_add_up_exactly(
    book: Client, tmp_path: Path
) -> None:
    ship = mapping(tmp_path)
    monday = shipment_csv(
        tmp_path, [("M1", 1, "Chai", 7), ("M1", 1, "Chang", 2.5)], "monday.csv"
    )
    tuesday = shipment_csv(
        tmp_path,
        [("T1", 1, "Chai", 5), ("T2", 1, "Chai", 2), ("T2", 1, "Chang", 2.5)],
        "tuesday.csv",
    )
    assert load_file(monday, ship, client=book).exit_code == EXIT_OK
    assert filled(book) == {(1, 1): 7.0, (1, 2): 2.5}
    second = load_file(tuesday, ship, client=book)
    assert second.exit_code == EXIT_OK
    assert second.fills[
        ["shipment", "order", "line", "quantity", "open_after"]
    ].to_dict("split")["data"] == [
        ["T1", 1, 1, 3.0, 0.0],
        ["T1", 1, 3, 2.0, 2.0],
        ["T2", 1, 3, 2.0, 0.0],
        ["T2", 1, 2, 2.5, 0.0],
    ]
    # Exactly what was ordered: 10 + 4 Chai over lines 1 and 3, 5 Chang.
    assert filled(book) == {(1, 1): 10.0, (1, 2): 5.0, (1, 3): 4.0}
    wednesday = shipment_csv(tmp_path, [("W1", 1, "Chai", 1)], "wednesday.csv")
    assert load_file(wednesday, ship, client=book).outcomes["reasons"].tolist() == [
        "Sales Order 1 is fully filled already"
    ]


def test_dry_run_plan_matches_the_real_run(book: Client, tmp_path: Path) -> None:
    ship = mapping(tmp_path)
    csv = shipment_csv(
        tmp_path,
        [("S1", 1, "Chai", 12), ("S1", 1, "Chang", 1), ("S2", 2, "Tofu", 3)],
        "plan.csv",
    )
    dry = load_file(csv, ship, client=book, dry_run=True)
    assert book.count("shipdoc") == 0
    assert not (tmp_path / "plan.ledger.sqlite").exists()
    text = "\n".join(dry.summary.lines())
    assert (
        "  S1: fills SO 1 line 1 Chai 10 (open 0); SO 1 line 3 Chai 2 (open 2); "
        "SO 1 line 2 Chang 1 (open 4); stays open: SO 1 line 2 Chang 4, "
        "SO 1 line 3 Chai 2"
    ) in text
    assert "  S2: fills SO 2 line 1 Tofu 3 (open 0); stays open: nothing" in text
    real = load_file(csv, ship, client=book)
    assert real.counts["created"] == 2
    pd.testing.assert_frame_equal(dry.fills, real.fills)
    # The ship docs on the server are the plan, line for line.
    lines = ship_lines(book)
    columns = ["LinkedInfo.DocNo", "LinkedInfo.LineNo", "Quantity"]
    got = sorted(tuple(r) for r in lines[columns].astype(float).to_numpy().tolist())
    plan = real.fills[["order", "line", "quantity"]].astype(float)
    assert got == sorted(tuple(r) for r in plan.to_numpy().tolist())


def test_reruns_create_nothing_twice(book: Client, tmp_path: Path) -> None:
    ship = mapping(tmp_path)
    csv = shipment_csv(tmp_path, [("S1", 1, "Chai", 3), ("S2", 2, "Tofu", 1)], "r.csv")
    assert load_file(csv, ship, client=book).counts["created"] == 2
    again = load_file(csv, ship, client=book)
    assert (again.counts["created"], again.counts["skipped"]) == (0, 2)
    # Without its ledger the tracking numbers still tell the loads apart.
    (tmp_path / "r.ledger.sqlite").unlink()
    lost = load_file(csv, ship, client=book)
    assert lost.counts["created"] == 0
    assert lost.outcomes["reasons"].str.contains("already exists").all()
    assert book.count("shipdoc") == 2
    assert filled(book) == {(1, 1): 3.0, (2, 1): 1.0}


class CrashError(Exception):
    """Stands for the process dying after a ship doc was created."""


def test_a_crash_after_a_create_is_recovered_on_the_rerun(
    book: Client, tmp_path: Path
) -> None:
    ship = mapping(tmp_path)
    csv = shipment_csv(
        tmp_path,
        [("S1", 1, "Chai", 3), ("S2", 1, "Chai", 4), ("S3", 2, "Tofu", 1)],
        "crash.csv",
    )

    def die(done: int, total: int) -> None:
        raise CrashError

    with pytest.raises(CrashError):
        load_file(csv, ship, client=book, workers=1, batch_size=1, progress=die)
    # Created before the crash, but never checkpointed: still "sending".
    before = book.count("shipdoc")
    assert 1 <= before < 3
    result = load_file(csv, ship, client=book)
    assert result.exit_code == EXIT_OK
    assert (result.counts["skipped"], result.counts["created"]) == (before, 3 - before)
    assert book.count("shipdoc") == 3
    assert filled(book) == {(1, 1): 7.0, (2, 1): 1.0}


def test_cli_dry_run_prints_the_fill_plan(
    book: Client, sandbox: Any, tmp_path: Path
) -> None:
    csv = shipment_csv(tmp_path, [("S1", 2, "Tofu", 2)], "cli.csv")
    env = sandbox.environment()
    run = CliRunner().invoke(
        main, ["load", str(mapping(tmp_path)), str(csv), "--dry-run"], env=env
    )
    assert run.exit_code == EXIT_OK, run.output
    assert (
        "  S1: fills SO 2 line 1 Tofu 2 (open 1); stays open: SO 2 line 1 Tofu 1"
        in (run.output)
    )
    assert not (tmp_path / "cli.ledger.sqlite").exists()


def test_a_create_saved_before_a_500_is_found_by_its_tracking_number(
    book: Client, sandbox: Any, tmp_path: Path
) -> None:
    csv = shipment_csv(tmp_path, [("S1", 1, "Chai", 3), ("S2", 2, "Tofu", 1)], "f.csv")
    sandbox.faults.commit_then_fail_rate = 1.0  # saved, then answered with a 500
    result = load_file(csv, mapping(tmp_path), client=book)
    sandbox.faults.commit_then_fail_rate = 0.0
    assert result.counts["created"] == 2
    assert [i.recovered for i in result.items] == [True, True]
    assert book.count("shipdoc") == 2
    assert filled(book) == {(1, 1): 3.0, (2, 1): 1.0}


def test_a_shipment_that_exists_gets_advice_that_applies(
    book: Client, tmp_path: Path
) -> None:
    ship = mapping(tmp_path)
    first = shipment_csv(tmp_path, [("S1", 1, "Chai", 2)], "monday.csv")
    assert load_file(first, ship, client=book).counts["created"] == 1
    # Another file (so another ledger) sends the same tracking number again.
    again = shipment_csv(tmp_path, [("S1", 1, "Chang", 1)], "tuesday.csv")
    result = load_file(again, ship, client=book)
    assert result.counts["duplicates"] == 1
    assert rejects(tmp_path / "tuesday.rejects.csv") == [
        (
            2,
            "duplicate",
            "a record with match key 'T-S1' already exists (DocNo 1); it was "
            "shipped already under that TrackingNo: remove the shipment's rows, "
            "or give them a new TrackingNo if it is another shipment",
        )
    ]
