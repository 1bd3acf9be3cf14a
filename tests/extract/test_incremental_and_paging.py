"""Incremental merges, data changing during a run, repeated pages, --all skips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from ot_etl.catalog import resolve
from ot_etl.client import Filter, FilterOp
from ot_etl.extract import ExportOptions, PageFetcher, export_types, parse_filter


def _rename(sandbox: Any, client: Any, key: int, name: str) -> None:
    record = client.get("customer", key)
    record["Name"] = name
    client.update("customer", record)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_incremental_run_picks_up_exactly_the_changed_and_new_records(
    add_customers: Any, sandbox: Any, client: Any, tmp_path: Path, fmt: str
) -> None:
    add_customers(10)
    inc = ExportOptions(fmt=fmt, incremental=True, page_size=3)  # type: ignore[arg-type]
    [first] = export_types(["customer"], tmp_path, client=client, options=inc)
    assert (first.mode, first.rows) == ("full", 10)
    state = json.loads((tmp_path / "ot-etl-state.json").read_text())["types"][
        "customer"
    ]
    assert state["watermark"] == first.watermark

    _rename(sandbox, client, 3, "Changed three")
    _rename(sandbox, client, 8, "Changed eight")
    add_customers(2)
    [second] = export_types(["customer"], tmp_path, client=client, options=inc)
    assert second.mode == "incremental"
    # The overlap window re-reads everything modified in the last minutes; in
    # a fresh sandbox that is every record, so the merge must replace, not add.
    assert second.rows == 12
    assert second.fetched == second.server_count
    assert second.replaced == second.fetched - 2
    table = (
        pq.read_table(tmp_path / "customer.parquet")
        if fmt == "parquet"
        else pacsv.read_csv(tmp_path / "customer.csv")
    )
    rows = dict(
        zip(
            table.column("Id").to_pylist(),
            table.column("Name").to_pylist(),
            strict=True,
        )
    )
    assert sorted(rows) == list(range(1, 13))
    assert rows[3] == "Changed three" and rows[8] == "Changed eight"
    assert rows[11] == "Customer 0011" and rows[1] == "Customer 0001"
    assert second.watermark is not None and second.watermark > (first.watermark or "")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"customer.{fmt}", "manifest.json", "ot-etl-state.json"]
    )


def test_incremental_fetches_only_records_modified_since_the_watermark(
    add_customers: Any, sandbox: Any, client: Any, tmp_path: Path
) -> None:
    import datetime as dt

    add_customers(6)
    # No overlap: the filter is ModifiedDate >= watermark, so what moved after
    # it, plus the record stamped at the watermark itself (customer 6).
    inc = ExportOptions(incremental=True, overlap=dt.timedelta(0))
    export_types(["customer"], tmp_path, client=client, options=inc)
    _rename(sandbox, client, 2, "Two again")
    add_customers(1)
    [second] = export_types(["customer"], tmp_path, client=client, options=inc)
    assert (second.fetched, second.replaced, second.rows) == (3, 2, 7)
    ids = pq.read_table(tmp_path / "customer.parquet").column("Id").to_pylist()
    assert sorted(ids) == list(range(1, 8))
    assert ids[-3:] == [2, 6, 7]  # the delta comes after the kept rows


def test_transaction_incremental_replaces_all_lines_of_a_changed_doc(
    sandbox: Any, client: Any, tmp_path: Path
) -> None:
    import datetime as dt

    cust = client.create("customer", {"Name": "Acme"})["Id"]
    item = client.create(
        "partitem", {"Name": "W", "ItemGroupRef": {"Id": 1}, "UomRef": {"Id": 1}}
    )["Id"]

    def line(q: float) -> dict[str, Any]:
        return {
            "$type": "AOLib7.SalesOrderLineItem, AOLib7",
            "ItemRef": {"Id": item},
            "Quantity": q,
            "Price": 1,
        }

    for qs in ([1, 2], [3], [4]):
        client.create(
            "salesorder",
            {
                "CustomerRef": {"Id": cust},
                "Date": "2024-01-02T00:00:00",
                "PromiseDate": "2024-01-03T00:00:00",
                "LineItems": [line(q) for q in qs],
            },
        )
    inc = ExportOptions(incremental=True, overlap=dt.timedelta(0))
    export_types(["salesorder"], tmp_path, client=client, options=inc)
    doc = client.get("salesorder", 1)
    doc["LineItems"] = [line(9)]
    client.update("salesorder", doc)
    [r] = export_types(["salesorder"], tmp_path, client=client, options=inc)
    lines = pq.read_table(tmp_path / "salesorder_lines.parquet")
    # Fetched: doc 1 (changed) and doc 3 (stamped at the watermark itself).
    assert (r.fetched, r.replaced, r.rows, r.lines) == (2, 2, 3, 3)
    assert lines.column("DocNo").to_pylist() == [2, 1, 3]
    assert lines.column("Quantity").to_pylist() == [3.0, 9.0, 4.0]


def test_records_deleted_during_the_run_on_a_repeating_server(
    add_customers: Any, sandbox: Any, client: Any
) -> None:
    add_customers(12)
    sandbox.faults.repeat_pages = True
    rt = resolve("customer")
    fetcher = PageFetcher(client, rt, page_size=4, workers=1, prefetch=1)
    seen: list[int] = []
    for page in fetcher.pages():
        if not seen:  # after page 1: four records go, the rest shift back
            for key in (1, 2, 3, 4):
                sandbox.records.delete(rt, key)
        seen.extend(r["Id"] for r in page)
    # Page 2 now holds 9..12, page 3 is past the end and repeats it; the
    # duplicates are dropped and the gap 4 < Id < 9 is found and fetched.
    assert seen == [1, 2, 3, 4, 9, 10, 11, 12, 5, 6, 7, 8]
    s = fetcher.stats
    assert (s.count, s.recount, s.duplicates, s.recovered, s.added) == (12, 8, 4, 4, 0)
    assert sandbox.stats.repeated_pages >= 1


def test_records_added_during_the_run_are_picked_up_from_the_tail(
    add_customers: Any, sandbox: Any, client: Any
) -> None:
    add_customers(8)
    fetcher = PageFetcher(
        client, resolve("customer"), page_size=4, workers=1, prefetch=1
    )
    seen: list[int] = []
    for page in fetcher.pages():
        if not seen:
            add_customers(5)
        seen.extend(r["Id"] for r in page)
    assert seen == list(range(1, 14))
    assert (fetcher.stats.count, fetcher.stats.recount, fetcher.stats.added) == (
        8,
        13,
        5,
    )


def test_a_server_that_ignores_the_tail_filter_cannot_make_it_loop(
    add_customers: Any, sandbox: Any, client: Any
) -> None:
    add_customers(4)
    sandbox.faults.repeat_pages = True
    fetcher = PageFetcher(client, resolve("customer"), page_size=2)
    fetcher.stats.count = 99  # as if the count had been off: forces the re-check
    rows = [r["Id"] for page in fetcher._planned(3) for r in page]
    rows += [r["Id"] for page in fetcher._recheck(4) for r in page]
    assert rows == [1, 2, 3, 4]
    assert fetcher.stats.duplicates == 2


def test_all_skips_refused_types_and_types_a_filter_does_not_fit(
    sandbox: Any, client: Any, tmp_path: Path
) -> None:
    bad_for_server = ExportOptions(filters=(Filter("RecordInfo", FilterOp.EQUAL, "x"),))
    results = export_types(
        ["customer", "term"],
        tmp_path,
        client=client,
        options=bad_for_server,
        skip_refused=True,
    )
    assert [r.skipped is not None for r in results] == [True, True]
    assert results[0].skipped is not None and "400" in results[0].skipped
    assert not list(tmp_path.glob("*.parquet"))

    city = ExportOptions(filters=(parse_filter("BillAddress.City=Oslo"),))
    results = export_types(
        ["customer", "term"], tmp_path, client=client, options=city, skip_refused=True
    )
    assert results[0].skipped is None and results[0].rows == 0
    assert results[1].skipped == (
        "Filter on 'BillAddress.City': term has no field 'BillAddress'."
    )
    manifest = json.loads((tmp_path / "manifest.json").read_text())["types"]
    assert manifest["term"]["skipped"] == results[1].skipped


def test_deletions_need_full_and_modified_since_resets_the_watermark(
    add_customers: Any, sandbox: Any, client: Any, tmp_path: Path
) -> None:
    import datetime as dt

    add_customers(5)
    inc = ExportOptions(incremental=True)
    export_types(["customer"], tmp_path, client=client, options=inc)
    sandbox.records.delete(resolve("customer"), 4)
    export_types(["customer"], tmp_path, client=client, options=inc)

    def ids() -> list[int]:
        return pq.read_table(tmp_path / "customer.parquet").column("Id").to_pylist()

    assert sorted(ids()) == [1, 2, 3, 4, 5]  # a deletion is invisible to a delta
    [full] = export_types(
        ["customer"], tmp_path, client=client, options=ExportOptions(full=True)
    )
    assert (full.mode, ids()) == ("full", [1, 2, 3, 5])

    since = dt.datetime(2000, 1, 1)
    [some] = export_types(
        ["customer"],
        tmp_path,
        client=client,
        options=ExportOptions(modified_since=since),
    )
    assert some.mode == "filtered" and some.since == "2000-01-01T00:00:00"
    assert some.filters[-1] == {
        "PropertyName": "RecordInfo.ModifiedDate",
        "Operator": 4,
        "FilterValueArray": "2000-01-01T00:00:00",
    }
    state = json.loads((tmp_path / "ot-etl-state.json").read_text())["types"]
    assert state["customer"]["watermark"] is None
    [again] = export_types(["customer"], tmp_path, client=client, options=inc)
    assert again.mode == "full"
