"""Planning: duplicates, create/update/unchanged, comparing and applying fields."""

from __future__ import annotations

from ot_etl.load.items import LoadItem
from ot_etl.load.plan import apply_fields, classify, differences, mark_duplicates
from ot_etl.load.rows import exists_advice
from ot_etl.mapping import parse_mapping


def _item(n: int, key: str, payload: dict | None = None) -> LoadItem:
    return LoadItem(
        position=n,
        rows=[n],
        payload=payload or {"Name": key},
        match_key=(key.casefold(),),
    )


def test_duplicates_keep_the_first_and_name_its_row() -> None:
    items = [_item(0, "Acme"), _item(1, "Bolt"), _item(2, "ACME"), _item(3, "acme")]
    items[2].match_key = items[3].match_key = ("acme",)
    found = mark_duplicates(items, row_numbers=[2, 3, 4, 5])
    assert found == 2
    assert [i.action for i in items] == ["create", "create", "reject", "reject"]
    assert items[2].stage == "duplicate"
    assert items[2].reasons == [
        "duplicate of row 2 (same match key 'acme'); only that row is loaded"
    ]


def test_items_without_a_key_are_never_duplicates() -> None:
    items = [_item(0, ""), _item(1, "")]
    items[0].match_key = items[1].match_key = ("",)
    assert mark_duplicates(items, [2, 3]) == 0


def test_classify_upsert() -> None:
    items = [
        _item(0, "new"),
        _item(1, "same", {"Name": "same", "CreditLimit": 12.5}),
        _item(2, "diff", {"Name": "diff", "CreditLimit": 10}),
        _item(3, "twice"),
    ]
    existing = {
        ("same",): [{"Id": 7, "Name": "same", "CreditLimit": 12.50}],
        ("diff",): [{"Id": 8, "Name": "diff", "CreditLimit": 11}],
        ("twice",): [{"Id": 9}, {"Id": 10}],
    }
    plan = classify(items, "upsert", existing, "Id")
    assert [i.action for i in items] == ["create", "unchanged", "update", "reject"]
    assert items[1].record_key == 7 and items[2].record_key == 8
    assert plan.counts == {"create": 1, "unchanged": 1, "update": 1, "reject": 1}
    assert items[3].reasons == [
        "2 existing records match 'twice' (Id 9, 10); make the match key unique"
    ]


def test_update_mode_rejects_a_missing_record() -> None:
    items = [_item(0, "ghost")]
    classify(items, "update", {}, "Id")
    assert items[0].stage == "reference"
    assert items[0].reasons == [
        "no existing record matches 'ghost'; use mode upsert to create it"
    ]


def test_differences_follow_api_equality() -> None:
    have = {
        "Name": "A",
        "CreditLimit": 100.0,
        "SalesRepRef": {"Id": 3, "Name": "Ann"},
        "BillAddress": {"City": "Paris", "Zip": None},
        "Date": "2024-01-05T00:00:00.0000000Z",
        "CustomFields": [
            {"Name": "Cust1", "Value": "x"},
            {"Name": "Cust2", "Value": None},
        ],
        "LineItems": [{"Id": 1, "ItemRef": {"Id": 5}, "Quantity": 2}],
    }
    same = {
        "CreditLimit": 100,
        "SalesRepRef": {"Id": 3, "Name": "ann"},
        "BillAddress": {"City": "Paris", "Zip": ""},
        "Date": "2024-01-05T00:00:00",
        "CustomFields": [{"Name": "Cust2", "Value": ""}],
        "LineItems": [{"$type": "t", "ItemRef": {"Id": 5}, "Quantity": 2.0}],
    }
    assert differences(same, have) == []
    other = {
        "SalesRepRef": {"Name": "Bob"},
        "BillAddress": {"City": "Lyon"},
        "CustomFields": [{"Name": "Cust1", "Value": "y"}],
        "LineItems": [{"ItemRef": {"Id": 5}, "Quantity": 2}, {"ItemRef": {"Id": 6}}],
    }
    assert differences(other, have) == [
        "SalesRepRef",
        "BillAddress.City",
        "CustomFields.Cust1",
        "LineItems (2 vs 1)",
    ]


def test_apply_fields_builds_the_whole_record() -> None:
    have = {
        "Id": 4,
        "Name": "A",
        "SalesRepRef": {"Id": 3, "Name": "Ann"},
        "BillAddress": {"City": "Paris", "Zip": "75001"},
        "CustomFields": [{"Name": "Cust1", "Value": "x"}],
        "LineItems": [{"Id": 11, "Quantity": 1}],
    }
    wanted = {
        "SalesRepRef": {"Id": 9},
        "BillAddress": {"City": "Lyon"},
        "CustomFields": [{"Name": "Cust2", "Value": "z"}],
        "LineItems": [{"Quantity": 5}, {"Quantity": 6}],
    }
    out = apply_fields(have, wanted)
    assert out == {
        "Id": 4,
        "Name": "A",
        "SalesRepRef": {"Id": 9},
        "BillAddress": {"City": "Lyon", "Zip": "75001"},
        "CustomFields": [
            {"Name": "Cust1", "Value": "x"},
            {"Name": "Cust2", "Value": "z"},
        ],
        "LineItems": [{"Id": 11, "Quantity": 5}, {"Quantity": 6}],
    }
    assert have["BillAddress"] == {"City": "Paris", "Zip": "75001"}


def test_an_existing_record_gets_the_advice_given() -> None:
    items = [_item(0, "acme")]
    classify(items, "create", {("acme",): [{"Id": 4}]}, "Id", advice="remove it")
    assert (items[0].stage, items[0].reasons) == (
        "duplicate",
        ["a record with match key 'acme' already exists (Id 4); remove it"],
    )


def test_advice_never_names_an_upsert_the_mapping_cannot_use() -> None:
    def advice(record_type: str, match: str) -> str:
        text = f"record_type: {record_type}\nmatch: {{fields: [{match}]}}\n"
        return exists_advice(parse_mapping(text + f"fields: {{{match}: col}}\n"))

    assert advice("customer", "Name") == "use mode upsert to update it"
    assert advice("receiver", "DocNo") == (
        "Receiver records cannot be updated through the API: remove the row, or "
        "give it a new DocNo if it is another record"
    )
