"""EntityRef name resolution: exact, then case-insensitive; hints; ambiguity."""

from __future__ import annotations

from typing import Any

from ot_etl.load.items import LoadItem, Ref
from ot_etl.load.resolve import Resolver, locate, parse_path, resolve_items


class Refs:
    """Serves /entityref pages from a list, counting the requests."""

    def __init__(self, names: list[tuple[int, str]], page_size: int = 1000) -> None:
        self.names = names
        self.calls = 0

    def entity_refs(
        self, record_type: Any, filters: Any = (), page: int = 1, size: int = 1000
    ) -> list[dict[str, Any]]:
        self.calls += 1
        chunk = self.names[(page - 1) * size : page * size]
        return [{"Id": i, "Name": n} for i, n in chunk]


def _item(*refs: Ref) -> LoadItem:
    return LoadItem(position=0, rows=[0], payload={"Name": "x"}, refs=list(refs))


def test_tiers_hints_and_ambiguity() -> None:
    reps = [(1, "Ann Lee"), (2, "ann lee "), (3, "Bob  Stone"), (4, "Carla")]
    reps += [(i, f"rep {i}") for i in range(10, 1010)]  # two pages
    source = Refs(reps)
    resolver = Resolver(source)
    exact = _item(Ref(("SalesRepRef",), 370, "Ann Lee"))
    folded = _item(Ref(("SalesRepRef", "Name"), 370, "bob stone"))
    ambiguous = _item(Ref(("SalesRepRef",), 370, "ANN LEE"))
    unknown = _item(Ref(("SalesRepRef",), 370, "Karla"), Ref(("TermRef",), 370, "zzz"))
    rejected = resolve_items([exact, folded, ambiguous, unknown], resolver)
    assert rejected == 2
    assert source.calls == 2  # one sweep, cached
    assert exact.payload["SalesRepRef"] == {"Id": 1, "Name": "Ann Lee"}
    assert folded.payload["SalesRepRef"] == {"Id": 3, "Name": "Bob  Stone"}
    assert ambiguous.reasons == [
        "SalesRepRef: Sales Rep 'ANN LEE' is ambiguous: 2 records have that name "
        "(Id 1 'Ann Lee', Id 2 'ann lee '); give the Id instead"
    ]
    assert unknown.stage == "reference"
    assert unknown.reasons == [
        "SalesRepRef: no Sales Rep named 'Karla'; did you mean 'Carla'?",
        "TermRef: no Sales Rep named 'zzz'",
    ]


def test_paths() -> None:
    assert parse_path("LineItems[1].ItemRef") == ("LineItems", 1, "ItemRef")
    payload: dict[str, Any] = {"LineItems": [{}, {"ItemRef": {"Name": "A"}}]}
    assert locate(payload, ("LineItems", "1", "ItemRef", "Name")) == {"Name": "A"}
