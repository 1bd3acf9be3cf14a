"""A bad pandera schema is reported at the path of each bad column and check."""

from __future__ import annotations

import pytest

from ot_etl.errors import MappingError
from ot_etl.mapping import parse_mapping


def problems(text: str) -> dict[str, str]:
    with pytest.raises(MappingError) as err:
        parse_mapping(text, "m.yaml")
    return {p.where: p.message for p in err.value.problems}


def test_every_bad_piece_of_a_schema_is_named_at_once() -> None:
    text = """\
record_type: customer
schema:
  colums: {}
  strict: maybe
  checks: {nope: 1}
  columns:
    Name: {dtype: strng, nulable: true, checks: {grater_than: 0}}
    Qty:
      dtype: int64
      nullable: perhaps
      checks:
        ge: 0
        in_range: {min_value: 0}
    City: str
    When: {dtype: 'datetime64[ns]', checks: {ge: "2020-01-01"}}
fields:
  Name: Name
  Website: Note
"""
    assert problems(text) == {
        "schema.colums": "unknown option 'colums'. Did you mean 'columns'? (line 3)",
        "schema.checks.nope": "unknown check 'nope'. Built-in checks include "
        "greater_than, in_range, isin and str_length. (line 5)",
        "schema.columns.Name.nulable": "unknown option 'nulable'. Did you mean "
        "'nullable'? (line 7)",
        "schema.columns.Name.dtype": "unknown dtype 'strng'; use str, int64, Int64, "
        "float64, bool or datetime64[ns] (line 7)",
        "schema.columns.Name.checks.grater_than": "unknown check 'grater_than'. "
        "Did you mean 'greater_than'? (line 7)",
        "schema.columns.Qty.nullable": "expected bool, got 'perhaps' (line 10)",
        "schema.columns.Qty.checks.in_range": "pandera cannot build this check: "
        "in_range() missing required argument: 'max_value' (line 13)",
        "schema.columns.City": "expected the column's options, e.g. {dtype: str, "
        "nullable: true} (line 14)",
        "schema": "pandera cannot read this schema: SchemaInitError: strict "
        "parameter must equal either `True`, `False`, or `'filter'`. (line 2)",
        "fields.Website": "column 'Note' is not in the schema. Add it to "
        "schema.columns. (line 18)",
    }


def test_a_check_with_bad_arguments_is_named_with_pandera_s_reason() -> None:
    text = """\
record_type: customer
schema:
  columns:
    Name:
      dtype: str
      checks: {str_length: {min: 1}, str_matches: "^[A-Z]"}
fields:
  Name: Name
"""
    assert problems(text) == {
        "schema.columns.Name.checks.str_length": "pandera cannot build this check: "
        "At least a minimum or a maximum need to be specified. Got None. (line 6)",
    }


def test_a_good_schema_still_reads() -> None:
    text = """\
record_type: customer
schema:
  strict: false
  columns:
    Name: {dtype: str, nullable: false, unique: true}
    Since: {dtype: 'datetime64[ns]', nullable: true, checks: {ge: "2020-01-01"}}
    Limit: {dtype: float64, checks: {ge: 0, le: 1000}}
fields:
  Name: Name
  CreditLimit: Limit
  Note: {template: "since {Since:%Y}"}
"""
    schema = parse_mapping(text).schema
    assert list(schema.columns) == ["Name", "Since", "Limit"]
    name = schema.columns["Name"]
    assert (name.nullable, name.unique, str(schema.columns["Limit"].dtype)) == (
        False,
        True,
        "float64",
    )
    assert [c.name for c in schema.columns["Limit"].checks] == [
        "greater_than_or_equal_to",
        "less_than_or_equal_to",
    ]
