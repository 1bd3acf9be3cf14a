"""The bad-input corpus through the real CLI: `ot-etl validate` and `ot-etl load`.

Each case of ``tests/data/bad/cases.yaml`` must get its documented exit code
and a message naming the file, the row or column where it applies, and the
fix; never a traceback. A file that cannot be used sends nothing to the
sandbox; a file with some bad rows loads the others and writes the bad ones,
with their reasons, to the rejects file.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from ot_etl.cli import main

BAD = Path(__file__).parent.parent / "data" / "bad"
CASES: list[dict[str, Any]] = yaml.safe_load((BAD / "cases.yaml").read_text())


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['file']}+{case['mapping']}"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    spec = importlib.util.spec_from_file_location("bad_generate", BAD / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    paths: dict[str, Path] = module.generate(tmp_path_factory.mktemp("generated"))
    return paths


def _input(case: dict[str, Any], generated: dict[str, Path], folder: Path) -> Path:
    """A copy of the case's input in ``folder`` (load writes next to it)."""
    name = case.get("input", case["file"])
    source = generated[name] if case.get("generated") else BAD / name
    target = folder / name
    shutil.copyfile(source, target)
    return target


def _check_message(case: dict[str, Any], output: str) -> None:
    assert "Traceback" not in output
    assert "internal error" not in output
    for text in case.get("say", []):
        assert text in output, f"{text!r} not in:\n{output}"
    if "row" in case:
        assert f"row {case['row']}" in output, output
    if "column" in case:
        assert f"column {case['column']!r}" in output, output


def test_the_corpus_is_complete() -> None:
    files = {c["file"] for c in CASES}
    assert len(CASES) >= 25
    on_disk = {p.name for p in BAD.iterdir()} - {"cases.yaml", "generate.py"}
    mappings = {c["mapping"] for c in CASES}
    assert on_disk <= files | mappings, on_disk - files - mappings


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_validate(
    case: dict[str, Any], generated: dict[str, Path], tmp_path: Path
) -> None:
    source = _input(case, generated, tmp_path)
    result = CliRunner().invoke(
        main, ["validate", str(BAD / case["mapping"]), str(source)]
    )
    _check_message(case, result.output)
    assert result.exit_code == case["exit"], result.output
    lines = result.output.splitlines()
    for row, (column, reason) in (case.get("rows") or {}).items():
        hits = [
            line
            for line in lines
            if line.split(" ", 1)[0] == str(row) and column in line and reason in line
        ]
        assert hits, f"row {row} / {column!r} / {reason!r} not in:\n{result.output}"
    failed = {int(line.split(" ", 1)[0]) for line in lines if line[:1].isdigit()}
    assert failed == set(case.get("rows") or {})
    assert not list(Path.cwd().glob("PWNED*"))


def _env(sandbox: Any) -> dict[str, str]:
    return sandbox.environment()


def _setup(case: dict[str, Any], client: Any) -> None:
    if case.get("setup") == "orders":
        client.create("customer", {"Name": "Alfreds"})
        client.create("partitem", {"Name": "Chai", "ItemGroupRef": {"Name": "General"}})


def _loaded(case: dict[str, Any], client: Any) -> list[str]:
    if case["mapping"] == "orders.yaml":
        return sorted(r["CustomerPO"] for r in client.list_page("salesorder", size=100))
    names = [r["Name"] for r in client.list_page("partitem", size=100)]
    return sorted(n for n in names if n != "Chai")


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_load(
    case: dict[str, Any],
    generated: dict[str, Path],
    tmp_path: Path,
    sandbox: Any,
    client: Any,
) -> None:
    _setup(case, client)
    before = sandbox.stats.snapshot()["requests"]
    source = _input(case, generated, tmp_path)
    result = CliRunner().invoke(
        main, ["load", str(BAD / case["mapping"]), str(source)], env=_env(sandbox)
    )
    expected = case.get("load_exit", case["exit"])
    assert result.exit_code == expected, result.output
    if expected == 2:
        _check_message(case, result.output)
        # Unusable: not one request, not one file written next to the input.
        assert sandbox.stats.snapshot()["requests"] == before
        assert sorted(p.name for p in tmp_path.iterdir()) == [source.name]
        return
    assert "Traceback" not in result.output
    assert _loaded(case, client) == sorted(case.get("loaded", []))
    rejects = source.with_name(source.stem + ".rejects.csv")
    rows = case.get("rows") or {}
    assert rejects.exists() == bool(rows), result.output
    if rows:
        table = pd.read_csv(rejects, dtype=str, encoding="utf-8-sig")
        reasons = dict(zip(table["_row"].astype(int), table["_reasons"], strict=True))
        assert set(reasons) == set(rows)
        for row, (column, reason) in rows.items():
            assert column in reasons[row] and reason in reasons[row], reasons[row]
