"""Accepting pages: a decoded page and the same page as records give the same rows.

The fetcher de-duplicates by key in two ways, in Python for pages of records
and with Arrow calls for pages decoded into struct arrays; both must hand
out the same records in the same order and count the same.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from ot_etl.catalog import resolve
from ot_etl.extract.pages import PageFetcher

Keys = list[int | None]
pages_of_keys = st.lists(
    st.lists(st.one_of(st.none(), st.integers(0, 40)), max_size=12), max_size=6
)


def _fetcher() -> PageFetcher:
    client: Any = None  # _accept never talks to the server
    return PageFetcher(client, resolve("customer"))


def _struct(keys: Keys, page: int) -> pa.StructArray:
    tags = [f"{page}:{i}" for i in range(len(keys))]
    return pa.StructArray.from_arrays(
        [pa.array(keys, pa.int32()), pa.array(tags, pa.string())], names=["Id", "Tag"]
    )


def _records(keys: Keys, page: int) -> list[dict[str, Any]]:
    return [{"Id": k, "Tag": f"{page}:{i}"} for i, k in enumerate(keys)]


def _state(f: PageFetcher) -> tuple[Any, ...]:
    s = f.stats
    return (s.rows, s.duplicates, s.unkeyed, f._last, f._bounds)


@settings(max_examples=200, deadline=None)
@given(pages_of_keys, st.lists(st.booleans(), min_size=6, max_size=6))
def test_both_ways_hand_out_the_same_records(
    pages: list[Keys], as_struct: list[bool]
) -> None:
    by_records, mixed = _fetcher(), _fetcher()
    for n, keys in enumerate(pages):
        want = [r["Tag"] for r in by_records._accept(_records(keys, n))]
        page = _struct(keys, n) if as_struct[n] else _records(keys, n)
        got = mixed._accept(page)
        if isinstance(got, pa.StructArray):
            tags = got.field("Tag").to_pylist()
        else:
            tags = [r["Tag"] for r in got]
        assert tags == want
        assert _state(mixed) == _state(by_records)


def test_a_page_in_key_order_is_handed_out_as_it_came() -> None:
    f = _fetcher()
    first = _struct([1, 2, 3], 0)
    assert f._accept(first) is first
    second = _struct([4, 5], 1)
    assert f._accept(second) is second
    assert f._bounds == [(3, 4)]


def test_accepting_a_decoded_page_does_not_import_pandas() -> None:
    # Turning a Python value into Arrow makes pyarrow import pandas (0.25 s).
    code = (
        "import sys, pyarrow.json as pj, pyarrow as pa\n"
        "from ot_etl.catalog import resolve\n"
        "from ot_etl.extract.pages import PageFetcher\n"
        "f = PageFetcher(None, resolve('customer'))\n"
        'for body in (b\'[{"Id":2},{"Id":1},{"Id":null}]\', b\'[{"Id":3}]\'):\n'
        "    t = pj.read_json(pa.py_buffer(b'{\"r\":' + body + b'}'))\n"
        "    f._accept(t.column(0).chunk(0).flatten())\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False"]


def test_the_closing_count_is_asked_once_every_planned_page_is_in(
    add_customers: Any, client: Any, monkeypatch: Any
) -> None:
    from ot_etl.extract.jsonpage import page_decoder
    from ot_etl.extract.schema import header_layout

    add_customers(10)
    events: list[str] = []
    count, list_page_as = client.count, client.list_page_as

    def counting(*args: Any, **kwargs: Any) -> int:
        events.append("count")
        return int(count(*args, **kwargs))

    def listing(*args: Any, **kwargs: Any) -> Any:
        page = list_page_as(*args, **kwargs)
        events.append("page")
        return page

    monkeypatch.setattr(client, "count", counting)
    monkeypatch.setattr(client, "list_page_as", listing)
    rt = resolve("customer")
    decoder = page_decoder(header_layout(rt))
    fetcher = PageFetcher(client, rt, page_size=3, workers=2, decoder=decoder)
    rows = sum(len(page) for page in fetcher.pages())
    assert rows == 10
    assert events == ["count"] + ["page"] * 4 + ["count"]
