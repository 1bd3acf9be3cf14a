"""The pure ListInfo engine: every operator, sorting, paging and the 400 cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from listinfo_cases import OPERATOR_CASES, RECORDS, f

from ot_etl.sandbox.listinfo import ListInfoError, page_of, parse, select

NOW = datetime(2026, 3, 18, 12, 0)


def ids(filters: list[dict[str, Any]], **extra: Any) -> list[int]:
    query = parse({"Type": 120, "Filters": filters, **extra}, NOW)
    return select(RECORDS, query)


@pytest.mark.parametrize(("flt", "expected"), OPERATOR_CASES)
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
