"""Streamed writer: write pages, read the file back, get the same rows (Hypothesis)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ot_etl.catalog import resolve
from ot_etl.extract.flatten import flatten
from ot_etl.extract.schema import header_layout
from ot_etl.extract.writer import TableWriter, read_batches, read_schema

LAYOUT = header_layout(resolve("term"))  # Id, Name, IsActive, RecordInfo.*

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=8,
)
_record = st.fixed_dictionaries(
    {
        "Id": st.integers(-(2**31), 2**31 - 1),
        "Name": st.one_of(st.none(), _text),
        "IsActive": st.one_of(st.none(), st.booleans()),
        "RecordInfo": st.fixed_dictionaries(
            {
                "ModifiedDate": st.datetimes(
                    min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2200, 1, 1)
                ).map(lambda d: d.isoformat(timespec="microseconds"))
            }
        ),
        "CustomFields": st.lists(
            st.fixed_dictionaries(
                {
                    "Name": st.sampled_from(["A", "B"]),
                    "Value": st.one_of(_text, st.integers()),
                }
            ),
            max_size=2,
            unique_by=lambda cf: cf["Name"],
        ),
    }
)


def _read(path: Path, fmt: Any) -> pa.Table:
    schema = read_schema(path, fmt, LAYOUT)
    return pa.Table.from_batches(list(read_batches(path, fmt, schema)), schema=schema)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages=st.lists(st.lists(_record, max_size=5), max_size=4))
def test_write_then_read_gives_the_same_rows(
    fmt: Any, pages: list[list[dict[str, Any]]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        writer = TableWriter(out, LAYOUT, fmt, row_group_rows=3)
        flat = [flatten(LAYOUT, p) for p in pages]
        for page in flat:
            writer.add(page)
        writer.close()
        path = writer.commit()
        assert sorted(p.name for p in out.iterdir()) == [path.name]
        expected = (
            pa.concat_tables([p.to_table(writer.schema) for p in flat])
            if flat
            else None
        )
        got = _read(path, fmt)
        assert got.schema.equals(writer.schema)
        assert got.num_rows == sum(len(p) for p in pages)
        if expected is not None:
            assert got.to_pylist() == expected.to_pylist()


def test_abort_removes_every_temporary_part(tmp_path: Path) -> None:
    writer = TableWriter(tmp_path, LAYOUT, "parquet", row_group_rows=1)
    writer.add(flatten(LAYOUT, [{"Id": 1}]))
    writer.add(
        flatten(LAYOUT, [{"Id": 2, "CustomFields": [{"Name": "New", "Value": 1}]}])
    )
    assert len(list(tmp_path.iterdir())) == 2  # the schema grew: two parts
    writer.abort()
    assert list(tmp_path.iterdir()) == []
