"""Mapping files: parsed against the catalog, every problem reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from ot_etl.errors import MappingError
from ot_etl.mapping import load_mapping, parse_mapping

CUSTOMERS = """
record_type: customer
mode: upsert
match: {fields: [Name], strip: true, case: insensitive}
source: {header_row: auto, encoding: auto, null_markers: ["NULL"]}
schema:
  schema_type: dataframe
  columns:
    customerID: {dtype: str, nullable: false, unique: true,
                 checks: {str_length: {min_value: 1, max_value: 5}}}
    companyName: {dtype: str}
    city: {dtype: str, nullable: true}
    rep: {dtype: str, nullable: true}
    limit: {dtype: float64, nullable: true, checks: {greater_than_or_equal_to: 0}}
fields:
  Name: customerID
  CompanyName: companyName
  BillAddress.City: {column: city, strip: false}
  SalesRepRef.Name: rep
  CreditLimit: {column: limit, decimals: 2}
  IsActive: {value: true}
  Note: {template: "Northwind customer {customerID}"}
  CustomFields.LegacyCode: customerID
"""

ORDERS = """
record_type: Sales Order
mode: create
schema:
  columns:
    orderID: {dtype: str}
    customer: {dtype: str}
    orderDate: {dtype: 'datetime64[ns]'}
    product: {dtype: str}
    qty: {dtype: int64}
    price: {dtype: float64}
fields:
  CustomerRef.Name: customer
  Date: {column: orderDate, format: "%Y-%m-%d %H:%M:%S.%f"}
  CustomerPO: orderID
documents:
  group_by: orderID
  lines:
    ItemRef.Name: product
    Quantity: qty
    Price: price
"""


def test_a_full_customer_mapping() -> None:
    m = parse_mapping(CUSTOMERS, "customers.yaml")
    assert m.record_type.number == 120
    assert m.mode == "upsert"
    assert m.match_fields == ["Name"]
    assert m.match_normalize.apply("  ACME Inc ") == "acme inc"
    assert m.source.null_markers == ("NULL",)
    assert list(m.schema.columns) == [
        "customerID",
        "companyName",
        "city",
        "rep",
        "limit",
    ]
    by_target = {fm.target: fm for fm in m.fields}
    assert by_target["BillAddress.City"].json_path == ("BillAddress", "City")
    assert by_target["BillAddress.City"].strip is False
    assert by_target["SalesRepRef.Name"].kind == "ref_name"
    assert by_target["SalesRepRef.Name"].field.ref == 370
    assert by_target["CreditLimit"].decimals == 2
    assert by_target["IsActive"].value is True
    assert by_target["Note"].template_columns == ("customerID",)
    assert by_target["CustomFields.LegacyCode"].kind == "custom"
    assert m.columns == ["customerID", "companyName", "city", "rep", "limit"]
    assert m.documents is None
    assert len(m.digest) == 16


def test_a_sales_order_mapping_with_documents() -> None:
    m = parse_mapping(ORDERS)
    assert m.record_type.number == 7
    assert m.documents is not None
    assert m.documents.group_by == ("orderID",)
    assert [fm.target for fm in m.documents.lines] == [
        "ItemRef.Name",
        "Quantity",
        "Price",
    ]
    assert m.column_format("orderDate") == "%Y-%m-%d %H:%M:%S.%f"
    assert m.match_fields == []  # create mode needs no match key


def test_no_schema_means_every_mapped_column_is_nullable_text() -> None:
    m = parse_mapping("record_type: customer\nfields: {Name: id, Website: site}\n")
    assert {n: (str(c.dtype), c.nullable) for n, c in m.schema.columns.items()} == {
        "id": ("string[pyarrow]", True),
        "site": ("string[pyarrow]", True),
    }
    assert m.match_fields == ["Name"]


def problems(text: str) -> dict[str, str]:
    with pytest.raises(MappingError) as err:
        parse_mapping(text, "m.yaml")
    return {p.where: p.message for p in err.value.problems}


def test_every_problem_is_reported_at_once_with_its_yaml_path() -> None:
    text = """\
record_type: customer
mode: upsrt
match: {fields: [Nme], case: loud}
source: {header_row: 0, delimiter: ";;", sheeet: x}
schema:
  columns:
    customerID: {dtype: str}
    city: {dtype: str}
fields:
  name: customerID
  BillAddress.Cty: city
  RecordInfo.CreatedDate: city
  CompanyName: companyName
  IsActive: {value: maybe}
  CreditLimit: {column: city, decimals: two}
  SalesRepRef.Code: city
  Website: 12
  Note: {column: city, value: x}
documents:
  group_by: [customerID]
  lines: {Quantity: qty}
"""
    found = problems(text)
    assert found == {
        "mode": "must be one of create, update, upsert, verify, got 'upsrt' (line 2)",
        "source.sheeet": "unknown option 'sheeet'. Did you mean 'sheet'? (line 4)",
        "source.header_row": "expected auto or a row number >= 1, got 0 (line 4)",
        "source.delimiter": "expected one character (or auto), got ';;' (line 4)",
        "fields.name": "Customer has no field 'name'. Did you mean 'Name'? "
        "(names are case-sensitive) (line 10)",
        "fields.BillAddress.Cty": "Address has no field 'Cty'. Did you mean: City, "
        "Country? (line 11)",
        "fields.RecordInfo.CreatedDate": "Customer.RecordInfo is read-only; the server "
        "sets it (line 12)",
        "fields.CompanyName": "column 'companyName' is not in the schema. Add it to "
        "schema.columns. (line 13)",
        "fields.IsActive.value": "'maybe' is not a valid Boolean value (line 14)",
        "fields.CreditLimit.decimals": "expected int, got 'two' (line 15)",
        "fields.SalesRepRef.Code": "SalesRepRef is an EntityRef: map SalesRepRef.Name "
        "or .Id (line 16)",
        "fields.Website": "expected a column name or options, got 12; for a constant "
        "write {value: 12} (line 17)",
        "fields.Note": "give exactly one of column, value, template or expr (line 18)",
        "documents": "Customer (120) is an entity: documents are for transactions "
        "only (line 19)",
        "match.fields[0]": "Nme is not mapped under fields (line 3)",
        "match.case": "expected sensitive or insensitive, got 'loud' (line 3)",
    }


def test_unknown_record_type_has_close_matches() -> None:
    found = problems("record_type: custmer\nfields: {Name: id}\n")
    assert found["record_type"].startswith(
        "Unknown record type 'custmer'. Did you mean:"
    )
    assert "customer" in found["record_type"]


def test_transaction_specific_problems() -> None:
    text = """\
record_type: salesorder
mode: update
fields:
  CustomerRef.Name: c
  LineItems: x
  Date: {column: d, format: "%d.%m.%Y"}
  Memo: {column: d, format: "%Y"}
documents:
  group_by: 5
  lines:
    $type: t
    LineNo: n
    ItemRef: {template: "{a.b}"}
    Quantity: {column: q, decimals: -1}
"""
    found = problems(text)
    assert found == {
        "fields.LineItems": "LineItems holds lines: map line fields under "
        "documents.lines (line 5)",
        "fields.Memo.format": "format applies to dates; Memo is String (line 7)",
        "documents.group_by": "expected the column(s) that identify a document "
        "(line 9)",
        "documents.lines.$type": "$type is set automatically for each line (line 11)",
        "documents.lines.LineNo": "SalesOrderLineItem.LineNo is read-only; the server "
        "sets it (line 12)",
        "documents.lines.ItemRef.template": "placeholder {a.b} must be a column name "
        "(line 13)",
        "documents.lines.Quantity.decimals": "expected a number of places >= 0 "
        "(line 14)",
        "match": "mode update needs match.fields to find existing records",
    }


def test_python_object_tags_are_refused() -> None:
    text = (
        "record_type: !!python/object/apply:os.system ['echo hi']\nfields: {Name: a}\n"
    )
    found = problems(text)
    assert found == {
        "(yaml)": "the tag !!python/object/apply:os.system is not "
        "allowed (line 1, column 14): mapping files are plain data (strings, "
        "numbers, lists, mappings); remove the tag"
    }


def test_yaml_syntax_error_has_line_and_column() -> None:
    found = problems("record_type: customer\nfields: {Name: a\nmode: create\n")
    assert list(found) == ["(yaml)"]
    assert found["(yaml)"].startswith("not valid YAML: expected ',' or '}'")
    assert (
        "(line 3, column 5; while parsing a flow mapping on line 2)"
        in (found["(yaml)"])
    )


def test_duplicate_keys_are_problems() -> None:
    found = problems("record_type: customer\nfields:\n  Name: a\n  Name: b\n")
    assert found == {"fields.Name": "key 'Name' appears twice; keep only one (line 4)"}


def test_load_mapping_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "customers.yaml"
    path.write_text(CUSTOMERS, encoding="utf-8")
    assert load_mapping(path).path == str(path)
    with pytest.raises(MappingError, match="cannot read"):
        load_mapping(tmp_path / "nope.yaml")


def test_required_fields_left_unmapped_are_a_logged_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level("WARNING"):
        parse_mapping(ORDERS)
    assert caplog.messages == [
        "Sales Order: required field(s) not mapped: PromiseDate; the "
        "server may refuse the records"
    ]
