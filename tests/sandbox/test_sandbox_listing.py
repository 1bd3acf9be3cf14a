"""/list and /entityref over HTTP: paging, date macros with a frozen clock, sorting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sandbox_helpers import Api, FrozenClock

from ot_etl.sandbox import Sandbox
from ot_etl.sandbox.seed import seed

NOW = datetime(2026, 3, 18, 12, 0)
# Customer Id -> the moment it was last modified.
MOMENTS = {
    1: datetime(2025, 1, 15, 10),
    2: datetime(2025, 3, 18, 10),
    3: datetime(2025, 3, 20, 10),
    4: datetime(2025, 11, 10, 10),
    5: datetime(2025, 12, 25, 10),
    6: datetime(2026, 1, 5, 10),
    7: datetime(2026, 2, 10, 10),
    8: datetime(2026, 2, 25, 10),
    9: datetime(2026, 3, 2, 10),
    10: datetime(2026, 3, 10, 10),
    11: datetime(2026, 3, 16, 8),
    12: datetime(2026, 3, 17, 23, 59),
    13: datetime(2026, 3, 18, 9),
    14: datetime(2026, 3, 18, 23),
    15: datetime(2026, 3, 25, 10),
    16: datetime(2026, 4, 15, 10),
    17: datetime(2026, 5, 20, 10),
    18: datetime(2027, 2, 1, 10),
}
EXPECTED = {
    0: list(range(1, 19)),
    1: [13, 14],
    2: [11, 12, 13, 14],
    3: [11, 12, 13, 14],
    4: [9, 10, 11, 12, 13, 14, 15],
    5: [9, 10, 11, 12, 13, 14],
    6: list(range(6, 16)),
    7: list(range(6, 15)),
    8: list(range(6, 18)),
    9: list(range(6, 15)),
    10: [12],
    11: [10],
    12: [10],
    13: [7, 8],
    14: [7],
    15: [4, 5],
    16: [4],
    17: [1, 2, 3, 4, 5],
    18: [1, 2],
    19: [15],
    20: [15, 16],
    21: [16],
    22: [16, 17],
    23: [18],
    24: list(range(3, 15)),
}


@pytest.fixture(scope="module")
def dated() -> Iterator[Api]:
    clock = FrozenClock(datetime(2024, 1, 1))
    with Sandbox(clock=clock) as sb:
        api = Api(sb.client_kwargs())
        for key, moment in MOMENTS.items():
            clock.now = moment
            assert api.create("/customer", {"Name": f"C{key:02d}"})["Id"] == key
        clock.now = NOW
        yield api
        api.close()


def modified(macro: int, value: str | None = None) -> dict[str, Any]:
    flt: dict[str, Any] = {
        "PropertyName": "RecordInfo.ModifiedDate",
        "FieldType": 10,
        "DateMacro": macro,
    }
    if value is not None:
        flt["FilterValueArray"] = value
    return {"Type": 120, "Filters": [flt], "NumberOfRecords": 1000}


@pytest.mark.parametrize("macro", sorted(EXPECTED))
def test_each_date_macro(dated: Api, macro: int) -> None:
    assert dated.ids(modified(macro)) == EXPECTED[macro]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-02-10,2026-03-02", [7, 8, 9]),
        (",2025-03-18", [1, 2]),
        ("2027-01-01,", [18]),
        ("2026-03-18T09:00:00,2026-03-18T23:00:00", [13, 14]),
    ],
)
def test_custom_macro(dated: Api, value: str, expected: list[int]) -> None:
    assert dated.ids(modified(25, value)) == expected


def test_watermark_filter_with_utc_string(dated: Api) -> None:
    body = {
        "Type": 120,
        "Filters": [
            {
                "PropertyName": "RecordInfo.ModifiedDate",
                "Operator": 4,
                "FilterValueArray": "2026-03-18T09:00:00Z",
            }
        ],
    }
    assert dated.ids(body) == [13, 14, 15, 16, 17, 18]
    assert dated.put("/list", body).text == "6"


def test_sort_and_page_a_filtered_selection(dated: Api) -> None:
    body: dict[str, Any] = {
        "Type": 120,
        "Filters": [{"PropertyName": "Name", "Operator": 12, "FilterValueArray": "c1"}],
        "Sortation": {"PropertyName": "Name", "Direction": 2},
        "NumberOfRecords": 4,
    }
    assert dated.ids(body) == [18, 17, 16, 15]
    assert dated.ids({**body, "PageNumber": 3}) == [10]
    assert dated.ids({**body, "PageNumber": 4}) == []
    refs = dated.post("/entityref", {**body, "PageNumber": 2}).json()
    assert refs == [{"Id": k, "Name": f"C{k}"} for k in (14, 13, 12, 11)]


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    db: Path = tmp_path_factory.mktemp("many") / "many.db"
    seed(db, customers=2500)
    with Sandbox(db_path=db) as sb:
        api = Api(sb.client_kwargs())
        api.sandbox = sb
        yield api
        api.close()


def test_paging_is_exact(many: Api) -> None:
    assert int(many.put("/list", {"Type": 120}).text) == 2500
    seen: list[int] = []
    calls = 0
    for page in range(1, 10):
        ids = many.ids(
            {
                "Type": 120,
                "PageNumber": page,
                "NumberOfRecords": 1000,
                "Sortation": {"PropertyName": "Id", "Direction": 1},
            }
        )
        if not ids:
            break
        calls += 1
        seen.extend(ids)
    assert (calls, page) == (3, 4)
    assert len(seen) == len(set(seen)) == 2500
    assert seen == sorted(seen)


def test_descending_plain_pages(many: Api) -> None:
    body = {
        "Type": 120,
        "Sortation": {"PropertyName": "Id", "Direction": 2},
        "NumberOfRecords": 1000,
        "PageNumber": 3,
    }
    assert many.ids(body) == list(range(500, 0, -1))


def test_page_size_above_1000_is_clamped(many: Api) -> None:
    assert len(many.ids({"Type": 120, "NumberOfRecords": 5000})) == 1000
    assert len(many.ids({"Type": 120})) == 100


def test_repeat_pages_knob(many: Api) -> None:
    faults = many.sandbox.faults
    body = {"Type": 120, "NumberOfRecords": 1000, "PageNumber": 4}
    faults.repeat_pages = True
    try:
        assert many.ids(body) == list(range(2001, 2501))
        assert many.sandbox.stats.repeated_pages == 1
    finally:
        faults.repeat_pages = False
    assert many.ids(body) == []


def test_modified_index_path_matches_the_general_path(dated: Api) -> None:
    since = {
        "PropertyName": "RecordInfo.ModifiedDate",
        "Operator": 2,
        "FilterValueArray": "2026-03-17T23:59:00",
    }
    desc = {"PropertyName": "Id", "Direction": 2}
    assert dated.ids({"Type": 120, "Filters": [since], "Sortation": desc}) == [
        18,
        17,
        16,
        15,
        14,
        13,
    ]
    # A filter on another property takes the general path; same answer.
    named = {"PropertyName": "Name", "Operator": 12, "FilterValueArray": "C"}
    assert dated.ids({"Type": 120, "Filters": [since, named], "Sortation": desc}) == [
        18,
        17,
        16,
        15,
        14,
        13,
    ]
    before = {
        "PropertyName": "RecordInfo.ModifiedDate",
        "Operator": 5,
        "FilterValueArray": "2025-03-18T10:00:00",
    }
    assert dated.ids({"Type": 120, "Filters": [before]}) == [1, 2]
    assert dated.ids({"Type": 120, "Filters": [before, named]}) == [1, 2]
