"""`ot-etl export` end to end against the sandbox (credentials from OT_* env)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from click.testing import CliRunner

from ot_etl.catalog import resolve
from ot_etl.cli.export import export_command
from ot_etl.extract import FORMS


def _env(sandbox: Any) -> dict[str, str]:
    kw = sandbox.client_kwargs()
    return {
        "OT_BASE_URL": kw["base_url"],
        "OT_API_KEY": kw["api_key"],
        "OT_EMAIL": kw["email"],
        "OT_PASSWORD": kw["password"],
    }


def test_export_prints_a_summary_and_writes_files(
    add_customers: Any, sandbox: Any, tmp_path: Path
) -> None:
    add_customers(5)
    args = ["customer", "term", "--out", str(tmp_path), "--page-size", "2"]
    result = CliRunner().invoke(export_command, args, env=_env(sandbox))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "type      count  rows  lines  no-lines  mode  notes",
        "customer  5      5     -      -         full",
        "term      3      3     -      -         full",
    ]
    assert pq.read_table(tmp_path / "customer.parquet").num_rows == 5
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


def test_filters_and_csv(add_customers: Any, sandbox: Any, tmp_path: Path) -> None:
    add_customers(5)
    args = ["customer", "-o", str(tmp_path), "--format", "csv", "--filter", "Id>=4"]
    result = CliRunner().invoke(export_command, args, env=_env(sandbox))
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "customer.csv").read_text().splitlines()
    assert len(lines) == 3 and '"Customer 0004"' in lines[1]


def test_bad_filter_names_the_accepted_forms(sandbox: Any, tmp_path: Path) -> None:
    args = ["customer", "-o", str(tmp_path), "--filter", "Name"]
    result = CliRunner().invoke(export_command, args, env=_env(sandbox))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: Bad filter 'Name': cannot read it. Accepted"
    )
    assert not list(tmp_path.iterdir())


def test_doubled_equals_is_refused_not_read_as_a_value(
    add_customers: Any, sandbox: Any, tmp_path: Path
) -> None:
    add_customers(2)
    args = ["customer", "-o", str(tmp_path), "--filter", "Name==Customer 0001"]
    result = CliRunner().invoke(export_command, args, env=_env(sandbox))
    assert result.exit_code == 2
    assert result.stderr == (
        "error: Bad filter 'Name==Customer 0001': '==' is not an operator "
        "(did you mean '='?); a value that starts with '=' is written in quotes: "
        f'Name="=Customer 0001". Accepted forms: {FORMS}.\n'
    )
    assert not list(tmp_path.iterdir())


def test_a_quoted_value_may_start_with_equals(
    add_customers: Any, sandbox: Any, tmp_path: Path
) -> None:
    add_customers(1)
    sandbox.records.create(resolve("customer"), {"Name": "=foo"})
    args = ["customer", "-o", str(tmp_path), "--filter", 'Name="=foo"']
    result = CliRunner().invoke(export_command, args, env=_env(sandbox))
    assert result.exit_code == 0, result.output
    names = pq.read_table(tmp_path / "customer.parquet").column("Name").to_pylist()
    assert names == ["=foo"]


def test_all_and_types_together_is_a_usage_error(sandbox: Any, tmp_path: Path) -> None:
    args = ["customer", "--all", "-o", str(tmp_path)]
    result = CliRunner().invoke(export_command, args, env=_env(sandbox))
    assert result.exit_code == 2
    assert result.stderr == "error: Name record types, or give --all (not both).\n"
