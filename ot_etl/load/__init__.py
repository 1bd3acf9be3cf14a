"""Load spreadsheets into Order Time: validate, resolve, plan, post, report.

``load_file(path, mapping, client=...)`` and ``load_frame(df, mapping,
client=...)`` return a :class:`LoadResult` (counts, one outcome per source
row, the rejects). See ``docs/load.md``.
"""

from ot_etl.load.api import frame_source, load_file, load_frame
from ot_etl.load.ledger import LedgerBusyError
from ot_etl.load.run import LoadOptions, LoadResult, run_load
from ot_etl.load.summary import (
    EXIT_CANNOT_PROCEED,
    EXIT_OK,
    EXIT_REJECTED,
    LoadSummary,
)

__all__ = [
    "EXIT_CANNOT_PROCEED",
    "EXIT_OK",
    "EXIT_REJECTED",
    "LedgerBusyError",
    "LoadOptions",
    "LoadResult",
    "LoadSummary",
    "frame_source",
    "load_file",
    "load_frame",
    "run_load",
]
