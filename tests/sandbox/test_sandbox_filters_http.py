"""Every filter operator of the engine's table, sent by the Client over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from listinfo_cases import OPERATOR_CASES, RECORDS
from sandbox_helpers import FrozenClock

from ot_etl.client import Client, DateMacro, Filter, FilterOp
from ot_etl.sandbox import Sandbox


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    clock = FrozenClock(datetime(2024, 1, 1))
    with Sandbox(clock=clock) as sb, Client(**sb.client_kwargs()) as c:
        for key, record in RECORDS:
            clock.now = datetime.fromisoformat(record["RecordInfo"]["ModifiedDate"])
            body = {k: record[k] for k in ("Name", "CreditLimit", "IsActive")}
            body["TermRef"] = {"Id": record["TermRef"]["Id"]}
            if record["BillAddress"] is not None:
                body["BillAddress"] = record["BillAddress"]
            assert c.create("customer", body)["Id"] == key
        yield c


def as_filter(raw: dict[str, Any]) -> Filter:
    """The Client's Filter for one raw FilterField of the table."""
    macro = raw.get("DateMacro")
    return Filter(
        raw["PropertyName"],
        FilterOp(raw.get("Operator", FilterOp.EQUAL)),
        raw.get("FilterValueArray"),
        DateMacro(macro) if macro is not None else None,
    )


def test_the_records_are_those_of_the_table(client: Client) -> None:
    rows = client.list_page("customer")
    for row, (key, record) in zip(rows, RECORDS, strict=True):
        assert row["Id"] == key
        assert row["TermRef"] == record["TermRef"]
        assert row["RecordInfo"]["ModifiedDate"].startswith(
            record["RecordInfo"]["ModifiedDate"]
        )


@pytest.mark.parametrize(("flt", "expected"), OPERATOR_CASES)
def test_operator_over_http(
    client: Client, flt: dict[str, Any], expected: list[int]
) -> None:
    filters = [as_filter(flt)]
    assert [r["Id"] for r in client.list_page("customer", filters)] == expected
    assert client.count("customer", filters) == len(expected)
    refs = client.entity_refs("customer", filters)
    assert [r["Id"] for r in refs] == expected
