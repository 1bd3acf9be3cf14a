"""ListInfo: the query body of ``/list`` and ``/entityref``, built from plain values.

The enums carry the numbers of the API reference (FilterOpEnum, DateMacroEnum,
SortDirEnum). FilterOpEnum 7 was never seen in the reference and is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

MAX_PAGE_SIZE = 1000


class FilterOp(IntEnum):
    EQUAL = 1
    GREATER = 2
    LESS = 3
    GREATER_OR_EQUAL = 4
    LESS_OR_EQUAL = 5
    NOT_EQUAL = 6
    IN = 8
    NOT_IN = 9
    IS_NULL = 10
    NOT_NULL = 11
    LIKE = 12
    NOT_LIKE = 13


class SortDir(IntEnum):
    ASC = 1
    DESC = 2


class DateMacro(IntEnum):
    ALL = 0
    TODAY = 1
    WEEK = 2
    WEEK_TO_DATE = 3
    MONTH = 4
    MONTH_TO_DATE = 5
    QUARTER = 6
    QUARTER_TO_DATE = 7
    YEAR = 8
    YEAR_TO_DATE = 9
    YESTERDAY = 10
    LAST_WEEK = 11
    LAST_WEEK_TO_DATE = 12
    LAST_MONTH = 13
    LAST_MONTH_TO_DATE = 14
    LAST_QUARTER = 15
    LAST_QUARTER_TO_DATE = 16
    LAST_YEAR = 17
    LAST_YEAR_TO_DATE = 18
    NEXT_WEEK = 19
    NEXT_4_WEEKS = 20
    NEXT_MONTH = 21
    NEXT_QUARTER = 22
    NEXT_YEAR = 23
    TRAILING_12_MONTHS = 24
    CUSTOM = 25


# DataTypeEnum: only "10 = a date type" is known from the reference's sample.
DATE_FIELD_TYPE = 10

_VALUELESS = {FilterOp.IS_NULL, FilterOp.NOT_NULL}


def _filter_text(value: Any) -> str:
    """FilterValueArray is one string: lists become comma lists, dates ISO text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str | bytes):
        return value.decode() if isinstance(value, bytes) else value
    if isinstance(value, Iterable):
        return ",".join(_filter_text(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Filter:
    """One FilterField. ``value`` may be a scalar, a date, or a list for In/NotIn.

    With a ``date_macro`` the value is optional, except CUSTOM, which takes
    ``"from,to"`` (either side may be empty).
    """

    property: str
    op: FilterOp = FilterOp.EQUAL
    value: Any = None
    date_macro: DateMacro | None = None

    def __post_init__(self) -> None:
        if not self.property:
            raise ValueError("a filter needs a property name")
        needs_value = self.op not in _VALUELESS and self.date_macro is None
        if needs_value and self.value is None:
            raise ValueError(f"filter on {self.property} needs a value")
        if self.date_macro == DateMacro.CUSTOM and self.value is None:
            raise ValueError("a custom date range needs a value 'from,to'")

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"PropertyName": self.property, "Operator": int(self.op)}
        if self.date_macro is not None:
            body["FieldType"] = DATE_FIELD_TYPE
            body["DateMacro"] = int(self.date_macro)
        if self.value is not None and self.op not in _VALUELESS:
            body["FilterValueArray"] = _filter_text(self.value)
        return body


@dataclass(frozen=True)
class Sort:
    property: str
    direction: SortDir = SortDir.ASC

    def to_json(self) -> dict[str, Any]:
        return {"PropertyName": self.property, "Direction": int(self.direction)}


@dataclass(frozen=True)
class ListInfo:
    """The body of a ``/list`` or ``/entityref`` call.

    ``size`` above 1000 is refused here rather than silently clamped, so a
    caller never believes it asked for more rows than a page can hold.
    """

    type: int
    filters: Sequence[Filter] = ()
    sort: Sort | None = None
    page: int = 1
    size: int = 100
    include_line_items: bool = False

    def __post_init__(self) -> None:
        if self.page < 1:
            raise ValueError(f"pages are numbered from 1, got {self.page}")
        if not 1 <= self.size <= MAX_PAGE_SIZE:
            raise ValueError(f"page size must be 1..{MAX_PAGE_SIZE}, got {self.size}")

    def to_json(self, *, paging: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {"Type": self.type}
        if self.filters:
            body["Filters"] = [f.to_json() for f in self.filters]
        if self.sort is not None:
            body["Sortation"] = self.sort.to_json()
        if paging:
            body["PageNumber"] = self.page
            body["NumberOfRecords"] = self.size
        if self.include_line_items:
            body["IncludeLineItems"] = True
        return body
