"""Find existing records by match key, in as few requests as possible.

Two ways, the cheaper one chosen per run:

* **In-filter chunks**: ``/list`` with ``<field> In "a,b,c"`` for up to
  ``CHUNK`` keys per request; used for one-field keys whose values hold no
  comma (the In list is comma-separated) and are compared case-sensitively;
* **full sweep**: every page of ``/list`` for the type (1000 records a page),
  matched locally; used when it costs fewer requests (``PUT /list`` count
  first) or when the keys cannot go into an In filter.

Both return full records, so the plan can tell "unchanged" from "update".
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ot_etl.catalog import RecordType
from ot_etl.client import Filter, FilterOp, Sort

log = logging.getLogger(__name__)

PAGE = 1000
CHUNK = 200
Key = tuple[Any, ...]
Normalize = Callable[[Key], Key]
Index = dict[Key, list[dict[str, Any]]]


def field_value(record: dict[str, Any], dotted: str) -> Any:
    node: Any = record
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def key_of(record: dict[str, Any], fields: Sequence[str], normalize: Normalize) -> Key:
    return normalize(tuple(field_value(record, f) for f in fields))


def find_existing(
    client: Any,
    rt: RecordType,
    fields: Sequence[str],
    keys: Iterable[Key],
    normalize: Normalize,
    *,
    raw_values: Iterable[Any] = (),
    case_sensitive: bool = True,
    workers: int = 4,
) -> Index:
    """Existing records of ``rt`` whose normalised match key is in ``keys``.

    ``raw_values`` are the first match field's values as they will be sent
    (needed for an In filter, which compares the stored text).
    """
    wanted = {k for k in keys if k and all(v not in (None, "") for v in k)}
    if not wanted or not fields:
        return {}
    values = sorted({str(v) for v in raw_values if v not in (None, "")})
    in_ok = len(fields) == 1 and case_sensitive and all("," not in v for v in values)
    chunks = math.ceil(len(values) / CHUNK) if in_ok else math.inf
    sweep = math.ceil(max(client.count(rt), 1) / PAGE)
    lines = rt.is_transaction
    if chunks <= sweep:
        log.info(
            "looking up %d keys of %s in %d In-filter request(s)",
            len(values),
            rt.name,
            chunks,
        )
        parts = [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            pages = pool.map(
                lambda part: all_pages(
                    client, rt, [Filter(fields[0], FilterOp.IN, part)], lines
                ),
                parts,
            )
            found = [r for page in pages for r in page]
    else:
        log.info(
            "looking up %d keys of %s with a sweep of %d page(s)",
            len(wanted),
            rt.name,
            sweep,
        )
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            pages = pool.map(
                lambda n: client.list_page(
                    rt,
                    sort=Sort(rt.key_field),
                    page=n,
                    size=PAGE,
                    include_line_items=lines,
                ),
                range(1, sweep + 1),
            )
            found = [r for page in pages for r in page]
    index: Index = {}
    for record in found:
        key = key_of(record, fields, normalize)
        if key in wanted:
            index.setdefault(key, []).append(record)
    return index


def all_pages(
    client: Any, rt: RecordType, filters: list[Filter], lines: bool
) -> list[dict[str, Any]]:
    """Every record matching ``filters``, page after page in key order."""
    out: list[dict[str, Any]] = []
    page = 1
    while True:
        rows = client.list_page(
            rt,
            filters,
            sort=Sort(rt.key_field),
            page=page,
            size=PAGE,
            include_line_items=lines,
        )
        out += rows
        if len(rows) < PAGE:
            return out
        page += 1


def find_one(
    client: Any,
    rt: RecordType,
    fields: Sequence[str],
    sent: Sequence[Any],
    normalize: Normalize,
) -> list[dict[str, Any]]:
    """Records whose match fields equal the values a create sent (recovery)."""
    filters = [
        Filter(f, FilterOp.EQUAL, v)
        if v not in (None, "")
        else Filter(f, FilterOp.IS_NULL)
        for f, v in zip(fields, sent, strict=True)
    ]
    want = normalize(tuple(sent))
    rows = all_pages(client, rt, filters, rt.is_transaction)
    return [r for r in rows if key_of(r, fields, normalize) == want]
