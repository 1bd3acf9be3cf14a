"""`ot-etl types`: the list of record types, and one type's fields."""

from click.testing import CliRunner

from ot_etl.cli import main


def _run(*args: str) -> tuple[int, list[str], str]:
    result = CliRunner().invoke(main, ["types", *args])
    return result.exit_code, result.stdout.splitlines(), result.stderr


def test_list_names_each_type_once() -> None:
    code, lines, _ = _run()
    assert code == 0
    assert lines[0].split() == ["number", "name", "use", "as", "endpoint", "kind"]
    assert any(line.split()[:3] == ["120", "Customer", "customer"] for line in lines)


def test_customer_fields() -> None:
    code, lines, _ = _run("customer")
    assert code == 0
    assert lines[0] == "Customer (120), entity, /customer; object Customer"
    head = lines.index(
        "field                  type                          required  max length"
        "  refers to             notes"
    )
    assert head == 2
    # Columns: field 23, type 30, required 10, max length 12, refers to 22.
    for line in [
        "Name                   String                        yes       50",
        "InvoiceSendMethod      Int32 (SendMethodEnum)",
        "CreditCardNo           "
        "String                        "
        "          "
        "200         "
        "                      "
        "sensitive",
        "SalesRepRef            "
        "EntityRef                     "
        "          "
        "            "
        "Sales Rep (370)",
        "BillAddress            Object (Address)",
        "RecordInfo             "
        "Object (RecordInfo)           "
        "          "
        "            "
        "                      "
        "read-only",
    ]:
        assert line in lines
    nested = lines.index("Address fields (in BillAddress, PrimaryShipAddress)")
    assert lines[nested + 3] == "Addr1       String            50"


def test_transaction_lists_its_line_fields() -> None:
    code, lines, _ = _run("Sales Order")
    assert code == 0
    start = lines.index(
        "Line fields (LineItems: SalesOrderLineItem,"
        " $type AOLib7.SalesOrderLineItem, AOLib7)"
    )
    line_fields = lines[start + 3 :]
    assert (
        "ItemRef            EntityRef            yes                   Item All (115)"
        in (line_fields)
    )
    assert "RecordInfo fields (in RecordInfo, LineItems.RecordInfo)" in lines


def test_unknown_type_names_close_matches() -> None:
    code, lines, err = _run("custmer")
    assert code == 2
    assert lines == []
    assert err == (
        "error: Unknown record type 'custmer'. Did you mean: customer, customertype,"
        " customeralias, customerreturn?\n"
    )
