"""`ot-etl export --all` against the sandbox: every listable type, none refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from ot_etl.catalog import record_types
from ot_etl.cli.export import export_command
from ot_etl.extract import listable_types


def test_listable_types_leave_out_the_line_types() -> None:
    lines = {rt.number for rt in record_types() if rt.kind == "line"}
    assert lines == {1000, 1040, 1070, 1080, 1090, 1095}
    listed = {rt.number for rt in listable_types()}
    assert not listed & lines
    assert len(listed) == len(record_types()) - len(lines)


def test_export_all_skips_nothing(sandbox: Any, tmp_path: Path) -> None:
    env = sandbox.environment()
    result = CliRunner().invoke(export_command, ["--all", "-o", str(tmp_path)], env=env)
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    assert [row[0] for row in rows] == [rt.slug for rt in listable_types()]
    # type, count, rows, lines, no-lines, mode: no sixth column of notes.
    assert {len(row) for row in rows} == {6}
    assert result.stderr == ""
    terms = next(row for row in rows if row[0] == "term")
    assert terms[1:3] == ["3", "3"]
