"""Finding existing records by match key: In-filter chunks or a full sweep."""

from __future__ import annotations

from typing import Any

from ot_etl.catalog import resolve
from ot_etl.client import Client
from ot_etl.load import lookup
from ot_etl.load.lookup import find_existing, find_one

CUSTOMER = resolve("customer")


def _fold(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(None if v is None else str(v).strip().casefold() for v in key)


def _exact(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(None if v is None else str(v) for v in key)


def test_in_chunks_when_cheaper(client: Client, monkeypatch: Any) -> None:
    for i in range(30):
        client.create("customer", {"Name": f"C{i:02d}"})
    monkeypatch.setattr(lookup, "CHUNK", 4)
    monkeypatch.setattr(lookup, "PAGE", 10)  # a sweep would take 3 pages
    names = ["C01", "C05", "C07", "zz"]
    before = client.stats["requests"]
    found = find_existing(
        client, CUSTOMER, ["Name"], [(n,) for n in names], _exact, raw_values=names
    )
    assert client.stats["requests"] - before == 2  # count + one In chunk
    assert sorted(found) == [("C01",), ("C05",), ("C07",)]
    assert found[("C05",)][0]["Id"] == 6


def test_sweep_when_case_folded(client: Client) -> None:
    for i in range(5):
        client.create("customer", {"Name": f"Shop {i}"})
    found = find_existing(
        client,
        CUSTOMER,
        ["Name"],
        [("shop 3",), ("shop 9",)],
        _fold,
        raw_values=["SHOP 3", "shop 9"],
        case_sensitive=False,
    )
    assert list(found) == [("shop 3",)]
    assert found[("shop 3",)][0]["Name"] == "Shop 3"


def test_find_one_after_an_unknown_outcome(client: Client) -> None:
    client.create("customer", {"Name": "Acme, Inc."})
    rows = find_one(client, CUSTOMER, ["Name"], ["Acme, Inc."], _fold)
    assert [r["Id"] for r in rows] == [1]
    assert find_one(client, CUSTOMER, ["Name"], ["Other"], _fold) == []
