"""Export one record type to ``DIR/<type>.<fmt>`` (and ``<type>_lines``), or many.

The flow of one type: count, fetch planned pages (:mod:`.pages`), flatten each
page to the type's fixed schema (:mod:`.flatten`), stream it to a temporary
file (:mod:`.writer`), and only when every page is in, rename the files into
place (:mod:`.publish`: lines first, header last, marked in the manifest while
it happens), then record the run in ``manifest.json`` and, for incremental
runs, move the watermark (:mod:`.state`). Any failure deletes the temporary
files.

Incremental runs fetch records modified since the last watermark minus an
overlap window and merge them into the existing files by key: a changed
record's row is replaced (for transactions, with all its lines), a new one
is added. Deleted records stay until a full run (``full=True``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from ot_etl.catalog import RecordType, record_types, resolve
from ot_etl.client import Client, Filter, FilterOp
from ot_etl.errors import AuthError, BadRequestError, ConfigError
from ot_etl.extract.customdefs import with_definitions
from ot_etl.extract.filter_syntax import check_filter
from ot_etl.extract.jsonpage import page_decoder
from ot_etl.extract.manifest import read_manifest, update_manifest
from ot_etl.extract.options import MODIFIED, ExportOptions, ExportResult, now
from ot_etl.extract.outdir import prepare_out_dir
from ot_etl.extract.pages import PageFetcher
from ot_etl.extract.run import TypeRun, fill_result
from ot_etl.extract.schema import Layout, header_layout, lines_layout
from ot_etl.extract.state import load_state, save_state, watermark_of
from ot_etl.extract.writer import final_path

log = logging.getLogger(__name__)

__all__ = [
    "MODIFIED",
    "ExportOptions",
    "ExportResult",
    "export_one",
    "export_types",
    "listable_types",
]

PageCallback = Callable[[str, int], None]
CountCallback = Callable[[str, int], None]


def listable_types() -> list[RecordType]:
    """Every record type ``--all`` tries: all but the line types (1000, 1040...),
    which ``/list`` refuses; their rows come with the documents' line items."""
    return [rt for rt in record_types() if rt.kind != "line"]


def export_types(
    types: Sequence[str | int | RecordType],
    out_dir: str | Path,
    *,
    client: Client | None = None,
    options: ExportOptions | None = None,
    skip_refused: bool = False,
    on_page: PageCallback | None = None,
    on_count: CountCallback | None = None,
) -> list[ExportResult]:
    """Export each record type into ``out_dir``; one :class:`ExportResult` each.

    With ``skip_refused`` (``--all``) a type the server refuses (403, or 400
    for a type or filter it cannot serve) and a type without a filter's field
    are reported in their result's ``skipped`` and the run goes on;
    otherwise the error is raised. Each type's manifest and state entries
    are saved as soon as it is done, so types finished before a failure
    stay written and recorded. A type named twice (``vendor vendors 130``)
    is exported once, where it is first named.
    """
    opts = options or ExportOptions()
    if opts.incremental and opts.modified_since is not None:
        raise ConfigError("Use either --incremental or --modified-since, not both.")
    rts = list({rt.number: rt for rt in map(resolve, types)}.values())
    unfit: dict[str, str] = {}
    for rt in rts:
        for flt in opts.filters:
            try:
                check_filter(flt, rt)
            except ConfigError as exc:
                if not skip_refused:
                    raise
                unfit[rt.slug] = str(exc)
    out = Path(out_dir)
    prepare_out_dir(out)
    own = client is None
    api = client or Client.from_env()
    results: list[ExportResult] = []
    try:
        for rt in rts:
            if rt.slug in unfit:
                log.warning("%s: skipped: %s", rt.slug, unfit[rt.slug])
                result = ExportResult(rt.slug, skipped=unfit[rt.slug])
            else:
                result = _export_or_skip(
                    api, rt, out, opts, skip_refused, on_page, on_count
                )
            results.append(result)
            _record(out, result, opts)
    finally:
        if own:
            api.close()
    return results


def _export_or_skip(
    api: Client,
    rt: RecordType,
    out: Path,
    opts: ExportOptions,
    skip_refused: bool,
    on_page: PageCallback | None,
    on_count: CountCallback | None,
) -> ExportResult:
    try:
        return export_one(api, rt, out, opts, on_page, on_count)
    except (AuthError, BadRequestError) as exc:
        if not skip_refused:
            raise
        log.warning("%s: skipped, the server refused it: %s", rt.slug, exc)
        return ExportResult(rt.slug, skipped=str(exc))


def _record(out: Path, r: ExportResult, opts: ExportOptions) -> None:
    """The state entry of a finished type; the manifest entry of a skipped one
    (a finished type's entry is written by :func:`export_one`)."""
    if r.skipped is not None:
        entry = r.to_json()
        # A skipped type's files are untouched: keep the mark of a stopped run.
        pending = (read_manifest(out).get(r.record_type) or {}).get("replacing")
        if pending:
            entry["replacing"] = pending
        update_manifest(out, {r.record_type: entry})
        return
    # Every finished type gets a state entry, so that a later --incremental
    # run never merges into files written with other filters; a filtered
    # (--modified-since) file holds a subset, hence no watermark.
    state = {
        "watermark": None if r.mode == "filtered" else r.watermark,
        "format": opts.fmt,
        "filters": r.filters,
        "finished": r.finished,
    }
    save_state(out, {r.record_type: state})


def export_one(
    client: Client,
    rt: RecordType,
    out: Path,
    opts: ExportOptions,
    on_page: PageCallback | None = None,
    on_count: CountCallback | None = None,
) -> ExportResult:
    """Export one record type; its files are in place and its manifest entry
    written when this returns (the state file is the caller's)."""
    result = ExportResult(rt.slug, run=uuid.uuid4().hex[:12], started=now())
    header = header_layout(rt, include_sensitive=opts.include_sensitive)
    lines = lines_layout(rt, include_sensitive=opts.include_sensitive)
    result.omitted = list(header.omitted)
    filters = list(opts.filters)
    merge = _plan_mode(rt, out, opts, header, result)
    if result.since is not None:
        filters.append(Filter(MODIFIED, FilterOp.GREATER_OR_EQUAL, result.since))
    result.filters = [f.to_json() for f in filters]
    header, notes = with_definitions(client, header)
    fetcher = PageFetcher(
        client,
        rt,
        filters,
        page_size=opts.page_size,
        workers=opts.workers,
        include_lines=lines is not None,
        on_count=None if on_count is None else (lambda n: on_count(rt.slug, n)),
        prefetch=opts.prefetch,
        # Lines are flattened from records; only types without them decode
        # pages straight into Arrow.
        decoder=page_decoder(header) if lines is None else None,
    )
    run = TypeRun(rt, out, opts, header, lines, merge)
    run.notes.extend(notes)
    try:
        for records in fetcher.pages():
            run.add(records)
            if on_page is not None:
                on_page(rt.slug, len(records))
        run.finish(result)
    except BaseException:
        run.abort()
        raise
    fill_result(result, fetcher.stats, run)
    update_manifest(out, {rt.slug: result.to_json()})
    return result


def _plan_mode(
    rt: RecordType, out: Path, opts: ExportOptions, header: Layout, result: ExportResult
) -> bool:
    """Set mode and ``since`` on ``result``; True when the run merges into files."""
    if opts.modified_since is not None:
        result.mode = "filtered"
        result.since = opts.modified_since.isoformat(timespec="seconds")
        return False
    if not opts.incremental or opts.full:
        return False
    if MODIFIED not in header.column_names:
        log.warning("%s has no %s; exporting it in full", rt.slug, MODIFIED)
        return False
    entry = load_state(out).get(rt.slug)
    mark = watermark_of(entry)
    files_there = final_path(out, rt.slug, opts.fmt).exists()
    if mark is None or not files_there or (entry or {}).get("format") != opts.fmt:
        log.info("%s: no previous incremental run here; full export", rt.slug)
        return False
    if (read_manifest(out).get(rt.slug) or {}).get("replacing"):
        log.warning("%s: an earlier run stopped while renaming; full export", rt.slug)
        return False
    wanted = [f.to_json() for f in opts.filters]
    previous = [
        f for f in (entry or {}).get("filters", []) if f.get("PropertyName") != MODIFIED
    ]
    if previous != wanted:
        log.warning("%s: filters changed since the last run; full export", rt.slug)
        return False
    result.mode = "incremental"
    # Full precision: the server's own stamps carry microseconds.
    result.since = (mark - opts.overlap).isoformat()
    result.watermark = mark.isoformat()
    return True
