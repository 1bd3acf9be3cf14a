"""The decoder's narrow shape: fields never seen are read as null until they appear."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ot_etl.catalog import resolve
from ot_etl.extract.flatten import flatten
from ot_etl.extract.jsonpage import page_decoder
from ot_etl.extract.schema import header_layout

CUSTOMER = header_layout(resolve("customer"))


def _rows(records: list[dict[str, Any]]) -> tuple[Any, ...]:
    page = flatten(CUSTOMER, records)
    return (
        [(a.type, a.to_pylist()) for a in page.arrays],
        page.custom,
        page.coercions,
        page.zoned,
    )


def _decoded_rows(decode: Any, records: list[dict[str, Any]]) -> tuple[Any, ...]:
    decoded = decode(json.dumps(records).encode())
    assert decoded is not None
    return _rows(decoded)


def test_fields_first_seen_on_a_later_page_are_read_and_typed_from_then_on() -> None:
    decode = page_decoder(CUSTOMER)
    bare = [
        {"Id": i, "Name": f"C{i}", "TermRef": None, "CustomFields": []} for i in (1, 2)
    ]
    fuller = [
        {
            "Id": 3,
            "Name": "C3",
            "Note": "new",  # a scalar never seen
            "TermRef": {"Id": 4, "Name": "Net 10"},  # an object never seen
            "CustomFields": [{"Name": "Tier", "Value": "gold"}],  # a first element
            "RecordInfo": {"ModifiedDate": "2024-02-03T04:05:06Z"},
        },
        {"Id": 4, "Name": "C4", "TermRef": {}, "CustomFields": [None]},
    ]
    for records in (bare, fuller, bare, fuller):
        assert _decoded_rows(decode, records) == _rows(records)
    narrow = str(decode.narrow.explicit_schema)
    assert "Note: string" in narrow
    assert "TermRef: struct<Id: int32, Name: string>" in narrow
    assert "PrimaryShipAddress: null" in narrow  # still never seen


_VALUE = st.one_of(
    st.none(),
    st.text(max_size=3),
    st.integers(-5, 5),
    st.booleans(),
    st.just({}),
)


@st.composite
def _page_runs(draw: st.DrawFn) -> list[list[dict[str, Any]]]:
    """A few pages in which random fields come and go (valid or not)."""
    pages = []
    for _ in range(draw(st.integers(1, 4))):
        page = []
        for i in range(draw(st.integers(0, 3))):
            record: dict[str, Any] = {"Id": i + 1}
            for col in draw(st.lists(st.sampled_from(CUSTOMER.columns), max_size=3)):
                target = record
                for part in col.path[:-1]:
                    target = target.setdefault(part, {})
                    if not isinstance(target, dict):
                        break
                else:
                    target[col.path[-1]] = draw(_VALUE)
            page.append(record)
        pages.append(page)
    return pages


@settings(max_examples=120, deadline=None)
@given(_page_runs())
def test_a_page_reads_alike_whatever_the_decoder_saw_before(
    pages: list[list[dict[str, Any]]],
) -> None:
    shared = page_decoder(CUSTOMER)
    for records in pages:
        body = json.dumps(records).encode()
        fresh = page_decoder(CUSTOMER)(body)
        seasoned = shared(body)
        # Whether a page decodes never depends on the pages before it ...
        assert (fresh is None) == (seasoned is None)
        # ... and a decoded page has the rows of the Python path.
        if seasoned is not None and fresh is not None:
            assert _rows(seasoned) == _rows(records) == _rows(fresh)
