"""match.duplicates: merge - one record per match key from rows that repeat it."""

from __future__ import annotations

from pathlib import Path

import pytest
from load_helpers import customers, write

from ot_etl.client import Client
from ot_etl.errors import MappingError
from ot_etl.load import load_file
from ot_etl.load.build import PendingRecord, build_records, find_duplicates
from ot_etl.load.read import read_source
from ot_etl.load.validate import validate
from ot_etl.mapping import parse_mapping

# Order lines that repeat their customer: the customer list is derived from them.
MAPPING = """\
record_type: customer
mode: upsert
match:
  fields: [AccountNumber]
  duplicates: merge
schema:
  columns:
    Order: {dtype: str}
    CustID: {dtype: str, nullable: true}
    Customer: {dtype: str}
    Segment: {dtype: str, nullable: true}
fields:
  AccountNumber: CustID
  Name: Customer
  CustomFields.Segment: Segment
"""

LINES = (
    "Order,CustID,Customer,Segment\n"
    "O-1,C-1,Ann Lee,Consumer\n"
    "O-1,C-1,Ann Lee,Consumer\n"
    "O-2,C-2,Bob Roe,Corporate\n"
    "O-3, C-1 ,Ann Lee,Consumer\n"  # the same once spaces are stripped
    "O-4,C-2,Bob Roe,Home Office\n"  # disagrees with row 4
    "O-5,C-2,Rob Roe,\n"  # disagrees twice
    "O-6,,Nobody,Consumer\n"  # no key: never merged
)


def build(tmp_path: Path, mapping_text: str = MAPPING) -> list[PendingRecord]:
    path = write(tmp_path / "lines.csv", LINES)
    mapping = parse_mapping(mapping_text)
    return build_records(validate(read_source(path, mapping.source), mapping), mapping)


def test_rows_that_build_the_same_record_are_one_record(tmp_path: Path) -> None:
    records = build(tmp_path)
    assert [r.source_index for r in records] == [[0, 1, 3], [2], [4], [5], [6]]
    assert records[0].payload == {
        "AccountNumber": "C-1",
        "Name": "Ann Lee",
        "CustomFields": [{"Name": "Segment", "Value": "Consumer"}],
    }
    assert [r.problems for r in records[:2]] == [[], []]


def test_a_row_that_differs_is_rejected_naming_the_first_row(tmp_path: Path) -> None:
    records = build(tmp_path)
    (segment,), (both,) = records[2].problems, records[3].problems
    assert (segment.row, segment.stage, segment.column) == (6, "duplicate", "Segment")
    assert segment.reason == (
        "row 6 repeats the match key 'C-2' of row 4 but differs on "
        "CustomFields.Segment ('Corporate' vs 'Home Office'); only row 4's values "
        "are loaded"
    )
    assert "differs on Name ('Bob Roe' vs 'Rob Roe'), " in both.reason
    assert "CustomFields.Segment ('Corporate' vs empty)" in both.reason
    assert records[4].problems == []  # an empty key is left alone
    assert find_duplicates(records, list(range(2, 9))) == []


def test_without_merge_repeats_are_duplicates(tmp_path: Path) -> None:
    records = build(tmp_path, MAPPING.replace("  duplicates: merge\n", ""))
    assert len(records) == 7
    found = find_duplicates(records, list(range(2, 9)))
    assert [f.row for f in found] == [3, 5, 6, 7]


def test_merge_is_for_entities_only() -> None:
    text = """\
record_type: salesorder
match: {fields: [CustomerPO], duplicates: merge}
fields: {CustomerPO: Order, CustomerRef.Name: Customer}
documents: {group_by: [Order], lines: {ItemRef.Name: Item}}
"""
    with pytest.raises(MappingError) as info:
        parse_mapping(text)
    assert "merge is for entities" in str(info.value)
    with pytest.raises(MappingError, match="expected reject or merge, got 'keep'"):
        parse_mapping(MAPPING.replace("merge", "keep"))


def test_merged_load_reports_every_row(client: Client, tmp_path: Path) -> None:
    path = write(tmp_path / "lines.csv", LINES)
    mapping = write(tmp_path / "customers.yaml", MAPPING)
    result = load_file(path, mapping, client=client, workers=2)
    counts = result.counts
    assert (counts["created"], counts["duplicates"]) == (3, 2)
    assert sorted(customers(client)) == ["Ann Lee", "Bob Roe", "Nobody"]
    outcomes = result.outcomes.set_index("row")
    assert list(outcomes["outcome"]) == ["created"] * 4 + ["rejected"] * 2 + ["created"]
    assert list(outcomes.loc[[6, 7], "stage"]) == ["duplicate", "duplicate"]
    assert list(result.rejects["_row"]) == [6, 7]
    # A re-run finds every row loaded or tries only the rejected ones again.
    again = load_file(path, mapping, client=client, workers=2)
    assert (again.counts["skipped"], again.counts["created"]) == (3, 0)
