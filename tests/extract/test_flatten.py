"""Flattening records to the fixed schema, and back (pure; Hypothesis round trips)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from ot_etl.catalog import resolve
from ot_etl.extract.flatten import flatten, line_rows, text_of, unflatten
from ot_etl.extract.schema import (
    Column,
    arrow_schema,
    header_layout,
    lines_layout,
)

CUSTOMER = header_layout(resolve("customer"))
SO_LINES = lines_layout(resolve("salesorder"))
assert SO_LINES is not None

_moments = st.datetimes(
    min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 1, 1)
)
_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "string": st.text(max_size=12),
    "int32": st.integers(-(2**31), 2**31 - 1),
    "int16": st.integers(-(2**15), 2**15 - 1),
    "float64": st.floats(allow_nan=False, allow_infinity=False, width=64),
    "bool": st.booleans(),
    "timestamp": _moments,
    "json": st.one_of(st.text(max_size=5), st.lists(st.integers(), max_size=3)),
}


def _wire(col: Column, value: Any, seven_digits: bool) -> Any:
    if col.kind == "timestamp":
        text = value.isoformat(timespec="microseconds")
        return text + "7" if seven_digits else text
    return value


@st.composite
def records(
    draw: st.DrawFn, columns: tuple[Column, ...]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the record as the API sends it, the row we expect)."""
    record: dict[str, Any] = {}
    row: dict[str, Any] = {}
    seven = draw(st.booleans())
    for col in columns:
        if col.path[0] == "\x00parent" or not draw(st.booleans()):
            continue
        value = draw(_VALUES[col.kind])
        target = record
        for part in col.path[:-1]:
            target = target.setdefault(part, {})
        target[col.path[-1]] = _wire(col, value, seven)
        row[col.name] = text_of(value) if col.kind == "json" else value
    custom = draw(
        st.dictionaries(
            st.sampled_from(["CustA", "CustB", "CustC"]),
            st.one_of(st.none(), st.integers(), st.text(max_size=5), st.booleans()),
        )
    )
    if custom or draw(st.booleans()):
        record["CustomFields"] = [{"Name": k, "Value": v} for k, v in custom.items()]
    for k, v in custom.items():
        row["CustomFields." + k] = text_of(v)
    return record, row


@settings(max_examples=60, deadline=None)
@given(st.lists(records(CUSTOMER.columns), max_size=8))
def test_customer_round_trip(
    pairs: list[tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    page = flatten(CUSTOMER, [r for r, _ in pairs])
    schema = arrow_schema(CUSTOMER, page.custom, page.extras)
    rows = page.to_table(schema).to_pylist()
    assert not page.coercions and not page.extras
    for got, (_, expected) in zip(rows, pairs, strict=True):
        assert {k: v for k, v in got.items() if v is not None} == {
            k: v for k, v in expected.items() if v is not None
        }
        # and back: the nested record without its nulls
        assert flatten(CUSTOMER, [unflatten(CUSTOMER, got)]).to_table(
            schema
        ).to_pylist() == [got]


@settings(max_examples=30, deadline=None)
@given(st.lists(records(SO_LINES.columns), max_size=6))
def test_line_round_trip(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    assert SO_LINES is not None
    header = {"DocNo": 7, "LineItems": [r for r, _ in pairs]}
    rows, without = line_rows([header], "LineItems")
    assert without == (0 if pairs else 1)
    page = flatten(SO_LINES, rows)
    table = page.to_table(arrow_schema(SO_LINES, page.custom, page.extras))
    assert table.column("DocNo").to_pylist() == [7] * len(pairs)
    expected_line_nos = [
        r.get("LineNo", pos) for pos, (r, _) in enumerate(pairs, start=1)
    ]
    assert table.column("LineNo").to_pylist() == expected_line_nos


def test_schema_is_fixed_for_an_empty_page_and_a_full_one() -> None:
    empty = flatten(CUSTOMER, [])
    table = empty.to_table(arrow_schema(CUSTOMER))
    assert table.num_rows == 0
    assert table.schema.field("RecordInfo.ModifiedDate").type == pa.timestamp("us")
    assert table.schema.field("TermRef.Id").type == pa.int32()
    assert table.schema.field("TermRef.Name").type == pa.string()
    assert table.schema.field("CreditLimit").type == pa.float64()
    assert table.schema.field("IsActive").type == pa.bool_()
    assert table.schema.field("BillAddress.City").type == pa.string()
    assert "CreditCardNo" not in table.schema.names  # sensitive: left out
    assert (
        header_layout(resolve("customer"), include_sensitive=True).column_names.count(
            "CreditCardNo"
        )
        == 1
    )


def test_mixed_custom_field_values_become_text() -> None:
    recs = [
        {"Id": 1, "CustomFields": [{"Name": "Cust1", "Value": 5}]},
        {"Id": 2, "CustomFields": [{"Name": "Cust1", "Value": "abc"}]},
        {
            "Id": 3,
            "CustomFields": [
                {"Name": "Cust1", "Value": True},
                {"Name": "Cust2", "Value": 1.5},
            ],
        },
        {"Id": 4, "CustomFields": []},
        {"Id": 5},
    ]
    page = flatten(CUSTOMER, recs)
    table = page.to_table(arrow_schema(CUSTOMER, page.custom))
    assert table.column("CustomFields.Cust1").to_pylist() == [
        "5",
        "abc",
        "true",
        None,
        None,
    ]
    assert table.column("CustomFields.Cust2").to_pylist() == [
        None,
        None,
        "1.5",
        None,
        None,
    ]


def test_unknown_fields_are_kept_as_json_text() -> None:
    recs = [
        {
            "Id": 1,
            "Loyalty": {"Tier": 2},
            "BillAddress": {"City": "Oslo", "Geo": [1, 2]},
        },
        {"Id": 2, "Loyalty": "gold", "TermRef": {"Id": 1, "Name": "Net", "Code": "N"}},
    ]
    page = flatten(CUSTOMER, recs)
    assert sorted(page.extras) == ["BillAddress.Geo", "Loyalty", "TermRef.Code"]
    table = page.to_table(arrow_schema(CUSTOMER, page.custom, page.extras))
    assert table.schema.names[-3:] == ["BillAddress.Geo", "Loyalty", "TermRef.Code"]
    assert table.column("Loyalty").to_pylist() == ['{"Tier":2}', "gold"]
    assert table.column("BillAddress.Geo").to_pylist() == ["[1,2]", None]
    assert table.column("TermRef.Code").to_pylist() == [None, "N"]


def test_wrong_types_are_coerced_or_nulled_and_counted() -> None:
    recs = [
        {"Id": "12", "IsActive": 1, "CreditLimit": "2.5", "Name": 42},
        {"Id": 1.5, "IsActive": "maybe", "CreditLimit": "x", "Name": None},
        {"Id": 2**40},
    ]
    page = flatten(CUSTOMER, recs)
    table = page.to_table(arrow_schema(CUSTOMER))
    assert table.column("Id").to_pylist() == [12, None, None]
    assert table.column("IsActive").to_pylist() == [True, None, None]
    assert table.column("CreditLimit").to_pylist() == [2.5, None, None]
    assert table.column("Name").to_pylist() == ["42", None, None]
    assert dict(page.coercions) == {"Id": 3, "IsActive": 2, "CreditLimit": 2, "Name": 1}


def test_datetimes_stay_naive_wall_clock() -> None:
    recs = [
        {"Id": 1, "RecordInfo": {"ModifiedDate": "2024-03-01T10:11:12.1234567"}},
        {"Id": 2, "RecordInfo": {"ModifiedDate": "2024-03-01T10:11:12Z"}},
        {"Id": 3, "RecordInfo": {"ModifiedDate": "2024-03-01T10:11:12+02:00"}},
        {"Id": 4, "RecordInfo": {"ModifiedDate": "2024-03-01"}},
        {"Id": 5, "RecordInfo": {"ModifiedDate": "not a date"}},
    ]
    page = flatten(CUSTOMER, recs)
    got = (
        page.to_table(arrow_schema(CUSTOMER))
        .column("RecordInfo.ModifiedDate")
        .to_pylist()
    )
    assert got == [
        dt.datetime(2024, 3, 1, 10, 11, 12, 123456),
        dt.datetime(2024, 3, 1, 10, 11, 12),
        dt.datetime(2024, 3, 1, 10, 11, 12),
        dt.datetime(2024, 3, 1),
        None,
    ]
    assert page.zoned["RecordInfo.ModifiedDate"] == 2
    assert page.coercions["RecordInfo.ModifiedDate"] == 1


def test_refs_null_on_one_page_and_filled_on_another_share_the_schema() -> None:
    nulls = flatten(CUSTOMER, [{"Id": 1, "TermRef": None}, {"Id": 2}])
    filled = flatten(CUSTOMER, [{"Id": 3, "TermRef": {"Id": 9, "Name": "Net 30"}}])
    a = nulls.to_table(arrow_schema(CUSTOMER))
    b = filled.to_table(arrow_schema(CUSTOMER))
    assert a.schema.equals(b.schema)
    assert a.column("TermRef.Id").to_pylist() == [None, None]
    assert b.column("TermRef.Name").to_pylist() == ["Net 30"]


def test_zero_field_object_never_breaks_the_table(caplog: Any) -> None:
    recs = [{"Id": 1, "RecordInfo": {}, "BillAddress": {}, "PrimaryContact": None}]
    caplog.set_level(logging.WARNING)
    page = flatten(CUSTOMER, recs)
    table = page.to_table(arrow_schema(CUSTOMER, page.custom, page.extras))
    assert table.num_rows == 1 and not page.extras
