"""The fault suite's collector: each scenario adds a line, the run prints the table.

The table is printed at the end of every pytest run that ran a scenario (so
it shows in CI output) and by ``test_zz_summary.py`` (``pytest tests/faults -s``).
"""

from __future__ import annotations

from typing import Any

import pytest
from fault_helpers import Figures, table

_FIGURES = pytest.StashKey[list[Figures]]()


def _collected(config: pytest.Config) -> list[Figures]:
    return config.stash.setdefault(_FIGURES, [])


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> list[Figures]:
    """Append a :class:`Figures` per scenario; the summary prints them all."""
    return _collected(request.config)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    rows = _collected(config)
    if not rows:
        return
    terminalreporter.section("fault and crash scenarios")
    for line in table(rows):
        terminalreporter.write_line(line)
