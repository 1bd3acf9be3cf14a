"""`mapping init` drafts and the `validate` command's table and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ot_etl.cli.mapping import mapping_group, validate_command
from ot_etl.mapping import init_mapping, parse_mapping
from ot_etl.mapping.init import match_headers

NORTHWIND = (
    "customerID,companyName,contactName,contactTitle,address,city,region,"
    "postalCode,country,phone,fax\n"
    "ALFKI,Alfreds Futterkiste,Maria Anders,Sales Representative,Obere Str. 57,"
    "Berlin,,12209,Germany,030-0074321,030-0076545\n"
)


def test_init_on_a_northwind_header(tmp_path: Path) -> None:
    source = tmp_path / "customers.csv"
    source.write_text(NORTHWIND, encoding="utf-8")
    text = init_mapping("customer", source)
    assert text == (
        "# Drafted by `ot-etl mapping init` from customers.csv.\n"
        "# Check every line; see docs/mappings.md for the format.\n"
        "record_type: customer\n"
        "mode: create\n"
        "match:\n"
        "  fields:\n"
        "  - Name\n"
        "  strip: true\n"
        "  case: insensitive\n"
        "source:\n"
        "  header_row: 1\n"
        "  encoding: auto\n"
        "schema:\n"
        "  schema_type: dataframe\n"
        "  columns:\n"
        "    companyName:\n      dtype: str\n      nullable: true\n"
        "    address:\n      dtype: str\n      nullable: true\n"
        "    city:\n      dtype: str\n      nullable: true\n"
        "    region:\n      dtype: str\n      nullable: true\n"
        "    postalCode:\n      dtype: str\n      nullable: true\n"
        "    country:\n      dtype: str\n      nullable: true\n"
        "    phone:\n      dtype: str\n      nullable: true\n"
        "    fax:\n      dtype: str\n      nullable: true\n"
        "fields:\n"
        "  Name: companyName\n"
        "  CompanyName: companyName\n"
        "  BillAddress.Addr1: address\n"
        "  BillAddress.City: city\n"
        "  BillAddress.State: region\n"
        "  BillAddress.Zip: postalCode\n"
        "  BillAddress.Country: country\n"
        "  PrimaryContact.Phone: phone\n"
        "  BillAddress.Fax: fax\n"
        "# Name (the match key) is drafted from companyName: check it.\n"
        "# Columns not mapped (add them under fields if needed):\n"
        "#   customerID\n"
        "#   contactName\n"
        "#   contactTitle\n"
    )
    mapping = parse_mapping(text)  # the draft is itself a valid mapping
    assert len(mapping.fields) == 9
    assert mapping.match_fields == ["Name"]


def test_init_detects_a_semicolon_file_and_its_title_rows(tmp_path: Path) -> None:
    source = tmp_path / "kunden.csv"
    source.write_text(
        "Export Kunden;;\nName;Firma;Ort\nA;Alpha GmbH;Köln\n", encoding="utf-8"
    )
    mapping = parse_mapping(init_mapping("customer", source))
    assert (mapping.source.delimiter, mapping.source.header_row) == (";", 2)
    assert [fm.target for fm in mapping.fields] == ["Name"]
    assert mapping.match_fields == ["Name"]


def test_header_matching_passes() -> None:
    targets = ["Name", "CompanyName", "SalesRepRef.Name", "BillAddress.City", "Website"]
    assert match_headers(
        ["Name", "company_name", "Sales Rep", "CITY", "Web site", "Other"], targets
    ) == {
        "Name": "Name",
        "company_name": "CompanyName",
        "Sales Rep": "SalesRepRef.Name",
        "CITY": "BillAddress.City",
        "Web site": "Website",
    }
    assert match_headers(["Websit"], targets) == {"Websit": "Website"}
    headers = ["shipAddress", "shipCity", "shipPostalCode", "customerID"]
    orders = [
        "ShipAddress.Addr1",
        "ShipAddress.City",
        "ShipAddress.Zip",
        "CustomerRef.Name",
    ]
    assert match_headers(headers, orders) == dict(zip(headers, orders, strict=True))
    lines = [f"BillAddress.Addr{n}" for n in (1, 2, 3, 4)]
    assert match_headers(
        ["Address 2", "Address Line 1", "street3", "Addr4"], lines
    ) == {
        "Address 2": "BillAddress.Addr2",
        "Address Line 1": "BillAddress.Addr1",
        "street3": "BillAddress.Addr3",
        "Addr4": "BillAddress.Addr4",
    }


SAMPLE = Path(__file__).parents[2] / "sample_data" / "northwind"


def test_init_command_on_the_northwind_sample_names_customers_by_company(
    tmp_path: Path,
) -> None:
    out = tmp_path / "customer.yaml"
    result = CliRunner().invoke(
        mapping_group,
        [
            "init",
            "customer",
            "--from",
            str(SAMPLE / "customers.csv"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out} (3 column(s) left unmapped, listed in it)\n"
    mapping = parse_mapping(out.read_text(encoding="utf-8"))
    assert [(fm.target, fm.column) for fm in mapping.fields] == [
        ("Name", "companyName"),
        ("CompanyName", "companyName"),
        ("BillAddress.Addr1", "address"),
        ("BillAddress.City", "city"),
        ("BillAddress.State", "region"),
        ("BillAddress.Zip", "postalCode"),
        ("BillAddress.Country", "country"),
        ("PrimaryContact.Phone", "phone"),
        ("BillAddress.Fax", "fax"),
    ]
    assert mapping.match_fields == ["Name"]


def test_name_candidates_for_entities_only() -> None:
    from ot_etl.catalog import resolve
    from ot_etl.mapping.init import name_column

    customer = resolve("customer")
    assert name_column(customer, ["id", "Customer Name", "company"], {}) == (
        "Customer Name"
    )
    assert name_column(customer, ["id", "Company"], {}) == "Company"
    assert name_column(customer, ["Name", "company"], {"Name": "Name"}) is None
    assert name_column(resolve("partitem"), ["sku", "productName"], {}) == (
        "productName"
    )
    assert name_column(resolve("salesorder"), ["companyName"], {}) is None


def test_init_command_writes_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "customers.csv"
    source.write_text(NORTHWIND, encoding="utf-8")
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    first = runner.invoke(mapping_group, ["init", "customers", "--from", str(source)])
    assert first.exit_code == 0, first.output
    assert (
        first.output
        == "wrote mappings/customer.yaml (3 column(s) left unmapped, listed in it)\n"
    )
    assert Path("mappings/customer.yaml").read_text().startswith("# Drafted")
    again = runner.invoke(mapping_group, ["init", "customer", "--from", str(source)])
    assert again.exit_code == 2
    assert "exists; pass --force" in again.output
    forced = runner.invoke(
        mapping_group, ["init", "customer", "--from", str(source), "--force"]
    )
    assert forced.exit_code == 0


MAPPING = """
record_type: customer
mode: upsert
schema:
  columns:
    Name: {dtype: str}
    Qty: {dtype: int64, checks: {greater_than_or_equal_to: 0}}
    Card: {dtype: str, nullable: true}
fields:
  Name: Name
  CustomFields.Qty: Qty
  CreditCardNo: Card
"""


def test_validate_command_lists_every_failure_and_exits_3(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "in.csv").write_text(
        "Name,Qty,Card\nA,1,\nB,-1,4111111111111111x\nC,x,\na,2,\n", encoding="utf-8"
    )
    out = tmp_path / "failures.csv"
    result = CliRunner().invoke(
        validate_command,
        [str(tmp_path / "m.yaml"), str(tmp_path / "in.csv"), "--out", str(out)],
    )
    assert result.exit_code == 3
    lines = result.output.splitlines()
    assert lines[0] == "in.csv: 4 rows read, 1 valid, 3 with problems; 2 records built"
    assert lines[2:] == [
        "row  column  value  reason",
        "3    Qty     -1     must be at least 0 (greater_than_or_equal_to(0))",
        "4    Qty     x      not a number",
        "5            a      duplicate of row 2 (same match key); only that row is "
        "loaded",
    ]
    written = out.read_text(encoding="utf-8-sig")
    assert written.splitlines()[0] == "row,column,value,reason,stage"
    assert "4111111111111111x" not in written + result.output


def test_validate_command_masks_sensitive_values(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "in.csv").write_text(
        "Name,Qty,Card\nA,1," + "4" * 201 + "\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        validate_command, [str(tmp_path / "m.yaml"), str(tmp_path / "in.csv")]
    )
    assert result.exit_code == 3
    assert "4444" * 10 not in result.output
    assert "201 characters; CreditCardNo allows at most 200" in result.output


def test_validate_command_clean_file_and_bad_mapping(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "in.csv").write_text("Name,Qty,Card\nA,1,\n", encoding="utf-8")
    ok = CliRunner().invoke(
        validate_command, [str(tmp_path / "m.yaml"), str(tmp_path / "in.csv")]
    )
    assert (ok.exit_code, ok.output) == (
        0,
        "in.csv: 1 rows read, 1 valid, 0 with problems; 1 records built\n",
    )
    (tmp_path / "bad.yaml").write_text("record_type: nope\nfields: {Name: a}\n")
    bad = CliRunner().invoke(
        validate_command, [str(tmp_path / "bad.yaml"), str(tmp_path / "in.csv")]
    )
    assert bad.exit_code == 2
    assert "record_type: Unknown record type 'nope'" in bad.output


def test_a_transaction_draft_has_documents_with_line_fields(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    text = init_mapping(
        "salesorder", root / "sample_data/pbpython/sample-sales-reps.xlsx"
    )
    tail = text[text.index("fields:") :].splitlines()
    assert tail == [
        "fields:",
        "  CustomerRef.Name: customer name",
        "  SalesRepRef.Name: sales rep",
        "  Date: date",
        "documents:",
        "  # No column looks like an order or invoice number: name the one(s)",
        "  # whose rows make one document, e.g. group_by: [order_no].",
        "  group_by: []",
        "  lines:",
        "    ItemRef.Name: sku",
        "    Quantity: quantity",
        "    Price: unit price",
        "# Required by the API and not mapped yet: PromiseDate",
        "# Columns not mapped (add them under fields if needed):",
        "#   account number",
        "#   category",
        "#   ext price",
    ]


def test_an_order_number_column_groups_the_draft(tmp_path: Path) -> None:
    csv = tmp_path / "orders.csv"
    csv.write_text(
        "Order No,Customer,Item,Qty,Rate,Description\n1,A,Chai,2,4.5,first\n",
        encoding="utf-8",
    )
    text = init_mapping("salesorder", csv)
    tail = text[text.index("fields:") :].splitlines()
    assert tail == [
        "fields:",
        "  CustomerRef.Name: Customer",
        "documents:",
        "  group_by:",
        "  - Order No",
        "  lines:",
        "    ItemRef.Name: Item",
        "    Quantity: Qty",
        "    Price: Rate",
        "    Description: Description",
        "# Required by the API and not mapped yet: Date, PromiseDate",
    ]
    mapping = parse_mapping(text)
    assert mapping.documents is not None
    assert mapping.documents.group_by == ("Order No",)
