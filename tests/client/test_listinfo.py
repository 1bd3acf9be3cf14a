import datetime as dt

import pytest

from ot_etl.client import DateMacro, Filter, FilterOp, ListInfo, Sort, SortDir


def test_listinfo_body_matches_reference_shape() -> None:
    info = ListInfo(
        type=250,
        filters=(
            Filter("Name", FilterOp.LIKE, "UPS"),
            Filter("RecordInfo.ModifiedDate", date_macro=DateMacro.YEAR_TO_DATE),
        ),
        sort=Sort("Id", SortDir.DESC),
        page=1,
        size=20,
    )
    assert info.to_json() == {
        "Type": 250,
        "Filters": [
            {"PropertyName": "Name", "Operator": 12, "FilterValueArray": "UPS"},
            {
                "PropertyName": "RecordInfo.ModifiedDate",
                "Operator": 1,
                "FieldType": 10,
                "DateMacro": 9,
            },
        ],
        "Sortation": {"PropertyName": "Id", "Direction": 2},
        "PageNumber": 1,
        "NumberOfRecords": 20,
    }


def test_count_body_has_no_paging_keys() -> None:
    body = ListInfo(type=120, include_line_items=True).to_json(paging=False)
    assert body == {"Type": 120, "IncludeLineItems": True}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (["A", "B"], "A,B"),
        ((1, 2, 3), "1,2,3"),
        (True, "true"),
        (7, "7"),
        (dt.date(2024, 1, 31), "2024-01-31"),
        (dt.datetime(2024, 1, 31, 8, 5), "2024-01-31T08:05:00"),
    ],
)
def test_filter_values_become_one_string(value: object, text: str) -> None:
    assert Filter("X", FilterOp.IN, value).to_json()["FilterValueArray"] == text


def test_null_operators_send_no_value() -> None:
    assert Filter("Fax", FilterOp.IS_NULL).to_json() == {
        "PropertyName": "Fax",
        "Operator": 10,
    }


def test_custom_range_needs_value() -> None:
    with pytest.raises(ValueError, match="custom date range"):
        Filter("Date", date_macro=DateMacro.CUSTOM)
    body = Filter("Date", date_macro=DateMacro.CUSTOM, value="2018-01-01,").to_json()
    assert body["DateMacro"] == 25 and body["FilterValueArray"] == "2018-01-01,"


@pytest.mark.parametrize(("page", "size"), [(0, 10), (1, 0), (1, 1001)])
def test_paging_bounds(page: int, size: int) -> None:
    with pytest.raises(ValueError):
        ListInfo(type=120, page=page, size=size)
