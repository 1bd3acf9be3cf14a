"""Pages decoded straight into Arrow give the rows of the Python path, or decline."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ot_etl.catalog import resolve
from ot_etl.extract.flatten import FlatPage, flatten
from ot_etl.extract.jsonpage import page_decoder
from ot_etl.extract.pages import PageFetcher
from ot_etl.extract.schema import header_layout

CUSTOMER = header_layout(resolve("customer"))
DECODE = page_decoder(CUSTOMER)


def _plain(i: int) -> dict[str, Any]:
    return {
        "Id": i,
        "Name": f"Customer {i}",
        "CompanyName": None,
        "IsActive": i % 2 == 0,
        "CreditLimit": 100 if i % 3 else 2.5,
        "TermRef": {"Id": 3, "Name": "Net 30"} if i % 2 else None,
        "BillAddress": {"City": "Bern", "Zip": "3000"} if i % 4 else {},
        "PrimaryShipAddress": None,
        "CreditCardNo": None,
        "CustomFields": [{"Name": "Tier", "Value": "gold"}] if i % 5 == 0 else [],
        "RecordInfo": {
            "CreatedDate": "2024-01-02T03:04:05.1234567",
            "ModifiedDate": "2024-01-02T03:04:05+02:00" if i == 7 else None,
        },
    }


def _same(fast: FlatPage, slow: FlatPage) -> None:
    assert fast.rows == slow.rows
    for col, a, b in zip(CUSTOMER.columns, fast.arrays, slow.arrays, strict=True):
        assert a.type == b.type, col.name
        assert a.to_pylist() == b.to_pylist(), col.name
    assert fast.custom == slow.custom
    assert fast.extras == slow.extras
    assert fast.coercions == slow.coercions
    assert fast.zoned == slow.zoned


def _body(records: Any) -> bytes:
    return json.dumps(records).encode()


def test_a_plain_page_decodes_to_the_rows_of_the_python_path() -> None:
    records = [_plain(i) for i in range(1, 21)]
    decoded = DECODE(_body(records))
    assert isinstance(decoded, pa.StructArray)
    fast = flatten(CUSTOMER, decoded)
    _same(fast, flatten(CUSTOMER, records))
    assert fast.custom["Tier"][4] == "gold"
    assert fast.zoned == {"RecordInfo.ModifiedDate": 1}


def test_an_empty_page_and_a_pretty_printed_page_decode() -> None:
    assert len(DECODE(b"[]")) == 0  # type: ignore[arg-type]
    records = [_plain(1), _plain(2)]
    decoded = DECODE(json.dumps(records, indent=2).encode())
    assert decoded is not None
    _same(flatten(CUSTOMER, decoded), flatten(CUSTOMER, records))


@pytest.mark.parametrize(
    "body",
    [
        _body([{**_plain(1), "Loyalty": 3}]),  # an extra field
        _body([{**_plain(1), "BillAddress": {"City": "Bern", "Geo": [1, 2]}}]),
        _body([{**_plain(1), "Id": "12"}]),  # text in a number column
        _body([{**_plain(1), "Id": 1.5}]),
        _body([{**_plain(1), "Id": 2**40}]),  # out of range for Int32
        _body([{**_plain(1), "IsActive": 1}]),
        _body([{**_plain(1), "Name": 5}]),
        _body([{**_plain(1), "Name": {"a": 1}}]),
        _body([{**_plain(1), "BillAddress": "Bern"}]),
        _body([{**_plain(1), "CustomFields": [{"Name": "Tier", "Value": 5}]}]),
        _body([{**_plain(1), "CreditCardNo": 4111}]),  # left out, but wrong type
        _body([None]),
        _body([1]),
        b'[{"Id": 1, "Id": 2}]',  # a key twice
        b'[{"Name": "\xff"}]',  # not UTF-8
        b'{"Message": "no"}',
        b"[] []",
        b'[]}{"r": []',
        b"",
        b'[{"Name": "a\nb"}]',  # a raw control character inside a string
    ],
)
def test_an_odd_page_is_left_to_the_python_path(body: bytes) -> None:
    assert DECODE(body) is None


_TEXT = st.one_of(st.text(max_size=4), st.just("2024-05-06T07:08:09.123"))
_OBJECTS = st.sampled_from([{}, {"Id": 1, "Name": "x"}])
_FLOATS = st.floats(allow_nan=False, allow_infinity=False)
_INT32 = st.integers(-(2**31), 2**31 - 1)
_BEYOND_INT32 = st.integers(2**31, 2**40) | st.integers(-(2**40), -(2**31) - 1)
# By column kind: values the decoder must read, and values that must send the
# page the Python path (another JSON type, a float or an out-of-range number
# in an integer column, even 2.0).
_FITS = {
    "string": st.none() | _TEXT,
    "timestamp": st.none() | _TEXT,
    "int32": st.none() | _INT32,
    "float64": st.none() | st.integers(-(2**33), 2**33) | _FLOATS,
    "bool": st.none() | st.booleans(),
}
_MISFITS = {
    "string": st.booleans() | st.integers() | _FLOATS | _OBJECTS,
    "timestamp": st.booleans() | st.integers() | _FLOATS | _OBJECTS,
    "int32": st.booleans() | _BEYOND_INT32 | _FLOATS | _TEXT | _OBJECTS,
    "float64": st.booleans() | _TEXT | _OBJECTS,
    "bool": st.integers() | _FLOATS | _TEXT | _OBJECTS,
}


@st.composite
def _pages(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[str]]:
    """Records with a few columns set, and the columns set to a misfit value."""
    out = []
    misfits = []
    for i in range(draw(st.integers(0, 6))):
        record = _plain(i + 1)
        columns = st.sampled_from(CUSTOMER.columns)
        for col in draw(st.lists(columns, max_size=3, unique=True)):
            target = record
            for part in col.path[:-1]:
                if not isinstance(target.get(part), dict):
                    target[part] = {}
                target = target[part]
            fits = draw(st.booleans())
            target[col.path[-1]] = draw((_FITS if fits else _MISFITS)[col.kind])
            if not fits:
                misfits.append(col.name)
        out.append(record)
    return out, misfits


@settings(max_examples=150, deadline=None)
@given(_pages())
def test_a_page_decodes_exactly_when_every_value_fits_its_column(
    page: tuple[list[dict[str, Any]], list[str]],
) -> None:
    records, misfits = page
    decoded = DECODE(_body(records))
    if misfits:
        assert decoded is None, f"decoded despite misfit values in {misfits}"
    else:
        assert decoded is not None, "a page of fitting values fell back"
        _same(flatten(CUSTOMER, decoded), flatten(CUSTOMER, records))


class _Pages:
    """A client stand-in serving fixed pages, as records or as bodies."""

    def __init__(self, pages: list[list[dict[str, Any]]]) -> None:
        self.pages = pages

    def count(self, rt: Any, filters: Any = ()) -> int:
        return sum(map(len, self.pages))

    def list_page(self, rt: Any, filters: Any = (), **kw: Any) -> Any:
        page = kw["page"]
        return self.pages[page - 1] if page <= len(self.pages) else []

    def list_page_as(self, decode: Any, rt: Any, filters: Any = (), **kw: Any) -> Any:
        kw.pop("slot")
        body = _body(self.list_page(rt, filters, **kw))
        decoded = decode(body)
        return json.loads(body) if decoded is None else decoded


def test_the_fetcher_hands_out_the_same_rows_from_decoded_pages() -> None:
    # Unsorted keys, a repeated page, a record without a key, a key twice.
    pages = [
        [_plain(3), _plain(1), _plain(2)],
        [_plain(3), {**_plain(9), "Id": None}, _plain(5), _plain(4)],
        [_plain(6), _plain(6), _plain(2)],
    ]
    seen = []
    for decoder in (None, DECODE):
        client = _Pages(pages)
        fetcher = PageFetcher(
            client,  # type: ignore[arg-type]
            resolve("customer"),
            page_size=4,
            workers=2,
            decoder=decoder,
        )
        handed = list(fetcher._planned(3))
        if decoder is not None:
            assert all(isinstance(p, pa.StructArray) for p in handed)
        names = [flatten(CUSTOMER, p).arrays[2].to_pylist() for p in handed]
        s = fetcher.stats
        seen.append((names, s.rows, s.duplicates, s.unkeyed, fetcher._bounds))
    assert seen[0] == seen[1]
    assert seen[0][0][1] == ["Customer 4", "Customer 5", "Customer 9"]
