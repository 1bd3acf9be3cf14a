"""HTTP client for the Order Time REST API (``/list``, ``/entityref``, records)."""

from ot_etl.client.config import ClientConfig, Credentials, resolve_config
from ot_etl.client.http import Client
from ot_etl.client.listinfo import (
    MAX_PAGE_SIZE,
    DateMacro,
    Filter,
    FilterOp,
    ListInfo,
    Sort,
    SortDir,
)
from ot_etl.client.redact import RedactingFilter, redact
from ot_etl.client.retry import RetryPolicy

__all__ = [
    "MAX_PAGE_SIZE",
    "Client",
    "ClientConfig",
    "Credentials",
    "DateMacro",
    "Filter",
    "FilterOp",
    "ListInfo",
    "RedactingFilter",
    "RetryPolicy",
    "Sort",
    "SortDir",
    "redact",
    "resolve_config",
]
