"""Posting against the sandbox: adaptive pool, unknown outcomes, 409/403."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ot_etl.catalog import resolve
from ot_etl.client import Client
from ot_etl.load.items import LoadItem
from ot_etl.load.ledger import Ledger
from ot_etl.load.post import Poster, PostSettings

CUSTOMER = resolve("customer")


def _norm(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(None if v is None else str(v).strip().casefold() for v in key)


def _items(n: int, prefix: str = "Cust") -> list[LoadItem]:
    return [
        LoadItem(
            position=i,
            rows=[i],
            payload={"Name": f"{prefix} {i:03d}", "CreditLimit": i},
            match_key=(f"{prefix} {i:03d}".casefold(),),
            fingerprint=f"fp{i}",
        )
        for i in range(n)
    ]


def _poster(client: Client, workers: int = 4, **kw: Any) -> Poster:
    return Poster(
        client,
        CUSTOMER,
        match_fields=["Name"],
        normalize=_norm,
        settings=PostSettings(workers=workers, batch_size=kw.pop("batch_size", 10)),
        **kw,
    )


def _names(client: Client) -> list[str]:
    rows = client.list_page("customer", size=1000)
    return sorted(r["Name"] for r in rows)


def test_throttling_slows_the_pool_and_every_record_lands_once(
    sandbox: Any, client: Client
) -> None:
    sandbox.faults.throttle_rate = 0.15
    sandbox.faults.retry_after = 0.05
    items = _items(60)
    seen: list[tuple[int, int]] = []
    poster = _poster(client, workers=8, progress=lambda d, t: seen.append((d, t)))
    poster.run(items)
    stats = poster.limit.snapshot()
    assert stats["throttles"] == sandbox.stats.snapshot()["throttles"] > 0
    assert stats["lowest_limit"] < 8
    assert client.stats["status_429"] == stats["throttles"]
    assert [i.outcome for i in items] == ["created"] * 60
    assert _names(client) == [f"Cust {i:03d}" for i in range(60)]
    assert sorted(seen)[-1] == (60, 60)


def test_commit_then_fail_never_duplicates(
    sandbox: Any, client: Client, tmp_path: Path
) -> None:
    sandbox.faults.commit_then_fail_rate = 0.3
    items = _items(40)
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.start_run("f.csv", "Customer")
        _poster(client, ledger=ledger, source_file="f.csv").run(items)
        states = ledger.states(i.fingerprint for i in items)
    failed = sandbox.stats.snapshot()["commit_then_fail"]
    assert failed > 0
    assert sum(i.recovered for i in items) == failed
    assert [i.outcome for i in items] == ["created"] * 40
    assert _names(client) == [f"Cust {i:03d}" for i in range(40)]
    ids = {r["Name"]: r["Id"] for r in client.list_page("customer", size=1000)}
    assert [i.record_key for i in items] == [ids[i.payload["Name"]] for i in items]
    assert {s for s, _ in states.values()} == {"created"}


def test_conflict_lists_every_validation_result(client: Client) -> None:
    item = _items(1)[0]
    item.payload.update({"SalesRepRef": {"Id": 999}, "TermRef": {"Id": 998}})
    _poster(client).run([item])
    assert item.outcome == "rejected" and item.stage == "server"
    assert item.reasons == [
        "SalesRepRef: no Sales Rep with Id 999",
        "TermRef: no Term with Id 998",
    ]
    assert item.raw == [
        {
            "PropertyName": "SalesRepRef",
            "Message": "SalesRepRef: no Sales Rep with Id 999",
            "Value": "999",
        },
        {
            "PropertyName": "TermRef",
            "Message": "TermRef: no Term with Id 998",
            "Value": "998",
        },
    ]


def test_forbidden_stops_at_once(sandbox: Any, tmp_path: Path) -> None:
    kwargs = dict(
        sandbox.client_kwargs(), email="viewer@sandbox.local", password="viewer-pass"
    )
    viewer = Client(**kwargs)
    items = _items(30)
    with Ledger(tmp_path / "l.sqlite") as ledger:
        poster = _poster(
            viewer, workers=2, batch_size=5, ledger=ledger, source_file="f.csv"
        )
        poster.run(items)
        assert ledger.states(i.fingerprint for i in items) == {}
    assert poster.stopped is not None and poster.stopped.status == 403
    posts = sandbox.stats.snapshot()["by_status"]
    assert posts == {403: posts[403]} and posts[403] <= 2
    assert sum(i.outcome is None for i in items) >= 28
    viewer.close()
