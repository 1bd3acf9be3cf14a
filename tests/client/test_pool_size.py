"""The connection pool keeps as many connections as the threads that use it."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from ot_etl.cli.export import export_command
from ot_etl.cli.load import load_command
from ot_etl.client import Client
from ot_etl.sandbox import Sandbox

CUSTOMERS = """\
record_type: customer
mode: create
match:
  fields: [Name]
schema:
  columns:
    Name: {dtype: str, nullable: false}
fields:
  Name: Name
"""


def _env(sandbox: Sandbox) -> dict[str, str]:
    return sandbox.environment()


def _invoke(command: Any, sandbox: Sandbox, *args: Any) -> None:
    result = CliRunner().invoke(command, [str(a) for a in args], env=_env(sandbox))
    assert result.exit_code == 0, result.output


def _bursts(client: Client, threads: int, rounds: int) -> None:
    """``rounds`` times: ``threads`` requests at once, then all idle."""
    for _ in range(rounds):
        crowd = [
            threading.Thread(target=client.count, args=("term",))
            for _ in range(threads)
        ]
        for t in crowd:
            t.start()
        for t in crowd:
            t.join()


def test_a_pool_of_32_keeps_32_connections_across_bursts() -> None:
    with Sandbox(latency=0.02) as sb:
        with Client(**sb.client_kwargs(), pool_size=32) as client:
            _bursts(client, 32, 4)
        assert sb.stats.snapshot()["connections"] <= 32
        assert sb.stats.snapshot()["requests"] == 4 * 32


def test_load_with_32_workers_opens_no_more_than_32_connections(
    tmp_path: Path,
) -> None:
    mapping = tmp_path / "customers.yaml"
    mapping.write_text(CUSTOMERS, encoding="utf-8")
    rows = "".join(f"Customer {i:04d}\n" for i in range(600))
    (tmp_path / "customers.csv").write_text("Name\n" + rows, encoding="utf-8")
    csv = tmp_path / "customers.csv"
    # Latency keeps many requests in flight; batches of 32 make bursts.
    with Sandbox(latency=0.005) as sb:
        _invoke(load_command, sb, mapping, csv, "--workers", 32, "--batch-size", 32)
        stats = sb.stats.snapshot()
        assert sb.records.store.count(120) == 600
    assert stats["max_in_flight"] > 16
    assert stats["connections"] <= 32


def test_export_with_32_workers_opens_no_more_than_32_connections(
    tmp_path: Path,
) -> None:
    with Sandbox(latency=0.005) as sb:
        store = sb.records.store
        with store.write():
            for key in range(1, 10_001):
                store.put(120, key, {"Id": key, "Name": f"C{key}"})
                store.put(101, key, {"Id": key, "Name": f"I{key}"})
        # Three types, three bursts of pages with a count between them.
        args = ["customer", "partitem", "itemall", "--out", tmp_path]
        _invoke(export_command, sb, *args, "--page-size", 100, "--workers", 32)
        stats = sb.stats.snapshot()
    assert stats["max_in_flight"] > 16
    assert stats["connections"] <= 32


def test_the_cli_pool_is_at_least_the_workers(monkeypatch: Any) -> None:
    from ot_etl.cli.common import make_client

    monkeypatch.setenv("OT_BASE_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("OT_API_KEY", "pool-test-api-key")
    monkeypatch.setenv("OT_EMAIL", "e@example.com")
    monkeypatch.setenv("OT_PASSWORD", "pool-test-password")
    sizes = []
    for workers in (None, 4, 32, 64):
        with make_client(workers) as client:
            sizes.append(client.config.pool_size)
    assert sizes == [16, 16, 32, 64]
