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

import datetime as dt
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ot_etl.catalog import RecordType, record_types, resolve
from ot_etl.client import MAX_PAGE_SIZE, Client, Filter, FilterOp
from ot_etl.errors import AuthError, BadRequestError, ConfigError
from ot_etl.extract.filter_syntax import check_filter
from ot_etl.extract.flatten import FlatPage, flatten, line_rows
from ot_etl.extract.jsonpage import page_decoder
from ot_etl.extract.manifest import read_manifest, schema_json, update_manifest
from ot_etl.extract.merge import merge_table
from ot_etl.extract.outdir import prepare_out_dir
from ot_etl.extract.pages import DEFAULT_WORKERS, Page, PageFetcher, PageStats
from ot_etl.extract.publish import publish
from ot_etl.extract.schema import (
    PARENT_DOCNO,
    PARENT_ID,
    Layout,
    header_layout,
    lines_field,
    lines_layout,
)
from ot_etl.extract.state import (
    DEFAULT_OVERLAP,
    load_state,
    save_state,
    watermark_of,
)
from ot_etl.extract.writer import (
    Format,
    TableWriter,
    final_path,
)

log = logging.getLogger(__name__)

MODIFIED = "RecordInfo.ModifiedDate"
PageCallback = Callable[[str, int], None]
CountCallback = Callable[[str, int], None]


@dataclass
class ExportResult:
    """What one record type's export did. ``rows`` is the rows in the header file."""

    record_type: str
    run: str = ""
    server_count: int = 0
    rows: int = 0
    fetched: int = 0
    lines: int | None = None
    headers_without_lines: int | None = None
    files: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    mode: str = "full"
    watermark: str | None = None
    since: str | None = None
    replaced: int = 0
    changes: dict[str, Any] = field(default_factory=dict)
    extras: list[str] = field(default_factory=list)
    coercions: dict[str, int] = field(default_factory=dict)
    zoned: dict[str, int] = field(default_factory=dict)
    omitted: list[str] = field(default_factory=list)
    skipped: str | None = None
    schemas: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    filters: list[dict[str, Any]] = field(default_factory=list)
    started: str = ""
    finished: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ExportOptions:
    """Knobs shared by every record type of one run."""

    fmt: Format = "parquet"
    filters: tuple[Filter, ...] = ()
    modified_since: dt.datetime | None = None
    incremental: bool = False
    full: bool = False
    workers: int = DEFAULT_WORKERS
    page_size: int = MAX_PAGE_SIZE
    prefetch: int | None = None
    overlap: dt.timedelta = DEFAULT_OVERLAP
    include_sensitive: bool = False
    row_group_rows: int = 50_000


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
    stay written and recorded.
    """
    opts = options or ExportOptions()
    if opts.incremental and opts.modified_since is not None:
        raise ConfigError("Use either --incremental or --modified-since, not both.")
    rts = [resolve(t) for t in types]
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


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


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
    result = ExportResult(rt.slug, run=uuid.uuid4().hex[:12], started=_now())
    header = header_layout(rt, include_sensitive=opts.include_sensitive)
    lines = lines_layout(rt, include_sensitive=opts.include_sensitive)
    result.omitted = list(header.omitted)
    filters = list(opts.filters)
    merge = _plan_mode(rt, out, opts, header, result)
    if result.since is not None:
        filters.append(Filter(MODIFIED, FilterOp.GREATER_OR_EQUAL, result.since))
    result.filters = [f.to_json() for f in filters]
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
    run = _Run(rt, out, opts, header, lines, merge)
    try:
        for records in fetcher.pages():
            run.add(records)
            if on_page is not None:
                on_page(rt.slug, len(records))
        run.finish(result)
    except BaseException:
        run.abort()
        raise
    _fill(result, fetcher.stats, run)
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


class _Run:
    """The writers of one record type's export, and what they saw."""

    def __init__(
        self,
        rt: RecordType,
        out: Path,
        opts: ExportOptions,
        header: Layout,
        lines: Layout | None,
        merge: bool,
    ) -> None:
        self.rt = rt
        self.out = out
        self.fmt = opts.fmt
        self.header = header
        self.lines = lines
        self.merge = merge
        holder = lines_field(rt)
        self.lines_key = holder.name if holder is not None else ""
        rg = opts.row_group_rows
        self.writers = [TableWriter(out, header, opts.fmt, row_group_rows=rg)]
        if lines is not None:
            self.writers.append(TableWriter(out, lines, opts.fmt, row_group_rows=rg))
        self.keys: list[int] = []
        self.without = 0
        self.max_modified: dt.datetime | None = None
        self.coercions: Counter[str] = Counter()
        self.zoned: Counter[str] = Counter()
        self.extras: set[str] = set()
        self.replaced = 0
        self.merged_rows: int | None = None

    def add(self, records: Page) -> None:
        page = flatten(self.header, records)
        self._note(page)
        self.writers[0].add(page)
        self._track(page)
        if self.lines is not None:
            assert isinstance(records, list)  # no decoder when there are lines
            rows, without = line_rows(records, self.lines_key)
            self.without += without
            line_page = flatten(self.lines, rows)
            self._note(line_page)
            self.writers[1].add(line_page)

    def _note(self, page: FlatPage) -> None:
        self.coercions.update(page.coercions)
        self.zoned.update(page.zoned)
        for name, n in page.coercions.items():
            if self.coercions[name] == n:
                log.warning(
                    "%s: %s had values of the wrong type; converted or set to null",
                    page.layout.table,
                    name,
                )
        for name, n in page.zoned.items():
            if self.zoned[name] == n:
                log.warning(
                    "%s: %s values carry a time zone; kept their wall-clock time",
                    page.layout.table,
                    name,
                )
        for name in page.extras.keys() - self.extras:
            self.extras.add(name)
            log.warning(
                "%s: the server sent %r, which the catalog does not know; "
                "kept as a JSON text column",
                page.layout.table,
                name,
            )

    def _track(self, page: FlatPage) -> None:
        names = self.header.column_names
        key = self.header.key
        if self.merge and key is not None:
            ids = page.arrays[names.index(key)].to_pylist()
            self.keys.extend(k for k in ids if k is not None)
        if MODIFIED in names and page.rows:
            top = pc.max(page.arrays[names.index(MODIFIED)]).as_py()
            if top is not None and (
                self.max_modified is None or top > self.max_modified
            ):
                self.max_modified = top

    def finish(self, result: ExportResult) -> None:
        for w in self.writers:
            w.close()
        if self.merge:
            self._merge()
        result.removed = publish(self.out, self.rt.slug, self.writers, result.run)
        for w in self.writers:
            result.files.append(w.path.name)
            result.schemas[w.layout.table] = schema_json(w.schema)
        result.finished = _now()

    def abort(self) -> None:
        for w in self.writers:
            w.abort()

    def _merge(self) -> None:
        """Replace each writer's delta by existing rows (minus changed keys) + delta."""
        changed = pa.array(sorted(set(self.keys)), pa.int32())
        merged: list[TableWriter] = []
        try:
            for w in self.writers:
                lines = w.layout.is_lines
                key = self._parent_key() if lines else self.header.key
                done = merge_table(w, key, changed)
                merged.append(done.writer)
                if not lines:
                    self.replaced = done.replaced
                    self.merged_rows = done.writer.rows
        except BaseException:
            for m in merged:
                m.abort()
            raise
        for old in self.writers:
            old.abort()
        self.writers = merged

    def _parent_key(self) -> str:
        return PARENT_DOCNO if self.header.key == "DocNo" else PARENT_ID


def _fill(result: ExportResult, stats: PageStats, run: _Run) -> None:
    result.server_count = stats.count
    result.fetched = stats.rows
    result.rows = run.merged_rows if run.merged_rows is not None else stats.rows
    result.replaced = run.replaced
    if run.lines is not None:
        result.lines = run.writers[1].rows
        result.headers_without_lines = run.without
    old = dt.datetime.fromisoformat(result.watermark) if result.watermark else None
    if run.max_modified is not None and (old is None or run.max_modified > old):
        result.watermark = run.max_modified.isoformat()
    result.changes = {
        "recount": stats.recount,
        "duplicates_dropped": stats.duplicates,
        "added_during_run": stats.added,
        "recovered": stats.recovered,
        "unkeyed": stats.unkeyed,
        "notes": stats.notes,
    }
    result.extras = sorted(run.extras)
    result.coercions = dict(run.coercions)
    result.zoned = dict(run.zoned)
