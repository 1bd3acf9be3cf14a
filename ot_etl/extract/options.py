"""What an export run is asked (:class:`ExportOptions`) and what each record
type's export reports (:class:`ExportResult`, also its manifest entry)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from ot_etl.client import MAX_PAGE_SIZE, Filter
from ot_etl.extract.pages import DEFAULT_WORKERS
from ot_etl.extract.state import DEFAULT_OVERLAP
from ot_etl.extract.writer import Format

MODIFIED = "RecordInfo.ModifiedDate"


@dataclass
class ExportResult:
    """What one record type's export did. ``rows`` is the rows in the header file."""

    record_type: str
    run: str = ""
    server_count: int = 0
    rows: int = 0
    fetched: int = 0
    lines: int | None = None
    headers_without_lines: int | None = None
    files: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    mode: str = "full"
    watermark: str | None = None
    since: str | None = None
    replaced: int = 0
    changes: dict[str, Any] = field(default_factory=dict)
    extras: list[str] = field(default_factory=list)
    coercions: dict[str, int] = field(default_factory=dict)
    zoned: dict[str, int] = field(default_factory=dict)
    omitted: list[str] = field(default_factory=list)
    skipped: str | None = None
    schemas: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    filters: list[dict[str, Any]] = field(default_factory=list)
    started: str = ""
    finished: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ExportOptions:
    """Knobs shared by every record type of one run."""

    fmt: Format = "parquet"
    filters: tuple[Filter, ...] = ()
    modified_since: dt.datetime | None = None
    incremental: bool = False
    full: bool = False
    workers: int = DEFAULT_WORKERS
    page_size: int = MAX_PAGE_SIZE
    prefetch: int | None = None
    overlap: dt.timedelta = DEFAULT_OVERLAP
    include_sensitive: bool = False
    row_group_rows: int = 50_000


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
