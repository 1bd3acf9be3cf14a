"""A ledger holds no hash a card number could be guessed back from."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from load_helpers import write

from ot_etl.client import Client
from ot_etl.load import EXIT_OK, load_file
from ot_etl.load.ledger import FORMAT, Ledger, fingerprints

MAPPING = """\
record_type: customer
match:
  fields: [Name]
schema:
  columns:
    Name: {dtype: str, nullable: false}
    Card: {dtype: str, nullable: true}
fields:
  Name: Name
  CreditCardNo: Card
"""

CARDS = ["4111111111111111", "5500000000000004"]


def _old_fingerprint(identity: str, row: dict[str, str]) -> str:
    """The fingerprint format 0 wrote: a plain SHA-256 of every cell."""
    columns = sorted(row)
    head = identity + "\x00" + "\x1f".join(columns)
    text = "\x1e".join(row[c] for c in columns)
    return hashlib.sha256(f"{head}\x1d{text}".encode()).hexdigest()


def _ledger_bytes(path: Path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_sensitive_cells_are_hashed_masked() -> None:
    frame = pd.DataFrame(
        {"Name": ["A", "A", "A"], "Card": [CARDS[0], "9" * 12 + "1111", None]},
        dtype="str",
    )
    one, two, three = fingerprints("120|Name|", frame, ["Card"])
    masked = frame.assign(Card=["************1111"] * 2 + [None])
    plain = fingerprints("120|Name|", masked)
    assert [one, two, three] == plain  # same last four: told apart by occurrence
    assert one != two
    assert fingerprints("120|Name|", frame.iloc[2:]) == [three]  # no card: as before


def test_ledger_holds_no_plain_hash_and_a_rerun_skips(
    client: Client, tmp_path: Path
) -> None:
    mapping = write(tmp_path / "m.yaml", MAPPING)
    csv = write(
        tmp_path / "cards.csv", f"Name,Card\nAda,{CARDS[0]}\nBob,{CARDS[1]}\nCy,\n"
    )
    first = load_file(csv, mapping, client=client)
    assert first.exit_code == EXIT_OK and first.counts["created"] == 3
    path = tmp_path / "cards.ledger.sqlite"
    data = _ledger_bytes(path)
    for name, card in zip(["Ada", "Bob"], CARDS, strict=True):
        row_hash = _old_fingerprint("120|Name|", {"Name": name, "Card": card})
        assert row_hash.encode() not in data
        assert hashlib.sha256(card.encode()).hexdigest().encode() not in data
        assert card.encode() not in data
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (FORMAT,)
    assert db.execute("SELECT state FROM records").fetchall() == [("created",)] * 3
    db.close()
    again = load_file(csv, mapping, client=client)
    assert again.exit_code == EXIT_OK
    assert (again.summary.skipped, again.counts["created"]) == (3, 0)
    stored = {c["Name"]: c["CreditCardNo"] for c in client.list_page("customer")}
    assert stored == {"Ada": CARDS[0], "Bob": CARDS[1], "Cy": None}


def test_a_ledger_from_before_masking_is_upgraded_with_a_warning(
    client: Client, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    mapping = write(tmp_path / "m.yaml", MAPPING)
    csv = write(tmp_path / "cards.csv", f"Name,Card\nAda,{CARDS[0]}\nCy,\n")
    assert load_file(csv, mapping, client=client).counts["created"] == 2
    path = tmp_path / "cards.ledger.sqlite"
    db = sqlite3.connect(path)
    old = _old_fingerprint("120|Name|", {"Name": "Ada", "Card": CARDS[0]})
    rows = db.execute("SELECT first_row, match_key FROM records ORDER BY first_row")
    assert rows.fetchall() == [
        (0, "ada"),
        (1, "cy"),
    ]
    db.execute("UPDATE records SET fingerprint = ? WHERE first_row = 0", (old,))
    db.execute("PRAGMA user_version = 0")
    db.commit()
    db.close()
    with caplog.at_level(logging.WARNING, logger="ot_etl.load.run"):
        again = load_file(csv, mapping, client=client)
    assert [r.getMessage() for r in caplog.records] == [
        f"ledger {path} was written by an older ot-etl that hashed Card in clear: "
        "the rows it recorded with such a value are not recognised now (the "
        "match-key lookup still keeps them from being created twice); delete that "
        "ledger once its loads are done"
    ]
    # Cy (no card) is still known; Ada is found by name instead of created again.
    assert again.summary.skipped == 1 and again.counts["created"] == 0
    table = again.outcomes.fillna({"stage": ""})
    assert table[["row", "outcome", "stage"]].values.tolist() == [
        [2, "rejected", "duplicate"],
        [3, "skipped", ""],
    ]
    # The two creates ran in parallel, so the listing order is not Ada first.
    (ada,) = [c for c in client.list_page("customer") if c["Name"] == "Ada"]
    assert table["reasons"][0] == (
        f"a record with match key 'ada' already exists (Id {ada['Id']}); "
        "use mode upsert to update it"
    )
    assert len(client.list_page("customer")) == 2
    with Ledger(path) as ledger:
        assert not ledger.older_format
