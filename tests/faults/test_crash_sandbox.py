"""The sandbox killed (SIGKILL) and restarted on the same database mid-load.

The sandbox runs as ``ot-etl sandbox serve`` in a child process; the load
runs in this process, in a thread. Twice, once the sandbox has received a
seeded number of new orders, the server is killed and started again on the
same port and file. The load goes on (or fails rows, never silently), a
re-run completes it, every order is stored once and the SQLite file passes
its integrity check.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fault_helpers import (
    SEED,
    Figures,
    all_records,
    check_accounting,
    expected_shapes,
    lost_and_duplicated,
    order_shapes,
    setup_orders,
    write_orders,
)

from ot_etl.client import Client
from ot_etl.load import EXIT_OK, load_file

SERVE = "from ot_etl.cli import main; main()"
KILLS = 2
CREDENTIALS = {
    "api_key": "sandbox-api-key",
    "email": "admin@sandbox.local",
    "password": "sandbox-pass",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """``ot-etl sandbox serve`` on a fixed loopback port and database file."""

    def __init__(self, db: Path, port: int) -> None:
        self.db, self.port = db, port
        self.child: subprocess.Popen[str] | None = None

    @property
    def kwargs(self) -> dict[str, Any]:
        return {"base_url": f"http://127.0.0.1:{self.port}/api", **CREDENTIALS}

    @property
    def options(self) -> list[str]:
        return ["--port", str(self.port), "--db", str(self.db), "--latency", "0.03"]

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OT_")}
        self.child = subprocess.Popen(
            [sys.executable, "-c", SERVE, "sandbox", "serve", *self.options],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.child.stdout is not None
        first = self.child.stdout.readline()
        assert first.startswith("Order Time sandbox on"), first

    def kill(self) -> None:
        assert self.child is not None
        os.kill(self.child.pid, signal.SIGKILL)
        self.child.wait()
        assert self.child.stdout is not None
        self.child.stdout.close()
        self.child = None

    def stop(self) -> None:
        if self.child is not None:
            self.child.send_signal(signal.SIGINT)
            self.child.communicate(timeout=10)
            self.child = None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "sandbox.db", _free_port())
    proc.start()
    try:
        yield proc
    finally:
        if proc.child is not None:
            proc.kill()


def _count(client: Client) -> int:
    try:
        return client.count("salesorder")
    except Exception:
        return -1


@pytest.mark.slow
def test_sandbox_killed_mid_load_then_rerun(
    server: ServerProcess, tmp_path: Path, figures: list[Figures]
) -> None:
    rng = random.Random(SEED + 40)
    with Client(**server.kwargs) as setup:
        setup_orders(setup)
    csv, mapping, lines = write_orders(tmp_path, 150, SEED + 41)
    loader = Client(**server.kwargs)
    runs: list[Any] = []
    errors: list[BaseException] = []

    def first_run() -> None:
        try:
            runs.append(load_file(csv, mapping, client=loader, workers=4, batch_size=5))
        except BaseException as exc:  # reported by the test, not lost in a thread
            errors.append(exc)

    thread = threading.Thread(target=first_run)
    thread.start()
    watcher = Client(**server.kwargs)
    kills = 0
    try:
        for _ in range(KILLS):
            target = max(_count(watcher), 0) + rng.randint(5, 30)
            deadline = time.monotonic() + 60
            while _count(watcher) < target and thread.is_alive():
                assert time.monotonic() < deadline, "the load made no progress"
                time.sleep(0.01)
            if not thread.is_alive():
                break
            server.kill()
            kills += 1
            time.sleep(rng.uniform(0.1, 0.5))
            server.start()
        thread.join(timeout=120)
        assert not thread.is_alive(), "the load hangs after the sandbox restarted"
        assert not errors, errors
        assert kills == KILLS, "the load finished before the sandbox could be killed"
        for _ in range(3):
            if runs[-1].summary.failed == 0:
                break
            runs.append(load_file(csv, mapping, client=loader))
        for result in runs:
            check_accounting(result)
        assert runs[-1].exit_code == EXIT_OK
        stored = all_records(watcher, "salesorder", lines=True)
    finally:
        watcher.close()
        loader.close()
    server.stop()
    with sqlite3.connect(server.db) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    want = expected_shapes(lines)
    lost, dup = lost_and_duplicated(want, [r["CustomerPO"] for r in stored])
    assert (lost, dup) == (0, 0)
    assert order_shapes(stored) == want
    figures.append(
        Figures(
            f"sandbox killed {kills} times mid-load ({len(runs)} runs)",
            len(lines),
            kills,
            int(loader.stats["retries"]) + len(runs) - 1,
            lost,
            dup,
        )
    )
