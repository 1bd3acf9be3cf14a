"""Card numbers never reach the rejects file, the ledger or the log in clear."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest
from load_helpers import write

from ot_etl.client import Client
from ot_etl.load import load_file, load_frame

MAPPING = """\
record_type: customer
mode: upsert
match:
  fields: [Name]
schema:
  columns:
    Name: {dtype: str, nullable: false}
    Card: {dtype: str, nullable: true}
    Limit: {dtype: float64, nullable: true, checks: {ge: 0}}
fields:
  Name: Name
  CreditCardNo: Card
  CreditLimit: Limit
"""

CARDS = ["4111111111111111", "5500000000000004", "340000000000009"]


def test_cards_are_masked_everywhere(
    client: Client, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mapping = write(tmp_path / "m.yaml", MAPPING)
    csv = write(
        tmp_path / "cards.csv",
        f"Name,Card,Limit\nGood,{CARDS[0]},1\nBad,{CARDS[1]},-1\nGood,{CARDS[2]},2\n",
    )
    result = load_file(csv, mapping, client=client)
    assert result.summary.created == 1
    assert client.list_page("customer")[0]["CreditCardNo"] == CARDS[0]
    rejects = (tmp_path / "cards.rejects.csv").read_text(encoding="utf-8-sig")
    assert "************0004" in rejects and "***********0009" in rejects
    ledger = (tmp_path / "cards.ledger.sqlite").read_bytes()
    for card in CARDS:
        assert card not in rejects
        assert card.encode() not in ledger
        assert card not in caplog.text
        assert card not in result.rejects.to_csv()
    # Loaded again as is, the masked card is refused, never sent.
    path = tmp_path / "cards.rejects.csv"
    path.write_text(rejects.replace(",'-1,", ",1,"), encoding="utf-8-sig")
    again = load_file(path, mapping, client=client)
    assert again.counts["created"] == 0 and again.counts["invalid"] == 2
    assert (
        again.outcomes["reasons"].tolist()
        == ["Card: masked in the rejects file; type the full value again"] * 2
    )
    table = path.read_text(encoding="utf-8-sig").replace("************0004", CARDS[1])
    path.write_text(table.replace("***********0009", CARDS[2]), encoding="utf-8-sig")
    fixed = load_file(path, mapping, client=client)
    assert (fixed.counts["created"], fixed.counts["updated"]) == (1, 1)  # upsert
    assert {r["Name"]: r["CreditCardNo"] for r in client.list_page("customer")} == {
        "Good": CARDS[2],
        "Bad": CARDS[1],
    }


def test_load_frame_returns_outcomes_and_rejects(client: Client) -> None:
    df = pd.DataFrame(
        {"Name": ["A", "B", None], "Card": [None, None, None], "Limit": [1.5, -2, 3]}
    )
    result = load_frame(df, write_mapping(), client=client)
    assert result.counts["created"] == 1 and result.counts["invalid"] == 2
    table = result.outcomes.fillna({"stage": ""})
    assert table[["row", "outcome", "stage"]].values.tolist() == [
        [2, "created", ""],
        [3, "rejected", "validation"],
        [4, "rejected", "validation"],
    ]
    assert result.rejects["_row"].tolist() == [3, 4]
    assert result.rejects["Limit"].tolist() == ["-2.0", "3.0"]
    assert result.summary.ledger_path is None and result.summary.rejects_path is None


def write_mapping() -> object:
    from ot_etl.mapping import parse_mapping

    return parse_mapping(MAPPING)
