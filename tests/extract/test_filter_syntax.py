"""The command line's filter syntax -> Filter objects (pure)."""

from __future__ import annotations

import pytest

from ot_etl.catalog import resolve
from ot_etl.client import DateMacro, Filter, FilterOp
from ot_etl.errors import ConfigError
from ot_etl.extract.filter_syntax import FORMS, check_filter, parse_filter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IsActive=true", Filter("IsActive", FilterOp.EQUAL, "true")),
        ("Name~UPS", Filter("Name", FilterOp.LIKE, "UPS")),
        ("Name !~ UPS", Filter("Name", FilterOp.NOT_LIKE, "UPS")),
        ("Name!=Acme", Filter("Name", FilterOp.NOT_EQUAL, "Acme")),
        ("Id>100", Filter("Id", FilterOp.GREATER, "100")),
        ("Id>=100", Filter("Id", FilterOp.GREATER_OR_EQUAL, "100")),
        ("Id<100", Filter("Id", FilterOp.LESS, "100")),
        ("Id<=100", Filter("Id", FilterOp.LESS_OR_EQUAL, "100")),
        (
            "RecordInfo.ModifiedDate>=2024-01-01",
            Filter("RecordInfo.ModifiedDate", FilterOp.GREATER_OR_EQUAL, "2024-01-01"),
        ),
        (
            "CustomerRef.Name in A,B",
            Filter("CustomerRef.Name", FilterOp.IN, ["A", "B"]),
        ),
        (
            "CustomerRef.Name NOT IN A, 'B C'",
            Filter("CustomerRef.Name", FilterOp.NOT_IN, ["A", "B C"]),
        ),
        ("Memo is null", Filter("Memo", FilterOp.IS_NULL)),
        ("Memo is not null", Filter("Memo", FilterOp.NOT_NULL)),
        ('Name="Acme Inc"', Filter("Name", FilterOp.EQUAL, "Acme Inc")),
        ('Name="=foo"', Filter("Name", FilterOp.EQUAL, "=foo")),
        ("Name!='<b>'", Filter("Name", FilterOp.NOT_EQUAL, "<b>")),
        (
            "RecordInfo.ModifiedDate within lastmonth",
            Filter("RecordInfo.ModifiedDate", date_macro=DateMacro.LAST_MONTH),
        ),
        (
            "RecordInfo.ModifiedDate within 2024-01-01,2024-01-31",
            Filter(
                "RecordInfo.ModifiedDate",
                date_macro=DateMacro.CUSTOM,
                value="2024-01-01,2024-01-31",
            ),
        ),
    ],
)
def test_accepted_forms(text: str, expected: Filter) -> None:
    assert parse_filter(text) == expected


def test_in_list_travels_as_one_comma_string() -> None:
    body = parse_filter("CustomerRef.Name in A,B").to_json()
    assert body == {
        "PropertyName": "CustomerRef.Name",
        "Operator": 8,
        "FilterValueArray": "A,B",
    }


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Name", "cannot read it"),
        ("Name=", "cannot read it"),
        ("=x", "cannot read it"),
        ("Memo is null x", "'is null' takes no value"),
        ("Name in", "'in' needs a value"),
        ("Name in A,,B", "the list has an empty item"),
        ("RecordInfo.ModifiedDate within someday", "unknown date macro 'someday'"),
    ],
)
def test_bad_syntax_shows_the_accepted_forms(text: str, why: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_filter(text)
    message = str(info.value)
    assert message.startswith(f"Bad filter {text!r}: {why}")
    assert message.endswith(f"Accepted forms: {FORMS}.")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (
            "Name==foo",
            "'==' is not an operator (did you mean '='?); a value that starts "
            "with '=' is written in quotes: Name=\"=foo\"",
        ),
        (
            "Id=>5",
            "'=>' is not an operator (did you mean '>='?); a value that starts "
            "with '>' is written in quotes: Id=\">5\"",
        ),
        (
            "Id=<5",
            "'=<' is not an operator (did you mean '<='?); a value that starts "
            "with '<' is written in quotes: Id=\"<5\"",
        ),
        (
            "Name!==x",
            "'!==' is not an operator (did you mean '!='?); a value that starts "
            "with '=' is written in quotes: Name!=\"=x\"",
        ),
        (
            "Name = =foo",
            "'==' is not an operator (did you mean '='?); a value that starts "
            "with '=' is written in quotes: Name=\"=foo\"",
        ),
        (
            "Name~=x",
            "'~=' is not an operator; a value that starts "
            "with '=' is written in quotes: Name~\"=x\"",
        ),
    ],
)
def test_doubled_or_malformed_operators_are_refused(text: str, why: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_filter(text)
    assert str(info.value) == f"Bad filter {text!r}: {why}. Accepted forms: {FORMS}."


def test_unknown_property_names_close_matches() -> None:
    with pytest.raises(ConfigError) as info:
        check_filter(parse_filter("IsActiv=true"), resolve("customer"))
    assert str(info.value) == (
        "Filter on 'IsActiv': customer has no field 'IsActiv'. Did you mean IsActive?"
    )
    check_filter(parse_filter("BillAddress.City=Oslo"), resolve("customer"))
