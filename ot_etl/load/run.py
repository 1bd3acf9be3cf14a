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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ot_etl.errors import AuthError
from ot_etl.load.aliases import original_records
from ot_etl.load.fill_run import FillPlan, fill_items, without_item_lookups
from ot_etl.load.items import LoadItem
from ot_etl.load.ledger import SENDING, Ledger, is_loaded
from ot_etl.load.lookup import Key, field_value, find_existing
from ot_etl.load.plan import classify, mark_duplicates
from ot_etl.load.post import Poster, PostSettings, Progress
from ot_etl.load.rejects import mask, masked_cells, origins, strip_extras
from ot_etl.load.resolve import Resolver, resolve_items
from ot_etl.load.result import LoadResult, count, finish
from ot_etl.load.rows import (
    exists_advice,
    key_is_sensitive,
    make_items,
    normalizer,
)
from ot_etl.load.summary import LoadSummary
from ot_etl.load.upstream import Explainer, UpstreamRejects
from ot_etl.mapping import Mapping

__all__ = ["LoadOptions", "LoadResult", "run_load"]

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
        explain = _explainer(options)
        resolve_items(items, Resolver(client, explain))
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
                explain,
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
        count(items, summary)
        if writing is not None:
            summary.elapsed = time.monotonic() - started
            writing.finish_run(summary.as_dict())
    finally:
        if ledger is not None:
            ledger.close()
    result = finish(
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


def _explainer(options: LoadOptions) -> Explainer:
    """Earlier loads' rejects beside this run's, to explain a missing name."""
    own = options.rejects_path
    if own is None:
        # A frame without a rejects file has no folder of earlier loads.
        return Explainer(UpstreamRejects)
    return Explainer(lambda: UpstreamRejects.from_folder(own.parent, skip=own))


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
