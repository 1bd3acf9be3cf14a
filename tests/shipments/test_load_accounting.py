"""Every source row and every record of a load is counted exactly once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
from ship_helpers import mapping, order_book

from ot_etl.client import Client
from ot_etl.load import LoadResult, load_file

CUSTOMERS = """\
record_type: customer
match: {fields: [Name]}
schema:
  columns:
    Name: {dtype: str}
    Limit: {dtype: float64, nullable: true, checks: {ge: 0}}
fields:
  Name: Name
  CreditLimit: Limit
"""

SHIPMENTS = (
    "shipment,order,sku,qty,date,carrier,tracking\n"
    "S1,2,Tofu,3,2024-03-05,UPS Ground,T-1\n"  # created
    "X-3,1,Chai,1,2024-03-05,UPS Ground,T-3\n"  # rows disagree on date, carrier
    "X-3,1,Chang,1,2024-03-06,FedEx,T-3\n"
    "S4,1,Chai,1,2024-03-05,UPS Ground,T-4\n"
    "S4,1,Chang,lots,2024-03-05,UPS Ground,T-4\n"  # invalid quantity
    "S5,1,Chai,1,2024-03-05,UPS Ground,T-1\n"  # same tracking number as S1
    "S6,1,Chai,1,2024-03-05,Pony Express,T-6\n"  # no such ship method
    "S7,9,Chai,1,2024-03-05,UPS Ground,T-7\n"  # no such order
)

RECORD_COUNTS = (
    "invalid_records",
    "duplicates",
    "unresolved",
    "unfilled",
    "created",
    "updated",
    "unchanged",
    "rejected",
    "failed",
    "skipped",
)


def _row_counts(result: LoadResult) -> dict[tuple[str, str | None], int]:
    frame = result.outcomes
    stages = [None if pd.isna(s) else str(s) for s in frame["stage"]]
    return dict(Counter(zip(frame["outcome"].astype(str), stages, strict=True)))


def test_header_conflicts_are_counted_and_every_row_adds_up(
    client: Client, tmp_path: Path
) -> None:
    order_book(client)
    csv = tmp_path / "mixed.csv"
    csv.write_text(SHIPMENTS, encoding="utf-8")
    dry = load_file(csv, mapping(tmp_path), client=client, dry_run=True)
    result = load_file(csv, mapping(tmp_path), client=client)

    assert result.counts == {
        "rows_read": 8,
        "invalid": 1,
        "records": 6,
        "invalid_records": 2,
        "duplicates": 1,
        "unresolved": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "failed": 0,
        "skipped": 0,
        "unfilled": 1,
    }
    assert sum(result.counts[k] for k in RECORD_COUNTS) == result.counts["records"]
    rows = _row_counts(result)
    assert rows == {
        ("created", None): 1,
        ("rejected", "validation"): 4,
        ("rejected", "duplicate"): 1,
        ("rejected", "reference"): 1,
        ("rejected", "fill"): 1,
    }
    assert sum(rows.values()) == result.counts["rows_read"]
    lines = result.summary.lines()
    assert lines[1:10] == [
        "  rows read      8",
        "  invalid rows   1",
        "  records        6",
        "  invalid records 2",
        "  duplicates     1",
        "  unresolved     1",
        "  not fillable   1",
        "  created        1",
        "  updated        0",
    ]
    rejects = pd.read_csv(tmp_path / "mixed.rejects.csv", dtype=str)
    assert rejects.groupby("_stage").size().to_dict() == {
        "duplicate": 1,
        "fill": 1,
        "reference": 1,
        "validation": 4,
    }

    # The dry run: validation failures are invalid records, never "would reject".
    assert dry.summary.plan == {"create": 1, "reject": 3}
    assert dry.summary.invalid_records == 2
    assert "  would reject   3   e.g. T-1, T-6, T-7" in dry.summary.lines()


def test_a_dry_run_counts_invalid_entity_rows_as_invalid_only(
    client: Client, tmp_path: Path
) -> None:
    csv = tmp_path / "c.csv"
    csv.write_text("Name,Limit\nGood,10\nBad,-5\nGood,1\n", encoding="utf-8")
    customers = tmp_path / "customers.yaml"
    customers.write_text(CUSTOMERS, encoding="utf-8")
    dry = load_file(csv, customers, client=client, dry_run=True)
    assert (dry.summary.invalid, dry.summary.invalid_records) == (1, 0)
    assert dry.summary.plan == {"create": 1, "reject": 1}  # the repeated Good
    assert (dry.summary.records, dry.summary.duplicates) == (2, 1)
