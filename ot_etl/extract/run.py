"""The writers of one record type's export, and what they saw on its pages.

A :class:`TypeRun` flattens each page (and its line items) into the type's
writers, notes coercions, time zones and unknown fields once each, tracks
keys and the latest modification for incremental runs, and on finishing
merges (incremental) and publishes the files. :func:`fill_result` copies
what it saw into the :class:`ExportResult`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ot_etl.catalog import RecordType
from ot_etl.extract.flatten import FlatPage, flatten, line_rows
from ot_etl.extract.manifest import schema_json
from ot_etl.extract.merge import merge_table
from ot_etl.extract.options import MODIFIED, ExportOptions, ExportResult, now
from ot_etl.extract.pages import Page, PageStats
from ot_etl.extract.publish import publish
from ot_etl.extract.schema import PARENT_DOCNO, PARENT_ID, Layout, lines_field
from ot_etl.extract.writer import TableWriter

log = logging.getLogger(__name__)


class TypeRun:
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
        self.undefined: set[str] = set()
        self.notes: list[str] = []
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
        self._note_undefined(page)
        for name in page.extras.keys() - self.extras:
            self.extras.add(name)
            log.warning(
                "%s: the server sent %r, which the catalog does not know; "
                "kept as a JSON text column",
                page.layout.table,
                name,
            )

    def _note_undefined(self, page: FlatPage) -> None:
        """Custom fields on a page that the type's definitions do not list."""
        defined = page.layout.custom_defined
        if defined is None:
            return
        for name in sorted(page.custom.keys() - self.undefined - set(defined)):
            self.undefined.add(name)
            note = f"custom field {name!r} is not defined; kept as a column"
            self.notes.append(note)
            log.warning("%s: %s", page.layout.table, note)

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
        result.finished = now()

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


def fill_result(result: ExportResult, stats: PageStats, run: TypeRun) -> None:
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
        "notes": [*run.notes, *stats.notes],
    }
    result.extras = sorted(run.extras)
    result.coercions = dict(run.coercions)
    result.zoned = dict(run.zoned)
