"""`ot-etl export` of a transaction in a fresh process, as a user runs it.

In-process tests have pandas imported already; a fresh process imports it
from a worker thread (pyarrow does, converting the first line page) while
another thread builds a request body. That race once crashed the export; it
is timing-dependent, so the exact case is pinned by
``tests/client/test_encode.py`` (a half-imported pandas), and this test
checks the whole command end to end in a new process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from ot_etl.sandbox import Sandbox
from ot_etl.sandbox.seed import seed

OT_ETL = Path(sys.executable).parent / "ot-etl"  # the console script


def test_a_fresh_process_exports_orders_with_lines(tmp_path: Path) -> None:
    db = tmp_path / "orders.sqlite"
    seed(db, customers=50, items=20, orders=3000)
    with Sandbox(db) as sandbox:
        env = {**os.environ, **sandbox.environment()}
        for attempt in range(3):
            out = tmp_path / f"out{attempt}"
            done = subprocess.run(
                [str(OT_ETL), "export", "salesorder", "--out", str(out)],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr
            assert len(pd.read_parquet(out / "salesorder.parquet")) == 3000
