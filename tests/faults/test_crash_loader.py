"""A loader killed hard (SIGKILL) at random points, several times, then re-run.

The child processes run ``load_file`` against an in-process sandbox; the
test kills each one once the sandbox has received a seeded random number of
new orders, starts the next, and finally lets a run finish. At the end the
sandbox holds every order once, the ledger names each order's DocNo, and the
rejects file holds exactly the invalid rows.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
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

from ot_etl.catalog import resolve
from ot_etl.client import Client
from ot_etl.load import load_file
from ot_etl.sandbox import Sandbox

CHILD = """\
import sys
from ot_etl.client import Client
from ot_etl.load import load_file
with Client() as client:
    load_file(sys.argv[1], sys.argv[2], client=client, workers=4, batch_size=5)
"""

KILLS = 4
BAD_ROWS = "PO-BAD-1,Acme,Widget,0,2024-03-01\nPO-BAD-2,Acme,Gadget,0,2024-03-02\n"


def _kill_after(sandbox: Sandbox, child: subprocess.Popen[bytes], more: int) -> bool:
    """SIGKILL ``child`` once ``more`` new orders are stored; False if it ended."""
    orders = resolve("salesorder").number
    target = sandbox.store.count(orders) + more
    deadline = time.monotonic() + 60
    while sandbox.store.count(orders) < target:
        if child.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the load made no progress"
        time.sleep(0.005)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    return True


@pytest.mark.slow
def test_loader_killed_repeatedly_then_rerun(
    tmp_path: Path, figures: list[Figures]
) -> None:
    rng = random.Random(SEED + 30)
    with Sandbox(latency=0.03) as sandbox:
        with Client(**sandbox.client_kwargs()) as setup:
            setup_orders(setup)
        csv, mapping, lines = write_orders(tmp_path, 120, SEED + 31)
        csv.write_text(csv.read_text() + BAD_ROWS)
        env = child_env(sandbox)
        kills = 0
        for _ in range(KILLS):
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD, str(csv), str(mapping)],
                env=env,
                stderr=subprocess.DEVNULL,
            )
            kills += _kill_after(sandbox, child, rng.randint(3, 25))
        assert kills >= 2, "the loads finished before they could be killed"
        sandbox.faults.latency = 0.0
        with Client(**sandbox.client_kwargs()) as client:
            final = load_file(csv, mapping, client=client)
            stored = all_records(client, "salesorder", lines=True)
    want = expected_shapes(lines)
    lost, dup = lost_and_duplicated(want, [r["CustomerPO"] for r in stored])
    assert (lost, dup) == (0, 0)
    assert order_shapes(stored) == want
    assert final.summary.failed == 0 and final.exit_code == 3
    assert final.summary.skipped + final.summary.created == len(want)
    # The ledger: every order loaded, under the DocNo the sandbox gave it.
    docs = {r["CustomerPO"].lower(): r["DocNo"] for r in stored}
    with sqlite3.connect(tmp_path / "orders.ledger.sqlite") as db:
        ledger = db.execute(
            "SELECT match_key, state, record_key FROM records"
        ).fetchall()
    loaded = {k: key for k, state, key in ledger if state in ("created", "unchanged")}
    assert loaded == docs
    assert {state for _, state, _ in ledger} <= {"created", "rejected"}
    # The rejects file: exactly the two invalid orders.
    rejects = pd.read_csv(tmp_path / "orders.rejects.csv", dtype=str)
    assert sorted(rejects["Order"]) == ["PO-BAD-1", "PO-BAD-2"]
    assert set(rejects["_stage"]) == {"validation"}
    figures.append(
        Figures(
            f"load killed (SIGKILL) {kills} times, then re-run",
            len(lines) + 2,
            kills,
            kills,
            lost,
            dup,
        )
    )
