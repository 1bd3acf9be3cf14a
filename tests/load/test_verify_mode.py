"""Mode verify: lists the API cannot create are checked, never written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from load_helpers import write

from ot_etl.client import Client
from ot_etl.errors import MappingError
from ot_etl.load import load_file
from ot_etl.mapping import parse_mapping

VERIFY = """\
record_type: shipmethod
mode: {mode}
match:
  fields: [Name]
schema:
  columns:
    carrier: {{dtype: str, nullable: false}}
fields:
  Name: carrier
"""


def test_verify_matches_existing_and_rejects_missing(
    sandbox: Any, client: Client, tmp_path: Path
) -> None:
    mapping = write(tmp_path / "m.yaml", VERIFY.format(mode="verify"))
    csv = write(tmp_path / "carriers.csv", "carrier\nUPS Ground\nPigeon Post\n")
    writes_before = client.count("shipmethod")
    result = load_file(csv, mapping, client=client)
    assert result.counts["unchanged"] == 1
    assert result.counts["unresolved"] == 1
    assert result.exit_code == 3
    reject = result.rejects.iloc[0]
    assert reject["carrier"] == "Pigeon Post"
    assert reject["_row"] == 3
    assert reject["_stage"] == "reference"
    assert reject["_reasons"] == (
        "no record matches 'pigeon post' in Order Time; mode verify never creates "
        "records: add it in Order Time, then re-run"
    )
    assert client.count("shipmethod") == writes_before


@pytest.mark.parametrize("mode", ["create", "upsert"])
def test_writing_a_list_only_type_is_refused_in_the_mapping(mode: str) -> None:
    with pytest.raises(MappingError) as info:
        parse_mapping(VERIFY.format(mode=mode))
    assert [(p.where, p.message) for p in info.value.problems] == [
        (
            "mode",
            "the API cannot write Ship Method records (no endpoint); "
            "use mode verify to check that they exist (line 2)",
        )
    ]
