"""The incremental merge: existing rows minus the changed keys, then the delta.

Each table of an incremental run is first written in full to its own
temporary file (the delta). :func:`merge_table` then streams the existing
export file batch by batch, drops every row whose key is among the changed
keys (for a lines table: every line of a changed document), and appends the
delta, into a new temporary file of the union schema (custom and unknown
fields of both). Memory holds one batch and the set of changed keys.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from ot_etl.extract.schema import CUSTOM_PREFIX
from ot_etl.extract.writer import TableWriter, conform, read_batches, read_schema


@dataclass
class Merged:
    """The merged table's writer (closed, not committed) and what it replaced."""

    writer: TableWriter
    replaced: int


def merge_table(delta: TableWriter, key: str | None, changed: pa.Array) -> Merged:
    """Merge ``delta`` (closed or not) into the file at ``delta.path``."""
    existing = delta.path
    fmt = delta.fmt
    old = read_schema(existing, fmt, delta.layout) if existing.exists() else None
    custom = set(delta.custom_names)
    extras = set(delta.extras)
    if old is not None:
        known = set(delta.layout.column_names)
        n = len(CUSTOM_PREFIX)
        custom |= {c[n:] for c in old.names if c.startswith(CUSTOM_PREFIX)}
        extras |= {
            c for c in old.names if c not in known and not c.startswith(CUSTOM_PREFIX)
        }
    merged = TableWriter(
        delta.out_dir,
        delta.layout,
        fmt,
        row_group_rows=delta.row_group_rows,
        custom_names=custom,
        extras=extras,
    )
    replaced = 0
    try:
        if old is not None:
            for batch in read_batches(existing, fmt, old):
                table = pa.Table.from_batches([batch])
                if key is not None and table.num_rows:
                    hit = pc.is_in(table.column(key), value_set=changed)
                    keep = pc.invert(pc.fill_null(hit, False))
                    replaced += table.num_rows - (pc.sum(keep).as_py() or 0)
                    table = table.filter(keep)
                merged.add_table(conform(table, merged.schema))
        done = delta.completed or delta.close()
        for batch in read_batches(done, fmt, delta.schema):
            merged.add_table(conform(pa.Table.from_batches([batch]), merged.schema))
        merged.close()
    except BaseException:
        merged.abort()
        raise
    return Merged(merged, replaced)
