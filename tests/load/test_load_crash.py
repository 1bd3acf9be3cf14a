"""A load killed in the middle (SIGKILL) and re-run creates each record once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from load_helpers import customer_csv, customer_mapping, customers

from ot_etl.client import Client
from ot_etl.load import EXIT_OK, load_file

CHILD = """\
import sys
from ot_etl.client import Client
from ot_etl.load import load_file
with Client() as client:
    load_file(sys.argv[1], sys.argv[2], client=client, workers=4, batch_size=10)
"""


@pytest.mark.slow
def test_killed_load_rerun_creates_each_record_once(
    sandbox: Any, client: Client, tmp_path: Path
) -> None:
    sandbox.faults.latency = 0.02
    rows = 400
    csv = customer_csv(tmp_path, rows)
    mapping = customer_mapping(tmp_path)
    env = {**os.environ, **sandbox.environment()}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(csv), str(mapping)], env=env
    )
    deadline = time.monotonic() + 60
    while client.count("customer") < rows // 4:
        assert child.poll() is None, "the load ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    created_before = client.count("customer")
    assert rows // 4 <= created_before < rows
    sandbox.faults.latency = 0.0
    result = load_file(csv, mapping, client=client)
    assert result.exit_code == EXIT_OK
    assert result.counts["rejected"] == 0 and result.counts["failed"] == 0
    assert result.counts["skipped"] + result.counts["created"] == rows
    assert result.counts["created"] == rows - created_before
    stored = customers(client)
    assert sorted(stored) == [f"Customer {i:03d}" for i in range(rows)]
    # The ledger now knows every record: a third run skips them all.
    third = load_file(csv, mapping, client=client)
    assert third.counts["skipped"] == rows
