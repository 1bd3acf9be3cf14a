"""The sandbox's clock, its timestamp format and the DateMacroEnum ranges.

The server clock is UTC and timestamps are written naive (no zone suffix) as
``YYYY-MM-DDTHH:MM:SS.ffffff``, close to the .NET output of the service. A date
macro is a half-open range ``[start, end)`` of naive UTC datetimes computed
from "now"; weeks start on Monday. "...to date" ranges end at the end of today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

Clock = Callable[[], datetime]
Range = tuple[datetime | None, datetime | None]

FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def utc_now() -> datetime:
    """The default clock: naive UTC now."""
    return datetime.now(UTC).replace(tzinfo=None)


def format_ts(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffff`` (fixed width, so text order is time order)."""
    return moment.isoformat(timespec="microseconds")


def parse_datetime(text: str) -> datetime | None:
    """Parse a date or ISO datetime (``Z`` and offsets go to naive UTC).

    Returns None when the text is not a date. Fractions of up to 7 digits
    (.NET) are accepted; the 7th digit is dropped.
    """
    value = text.strip()
    if not value:
        return None
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    dot = value.find(".")
    if dot != -1:
        end = dot + 1
        while end < len(value) and value[end].isdigit():
            end += 1
        if end - dot - 1 > 6:
            value = value[: dot + 7] + value[end:]
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _day(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)  # noqa: DTZ001 - naive UTC by design


def _add_months(d: date, months: int) -> date:
    total = d.year * 12 + d.month - 1 + months
    year, month = divmod(total, 12)
    return date(year, month + 1, 1)


def _same_day_in(month_start: date, day: int) -> date:
    """``day`` of the month starting at ``month_start``, clamped to its end."""
    last = (_add_months(month_start, 1) - timedelta(days=1)).day
    return month_start.replace(day=min(day, last))


def macro_range(macro: int, now: datetime) -> Range:
    """The ``[start, end)`` range of DateMacroEnum ``macro`` (1..24) at ``now``.

    Raises KeyError for values without a relative meaning (0 all, 25 custom).
    """
    today = now.date()
    tomorrow = today + timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    year = date(today.year, 1, 1)
    last_month = _add_months(month, -1)
    last_quarter = _add_months(quarter, -3)
    last_year = date(today.year - 1, 1, 1)
    next_monday = monday + timedelta(days=7)
    ranges: dict[int, tuple[date, date]] = {
        1: (today, tomorrow),
        2: (monday, next_monday),
        3: (monday, tomorrow),
        4: (month, _add_months(month, 1)),
        5: (month, tomorrow),
        6: (quarter, _add_months(quarter, 3)),
        7: (quarter, tomorrow),
        8: (year, date(today.year + 1, 1, 1)),
        9: (year, tomorrow),
        10: (today - timedelta(days=1), today),
        11: (monday - timedelta(days=7), monday),
        12: (monday - timedelta(days=7), tomorrow - timedelta(days=7)),
        13: (last_month, month),
        14: (last_month, _same_day_in(last_month, today.day) + timedelta(days=1)),
        15: (last_quarter, quarter),
        16: (
            last_quarter,
            _same_day_in(
                _add_months(last_quarter, today.month - quarter.month), today.day
            )
            + timedelta(days=1),
        ),
        17: (last_year, year),
        18: (
            last_year,
            _same_day_in(date(today.year - 1, today.month, 1), today.day)
            + timedelta(days=1),
        ),
        19: (next_monday, next_monday + timedelta(days=7)),
        20: (next_monday, next_monday + timedelta(days=28)),
        21: (_add_months(month, 1), _add_months(month, 2)),
        22: (_add_months(quarter, 3), _add_months(quarter, 6)),
        23: (date(today.year + 1, 1, 1), date(today.year + 2, 1, 1)),
        24: (
            _same_day_in(_add_months(month, -12), today.day) + timedelta(days=1),
            tomorrow,
        ),
    }
    start, end = ranges[macro]
    return _day(start), _day(end)


def custom_range(text: str) -> Range | None:
    """Parse a custom macro value ``"from,to"`` (either side may be empty).

    ``from`` is inclusive from its start (00:00 for a date); a date-only ``to``
    is inclusive through the end of that day, a datetime ``to`` is inclusive of
    that instant. Returns None when a side is not a date.
    """
    left, sep, right = text.partition(",")
    if not sep:
        right = ""
    start = parse_datetime(left) if left.strip() else None
    end = parse_datetime(right) if right.strip() else None
    if (left.strip() and start is None) or (right.strip() and end is None):
        return None
    if end is not None:
        if len(right.strip()) <= 10:
            end = end + timedelta(days=1)
        else:
            end = end + timedelta(microseconds=1)
    return start, end
