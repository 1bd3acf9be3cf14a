import pytest

from ot_etl.catalog import object_fields, record_types, resolve
from ot_etl.errors import UnknownRecordTypeError


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("customer", 120),
        ("partitem", 101),
        ("salesorder", 7),
        ("120", 120),
        (120, 120),
        ("Sales Order", 7),
        ("sales_order", 7),
        ("/partitem", 101),
        ("Ship Doc", 4),
        ("Item All", 115),
        ("customeraddress", 121),
    ],
)
def test_names_resolve(name: str | int, number: int) -> None:
    assert resolve(name).number == number


def test_unknown_name_lists_close_matches() -> None:
    with pytest.raises(UnknownRecordTypeError) as info:
        resolve("custmer")
    assert info.value.close_matches[0] == "customer"
    assert str(info.value).startswith(
        "Unknown record type 'custmer'. Did you mean: customer"
    )


def test_unknown_name_without_matches_points_to_types_command() -> None:
    with pytest.raises(UnknownRecordTypeError, match="Run `ot-etl types`"):
        resolve("zzzzzz")


def test_endpoints_and_keys() -> None:
    assert resolve("customer").endpoint == "/customer"
    assert resolve("customer").key_params == ("id",)
    assert resolve("salesorder").key_params == ("docNo",)
    assert resolve("customeraddress").key_params == ("customerId", "id")
    assert resolve("shipmethod").endpoint is None
    assert resolve("salesorder").kind == "transaction"
    assert resolve("salesorder").key_field == "DocNo"
    assert resolve("vendor").key_field == "Id"


def test_every_official_enum_value_is_present() -> None:
    numbers = {rt.number for rt in record_types() if rt.official}
    assert {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 101, 115, 120, 630, 1100} <= numbers
    assert len(numbers) == 63


def test_fields_carry_types_lengths_refs() -> None:
    customer = resolve("customer")
    name = customer.field("Name")
    assert name is not None
    assert (name.type, name.required, name.max_length) == ("String", True, 50)
    rep = customer.field("SalesRepRef")
    assert rep is not None and rep.type == "EntityRef" and rep.ref == 370
    card = customer.field("CreditCardNo")
    assert card is not None and card.sensitive
    bill = customer.field("BillAddress")
    assert bill is not None and (bill.type, bill.of) == ("Object", "Address")
    info = customer.field("RecordInfo")
    assert info is not None and info.read_only


def test_transaction_lines_and_put_rules() -> None:
    so = resolve("salesorder")
    assert so.line_type_tag == "AOLib7.SalesOrderLineItem, AOLib7"
    assert [f.name for f in so.line_fields][:3] == ["Id", "LineNo", "ItemRef"]
    customer_ref = so.field("CustomerRef")
    assert customer_ref is not None and customer_ref.put is False
    item = next(f for f in so.line_fields if f.name == "ItemRef")
    assert item.ref == 115
    assert [f.name for f in object_fields("LinkedLineItemInfo")] == [
        "TranType",
        "DocNo",
        "LineNo",
        "PromiseDate",
    ]
