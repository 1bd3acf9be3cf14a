"""The ledger: fingerprints, states, intents, the lock between two loads."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from ot_etl.load.items import LoadItem
from ot_etl.load.ledger import Ledger, LedgerBusyError, combine, fingerprints


def test_fingerprints_ignore_column_order_and_count_repeats() -> None:
    frame = pd.DataFrame({"a": ["1", "1", "2"], "b": ["x", "x", None]}, dtype="str")
    one, two, three = fingerprints("120|Name|", frame)
    assert one != two  # equal rows: second occurrence differs
    assert fingerprints("120|Name|", frame[["b", "a"]].iloc[:1]) == [one]
    assert fingerprints("7|CustomerPO|PO", frame.iloc[:1]) != [one]
    blank = pd.DataFrame({"a": ["2"], "b": [""]}, dtype="str")
    assert fingerprints("120|Name|", blank) != [three]
    assert combine([one]) == one and len(combine([one, three])) == 64


def test_intents_outcomes_and_states(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    items = [
        LoadItem(
            position=n, rows=[n], payload={}, match_key=(f"k{n}",), fingerprint=f"f{n}"
        )
        for n in range(3)
    ]
    with Ledger(path) as ledger:
        ledger.start_run("in.csv", "Customer")
        ledger.mark_sending(items, "in.csv")
        items[0].outcome, items[0].record_key = "created", 11
        items[1].outcome, items[1].reasons = "rejected", ["Name: taken"]
        ledger.record(items[:2], "in.csv", batch_no=1)
        ledger.clear_sending(items[2:])
        ledger.finish_run({"created": 1})
        assert ledger.states(["f0", "f1", "f2", "zz"]) == {
            "f0": ("created", 11),
            "f1": ("rejected", None),
        }
    rows = (
        sqlite3.connect(path)
        .execute("SELECT match_key, reason FROM records ORDER BY fingerprint")
        .fetchall()
    )
    assert rows == [("k0", None), ("k1", "Name: taken")]


def test_a_second_load_of_the_same_ledger_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger(path), pytest.raises(LedgerBusyError) as info:
        Ledger(path, lock_timeout=0.2)
    assert str(info.value).startswith(f"Ledger {path} is in use by another load (pid ")
    with Ledger(path, lock_timeout=0.2):
        pass


def test_read_only_ledger_of_a_missing_file_is_empty(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "none.sqlite", read_only=True)
    assert ledger.states(["x"]) == {}
    assert not (tmp_path / "none.sqlite").exists()
