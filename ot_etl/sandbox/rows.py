"""How records sit in SQLite: the schema, Id spaces and JSON text helpers."""

from __future__ import annotations

import json
from typing import Any

# Every item kind shares one Id space, so Item All (115) is a plain union.
ITEM_KINDS = (101, 102, 103, 105, 107, 108)
ITEM_ALL = (100, 115)

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    grp INTEGER NOT NULL,
    key INTEGER NOT NULL,
    rtype INTEGER NOT NULL,
    name TEXT,
    parent INTEGER,
    body TEXT NOT NULL,
    lines TEXT,
    modified TEXT,
    PRIMARY KEY (grp, key)
);
CREATE INDEX IF NOT EXISTS records_type ON records (rtype, key);
CREATE INDEX IF NOT EXISTS records_name ON records (grp, name);
CREATE INDEX IF NOT EXISTS records_parent ON records (grp, parent);
CREATE INDEX IF NOT EXISTS records_modified ON records (rtype, modified);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS fills (
    ship_doc INTEGER NOT NULL,
    so_doc INTEGER NOT NULL,
    so_line INTEGER NOT NULL,
    quantity REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS fills_line ON fills (so_doc, so_line);
CREATE INDEX IF NOT EXISTS fills_ship ON fills (ship_doc);
"""


def group_of(rtype: int) -> int:
    """The Id space a record type lives in (items share one)."""
    return 100 if rtype in ITEM_KINDS or rtype in ITEM_ALL else rtype


def kinds_of(rtype: int) -> tuple[int, ...]:
    """The stored record types a listed type covers (115 -> every item kind)."""
    return ITEM_KINDS if rtype in ITEM_ALL else (rtype,)


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def modified_of(record: dict[str, Any]) -> str | None:
    info = record.get("RecordInfo")
    value = info.get("ModifiedDate") if isinstance(info, dict) else None
    return value if isinstance(value, str) else None


def compose(body: str, lines: str | None, include_lines: bool) -> str:
    """A record's JSON text; transactions get ``LineItems`` (or ``[]``) last."""
    if lines is None:
        return body
    items = lines if include_lines else "[]"
    head = body[:-1].rstrip()
    sep = "," if head != "{" else ""
    return f'{head}{sep}"LineItems":{items}}}'
