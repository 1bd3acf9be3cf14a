"""The notebook API: records straight into pandas, with the files' schema.

``read_frame`` and ``iter_pages`` fetch exactly as the exporter does (count
first, concurrent pages, de-duplicated by key) and flatten with the same
layouts, so a frame has the columns and types of the exported file read back
with ``pandas.read_parquet(path, dtype_backend="numpy_nullable")``: nullable
``Int32``/``Int16``/``boolean``/``Float64``, ``string`` and naive
``datetime64[us]``. Filters may be client :class:`~ot_etl.client.Filter`
objects or expressions of the command line's syntax (``"IsActive=true"``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ot_etl.catalog import RecordType, resolve
from ot_etl.client import MAX_PAGE_SIZE, Client, Filter
from ot_etl.extract.filter_syntax import check_filter, parse_filter
from ot_etl.extract.flatten import FlatPage, flatten, line_rows
from ot_etl.extract.jsonpage import page_decoder
from ot_etl.extract.pages import DEFAULT_WORKERS, PageFetcher
from ot_etl.extract.schema import Layout, arrow_schema, header_layout, lines_field
from ot_etl.extract.schema import lines_layout as make_lines_layout

if TYPE_CHECKING:
    import pandas as pd

FilterLike = Filter | str


@cache
def _pandas_types() -> dict[pa.DataType, Any]:
    # pandas is imported on first use: the export command never needs it.
    import pandas as pd

    return {
        pa.int32(): pd.Int32Dtype(),
        pa.int16(): pd.Int16Dtype(),
        pa.bool_(): pd.BooleanDtype(),
        pa.float64(): pd.Float64Dtype(),
        pa.string(): pd.StringDtype(),
    }


def to_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table of an export schema as a pandas frame of nullable dtypes."""
    frame: pd.DataFrame = table.to_pandas(types_mapper=_pandas_types().get)
    return frame


def iter_pages(
    record_type: str | int | RecordType,
    filters: Sequence[FilterLike] | None = None,
    client: Client | None = None,
    *,
    include_lines: bool = False,
    page_size: int = MAX_PAGE_SIZE,
    workers: int = DEFAULT_WORKERS,
) -> Iterator[Any]:
    """Yield one DataFrame per page (``(headers, lines)`` with ``include_lines``).

    Each frame has every catalog column; custom and extra fields appear from
    the first page that has them on (later frames keep them).
    """
    seen: dict[str, tuple[set[str], set[str]]] = {}
    for header_page, line_page in _flat_pages(
        record_type, filters, client, include_lines, page_size, workers
    ):
        head = to_frame(header_page.to_table(_grow(header_page, seen)))
        if include_lines:
            lines = None
            if line_page is not None:
                lines = to_frame(line_page.to_table(_grow(line_page, seen)))
            yield head, lines
        else:
            yield head


def read_frame(
    record_type: str | int | RecordType,
    filters: Sequence[FilterLike] | None = None,
    client: Client | None = None,
    include_lines: bool = False,
    *,
    page_size: int = MAX_PAGE_SIZE,
    workers: int = DEFAULT_WORKERS,
) -> Any:
    """Every matching record as one DataFrame, or ``(headers, lines)`` frames.

    ``include_lines`` applies to transactions with line items; for other types
    the lines frame is None.
    """
    heads: list[FlatPage] = []
    lines: list[FlatPage] = []
    rt = resolve(record_type)
    for header_page, line_page in _flat_pages(
        rt, filters, client, include_lines, page_size, workers
    ):
        heads.append(header_page)
        if line_page is not None:
            lines.append(line_page)
    head_frame = _concat(header_layout(rt), heads)
    if not include_lines:
        return head_frame
    layout = make_lines_layout(rt)
    return head_frame, (_concat(layout, lines) if layout is not None else None)


def _flat_pages(
    record_type: str | int | RecordType,
    filters: Sequence[FilterLike] | None,
    client: Client | None,
    include_lines: bool,
    page_size: int,
    workers: int,
) -> Iterator[tuple[FlatPage, FlatPage | None]]:
    rt = resolve(record_type)
    flts = [parse_filter(f) if isinstance(f, str) else f for f in filters or ()]
    for flt in flts:
        check_filter(flt, rt)
    header = header_layout(rt)
    lines = make_lines_layout(rt) if include_lines else None
    holder = lines_field(rt)
    api = client or Client.from_env()
    try:
        fetcher = PageFetcher(
            api,
            rt,
            flts,
            page_size=page_size,
            workers=workers,
            include_lines=lines is not None,
            decoder=page_decoder(header) if lines is None else None,
        )
        for records in fetcher.pages():
            head = flatten(header, records)
            line_page = None
            if lines is not None and holder is not None:
                assert isinstance(records, list)  # no decoder when there are lines
                line_page = flatten(lines, line_rows(records, holder.name)[0])
            yield head, line_page
    finally:
        if client is None:
            api.close()


def _grow(page: FlatPage, seen: dict[str, tuple[set[str], set[str]]]) -> pa.Schema:
    """The page's schema, keeping the custom and extra fields of earlier pages."""
    custom, extras = seen.setdefault(page.layout.table, (set(), set()))
    custom |= page.custom.keys()
    extras |= page.extras.keys()
    return arrow_schema(page.layout, custom, extras)


def _concat(layout: Layout, pages: list[FlatPage]) -> pd.DataFrame:
    custom: set[str] = set()
    extras: set[str] = set()
    for page in pages:
        custom |= page.custom.keys()
        extras |= page.extras.keys()
    schema = arrow_schema(layout, custom, extras)
    tables = [p.to_table(schema) for p in pages]
    return to_frame(pa.concat_tables(tables) if tables else schema.empty_table())
