"""Shared fixtures: a fresh sandbox on 127.0.0.1 per test, and a client for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def sandbox() -> Iterator[Any]:
    from ot_etl.sandbox import Sandbox

    with Sandbox() as sb:
        yield sb


@pytest.fixture
def client(sandbox: Any) -> Iterator[Any]:
    from ot_etl.client import Client

    c = Client(**sandbox.client_kwargs())
    yield c
    c.close()
