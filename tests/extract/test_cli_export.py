"""`ot-etl export` end to end against the sandbox (credentials from OT_* env)."""

from __future__ import annotations

import errno
import json
import os
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from ot_etl.catalog import resolve
from ot_etl.cli.export import export_command
from ot_etl.extract import FORMS
from ot_etl.extract.writer import TableWriter


def _env(sandbox: Any) -> dict[str, str]:
    return sandbox.environment()


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


def _no_files_but(root: Path, *names: str) -> None:
    assert sorted(p.name for p in root.iterdir()) == sorted(names)


def test_out_under_a_file_names_the_file(sandbox: Any, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("hi\n")
    out = tmp_path / "afile" / "sub"
    result = CliRunner().invoke(
        export_command, ["customer", "--out", str(out)], env=_env(sandbox)
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: Cannot write to {out}: {tmp_path / 'afile'} is a file, not a "
        "directory; choose another directory or move the file.\n"
    )
    assert (tmp_path / "afile").read_text() == "hi\n"
    _no_files_but(tmp_path, "afile")


def test_out_that_is_a_file_names_it(sandbox: Any, tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("hi\n")
    result = CliRunner().invoke(
        export_command, ["customer", "--out", str(afile)], env=_env(sandbox)
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: Cannot write to {afile}: {afile} is a file, not a "
        "directory; choose another directory or move the file.\n"
    )
    assert afile.read_text() == "hi\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_out_without_write_permission_is_named(sandbox: Any, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    out = locked / "sub"
    result = CliRunner().invoke(
        export_command, ["customer", "--out", str(out)], env=_env(sandbox)
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: Cannot write to {out}: permission denied: cannot write in "
        f"{locked}; choose a directory you can write to.\n"
    )


def test_a_directory_that_refuses_files_is_named(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stands in for a directory without write permission when the tests run
    # as root (root may write anywhere): the probe file is refused.
    def refuse(*_: Any, dir: str, **__: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied", f"{dir}/probe")

    monkeypatch.setattr("ot_etl.extract.outdir.tempfile.NamedTemporaryFile", refuse)
    requests = sandbox.stats.snapshot()["requests"]
    result = CliRunner().invoke(
        export_command, ["customer", "--out", str(tmp_path)], env=_env(sandbox)
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: Cannot write to {tmp_path}: permission denied: cannot write in "
        f"{tmp_path}; choose a directory you can write to.\n"
    )
    assert sandbox.stats.snapshot()["requests"] == requests  # nothing was fetched


def test_all_and_types_together_is_a_usage_error(sandbox: Any, tmp_path: Path) -> None:
    args = ["customer", "--all", "-o", str(tmp_path)]
    result = CliRunner().invoke(export_command, args, env=_env(sandbox))
    assert result.exit_code == 2
    assert result.stderr == "error: Name record types, or give --all (not both).\n"


def _entry(out: Path, slug: str) -> dict[str, Any]:
    entry: dict[str, Any] = json.loads((out / "manifest.json").read_text())["types"][
        slug
    ]
    return entry


def test_a_new_format_removes_the_other_formats_files(
    add_customers: Any, sandbox: Any, tmp_path: Path
) -> None:
    add_customers(2)
    (tmp_path / "term.parquet").write_text("not ours")  # no manifest lists it
    run = CliRunner().invoke(
        export_command, ["customer", "-o", str(tmp_path)], env=_env(sandbox)
    )
    assert run.exit_code == 0, run.output
    args = ["customer", "term", "-o", str(tmp_path), "--format", "csv"]
    result = CliRunner().invoke(export_command, args, env=_env(sandbox))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "type      count  rows  lines  no-lines  mode  notes",
        "customer  2      2     -      -         full  removed customer.parquet "
        "(other format)",
        "term      3      3     -      -         full",
    ]
    _no_files_but(
        tmp_path,
        "customer.csv",
        "term.csv",
        "term.parquet",
        "manifest.json",
        "ot-etl-state.json",
    )
    assert (tmp_path / "term.parquet").read_text() == "not ours"
    entry = _entry(tmp_path, "customer")
    assert (entry["files"], entry["removed"]) == (
        ["customer.csv"],
        ["customer.parquet"],
    )
    assert "replacing" not in entry


def _orders(client: Any, quantities: list[list[float]]) -> None:
    cust = client.create("customer", {"Name": "Acme"})["Id"]
    item = client.create(
        "partitem", {"Name": "W", "ItemGroupRef": {"Id": 1}, "UomRef": {"Id": 1}}
    )["Id"]
    for qs in quantities:
        lines = [
            {"$type": LINE_TYPE, "ItemRef": {"Id": item}, "Quantity": q, "Price": 1}
            for q in qs
        ]
        client.create(
            "salesorder",
            {
                "CustomerRef": {"Id": cust},
                "Date": "2024-01-02T00:00:00",
                "PromiseDate": "2024-01-03T00:00:00",
                "LineItems": lines,
            },
        )


LINE_TYPE = "AOLib7.SalesOrderLineItem, AOLib7"


def test_a_stop_between_the_two_renames_is_marked_in_the_manifest(
    sandbox: Any, client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _orders(client, [[1, 2], [3]])
    args = ["salesorder", "-o", str(tmp_path), "--incremental"]
    first = CliRunner().invoke(export_command, args, env=_env(sandbox))
    assert first.exit_code == 0, first.output
    old = _entry(tmp_path, "salesorder")
    doc = client.get("salesorder", 1)
    item = doc["LineItems"][0]["ItemRef"]
    line = {"$type": LINE_TYPE, "ItemRef": item, "Quantity": 9, "Price": 1}
    client.update("salesorder", {**doc, "LineItems": [line]})
    added = {k: doc[k] for k in ("CustomerRef", "Date", "PromiseDate")}
    client.create("salesorder", {**added, "LineItems": [{**line, "Quantity": 5}]})

    commit = TableWriter.commit

    def full_disk_on_the_header(self: TableWriter) -> Path:
        if self.layout.table == "salesorder":
            raise OSError(errno.ENOSPC, "No space left on device")
        return commit(self)

    monkeypatch.setattr(TableWriter, "commit", full_disk_on_the_header)
    second = CliRunner().invoke(export_command, args, env=_env(sandbox))
    header = tmp_path / "salesorder.parquet"
    assert second.exit_code == 2
    assert second.stderr == (
        f"error: Cannot write to {header}: no space left on device.\n"
    )
    # The lines went in first (new), the header kept the first run's rows ...
    lines = pq.read_table(tmp_path / "salesorder_lines.parquet")
    assert lines.column("Quantity").to_pylist() == [9.0, 3.0, 5.0]
    assert pq.read_table(header).column("DocNo").to_pylist() == [1, 2]
    # ... and the manifest says so: the old entry, plus the run that stopped.
    entry = _entry(tmp_path, "salesorder")
    pending = entry.pop("replacing")
    assert entry == old
    assert pending["files"] == ["salesorder.parquet", "salesorder_lines.parquet"]
    assert pending["removing"] == [] and pending["run"] != old["run"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []

    monkeypatch.setattr(TableWriter, "commit", commit)
    third = CliRunner().invoke(export_command, args, env=_env(sandbox))
    assert third.exit_code == 0, third.output
    # The next --incremental run rebuilds the type in full, not by merging.
    assert third.stdout.splitlines()[1].split() == ["salesorder"] + ["3"] * 3 + [
        "0",
        "full",
    ]
    entry = _entry(tmp_path, "salesorder")
    assert "replacing" not in entry and (entry["rows"], entry["lines"]) == (3, 3)
    assert pq.read_table(header).column("DocNo").to_pylist() == [1, 2, 3]


def test_a_type_named_twice_is_exported_once(
    add_customers: Any, sandbox: Any, tmp_path: Path
) -> None:
    add_customers(2)
    args = ["customer", "term", "customers", "120", "-o", str(tmp_path)]
    result = CliRunner().invoke(export_command, args, env=_env(sandbox))
    assert result.exit_code == 0, result.output
    types = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert types == ["customer", "term"]


def test_the_docs_name_every_manifest_key(
    add_customers: Any, sandbox: Any, tmp_path: Path
) -> None:
    add_customers(1)
    args = ["customer", "salesorder", "-o", str(tmp_path)]
    result = CliRunner().invoke(export_command, args, env=_env(sandbox))
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert list(manifest) == ["generator", "types"]
    keys = {k for entry in manifest["types"].values() for k in entry} | {"replacing"}
    docs = Path(__file__).resolve().parents[2] / "docs" / "export.md"
    section = docs.read_text("utf-8").split("## The manifest\n", 1)[1]
    table = section.split("\n## ", 1)[0]
    documented = {
        name
        for line in table.splitlines()
        if line.startswith("| `")
        for name in re.findall(r"`(\w+)`", line.split(" | ", 1)[0])
    }
    assert documented == keys
