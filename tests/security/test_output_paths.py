"""Record-type names and user values never choose where a file is written.

Export files are named by the catalog's slug of a record type (never by the
name typed on the command line, nor by any value of a record); rejects files
and ledgers are named by the input file's own name, in its folder or the one
given with --rejects/--ledger. Cell values are data only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ot_etl.catalog import record_types
from ot_etl.cli import main

HOSTILE = ["../../escaped", "/tmp/absolute", "..\\..\\win", "a/b", "con", "x\x00y"]


def _env(sandbox: Any) -> dict[str, str]:
    return sandbox.environment()


def _files(root: Path) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file()}


def test_every_slug_is_a_plain_file_name() -> None:
    for rt in record_types():
        assert re.fullmatch(r"[a-z0-9_]+", rt.slug), rt.slug


@pytest.mark.parametrize("name", ["../../escaped", "/tmp/x", "customer/../../x", "."])
def test_export_refuses_a_type_that_is_a_path(
    sandbox: Any, tmp_path: Path, name: str
) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["export", name, "--out", str(out)], env=_env(sandbox)
    )
    assert result.exit_code == 2, result.output
    assert "Unknown record type" in result.output
    assert _files(tmp_path) == set()


def test_export_files_stay_in_out_whatever_the_records_hold(
    sandbox: Any, client: Any, tmp_path: Path
) -> None:
    for i, text in enumerate(HOSTILE):
        client.create(
            "customer",
            {
                "Name": text.replace("\x00", "") or f"c{i}",
                "CustomFields": [{"Name": text, "Value": text}],
            },
        )
    out = tmp_path / "out"
    for fmt in ("csv", "parquet"):
        result = CliRunner().invoke(
            main,
            ["export", "customer", "--out", str(out), "--format", fmt],
            env=_env(sandbox),
        )
        assert result.exit_code == 0, result.output
    every = _files(tmp_path)
    assert all(p.parts[0] == "out" for p in every), every
    names = {p.name for p in every}
    # The CSV of the first run is removed when the type is written as Parquet.
    assert {"customer.parquet", "manifest.json"} <= names
    assert not any("escaped" in n or "absolute" in n for n in names)


MAPPING = """\
record_type: customer
match: {fields: [Name]}
schema:
  columns:
    Name: {dtype: str}
    Limit: {dtype: float64, checks: {ge: 0}}
fields:
  Name: Name
  CreditLimit: Limit
"""


def test_rejects_and_ledger_stay_next_to_the_input(
    sandbox: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    mapping = folder / "m.yaml"
    mapping.write_text(MAPPING)
    source = folder / "..weird =name.csv"
    rows = "".join(f'"{t.replace(chr(0), "")}",-1\n' for t in HOSTILE)
    source.write_text("Name,Limit\n" + rows)
    result = CliRunner().invoke(
        main, ["load", str(mapping), str(source)], env=_env(sandbox)
    )
    assert result.exit_code == 3, result.output
    every = _files(tmp_path)
    assert all(p.parts[0] == "in" for p in every), every
    assert Path("in/..weird =name.rejects.csv") in every
    assert Path("in/..weird =name.ledger.sqlite") in every
