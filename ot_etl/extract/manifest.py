"""``DIR/manifest.json``: what each export run wrote, per record type.

Per type: the count the server reported, rows written (and lines), files,
the schema of each table, the filters, start and end times, the watermark
used and reached, what changed during the run, extra (unknown) fields kept,
values coerced, sensitive fields left out, the ``run`` id. Entries of types
not exported in this run are kept, so one directory can be filled by several
runs.

While a type's files are being renamed into place, its entry carries
``replacing`` (the new run id, its files, and the other-format files to be
removed); the finished run's entry replaces the whole entry. An entry that
still has ``replacing`` means a run stopped half-way through the renames: its
files may be a mix of two runs (see :mod:`.publish`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from ot_etl import __version__
from ot_etl.extract.state import write_json_atomic

MANIFEST_FILE = "manifest.json"


def schema_json(schema: pa.Schema) -> list[dict[str, str]]:
    return [{"name": f.name, "type": str(f.type)} for f in schema]


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """Per-type entries of the manifest ({} when there is none or it is unreadable)."""
    try:
        old = json.loads((out_dir / MANIFEST_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    types = old.get("types") if isinstance(old, dict) else None
    return types if isinstance(types, dict) else {}


def mark_replacing(out_dir: Path, slug: str, replacing: dict[str, Any]) -> None:
    """Add ``replacing`` to ``slug``'s entry, keeping the rest of it."""
    entry = read_manifest(out_dir).get(slug)
    entry = dict(entry) if isinstance(entry, dict) else {"record_type": slug}
    entry["replacing"] = replacing
    update_manifest(out_dir, {slug: entry})


def update_manifest(out_dir: Path, entries: dict[str, dict[str, Any]]) -> Path:
    """Merge ``entries`` (record type slug -> entry) into the manifest, atomically."""
    path = out_dir / MANIFEST_FILE
    types = read_manifest(out_dir)
    types.update(entries)
    write_json_atomic(path, {"generator": f"ot-etl {__version__}", "types": types})
    return path
