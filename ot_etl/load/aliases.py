"""A fixed rejects-file row and its original line are one record to the ledger.

A rejects file keeps, on each row, where the row came from (``_source_file``,
``_row``). When such a row loads, the ledger also records it under the
fingerprint its row(s) have in the original input, so re-running the
original file skips them as loaded. The original is read again to compute
those fingerprints: an original edited since then has other fingerprints,
and its rows are not taken for loaded.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pandas as pd

from ot_etl.errors import OtEtlError
from ot_etl.load.items import LOADED, LoadItem
from ot_etl.load.ledger import combine, fingerprints
from ot_etl.load.rows import identity
from ot_etl.mapping import Mapping

log = logging.getLogger(__name__)


def original_records(
    items: list[LoadItem], origin: pd.DataFrame | None, mapping: Mapping, near: Path
) -> dict[str, list[LoadItem]]:
    """Loaded items re-keyed by their original rows' fingerprint, per original file.

    ``origin`` holds the origin columns of the rejects file as read (one row
    per source row); ``near`` is the rejects file, whose folder is searched
    for an original that moved with it. Items not loaded, from several
    files, or whose original cannot be read are left out.
    """
    if origin is None or not {"_source_file", "_row"} <= set(origin.columns):
        return {}
    wanted: dict[str, list[tuple[LoadItem, list[int]]]] = {}
    for item in items:
        if item.outcome not in LOADED:
            continue
        files = {origin["_source_file"].iloc[r] for r in item.rows}
        rows = [_number(origin["_row"].iloc[r]) for r in item.rows]
        name = files.pop() if len(files) == 1 else None
        if isinstance(name, str) and name:
            wanted.setdefault(name, []).append((item, rows))
    out: dict[str, list[LoadItem]] = {}
    for name, pairs in wanted.items():
        by_row = _original_prints(name, mapping, near)
        for item, rows in pairs:
            if by_row and all(n in by_row for n in rows):
                alias = combine([by_row[n] for n in rows])
                if alias != item.fingerprint:
                    out.setdefault(name, []).append(replace(item, fingerprint=alias))
    return out


def _original_prints(name: str, mapping: Mapping, near: Path) -> dict[int, str]:
    """Sheet row number -> fingerprint, for every row of the original input."""
    from ot_etl.load.read import read_source

    path = Path(name)
    if not path.exists():
        path = near.parent / path.name
    if not path.exists() or path.resolve() == near.resolve():
        log.warning(
            "original input %s not found: rows loaded from its rejects file will "
            "not be known as loaded to a re-run of it (their match key still "
            "keeps them from being created twice)",
            name,
        )
        return {}
    try:
        source = read_source(path, mapping.source, columns=mapping.header_names)
    except OtEtlError as error:
        log.warning("original input %s cannot be read again: %s", name, error)
        return {}
    prints = fingerprints(identity(mapping), source.raw, mapping.sensitive_columns)
    return dict(zip((int(n) for n in source.row_numbers), prints, strict=True))


def _number(value: object) -> int:
    """The ``_row`` cell as a number; 0 (no sheet row has it) when it is none."""
    try:
        return int(str(value))
    except ValueError:
        return 0
