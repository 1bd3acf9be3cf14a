"""Helpers for export tests: records created straight in the sandbox's store.

Creating through ``sandbox.records`` is setup, not the thing under test; every
export in these tests goes over HTTP to the sandbox on 127.0.0.1.
"""

from __future__ import annotations

from typing import Any

import pytest

from ot_etl.catalog import resolve
from ot_etl.client import Client, RetryPolicy


def _add_customers(sandbox: Any, n: int, **extra: Any) -> list[int]:
    rt = resolve("customer")
    start = sandbox.store.count(rt.number)
    ids = []
    for i in range(n):
        body = {"Name": f"Customer {start + i + 1:04d}", **extra}
        ids.append(sandbox.records.create(rt, body)["Id"])
    return ids


@pytest.fixture
def quick_client(sandbox: Any) -> Any:
    """A client that gives up fast, for tests that inject failures."""
    policy = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02)
    c = Client(**sandbox.client_kwargs(), retry=policy)
    yield c
    c.close()


@pytest.fixture
def add_customers(sandbox: Any) -> Any:
    """``add_customers(n, **fields)`` -> the new Ids, in order."""
    return lambda n, **extra: _add_customers(sandbox, n, **extra)
