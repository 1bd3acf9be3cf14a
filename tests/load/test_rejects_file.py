"""The rejects file: columns as typed, extras, BOM, formulas neutralised, masking."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ot_etl.load.rejects import (
    RejectEntry,
    build_rejects,
    neutralise,
    restore,
    strip_extras,
    write_rejects,
)


def _raw() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Name": ["Acme", '=HYPERLINK("x")', "Café"],
            "Zip": ["02116", "-1", "'quoted"],
            "Card": ["4111111111111111", None, "5500000000000004"],
        },
        dtype=object,
    )


def _table() -> pd.DataFrame:
    entries = [
        RejectEntry(
            2,
            "server",
            ["Name: taken", "Zip: bad 5500000000000004"],
            [{"PropertyName": "Name", "Message": "taken", "Value": "Café"}],
        ),
        RejectEntry(1, "validation", ["Zip: below 0"]),
    ]
    return build_rejects(
        _raw(),
        [2, 3, 4],
        entries,
        source_file="in.csv",
        sheet=None,
        sensitive_columns=["Card"],
    )


def test_build_keeps_values_and_adds_extras() -> None:
    table = _table()
    assert list(table.columns) == [
        "Name",
        "Zip",
        "Card",
        "_source_file",
        "_sheet",
        "_row",
        "_stage",
        "_reasons",
        "_raw",
    ]
    assert table["Name"].tolist() == ['=HYPERLINK("x")', "Café"]
    assert table["_row"].tolist() == [3, 4]
    assert table["_stage"].tolist() == ["validation", "server"]
    assert table["Card"].tolist()[1] == "************0004"
    assert table["_reasons"].tolist()[1] == "Name: taken; Zip: bad ************0004"
    assert json.loads(table["_raw"].tolist()[1]) == [
        {"PropertyName": "Name", "Message": "taken", "Value": "Café"}
    ]


def test_csv_has_bom_and_neutralised_cells_that_restore(tmp_path: Path) -> None:
    path = write_rejects(_table(), tmp_path / "in.rejects.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",'-1," in text and "'''quoted" not in text
    back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    cleaned, was_rejects = strip_extras(back)
    assert was_rejects
    assert list(cleaned.columns) == ["Name", "Zip", "Card"]
    assert cleaned["Name"].tolist() == ['=HYPERLINK("x")', "Café"]
    assert cleaned["Zip"].tolist() == ["-1", "'quoted"]


def test_xlsx_rejects_hold_text_not_formulas(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_rejects(_table(), tmp_path / "in.rejects.xlsx", sheet="Orders")
    sheet = load_workbook(path)["Orders"]
    assert sheet["A2"].value == '\'=HYPERLINK("x")'
    assert sheet["A2"].data_type == "s"
    assert sheet["F2"].value == 3


def test_neutralise_round_trip() -> None:
    for value in ["=1+1", "+x", "-2", "@SUM", "'a", "''b", "plain", "", "\tx"]:
        assert restore(neutralise(value)) == value
    assert neutralise("plain") == "plain"
    assert neutralise(5) == 5
