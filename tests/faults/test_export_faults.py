"""Exports under injected faults hold exactly the sandbox's records, each once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from fault_helpers import (
    SEED,
    Figures,
    all_records,
    apply_profile,
    fault_client,
    injected,
    lost_and_duplicated,
    quiet,
    throttle_bursts,
)

from ot_etl.extract import ExportOptions, PageFailedError, export_types
from ot_etl.sandbox import Sandbox
from ot_etl.sandbox.seed import seed

CUSTOMERS = 2500
ORDERS = 400


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("export-faults") / "sandbox.db"
    seed(db, customers=CUSTOMERS, items=20, orders=ORDERS, seed=SEED)
    return db


@pytest.fixture
def faulty(seeded_db: Path) -> Iterator[Sandbox]:
    with Sandbox(db_path=seeded_db) as sb:
        yield sb


def _column(path: Path, *names: str) -> list[tuple[Any, ...]]:
    table = pq.read_table(path, columns=list(names))
    return list(zip(*(table.column(n).to_pylist() for n in names), strict=True))


@pytest.mark.slow
def test_export_under_faults_has_every_record_once(
    faulty: Sandbox, tmp_path: Path, figures: list[Figures]
) -> None:
    apply_profile(faulty.faults, SEED + 1)
    client = fault_client(faulty.client_kwargs())
    options = ExportOptions(page_size=20, workers=4)
    reruns = 0
    try:
        with throttle_bursts(faulty.faults, SEED + 2):
            while True:
                try:
                    results = export_types(
                        ["customer", "salesorder"],
                        tmp_path,
                        client=client,
                        options=options,
                    )
                    break
                except PageFailedError:
                    # The promise under faults is "every record once, or the
                    # export fails naming the page with no partial file": a
                    # page whose retries all met faults is the second case,
                    # and the user's answer is running it again.
                    assert not list(tmp_path.glob(".*.tmp"))
                    reruns += 1
                    assert reruns <= 2
        stats = faulty.stats.snapshot()
        quiet(faulty.faults)
        customers = all_records(client, "customer")
        orders = all_records(client, "salesorder", lines=True)
    finally:
        client.close()
    assert [r.skipped for r in results] == [None, None]
    # Headers: the files' keys are exactly the server's, each once.
    ids = [i for (i,) in _column(tmp_path / "customer.parquet", "Id")]
    lost, dup = lost_and_duplicated(
        [str(r["Id"]) for r in customers], [str(i) for i in ids]
    )
    extra = set(ids) - {r["Id"] for r in customers}
    assert (lost, dup, extra) == (0, 0, set())
    docs = [d for (d,) in _column(tmp_path / "salesorder.parquet", "DocNo")]
    lost_o, dup_o = lost_and_duplicated(
        [str(r["DocNo"]) for r in orders], [str(d) for d in docs]
    )
    assert (lost_o, dup_o) == (0, 0) and len(docs) == len(orders)
    # Lines: each (DocNo, LineNo) of the server once, with its quantity.
    lines = _column(
        tmp_path / "salesorder_lines.parquet", "DocNo", "LineNo", "Quantity"
    )
    stored = sorted(
        (o["DocNo"], line["LineNo"], float(line["Quantity"]))
        for o in orders
        for line in o["LineItems"]
    )
    assert sorted(lines) == stored
    line_lost, line_dup = lost_and_duplicated(
        [f"{d}/{n}" for d, n, _ in stored], [f"{d}/{n}" for d, n, _ in lines]
    )
    assert stats["errors"] and stats["drops"] and stats["throttles"] and stats["slow"]
    figures.append(
        Figures(
            "export under faults (customers + orders with lines)",
            len(customers) + len(orders) + len(stored),
            injected(stats),
            int(client.stats["retries"]) + reruns,
            lost + lost_o + line_lost,
            dup + dup_o + line_dup,
        )
    )


def test_a_burst_longer_than_the_attempts_does_not_fail_a_read(
    faulty: Sandbox,
) -> None:
    """429s follow Retry-After for up to max_total_wait, not max_attempts."""
    faulty.faults.throttle_rate = 1.0
    faulty.faults.retry_after = 0.05
    client = fault_client(faulty.client_kwargs())
    timer = threading.Timer(0.6, setattr, (faulty.faults, "throttle_rate", 0.0))
    timer.start()
    try:
        assert client.count("customer") == CUSTOMERS
    finally:
        timer.cancel()
        client.close()
    assert client.stats["status_429"] > client.retry.max_attempts
