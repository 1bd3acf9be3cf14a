"""End-to-end loads of customers against the sandbox, through ``load_file``."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pandas as pd
from load_helpers import HEADER, customer_csv, customer_mapping, customers, write

from ot_etl.client import Client
from ot_etl.load import EXIT_CANNOT_PROCEED, EXIT_OK, EXIT_REJECTED, load_file


def test_create_then_rerun_skips_everything(client: Client, tmp_path: Path) -> None:
    mapping = customer_mapping(tmp_path)
    csv = customer_csv(tmp_path, 25)
    result = load_file(csv, mapping, client=client, workers=4, batch_size=7)
    assert result.counts == {
        "rows_read": 25,
        "invalid": 0,
        "records": 25,
        "invalid_records": 0,
        "duplicates": 0,
        "unresolved": 0,
        "created": 25,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "failed": 0,
        "skipped": 0,
    }
    assert result.exit_code == EXIT_OK
    assert result.summary.ledger_path == tmp_path / "customers.ledger.sqlite"
    assert result.summary.rejects_path is None
    assert not (tmp_path / "customers.rejects.csv").exists()
    stored = customers(client)
    assert len(stored) == 25
    assert stored["Customer 007"]["SalesRepRef"] == {"Id": 2, "Name": "Jane Seller"}
    assert stored["Customer 007"]["CreditLimit"] == 70
    assert stored["Customer 007"]["BillAddress"]["City"] == "Lyon"
    assert result.outcomes["row"].tolist() == list(range(2, 27))
    assert result.outcomes["record_key"].tolist() == [
        stored[f"Customer {i:03d}"]["Id"] for i in range(25)
    ]
    again = load_file(csv, mapping, client=client)
    assert again.counts["skipped"] == 25 and again.counts["created"] == 0
    assert again.exit_code == EXIT_OK
    assert len(customers(client)) == 25


def test_rejects_file_holds_every_reason_and_loads_once_fixed(
    client: Client, tmp_path: Path
) -> None:
    mapping = customer_mapping(tmp_path)
    csv = write(
        tmp_path / "in.csv",
        HEADER
        + "Good,Boston,10,Jane Seller,\n"
        + "Bad refs,Lyon,5,Jane Seller,998\n"
        + "Negative,Lyon,-5,,\n"
        + "Unknown rep,=cmd(),1,Jane Seler,\n"
        + "Good,Paris,1,,\n",
    )
    result = load_file(csv, mapping, client=client)
    assert result.exit_code == EXIT_REJECTED
    assert (result.summary.created, result.summary.rejected) == (1, 1)
    assert (result.summary.invalid, result.summary.unresolved) == (1, 1)
    assert result.summary.duplicates == 1
    path = tmp_path / "in.rejects.csv"
    assert result.summary.rejects_path == path
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert table["_row"].tolist() == ["3", "4", "5", "6"]
    assert table["_stage"].tolist() == [
        "server",
        "validation",
        "reference",
        "duplicate",
    ]
    reasons = table["_reasons"].tolist()
    assert reasons[0] == "TermRef: no Term with Id 998"
    assert reasons[1] == "Limit: must be at least 0 (greater_than_or_equal_to(0))"
    assert reasons[2] == (
        "SalesRepRef: no Sales Rep named 'Jane Seler'; did you mean 'Jane Seller'?"
    )
    assert (
        reasons[3]
        == "duplicate of row 2 (same match key 'good'); only that row is loaded"
    )
    assert json.loads(table["_raw"][0]) == [
        {
            "PropertyName": "TermRef",
            "Message": "TermRef: no Term with Id 998",
            "Value": "998",
        }
    ]
    assert table["Limit"][1] == "'-5"  # neutralised for spreadsheets
    assert table["City"][2] == "'=cmd()"
    # Fix the rows in place, keep the extra columns, load the file as is.
    table.loc[0, "Terms"] = "1"
    table.loc[1, "Limit"] = "5"
    table.loc[2, "Rep"] = "Jane Seller"
    table.loc[3, "Name"] = "Good two"
    table.to_csv(path, index=False, encoding="utf-8-sig")
    fixed = load_file(path, mapping, client=client)
    assert fixed.exit_code == EXIT_OK
    assert fixed.counts["created"] == 4
    stored = customers(client)
    assert sorted(stored) == ["Bad refs", "Good", "Good two", "Negative", "Unknown rep"]
    assert stored["Unknown rep"]["BillAddress"]["City"] == "=cmd()"
    assert stored["Negative"]["CreditLimit"] == 5


def test_upsert_tells_unchanged_from_updated(client: Client, tmp_path: Path) -> None:
    csv = customer_csv(tmp_path, 6)
    load_file(csv, customer_mapping(tmp_path, "create"), client=client)
    text = csv.read_text(encoding="utf-8").replace(
        "Customer 002,Boston,20,", "Customer 002,Boston,25,"
    )
    edited = write(tmp_path / "edited.csv", text + "Customer new,Oslo,1,,\n")
    result = load_file(edited, customer_mapping(tmp_path, "upsert"), client=client)
    assert (
        result.summary.unchanged,
        result.summary.updated,
        result.summary.created,
    ) == (5, 1, 1)
    stored = customers(client)
    assert stored["Customer 002"]["CreditLimit"] == 25
    assert stored["Customer 002"]["SalesRepRef"]["Name"] == "Jane Seller"
    assert stored["Customer 002"]["BillAddress"]["City"] == "Boston"
    assert len(stored) == 7


def _snapshot(client: Client) -> list[dict[str, Any]]:
    return client.list_page("customer", size=1000)


def test_dry_run_plan_matches_the_real_run(
    sandbox: Any, client: Client, tmp_path: Path
) -> None:
    csv = customer_csv(tmp_path, 8)
    load_file(csv, customer_mapping(tmp_path, "create"), client=client)
    text = csv.read_text(encoding="utf-8")
    text = text.replace("Customer 001,Lyon,10,", "Customer 001,Lyon,11,")
    text += "Customer 100,Oslo,1,,\nCustomer 101,Oslo,1,Nobody,\n"
    edited = write(tmp_path / "edited.csv", text)
    mapping = customer_mapping(tmp_path, "upsert")
    before = _snapshot(client)
    requests_before = sandbox.stats.snapshot()["requests"]
    # The read-only viewer: any write would be answered 403 and counted.
    with _viewer(sandbox) as viewer:
        plan = load_file(edited, mapping, client=viewer, dry_run=True)
    assert sandbox.stats.snapshot()["by_status"].get(403, 0) == 0
    assert sandbox.stats.snapshot()["requests"] > requests_before
    assert _snapshot(client) == before
    assert not (tmp_path / "edited.rejects.csv").exists()
    assert not (tmp_path / "edited.ledger.sqlite").exists()
    assert plan.summary.plan == {"unchanged": 7, "update": 1, "create": 1, "reject": 1}
    assert plan.summary.examples["update"] == ["customer 001"]
    assert "  would update   1   e.g. customer 001" in plan.summary.lines()
    real = load_file(edited, mapping, client=client)
    assert (
        real.summary.unchanged,
        real.summary.updated,
        real.summary.created,
        real.summary.unresolved,
    ) == (7, 1, 1, 1)
    assert plan.outcomes["row"].tolist() == real.outcomes["row"].tolist()


def _viewer(sandbox: Any) -> Client:
    kwargs = dict(
        sandbox.client_kwargs(), email="viewer@sandbox.local", password="viewer-pass"
    )
    return Client(**kwargs)


def test_forbidden_user_stops_the_run(sandbox: Any, tmp_path: Path) -> None:
    viewer = _viewer(sandbox)
    csv = customer_csv(tmp_path, 40)
    result = load_file(
        csv, customer_mapping(tmp_path), client=viewer, workers=2, batch_size=5
    )
    assert result.exit_code == EXIT_CANNOT_PROCEED
    assert result.summary.stopped == (
        "Order Time refused user viewer@sandbox.local the right to create Customer "
        "records (HTTP 403); the run stopped at once. Give the user's role that "
        "right or use another user."
    )
    assert sandbox.stats.snapshot()["by_status"].get(403, 0) <= 2
    assert result.summary.created == 0
    viewer.close()


def test_two_concurrent_loads_never_double_post(sandbox: Any, tmp_path: Path) -> None:
    sandbox.faults.latency = 0.005
    mapping = customer_mapping(tmp_path)
    csv = customer_csv(tmp_path, 60)
    results: list[Any] = []

    def run() -> None:
        with Client(**sandbox.client_kwargs()) as c:
            results.append(load_file(csv, mapping, client=c, workers=4))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.counts["created"] for r in results) == [0, 60]
    assert sorted(r.counts["skipped"] for r in results) == [0, 60]
    assert sandbox.stats.snapshot()["by_status"].get(409, 0) == 0
    with Client(**sandbox.client_kwargs()) as c:
        assert len(customers(c)) == 60


NO_KEY = """\
record_type: customer
mode: create
match:
  fields: []
schema:
  columns:
    Name: {dtype: str, nullable: false}
fields:
  Name: Name
"""


def test_unknown_outcome_without_a_match_key_is_never_resent(
    sandbox: Any, client: Client, tmp_path: Path
) -> None:
    mapping = write(tmp_path / "nokey.yaml", NO_KEY)
    csv = write(tmp_path / "n.csv", "Name\n" + "".join(f"N{i}\n" for i in range(20)))
    sandbox.faults.commit_then_fail_rate = 0.3
    first = load_file(csv, mapping, client=client, workers=2)
    unknown = sandbox.stats.snapshot()["commit_then_fail"]
    assert unknown > 0
    assert first.counts["failed"] == unknown
    assert first.counts["created"] == 20 - unknown
    reasons = first.outcomes.loc[first.outcomes["outcome"] == "failed", "reasons"]
    assert reasons.str.startswith("outcome unknown (").all()
    assert reasons.str.endswith(
        "and no match key to look the record up; not re-sent"
    ).all()
    sandbox.faults.commit_then_fail_rate = 0.0
    # Loading the rejects file as is shares the ledger: still never re-sent.
    from_rejects = load_file(tmp_path / "n.rejects.csv", mapping, client=client)
    assert from_rejects.summary.ledger_path == tmp_path / "n.ledger.sqlite"
    assert from_rejects.counts["rejected"] == unknown
    assert from_rejects.counts["created"] == 0
    second = load_file(csv, mapping, client=client)
    assert second.counts["skipped"] == 20 - unknown
    assert second.counts["rejected"] == unknown and second.counts["created"] == 0
    assert len(customers(client)) == 20


def test_create_mode_never_creates_an_existing_record(
    sandbox: Any, client: Client, tmp_path: Path
) -> None:
    client.create("customer", {"Name": "Customer 001"})
    csv = customer_csv(tmp_path, 3)
    result = load_file(csv, customer_mapping(tmp_path), client=client)
    assert (result.summary.created, result.summary.duplicates) == (2, 1)
    assert result.exit_code == EXIT_REJECTED
    assert result.rejects["_reasons"].tolist() == [
        "a record with match key 'customer 001' already exists (Id 1); "
        "use mode upsert to update it"
    ]
    assert sandbox.stats.snapshot()["by_status"].get(409, 0) == 0
