"""Two loads of one file at once: the second waits for the ledger or refuses.

Never a double post: both ``ot-etl load`` processes start together on the
same file (so the same ledger); one loads, the other waits for the lock and
then finds every row already loaded. A load that may not wait long enough
refuses with :class:`LedgerBusyError` and sends nothing.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_helpers import (
    SEED,
    Figures,
    all_records,
    child_env,
    expected_shapes,
    lost_and_duplicated,
    order_shapes,
    setup_orders,
    write_orders,
)

from ot_etl.client import Client
from ot_etl.load import load_file
from ot_etl.load.ledger import LedgerBusyError
from ot_etl.sandbox import Sandbox

CLI = "from ot_etl.cli import main; main()"


@pytest.fixture
def slow_sandbox() -> Iterator[Sandbox]:
    with Sandbox(latency=0.02) as sb:
        with Client(**sb.client_kwargs()) as setup:
            setup_orders(setup)
        yield sb


def _load(csv: Path, mapping: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CLI, "load", str(mapping), str(csv), "--workers", "4"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _figure(text: str, label: str) -> int:
    found = re.search(rf"^\s*{label}\s+(\d+)$", text, re.MULTILINE)
    assert found, text
    return int(found.group(1))


@pytest.mark.slow
def test_two_loads_of_one_file_never_post_twice(
    slow_sandbox: Sandbox, tmp_path: Path, figures: list[Figures]
) -> None:
    csv, mapping, lines = write_orders(tmp_path, 60, SEED + 50)
    env = child_env(slow_sandbox)
    children = [_load(csv, mapping, env), _load(csv, mapping, env)]
    try:
        outputs = [child.communicate(timeout=120) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.communicate()
    assert [child.returncode for child in children] == [0, 0], outputs
    created = sorted(_figure(out, "created") for out, _ in outputs)
    skipped = sorted(_figure(out, "already loaded") for out, _ in outputs)
    want = expected_shapes(lines)
    assert created == [0, len(want)] and skipped == [0, len(want)]
    # The one that waited said so.
    assert any("waiting for ledger" in err for _, err in outputs), outputs
    with Client(**slow_sandbox.client_kwargs()) as client:
        stored = all_records(client, "salesorder", lines=True)
    lost, dup = lost_and_duplicated(want, [r["CustomerPO"] for r in stored])
    assert (lost, dup) == (0, 0)
    assert order_shapes(stored) == want
    figures.append(
        Figures(
            "two loads of one file at once (one waits)", len(lines), 0, 0, lost, dup
        )
    )


@pytest.mark.slow
def test_a_load_that_cannot_wait_refuses_and_sends_nothing(
    slow_sandbox: Sandbox, tmp_path: Path, figures: list[Figures]
) -> None:
    csv, mapping, lines = write_orders(tmp_path, 30, SEED + 51)
    slow_sandbox.faults.latency = 0.2  # the first load holds the lock for seconds
    kwargs = slow_sandbox.client_kwargs()
    first = _load(csv, mapping, child_env(slow_sandbox))
    try:
        lock = tmp_path / "orders.ledger.sqlite.lock"
        deadline = time.monotonic() + 60
        while not (lock.exists() and lock.read_text().startswith("pid")):
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.01)
        with Client(**kwargs) as client:
            with pytest.raises(LedgerBusyError, match=r"in use by another load \(pid"):
                load_file(csv, mapping, client=client, lock_timeout=0.2)
            # Refused before any request: nothing can have been posted twice.
            assert client.stats["requests"] == 0
        assert first.poll() is None, "the first load ended before the second tried"
        out, err = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert first.returncode == 0, (out, err)
    slow_sandbox.faults.latency = 0.0
    with Client(**kwargs) as client:
        stored = all_records(client, "salesorder", lines=True)
    want = expected_shapes(lines)
    lost, dup = lost_and_duplicated(want, [r["CustomerPO"] for r in stored])
    assert (lost, dup) == (0, 0)
    assert order_shapes(stored) == want
    figures.append(
        Figures(
            "two loads of one file at once (one refuses)", len(lines), 0, 0, lost, dup
        )
    )
