"""Custom-field columns from /customfielddefinition: one schema on every run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from ot_etl.catalog import resolve
from ot_etl.client import Client
from ot_etl.extract import export_types
from ot_etl.sandbox import Sandbox
from ot_etl.sandbox.server import Handler, HttpError

DEFINED = ["CustRegion", "CustLoyalty"]


@pytest.fixture
def defined() -> Iterator[Sandbox]:
    with Sandbox(custom_fields={"Customer": DEFINED}) as sb:
        yield sb


@pytest.fixture
def api(defined: Sandbox) -> Iterator[Client]:
    with Client(**defined.client_kwargs()) as c:
        yield c


def _add(sb: Sandbox, names: list[str], custom: list[dict[str, Any]]) -> None:
    assert sb.records is not None
    for name in names:
        sb.records.create(resolve("customer"), {"Name": name, "CustomFields": custom})


def _custom_columns(path: Path) -> list[str]:
    return [n for n in pq.read_schema(path).names if n.startswith("CustomFields.")]


def test_schema_is_the_same_when_a_defined_field_fills_up(
    defined: Sandbox, api: Client, tmp_path: Path
) -> None:
    _add(defined, ["A", "B"], [])
    export_types(["customer"], tmp_path / "one", client=api)
    first = pq.read_table(tmp_path / "one" / "customer.parquet")
    assert _custom_columns(tmp_path / "one" / "customer.parquet") == [
        "CustomFields.CustRegion",
        "CustomFields.CustLoyalty",
    ]
    assert first.column("CustomFields.CustRegion").null_count == 2

    _add(defined, ["C"], [{"Name": "CustLoyalty", "Value": "gold"}])
    [result] = export_types(["customer"], tmp_path / "two", client=api)
    second = pq.read_table(tmp_path / "two" / "customer.parquet")
    assert second.schema.equals(first.schema, check_metadata=True)
    assert second.column("CustomFields.CustLoyalty").to_pylist() == [None, None, "gold"]
    assert result.changes["notes"] == []


def test_undefined_names_on_pages_are_kept_after_the_defined_ones(
    defined: Sandbox, api: Client, tmp_path: Path, monkeypatch: Any
) -> None:
    _add(defined, ["A"], [{"Name": "Aaa", "Value": "x"}])

    def only_configured(self: Handler, method: str, query: dict[str, str]) -> None:
        self._send_json(200, [{"Name": n} for n in DEFINED])

    monkeypatch.setattr(Handler, "_definitions", only_configured)
    [result] = export_types(["customer"], tmp_path, client=api)
    cols = _custom_columns(tmp_path / "customer.parquet")
    assert cols == [
        "CustomFields.CustRegion",
        "CustomFields.CustLoyalty",
        "CustomFields.Aaa",
    ]
    assert any("'Aaa' is not defined" in n for n in result.changes["notes"])


def test_a_404_falls_back_to_the_names_on_the_pages(
    defined: Sandbox, api: Client, tmp_path: Path, monkeypatch: Any
) -> None:
    _add(defined, ["A"], [{"Name": "CustLoyalty", "Value": "gold"}])

    def older_service(self: Handler, method: str, query: dict[str, str]) -> None:
        raise HttpError(404, "No HTTP resource was found")

    monkeypatch.setattr(Handler, "_definitions", older_service)
    [result] = export_types(["customer"], tmp_path, client=api)
    assert _custom_columns(tmp_path / "customer.parquet") == [
        "CustomFields.CustLoyalty"
    ]
    assert result.rows == 1
    assert any("definitions unavailable (404)" in n for n in result.changes["notes"])
