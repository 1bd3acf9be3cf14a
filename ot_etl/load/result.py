"""The close of a load: per-stage counts, the rejects file and the result.

:func:`~ot_etl.load.run.run_load` hands its items here once every stage ran;
:func:`finish` writes (or removes) the rejects file and builds the
:class:`LoadResult` with one outcome per source row.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ot_etl.load.items import LoadItem
from ot_etl.load.rejects import RejectEntry, build_rejects, write_rejects
from ot_etl.load.rows import outcomes_table
from ot_etl.load.summary import LoadSummary
from ot_etl.mapping import Mapping

if TYPE_CHECKING:
    from ot_etl.load.run import LoadOptions

log = logging.getLogger(__name__)


@dataclass
class LoadResult:
    """What a load did: counts, one outcome per source row, and the rejects."""

    summary: LoadSummary
    outcomes: pd.DataFrame
    rejects: pd.DataFrame
    items: list[LoadItem] = field(repr=False, default_factory=list)
    pool: dict[str, int] = field(default_factory=dict)
    fills: pd.DataFrame | None = None  # fill mappings: the order lines filled

    @property
    def counts(self) -> dict[str, int]:
        s = self.summary
        counts = {
            "rows_read": s.rows_read,
            "invalid": s.invalid,
            "records": s.records,
            "invalid_records": s.invalid_records,
            "duplicates": s.duplicates,
            "unresolved": s.unresolved,
            "created": s.created,
            "updated": s.updated,
            "unchanged": s.unchanged,
            "rejected": s.rejected,
            "failed": s.failed,
            "skipped": s.skipped,
        }
        if s.fill_plan is not None:  # only fill mappings can leave rows unfilled
            counts["unfilled"] = s.unfilled
        return counts

    @property
    def exit_code(self) -> int:
        return self.summary.exit_code


_STAGE_COUNTS = {
    "validation": "invalid_records",
    "duplicate": "duplicates",
    "reference": "unresolved",
    "fill": "unfilled",
    "server": "rejected",
}


def count(items: list[LoadItem], summary: LoadSummary) -> None:
    """Fill the summary's per-record counts from the items' final state."""
    for item in items:
        if item.outcome == "rejected" and item.stage is not None:
            name = _STAGE_COUNTS[item.stage]
        elif item.outcome in ("created", "updated", "unchanged", "failed", "skipped"):
            name = item.outcome
        else:
            continue
        setattr(summary, name, getattr(summary, name) + 1)


def _write_rejects(
    rejects: pd.DataFrame,
    source: Any,
    mapping: Mapping,
    path: Path,
    summary: LoadSummary,
) -> None:
    """Write the rejects file; a rejects file loaded in full is removed.

    When the input is the rejects file itself, the source was read whole
    before this point, so rewriting it (atomically) loses nothing.
    """
    if not len(rejects):
        if path.exists() and path.resolve() == Path(str(source.path)).resolve():
            path.unlink()
            summary.rejects_removed = path
        return
    header = mapping.source.header_row
    summary.rejects_path = write_rejects(
        rejects,
        path,
        sheet=source.sheet,
        delimiter=getattr(source, "delimiter", None) or ",",
        title_rows=header - 1 if isinstance(header, int) else 0,
    )


def finish(
    source: Any,
    mapping: Mapping,
    outcome: tuple[list[LoadItem], list[RejectEntry]],
    summary: LoadSummary,
    options: LoadOptions,
    started: float,
    pool: dict[str, int],
    origin: pd.DataFrame | None,
) -> LoadResult:
    items, invalid = outcome
    entries = list(invalid)
    covered = {e.position for e in entries}
    for item in items:
        if item.outcome in ("rejected", "failed"):
            entries += [
                RejectEntry(
                    r,
                    item.stage or "server",
                    item.row_reasons.get(r, item.reasons),
                    item.raw,
                )
                for r in item.rows
                if r not in covered
            ]
    sensitive = mapping.sensitive_columns
    rejects = build_rejects(
        source.raw,
        list(source.row_numbers),
        entries,
        source_file=str(source.path),
        sheet=source.sheet,
        sensitive_columns=sensitive,
        origin=origin,
    )
    summary.elapsed = time.monotonic() - started
    if not options.dry_run and options.rejects_path is not None:
        _write_rejects(rejects, source, mapping, options.rejects_path, summary)
    if options.use_ledger and options.ledger_path is not None and not options.dry_run:
        summary.ledger_path = options.ledger_path
    outcomes = outcomes_table(source, mapping, items, invalid)
    result = LoadResult(summary, outcomes, rejects, items, pool)
    log.info(
        "load of %s finished in %.1fs: %s",
        source.path,
        summary.elapsed,
        ", ".join(f"{k} {v}" for k, v in result.counts.items()),
    )
    return result
