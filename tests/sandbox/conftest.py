"""Fixtures for the sandbox tests: raw `requests` sessions against a live sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sandbox_helpers import Api


@pytest.fixture
def api(sandbox: Any) -> Iterator[Api]:
    a = Api(sandbox.client_kwargs())
    yield a
    a.close()


@pytest.fixture
def viewer(sandbox: Any) -> Iterator[Api]:
    a = Api(sandbox.viewer_kwargs())
    yield a
    a.close()
