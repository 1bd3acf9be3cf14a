"""The incremental state file: per record type, the watermark of the last good run.

``DIR/ot-etl-state.json`` keeps, per record type, the highest
``RecordInfo.ModifiedDate`` written (a naive server time, ISO text), the
format and the filters of that run. The next ``--incremental`` run fetches
records modified since ``watermark - overlap`` and merges them by key. The
file is replaced atomically and only after the export files are in place, so
a failed run leaves the previous watermark untouched.

Deletions cannot be seen through a modified-date filter; ``--full`` rebuilds.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

STATE_FILE = "ot-etl-state.json"
DEFAULT_OVERLAP = dt.timedelta(minutes=5)
_VERSION = 1


def load_state(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Per-type entries of the state file ({} when there is none)."""
    path = out_dir / STATE_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable state file %s (%s); full export", path, exc)
        return {}
    types = data.get("types") if isinstance(data, dict) else None
    return types if isinstance(types, dict) else {}


def save_state(out_dir: Path, entries: dict[str, dict[str, Any]]) -> None:
    """Merge ``entries`` into the state file, atomically."""
    state = load_state(out_dir)
    state.update(entries)
    write_json_atomic(out_dir / STATE_FILE, {"version": _VERSION, "types": state})


def watermark_of(entry: dict[str, Any] | None) -> dt.datetime | None:
    text = (entry or {}).get("watermark")
    if not isinstance(text, str):
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def write_json_atomic(path: Path, data: Any) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", "utf-8")
    os.replace(temp, path)
