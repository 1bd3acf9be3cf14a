"""Exports against the sandbox on 127.0.0.1: exact counts, Ids, files, schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ot_etl.catalog import resolve
from ot_etl.extract import (
    ExportOptions,
    PageFailedError,
    export_types,
    parse_filter,
    read_frame,
)


def _ids(path: Path) -> list[int]:
    return pq.read_table(path, columns=["Id"]).column("Id").to_pylist()


@pytest.mark.parametrize(
    ("n", "size", "pages"), [(12, 4, 3), (13, 4, 4), (12, 1000, 1)]
)
def test_multi_page_export_has_exact_ids(
    add_customers: Any,
    sandbox: Any,
    client: Any,
    tmp_path: Path,
    n: int,
    size: int,
    pages: int,
) -> None:
    ids = add_customers(n)
    before = client.stats["requests"]
    [result] = export_types(
        ["customer"], tmp_path, client=client, options=ExportOptions(page_size=size)
    )
    # the custom field definitions, a count, the pages, and a closing count
    assert client.stats["requests"] - before == 1 + 1 + pages + 1
    assert _ids(tmp_path / "customer.parquet") == ids == list(range(1, n + 1))
    assert (result.server_count, result.rows, result.fetched) == (n, n, n)
    assert result.files == ["customer.parquet"]
    assert (
        not result.changes["duplicates_dropped"] and result.changes["recount"] is None
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "customer.parquet",
        "manifest.json",
        "ot-etl-state.json",
    ]
    manifest = json.loads((tmp_path / "manifest.json").read_text())["types"]["customer"]
    assert manifest["server_count"] == n and manifest["rows"] == n
    assert manifest["files"] == ["customer.parquet"]
    assert manifest["schemas"]["customer"][16] == {"name": "Id", "type": "int32"}


def test_empty_result_writes_full_schema_parquet_and_csv_header(
    add_customers: Any, sandbox: Any, client: Any, tmp_path: Path
) -> None:
    add_customers(3)
    nobody = ExportOptions(filters=(parse_filter("Name=nobody"),))
    [empty] = export_types(["customer"], tmp_path / "e", client=client, options=nobody)
    export_types(["customer"], tmp_path / "full", client=client)
    table = pq.read_table(tmp_path / "e" / "customer.parquet")
    assert (empty.server_count, empty.rows, table.num_rows) == (0, 0, 0)
    assert table.schema.equals(pq.read_schema(tmp_path / "full" / "customer.parquet"))
    csv_opts = ExportOptions(fmt="csv", filters=(parse_filter("Name=nobody"),))
    export_types(["customer"], tmp_path / "c", client=client, options=csv_opts)
    text = (tmp_path / "c" / "customer.csv").read_text()
    assert text.count("\n") == 1
    assert text.startswith('"AccountNumber","CompanyName","Name",')
    assert '"RecordInfo.ModifiedDate"' in text


def test_refs_null_on_one_page_and_filled_on_another(
    add_customers: Any, sandbox: Any, client: Any, tmp_path: Path
) -> None:
    add_customers(4)
    add_customers(4, TermRef={"Name": "Net 30"}, CreditLimit=250)
    export_types(
        ["customer"], tmp_path, client=client, options=ExportOptions(page_size=4)
    )
    table = pq.read_table(tmp_path / "customer.parquet")
    assert table.schema.field("TermRef.Id").type == pa.int32()
    assert table.schema.field("TermRef.Name").type == pa.string()
    assert table.schema.field("CreditLimit").type == pa.float64()
    term_id = client.list_page("term", [parse_filter("Name=Net 30")])[0]["Id"]
    assert table.column("TermRef.Id").to_pylist() == [None] * 4 + [term_id] * 4
    assert table.column("TermRef.Name").to_pylist() == [None] * 4 + ["Net 30"] * 4
    assert table.column("CreditLimit").to_pylist() == [None] * 4 + [250.0] * 4
    assert pq.ParquetFile(tmp_path / "customer.parquet").metadata.num_row_groups == 1


def test_mixed_custom_field_values_are_text_columns(
    add_customers: Any, sandbox: Any, client: Any, tmp_path: Path
) -> None:
    rt = resolve("customer")
    values: list[Any] = [7, "seven", None, True, 2.5]
    for i, v in enumerate(values):
        sandbox.records.create(
            rt, {"Name": f"C{i}", "CustomFields": [{"Name": "CustLoyalty", "Value": v}]}
        )
    sandbox.records.create(rt, {"Name": "C-none", "CustomFields": []})
    export_types(
        ["customer"], tmp_path, client=client, options=ExportOptions(page_size=2)
    )
    table = pq.read_table(tmp_path / "customer.parquet")
    assert table.schema.field("CustomFields.CustLoyalty").type == pa.string()
    assert table.column("CustomFields.CustLoyalty").to_pylist() == [
        "7",
        "seven",
        None,
        "true",
        "2.5",
        None,
    ]


def _sales_orders(sandbox: Any, client: Any) -> list[int]:
    cust = client.create("customer", {"Name": "Acme"})["Id"]
    item = client.create(
        "partitem", {"Name": "Widget", "ItemGroupRef": {"Id": 1}, "UomRef": {"Id": 1}}
    )["Id"]
    line = {"$type": "AOLib7.SalesOrderLineItem, AOLib7", "ItemRef": {"Id": item}}
    docs = []
    for n_lines in (2, 0, 3, 0, 1):
        body = {
            "CustomerRef": {"Id": cust},
            "Date": "2024-01-02T00:00:00",
            "PromiseDate": "2024-01-09T00:00:00",
            "LineItems": [
                dict(line, Quantity=q + 1, Price=1.25) for q in range(n_lines)
            ],
        }
        docs.append(client.create("salesorder", body)["DocNo"])
    return docs


def test_transactions_write_headers_and_lines_keyed_by_docno(
    add_customers: Any, sandbox: Any, client: Any, tmp_path: Path
) -> None:
    docs = _sales_orders(sandbox, client)
    [r] = export_types(
        ["salesorder"], tmp_path, client=client, options=ExportOptions(page_size=2)
    )
    assert (r.server_count, r.rows, r.lines, r.headers_without_lines) == (5, 5, 6, 2)
    assert r.files == ["salesorder.parquet", "salesorder_lines.parquet"]
    heads = pq.read_table(tmp_path / "salesorder.parquet")
    lines = pq.read_table(tmp_path / "salesorder_lines.parquet")
    assert heads.column("DocNo").to_pylist() == docs
    assert "LineItems" not in heads.column_names
    assert lines.column_names[:2] == ["DocNo", "LineNo"]
    assert lines.column("DocNo").to_pylist() == [docs[0]] * 2 + [docs[2]] * 3 + [
        docs[4]
    ]
    assert lines.column("LineNo").to_pylist() == [1, 2, 1, 2, 3, 1]
    assert lines.column("Quantity").to_pylist() == [1.0, 2.0, 1.0, 2.0, 3.0, 1.0]
    assert "$type" not in lines.column_names
    frame_heads, frame_lines = read_frame(
        "salesorder", client=client, include_lines=True
    )
    pd.testing.assert_frame_equal(
        frame_lines,
        pd.read_parquet(
            tmp_path / "salesorder_lines.parquet", dtype_backend="numpy_nullable"
        ),
    )
    assert len(frame_heads) == 5


def test_schema_is_identical_across_runs(
    add_customers: Any, sandbox: Any, client: Any, tmp_path: Path
) -> None:
    add_customers(3)
    export_types(["customer"], tmp_path / "a", client=client)
    add_customers(3, TermRef={"Name": "Net 30"}, CompanyName="Big Co")
    export_types(
        ["customer"], tmp_path / "b", client=client, options=ExportOptions(page_size=2)
    )
    a = pq.read_schema(tmp_path / "a" / "customer.parquet")
    b = pq.read_schema(tmp_path / "b" / "customer.parquet")
    assert a.equals(b, check_metadata=True)


def test_notebook_api_returns_the_rows_of_the_file(
    add_customers: Any, sandbox: Any, client: Any, tmp_path: Path
) -> None:
    add_customers(7, CustomFields=[{"Name": "CustA", "Value": 1}])
    export_types(
        ["customer"], tmp_path, client=client, options=ExportOptions(page_size=3)
    )
    from_file = pd.read_parquet(
        tmp_path / "customer.parquet", dtype_backend="numpy_nullable"
    )
    frame = read_frame("customer", client=client, page_size=3)
    pd.testing.assert_frame_equal(frame, from_file)
    some = read_frame("customer", ["Id>=5"], client=client)
    assert some["Id"].tolist() == [5, 6, 7]


def test_injected_failure_leaves_no_file_and_keeps_the_previous_one(
    add_customers: Any, sandbox: Any, quick_client: Any, tmp_path: Path
) -> None:
    add_customers(10)
    export_types(
        ["customer"], tmp_path, client=quick_client, options=ExportOptions(page_size=4)
    )
    good = (tmp_path / "customer.parquet").read_bytes()
    add_customers(2)

    def break_after_first_page(record_type: str, rows: int) -> None:
        sandbox.faults.error_rate = 1.0

    options = ExportOptions(page_size=4, workers=1, prefetch=1)
    with pytest.raises(PageFailedError) as info:
        export_types(
            ["customer"],
            tmp_path,
            client=quick_client,
            options=options,
            on_page=break_after_first_page,
        )
    assert info.value.page == 2
    assert str(info.value).startswith("customer: page 2 of 3 failed: POST /list -> 500")
    assert (tmp_path / "customer.parquet").read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "customer.parquet",
        "manifest.json",
        "ot-etl-state.json",
    ]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["types"]["customer"]["rows"] == 10


def test_ctrl_c_mid_export_leaves_no_file_at_all(
    add_customers: Any, sandbox: Any, client: Any, tmp_path: Path
) -> None:
    add_customers(9)

    def interrupt(record_type: str, rows: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export_types(
            ["salesorder", "customer"],
            tmp_path,
            client=client,
            options=ExportOptions(page_size=4),
            on_page=interrupt,
        )
    # salesorder (0 records, no page) finished; customer was cut after page 1.
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "manifest.json",
        "ot-etl-state.json",
        "salesorder.parquet",
        "salesorder_lines.parquet",
    ]


def test_iter_pages_yields_one_frame_per_page_with_the_file_columns(
    add_customers: Any, sandbox: Any, client: Any
) -> None:
    from ot_etl.extract import iter_pages

    add_customers(7)
    frames = list(iter_pages("customer", client=client, page_size=3))
    assert [len(f) for f in frames] == [3, 3, 1]
    assert [f["Id"].tolist() for f in frames] == [[1, 2, 3], [4, 5, 6], [7]]
    whole = read_frame("customer", client=client)
    assert all(list(f.columns) == list(whole.columns) for f in frames)
    assert all((f.dtypes == whole.dtypes).all() for f in frames)
