"""GET /customfielddefinition: configured fields, then names seen on records."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sandbox_helpers import Api

from ot_etl.catalog import resolve
from ot_etl.client import Client
from ot_etl.sandbox import Sandbox


@pytest.fixture
def defined() -> Iterator[Sandbox]:
    with Sandbox(custom_fields={"Customer": ["CustRegion", "CustLoyalty"]}) as sb:
        yield sb


def _names(answer: list[dict[str, Any]]) -> list[str]:
    return [d["Name"] for d in answer]


def test_configured_fields_come_first_then_seen_ones_sorted(defined: Sandbox) -> None:
    assert defined.records is not None
    body = {
        "Name": "Acme",
        "CustomFields": [
            {"Name": "Zeta", "Value": "z"},
            {"Name": "CustLoyalty", "Value": "gold"},
            {"Name": "Alpha", "Value": None},
        ],
    }
    defined.records.create(resolve("customer"), body)
    api = Api(defined.viewer_kwargs())  # a read-only role may read definitions
    try:
        r = api.get("/customfielddefinition?recordType=120")
        assert r.status_code == 200
        answer = r.json()
        assert _names(answer) == ["CustRegion", "CustLoyalty", "Alpha", "Zeta"]
        assert answer[0] == {
            "Name": "CustRegion",
            "Caption": "CustRegion",
            "FieldType": 0,
            "FieldSize": 50,
            "IsRequired": False,
            "IsCalculated": False,
            "Selections": [],
        }
        assert api.get("/CustomFieldDefinition?RECORDTYPE=130").json() == []
    finally:
        api.close()


@pytest.mark.parametrize(
    ("query", "needle"),
    [("", "is required"), ("?recordType=x", "integer"), ("?recordType=9999", "9999")],
)
def test_bad_record_type_is_400(api: Api, query: str, needle: str) -> None:
    r = api.get("/customfielddefinition" + query)
    assert r.status_code == 400
    assert needle in r.json()["Message"]


def test_only_get_is_served(api: Api) -> None:
    r = api.post("/customfielddefinition?recordType=120", {"Name": "X"})
    assert r.status_code == 405


def test_client_reads_definitions(defined: Sandbox) -> None:
    with Client(**defined.client_kwargs()) as client:
        found = client.custom_field_definitions("customer")
    assert _names(found) == ["CustRegion", "CustLoyalty"]
