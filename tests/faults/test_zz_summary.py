"""The summary of the fault suite: one line per scenario, 0 lost, 0 duplicated.

Named to run last in ``tests/faults``; ``pytest tests/faults -s`` shows the
table here, and every run prints it again in the terminal summary.
"""

from __future__ import annotations

import pytest
from fault_helpers import Figures, table


def test_summary_table(figures: list[Figures]) -> None:
    if not figures:
        pytest.skip("no fault scenario ran in this session")
    print("\n" + "\n".join(table(figures)))
    for f in figures:
        assert (f.lost, f.duplicated) == (0, 0), f
