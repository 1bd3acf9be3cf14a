"""Loads under injected faults: every row accounted for, every record once.

Each run of a load must add up (loaded + rejected + failed = rows read); rows
that failed because of a fault are loaded by re-running, and at the end the
sandbox holds each record exactly once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fault_helpers import (
    SEED,
    Figures,
    all_records,
    apply_profile,
    check_accounting,
    customer_rows,
    expected_shapes,
    fault_client,
    injected,
    lost_and_duplicated,
    order_shapes,
    quiet,
    settle,
    setup_orders,
    throttle_bursts,
    write_customers,
    write_orders,
)

from ot_etl.client import Client
from ot_etl.load import EXIT_OK, load_file
from ot_etl.sandbox import Sandbox

MAX_RUNS = 5


@pytest.fixture
def faulty() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


def _load_until_done(
    sandbox: Sandbox, csv: Path, mapping: Path, seed: int
) -> tuple[list[Any], dict[str, Any], int]:
    """Load under faults, re-running until a run ends with nothing failed.

    Returns the results of every run, the sandbox's stats and the client's
    retries. Every run must add up, whatever the faults did.
    """
    apply_profile(sandbox.faults, seed, commit_then_fail=0.10)
    client = fault_client(sandbox.client_kwargs())
    results = []
    try:
        with throttle_bursts(sandbox.faults, seed + 1):
            for _ in range(MAX_RUNS):
                result = load_file(
                    csv, mapping, client=client, workers=8, batch_size=25
                )
                check_accounting(result)
                results.append(result)
                settle(sandbox)
                if result.summary.failed == 0:
                    break
        stats = sandbox.stats.snapshot()
    finally:
        quiet(sandbox.faults)
        client.close()
    assert results[-1].summary.failed == 0, f"still failing after {MAX_RUNS} runs"
    return results, stats, int(client.stats["retries"])


@pytest.mark.slow
def test_customer_load_under_faults(
    faulty: Sandbox, tmp_path: Path, figures: list[Figures]
) -> None:
    rows, bad_every = 300, 50
    csv, mapping = write_customers(tmp_path, rows, bad_every)
    results, stats, retries = _load_until_done(faulty, csv, mapping, SEED + 10)
    # The invalid rows (negative limits) are rejected on every run, nothing else.
    invalid = {line.split(",")[0] for line in customer_rows(rows, bad_every)[49::50]}
    for result in results:
        assert result.summary.invalid == len(invalid)
        assert result.summary.rejected == 0  # no valid row refused by the server
    assert stats["commit_then_fail"] and stats["errors"] and stats["drops"]
    with Client(**faulty.client_kwargs()) as check:
        names = [r["Name"] for r in all_records(check, "customer")]
    expected = [f"Customer {i:04d}" for i in range(rows)]
    valid = [n for n in expected if n not in invalid]
    lost, dup = lost_and_duplicated(valid, names)
    assert (lost, dup) == (0, 0)
    assert sorted(names) == valid
    # The rejects file of the last run holds exactly the invalid rows.
    rejects = pd.read_csv(tmp_path / "customers.rejects.csv", dtype=str)
    extra = rejects[~rejects["Name"].isin(invalid)]
    assert set(rejects["Name"]) == invalid, extra[["_stage", "_reasons"]].values
    assert set(rejects["_stage"]) == {"validation"}
    assert results[-1].exit_code == 3  # the invalid rows only
    figures.append(
        Figures(
            f"load customers under faults ({len(results)} runs)",
            rows,
            injected(stats),
            retries,
            lost,
            dup,
        )
    )


@pytest.mark.slow
def test_order_load_under_faults(
    faulty: Sandbox, tmp_path: Path, figures: list[Figures]
) -> None:
    with Client(**faulty.client_kwargs()) as setup:
        setup_orders(setup)
    csv, mapping, lines = write_orders(tmp_path, 80, SEED + 20)
    results, stats, retries = _load_until_done(faulty, csv, mapping, SEED + 21)
    for result in results:
        assert result.summary.rows_read == len(lines)
        assert result.summary.rejected == result.summary.invalid == 0
    with Client(**faulty.client_kwargs()) as check:
        stored = all_records(check, "salesorder", lines=True)
    want = expected_shapes(lines)
    lost, dup = lost_and_duplicated(want, [r["CustomerPO"] for r in stored])
    assert (lost, dup) == (0, 0)
    assert order_shapes(stored) == want
    assert results[-1].exit_code == EXIT_OK
    figures.append(
        Figures(
            f"load sales orders under faults ({len(results)} runs)",
            len(lines),
            injected(stats),
            retries,
            lost,
            dup,
        )
    )
