"""One load, end to end: validate, build, resolve, plan, post, report.

:func:`run_load` runs every stage on a source already read; the Python API
(:mod:`ot_etl.load.api`) and the CLI call it.

Re-runs: every source row has a fingerprint (the mapping's identity, i.e.
record type, mode-independent match fields and document grouping, plus the
row's raw values). The ledger's ``created``/``updated``/``unchanged`` rows
are skipped, rejected and failed ones are tried again, and ``sending`` ones
(an earlier run died or could not tell whether a create saved) are looked up
by match key first.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ot_etl.errors import AuthError
from ot_etl.load.aliases import original_records
from ot_etl.load.fill_run import FillPlan, fill_items, without_item_lookups
from ot_etl.load.items import LoadItem
from ot_etl.load.ledger import SENDING, Ledger, is_loaded
from ot_etl.load.lookup import Key, field_value, find_existing
from ot_etl.load.plan import classify, mark_duplicates
from ot_etl.load.post import Poster, PostSettings, Progress
from ot_etl.load.rejects import (
    RejectEntry,
    build_rejects,
    mask,
    masked_cells,
    origins,
    strip_extras,
    write_rejects,
)
from ot_etl.load.resolve import Resolver, resolve_items
from ot_etl.load.rows import (
    exists_advice,
    key_is_sensitive,
    make_items,
    normalizer,
    outcomes_table,
)
from ot_etl.load.summary import LoadSummary
from ot_etl.load.upstream import UpstreamRejects
from ot_etl.mapping import Mapping

log = logging.getLogger(__name__)


@dataclass
class LoadOptions:
    """Knobs of one run (the CLI's options)."""

    workers: int = 8
    batch_size: int = 100
    rejects_path: Path | None = None
    ledger_path: Path | None = None
    dry_run: bool = False
    progress: Progress | None = None
    lock_timeout: float = 600.0
    use_ledger: bool = True


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


# -- the run ----------------------------------------------------------------


def run_load(
    source: Any, mapping: Mapping, client: Any, options: LoadOptions
) -> LoadResult:
    """Run every stage on an already read source (``read_source`` output)."""
    from ot_etl.load.build import build_records
    from ot_etl.load.validate import validate

    started = time.monotonic()
    rt = mapping.record_type
    origin = origins(source.raw)
    raw, was_rejects = strip_extras(source.raw)
    source = replace(source, raw=raw, columns=list(raw.columns))
    report = validate(source, mapping)
    pending = build_records(report, mapping)
    masked = masked_cells(raw, mapping.sensitive_columns) if was_rejects else {}
    items, invalid_entries = make_items(source, mapping, report, pending, masked)
    summary = LoadSummary(
        record_type=str(rt),
        rows_read=len(raw),
        records=len(items),
        invalid=len({e.position for e in invalid_entries}),
        dry_run=options.dry_run,
    )
    ledger = _open_ledger(options, mapping)
    pool: dict[str, int] = {}
    fills: FillPlan | None = None
    try:
        sending = _apply_ledger(items, ledger)
        if mapping.fill is not None:
            without_item_lookups(items)
        resolve_items(items, Resolver(client, _upstream(source, options)))
        mark_duplicates(items, list(source.row_numbers))
        existing = _lookup(client, mapping, items, options.workers)
        _refuse_unverifiable(items, sending, mapping)
        if mapping.fill is not None:
            fills = fill_items(
                client,
                mapping,
                source,
                items,
                existing,
                options.workers,
                _upstream(source, options),
            )
            summary.fill_plan = fills.text
        plan = classify(
            items,
            mapping.mode,
            existing,
            rt.key_field,
            sending,
            advice=exists_advice(mapping),
        )
        summary.plan, summary.examples = plan.counts, plan.examples
        if key_is_sensitive(mapping):
            summary.examples = {
                k: [str(mask(v)) for v in vs] for k, vs in plan.examples.items()
            }
        for item in items:
            if item.action == "unchanged":
                item.outcome = "unchanged"
            elif item.action in ("create", "update") and options.dry_run:
                item.outcome = "planned"
        writing = ledger if not options.dry_run else None
        if writing is not None:
            writing.start_run(str(source.path), rt.name)
            writing.record(
                [i for i in items if i.outcome is not None], str(source.path)
            )
        if not options.dry_run:
            pool = _post(client, mapping, items, writing, options, summary, source)
        if writing is not None and was_rejects:
            near = Path(str(source.path))
            for name, loaded in original_records(items, origin, mapping, near).items():
                writing.record(loaded, name)
        _count(items, summary)
        if writing is not None:
            summary.elapsed = time.monotonic() - started
            writing.finish_run(summary.as_dict())
    finally:
        if ledger is not None:
            ledger.close()
    result = _finish(
        source,
        mapping,
        (items, invalid_entries),
        summary,
        options,
        started,
        pool,
        origin,
    )
    result.fills = fills.frame() if fills is not None else None
    return result


def _upstream(source: Any, options: LoadOptions) -> Callable[[], UpstreamRejects]:
    """Earlier loads' rejects beside the input, to explain a missing reference."""
    own = options.rejects_path
    if own is None:
        # A frame without a rejects file has no folder of earlier loads.
        return UpstreamRejects
    return lambda: UpstreamRejects.from_folder(own.parent, skip=own)


def _open_ledger(options: LoadOptions, mapping: Mapping) -> Ledger | None:
    if not options.use_ledger or options.ledger_path is None:
        return None
    ledger = Ledger(
        options.ledger_path,
        read_only=options.dry_run,
        lock_timeout=options.lock_timeout,
    )
    ledger.mask_keys = key_is_sensitive(mapping)
    if ledger.older_format and mapping.sensitive_columns:
        log.warning(
            "ledger %s was written by an older ot-etl that hashed %s in clear: the "
            "rows it recorded with such a value are not recognised now (the "
            "match-key lookup still keeps them from being created twice); delete "
            "that ledger once its loads are done",
            options.ledger_path,
            ", ".join(mapping.sensitive_columns),
        )
    return ledger


def _apply_ledger(items: list[LoadItem], ledger: Ledger | None) -> set[int]:
    """Skip items the ledger says are loaded; return positions left ``sending``."""
    if ledger is None:
        return set()
    states = ledger.states(i.fingerprint for i in items)
    sending = set()
    for item in items:
        state, key = states.get(item.fingerprint, (None, None))
        if is_loaded(state):
            item.action = "skip"
            item.outcome = "skipped"
            item.record_key = key
        elif state == SENDING and item.action != "reject":
            sending.add(item.position)
    if sending:
        log.warning(
            "%d record(s) were being sent when an earlier run stopped; "
            "looking them up by match key before anything is sent again",
            len(sending),
        )
    return sending


def _lookup(
    client: Any, mapping: Mapping, items: list[LoadItem], workers: int
) -> dict[Key, list[dict[str, Any]]]:
    # Create mode looks keys up too: a record that exists already (created by
    # an earlier run, another file or by hand) is never created a second time.
    open_items = [i for i in items if i.action not in ("reject", "skip")]
    if not open_items or not mapping.match_fields:
        return {}
    first = mapping.match_fields[0]
    return find_existing(
        client,
        mapping.record_type,
        mapping.match_fields,
        [i.match_key for i in open_items],
        normalizer(mapping),
        raw_values=[field_value(i.payload, first) for i in open_items],
        case_sensitive=mapping.match_normalize.case == "sensitive",
        workers=workers,
    )


def _refuse_unverifiable(
    items: list[LoadItem], sending: set[int], mapping: Mapping
) -> None:
    if mapping.match_fields:
        return
    for item in items:
        if item.position in sending and item.action not in ("reject", "skip"):
            item.reject(
                "server",
                [
                    "an earlier run may have created this record (its outcome is "
                    "unknown) and the mapping has no match key to check; look for it "
                    "in Order Time, then delete its row from the ledger to load it"
                ],
            )


def _post(
    client: Any,
    mapping: Mapping,
    items: list[LoadItem],
    ledger: Ledger | None,
    options: LoadOptions,
    summary: LoadSummary,
    source: Any,
) -> dict[str, int]:
    poster = Poster(
        client,
        mapping.record_type,
        match_fields=mapping.match_fields,
        normalize=normalizer(mapping),
        settings=PostSettings(workers=options.workers, batch_size=options.batch_size),
        ledger=ledger,
        source_file=str(source.path),
        progress=options.progress,
    )
    poster.run(items)
    if poster.stopped is not None:
        summary.stopped = _stop_message(poster.stopped, mapping, client)
        for item in items:
            if item.outcome is None:
                item.outcome = "failed"
                item.reasons = ["not sent: the run stopped (" + summary.stopped + ")"]
    return poster.limit.snapshot()


def _stop_message(error: Exception, mapping: Mapping, client: Any) -> str:
    if isinstance(error, AuthError):
        user = error.email or getattr(client, "email", "?")
        verb = "create" if mapping.mode == "create" else "write"
        return (
            f"Order Time refused user {user} the right to {verb} "
            f"{mapping.record_type.name} records (HTTP {error.status}); the run "
            "stopped at once. Give the user's role that right or use another user."
        )
    return str(error)


_STAGE_COUNTS = {
    "validation": "invalid_records",
    "duplicate": "duplicates",
    "reference": "unresolved",
    "fill": "unfilled",
    "server": "rejected",
}


def _count(items: list[LoadItem], summary: LoadSummary) -> None:
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


def _finish(
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
