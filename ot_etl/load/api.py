"""The Python API of the loader: ``load_file`` and ``load_frame``.

Both return a :class:`~ot_etl.load.run.LoadResult` with the counts, one
outcome per source row (``.outcomes``) and the rejects (``.rejects``). The
CLI's ``ot-etl load`` calls :func:`load_file`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ot_etl.load.ledger import default_ledger_path
from ot_etl.load.post import Progress
from ot_etl.load.read import SourceFrame, read_source
from ot_etl.load.rejects import default_rejects_path
from ot_etl.load.run import LoadOptions, LoadResult, run_load
from ot_etl.mapping import Mapping, load_mapping


def load_file(
    path: str | Path,
    mapping: Mapping | str | Path,
    *,
    client: Any,
    workers: int = 8,
    batch_size: int = 100,
    rejects_path: str | Path | None = None,
    ledger_path: str | Path | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    lock_timeout: float = 600.0,
) -> LoadResult:
    """Load one CSV/Excel file with a mapping (a :class:`Mapping` or its path).

    The rejects file defaults to ``<stem>.rejects.csv`` (``.xlsx`` for Excel)
    next to the input, the ledger to ``<stem>.ledger.sqlite`` next to the
    rejects file. A rejects file given back is its own rejects file (the
    rows still rejected; removed when every row loaded) and keeps the ledger
    of its original. A dry run writes nothing: no request that changes data, no
    ledger, no rejects file.
    """
    source_path = Path(path)
    the_mapping = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    # Read whole first: a rejects file given back is rewritten in place.
    source = read_source(
        source_path, the_mapping.source, columns=the_mapping.header_names
    )
    rejects = (
        Path(rejects_path)
        if rejects_path
        else default_rejects_path(source_path, source.columns)
    )
    ledger = (
        Path(ledger_path) if ledger_path else default_ledger_path(source_path, rejects)
    )
    options = LoadOptions(
        workers=workers,
        batch_size=batch_size,
        rejects_path=rejects,
        ledger_path=ledger,
        dry_run=dry_run,
        progress=progress,
        lock_timeout=lock_timeout,
    )
    return run_load(source, the_mapping, client, options)


def load_frame(
    df: pd.DataFrame,
    mapping: Mapping | str | Path,
    *,
    client: Any,
    workers: int = 8,
    batch_size: int = 100,
    rejects_path: str | Path | None = None,
    ledger_path: str | Path | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> LoadResult:
    """Load a DataFrame (cells taken as text, as if read from a file).

    Without ``ledger_path`` there is no ledger (so re-running the same frame
    creates again); without ``rejects_path`` no rejects file is written, the
    rejects are in ``result.rejects``.
    """
    the_mapping = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    options = LoadOptions(
        workers=workers,
        batch_size=batch_size,
        rejects_path=Path(rejects_path) if rejects_path else None,
        ledger_path=Path(ledger_path) if ledger_path else None,
        dry_run=dry_run,
        progress=progress,
        use_ledger=ledger_path is not None,
    )
    return run_load(frame_source(df), the_mapping, client, options)


def frame_source(df: pd.DataFrame, name: str = "<frame>") -> SourceFrame:
    """A DataFrame as a read source: every cell as text, rows numbered from 2.

    Row numbers are what a spreadsheet of the frame would show with the
    header on row 1.
    """
    raw = pd.DataFrame(
        {
            str(c): pd.Series(
                [None if _missing(v) else str(v) for v in df[c]], dtype="str"
            )
            for c in df.columns
        }
    )
    return SourceFrame(
        raw=raw,
        path=name,
        sheet=None,
        row_numbers=list(range(2, len(raw) + 2)),
        columns=list(raw.columns),
        original_columns=list(raw.columns),
    )


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
