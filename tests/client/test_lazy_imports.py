"""Start-up: an export must not import the loader's pandas and pandera."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_the_export_command_imports_neither_pandas_nor_pandera() -> None:
    loaded = _modules_after(
        "from ot_etl.cli import main\n"
        "main.get_command(None, 'export')"  # what `ot-etl export` resolves
    )
    assert "ot_etl.cli.export" in loaded
    assert "pandas" not in loaded
    assert "pandera" not in loaded


def test_the_package_names_import_on_first_use() -> None:
    assert "pandas" not in _modules_after("import ot_etl")
    loaded = _modules_after("from ot_etl import load_file")
    assert {"pandas", "ot_etl.load"} <= loaded
