"""``DIR/manifest.json``: what each export run wrote, per record type.

Per type: the count the server reported, rows written (and lines), files,
the schema of each table, the filters, start and end times, the watermark
used and reached, what changed during the run, extra (unknown) fields kept,
values coerced, sensitive fields left out. Entries of types not exported in
this run are kept, so one directory can be filled by several runs.
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


def update_manifest(out_dir: Path, entries: dict[str, dict[str, Any]]) -> Path:
    """Merge ``entries`` (record type slug -> entry) into the manifest, atomically."""
    path = out_dir / MANIFEST_FILE
    types: dict[str, Any] = {}
    try:
        old = json.loads(path.read_text("utf-8"))
        if isinstance(old, dict) and isinstance(old.get("types"), dict):
            types = old["types"]
    except (OSError, ValueError):
        pass
    types.update(entries)
    write_json_atomic(path, {"generator": f"ot-etl {__version__}", "types": types})
    return path
