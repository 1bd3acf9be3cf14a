"""The pure ListInfo engine: every operator, sorting, paging and the 400 cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from ot_etl.sandbox.listinfo import ListInfoError, page_of, parse, select

NOW = datetime(2026, 3, 18, 12, 0)


def customer(
    key: int,
    name: str,
    limit: float | None,
    active: bool,
    city: str | None,
    modified: str,
) -> tuple[int, dict[str, Any]]:
    return key, {
        "Id": key,
        "Name": name,
        "CreditLimit": limit,
        "IsActive": active,
        "BillAddress": {"City": city} if city else None,
        "TermRef": {"Id": key % 2 + 1, "Name": "Net 30" if key % 2 else "Net 15"},
        "RecordInfo": {"CreatedDate": modified, "ModifiedDate": modified},
    }


RECORDS = [
    customer(1, "Alfreds Futterkiste", 500.0, True, "Berlin", "2024-01-05T10:00:00"),
    customer(2, "Ana Trujillo", 1500.0, False, "México D.F.", "2024-02-01T00:00:00"),
    customer(3, "Antonio Moreno", None, True, None, "2024-02-15T08:30:00.5"),
    customer(4, "Around the Horn", 250.5, True, "London", "2024-03-01T23:59:59"),
    customer(5, "Berglunds snabbköp", 500.0, False, "Luleå", "2024-03-02T00:00:00"),
]


def ids(filters: list[dict[str, Any]], **extra: Any) -> list[int]:
    query = parse({"Type": 120, "Filters": filters, **extra}, NOW)
    return select(RECORDS, query)


def f(prop: str, op: int | None, value: Any = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"PropertyName": prop, **extra}
    if op is not None:
        out["Operator"] = op
    if value is not None:
        out["FilterValueArray"] = value
    return out


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (f("Name", 1, "ana trujillo"), [2]),
        (f("Name", None, "Ana Trujillo"), [2]),  # Operator defaults to EqualTo
        (f("CreditLimit", 1, 500), [1, 5]),
        (f("CreditLimit", 1, "500.00"), [1, 5]),
        (f("CreditLimit", 2, "500"), [2]),
        (f("CreditLimit", 3, 500), [4]),
        (f("CreditLimit", 4, 500), [1, 2, 5]),
        (f("CreditLimit", 5, 500), [1, 4, 5]),
        (f("CreditLimit", 6, 500), [2, 4]),
        (f("Id", 8, "1, 3,5"), [1, 3, 5]),
        (f("Id", 9, "1,3,5"), [2, 4]),
        (f("Name", 8, "ANA TRUJILLO,Around the Horn"), [2, 4]),
        (f("BillAddress.City", 10), [3]),
        (f("BillAddress.City", 11), [1, 2, 4, 5]),
        (f("CreditLimit", 10), [3]),
        (f("Name", 12, "an"), [2, 3]),
        (f("Name", 12, "A%o"), [2, 3, 4]),
        (f("Name", 13, "an"), [1, 4, 5]),
        (f("IsActive", 1, True), [1, 3, 4]),
        (f("IsActive", 1, "1"), [1, 3, 4]),
        (f("IsActive", 1, "false"), [2, 5]),
        (f("IsActive", 1, 0), [2, 5]),
        (f("TermRef.Name", 1, "net 15"), [2, 4]),
        (f("termref.id", 1, 2), [1, 3, 5]),
        (f("RecordInfo.ModifiedDate", 4, "2024-02-15"), [3, 4, 5]),
        (f("RecordInfo.ModifiedDate", 2, "2024-02-15T08:30:00.5Z"), [4, 5]),
        (f("RecordInfo.ModifiedDate", 3, "2024-02-01T00:00:00"), [1]),
        (
            f(
                "RecordInfo.ModifiedDate",
                None,
                None,
                DateMacro=25,
                FilterValueArray="2024-02-01,2024-03-01",
            ),
            [2, 3, 4],
        ),
        (f("RecordInfo.ModifiedDate", None, None, DateMacro=0), [1, 2, 3, 4, 5]),
    ],
)
def test_operators(flt: dict[str, Any], expected: list[int]) -> None:
    assert ids([flt]) == expected


def test_filters_are_anded() -> None:
    assert ids([f("Name", 12, "a"), f("IsActive", 1, True), f("CreditLimit", 11)]) == [
        1,
        4,
    ]


def test_sort_with_ties_broken_by_key() -> None:
    by_limit = {"PropertyName": "CreditLimit", "Direction": 2}
    assert ids([], Sortation=by_limit) == [2, 1, 5, 4, 3]
    assert ids([], Sortation={"PropertyName": "CreditLimit"}) == [3, 4, 1, 5, 2]
    assert ids([], Sortation={"PropertyName": "BillAddress.City"}) == [3, 1, 4, 5, 2]
    assert ids([], Sortation={"PropertyName": "Id", "Direction": 2}) == [5, 4, 3, 2, 1]


def test_paging() -> None:
    keys = list(range(1, 2501))
    assert page_of(keys, 3, 1000) == list(range(2001, 2501))
    assert page_of(keys, 4, 1000) == []
    query = parse({"Type": 120, "NumberOfRecords": 5000}, NOW)
    assert (query.page, query.size, query.plain) == (1, 1000, True)
    assert parse({"Type": 120}, NOW).size == 100


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "ListInfo.Type is required"),
        ({"Type": 999}, "ListInfo.Type 999 is not a known record type"),
        (
            {"Type": 120, "PageNumber": 0},
            "PageNumber must be an integer of 1 or more, got 0",
        ),
        (
            {"Type": 120, "NumberOfRecords": -1},
            "NumberOfRecords must be an integer of 1 or more, got -1",
        ),
        (
            {"Type": 120, "Filters": [f("Nope", 1, "x")]},
            "Customer has no property 'Nope'",
        ),
        (
            {"Type": 120, "Filters": [f("Name", 7, "x")]},
            "Filters[0].Operator 7 is not a FilterOpEnum value",
        ),
        (
            {"Type": 120, "Filters": [f("Name", 1)]},
            "Filters[0].FilterValueArray is required for operator 1",
        ),
        (
            {"Type": 120, "Filters": [f("Name", None, None, DateMacro=1)]},
            "Filters[0]: a DateMacro needs a date property, not 'Name'",
        ),
        (
            {
                "Type": 120,
                "Filters": [f("RecordInfo.ModifiedDate", None, None, DateMacro=26)],
            },
            "Filters[0].DateMacro 26 is not a DateMacroEnum value",
        ),
        (
            {"Type": 120, "Filters": [f("CreditLimit", 2, "lots")]},
            "Filters[0]: 'lots' is not a valid Decimal for 'CreditLimit'",
        ),
        (
            {"Type": 120, "Filters": [f("TermRef", 1, "x")]},
            "'TermRef' is an object; filter or sort on one of its properties",
        ),
        (
            {"Type": 120, "Sortation": {"PropertyName": "Name", "Direction": 3}},
            "Sortation.Direction must be 1 (Asc) or 2 (Desc), got 3",
        ),
    ],
)
def test_refusals(body: dict[str, Any], message: str) -> None:
    with pytest.raises(ListInfoError) as err:
        parse(body, NOW)
    assert str(err.value) == message
