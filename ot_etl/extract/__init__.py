"""Export: whole record types to Parquet/CSV, count-first and concurrent.

``export_types`` writes ``DIR/<type>.parquet`` (or ``.csv``), a
``<type>_lines`` table for transactions, ``manifest.json`` and the
incremental state; ``read_frame`` and ``iter_pages`` give the same rows and
schema to a notebook. See ``docs/export.md`` for the decisions (decimals as
float64, naive timestamps, custom fields as text columns, unknown fields kept
as JSON text).
"""

from ot_etl.extract.export import (
    ExportOptions,
    ExportResult,
    export_one,
    export_types,
    listable_types,
)
from ot_etl.extract.filter_syntax import FORMS, parse_filter, parse_filters
from ot_etl.extract.frames import iter_pages, read_frame, to_frame
from ot_etl.extract.pages import PageFailedError, PageFetcher, PageStats

__all__ = [
    "FORMS",
    "ExportOptions",
    "ExportResult",
    "PageFailedError",
    "PageFetcher",
    "PageStats",
    "export_one",
    "export_types",
    "iter_pages",
    "listable_types",
    "parse_filter",
    "parse_filters",
    "read_frame",
    "to_frame",
]
