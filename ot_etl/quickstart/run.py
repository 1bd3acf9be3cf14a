"""Run the quickstart: every Northwind step, the export, the reconciliation.

The work folder holds everything a run writes, so a second run finds its
ledgers and creates nothing twice::

    WORKDIR/rejects/<input>.rejects.csv   rows that did not load, with reasons
    WORKDIR/ledgers/<input>.ledger.sqlite what each row became (re-run safety)
    WORKDIR/export/*.parquet              the record types read back

The inputs are read where they are and never written to.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ot_etl.extract import ExportResult, export_types
from ot_etl.load import load_file
from ot_etl.load.post import Progress
from ot_etl.load.run import LoadResult
from ot_etl.quickstart.plan import NORTHWIND, Inputs, Step, find_inputs
from ot_etl.quickstart.reconcile import Reconciliation, reconcile

log = logging.getLogger(__name__)

StepHook = Callable[[Step, LoadResult, float], None]
ProgressFactory = Callable[[Step], Progress | None]


@dataclass
class QuickstartResult:
    workdir: Path
    loads: list[tuple[Step, LoadResult]] = field(default_factory=list)
    exports: list[ExportResult] = field(default_factory=list)
    reconciliation: Reconciliation | None = None

    @property
    def export_dir(self) -> Path:
        return self.workdir / "export"

    @property
    def stopped(self) -> str | None:
        """The first step that could not proceed, with its reason."""
        for step, result in self.loads:
            if result.summary.stopped:
                return f"{step.mapping}: {result.summary.stopped}"
        return None


def run_quickstart(
    workdir: str | Path,
    *,
    client: Any,
    inputs: Inputs | None = None,
    steps: tuple[Step, ...] = NORTHWIND,
    on_step: StepHook | None = None,
    progress: ProgressFactory | None = None,
    on_page: Callable[[str, int], None] | None = None,
    on_count: Callable[[str, int], None] | None = None,
) -> QuickstartResult:
    """Load every step into ``client``'s account, export, and reconcile.

    A step that cannot proceed (a bad mapping, a refused login) stops the
    run there: later steps would only pile up reference rejects.
    """
    where = inputs or find_inputs()
    work = Path(workdir)
    result = QuickstartResult(work)
    for step in steps:
        started = time.monotonic()
        loaded = load_file(
            where.data / step.source,
            where.mappings / step.mapping,
            client=client,
            rejects_path=work / "rejects" / f"{Path(step.source).stem}.rejects.csv",
            ledger_path=work / "ledgers" / f"{Path(step.source).stem}.ledger.sqlite",
            progress=progress(step) if progress else None,
        )
        result.loads.append((step, loaded))
        if on_step is not None:
            on_step(step, loaded, time.monotonic() - started)
        if loaded.summary.stopped:
            log.error("quickstart stopped at %s", step.mapping)
            return result
    exported = [s.record_type for s in steps if not s.verify_only]
    result.exports = export_types(
        exported,
        result.export_dir,
        client=client,
        on_page=on_page,
        on_count=on_count,
    )
    result.reconciliation = reconcile(
        result.loads, result.exports, client, where.data, result.export_dir
    )
    return result
