"""Cell conversions, column at a time: text in, typed values and failures out.

Each converter takes a text Series (missing cells as NA) and returns the
typed Series with every failing cell missing, plus a Series of reasons
(missing where the cell converted or was empty). Nothing is guessed: a cell
that is not clearly of the type fails with a reason the user can act on.
"""

from __future__ import annotations

import calendar
import re
from decimal import Decimal, InvalidOperation
from typing import Literal

import pandas as pd

ColumnKind = Literal["text", "int", "number", "bool", "datetime"]

DEFAULT_DECIMALS = 4
"""Places a Decimal target accepts unless the field says ``decimals: N``.

The API reference gives no scale for decimals; 4 is what SQL Server's money
type (behind Order Time) keeps, so more places would be rounded silently.
"""

INT_RANGES = {"Int16": (-(2**15), 2**15 - 1), "Int32": (-(2**31), 2**31 - 1)}
EXCEL_SERIAL_MAX = 2958465  # 9999-12-31
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_UNIT = re.compile(rf"^\s*{_NUMBER}\s*[^\d\s.,+-][^\d]*$")
_ISO = r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?)?"
_SCIENTIFIC = r"-?\d+(?:[.,]\d+)?[eE][+-]\d+"
_DATE_LIKE = re.compile(r"\s*\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}.*")
_ISO_PARTS = re.compile(r"\s*(\d{4})-(\d\d)-(\d\d)")
# Formats tried on a column's failing dates, to suggest one that reads them;
# in this order on a tie (month first, as Excel's US default writes them).
_DAY_FORMATS = (
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%m-%d-%Y",
    "%d-%m-%Y",
    "%m/%d/%y",
    "%d/%m/%y",
    "%d.%m.%y",
)
DATE_FORMATS = tuple(
    day + time for day in _DAY_FORMATS for time in ("", " %H:%M", " %H:%M:%S")
)
_TRUE = {"true", "yes", "y", "t", "1"}
_FALSE = {"false", "no", "n", "f", "0"}

Converted = tuple[pd.Series, pd.Series]


def kind_of(dtype: object) -> ColumnKind:
    """The conversion a pandera dtype asks for (``None``: keep the text)."""
    name = str(dtype).lower() if dtype is not None else "str"
    if name.startswith(("int", "uint")):
        return "int"
    if name.startswith(("float", "decimal")):
        return "number"
    if name.startswith("bool"):
        return "bool"
    if name.startswith(("datetime", "date", "timestamp")):
        return "datetime"
    return "text"


def _reasons(index: pd.Index) -> pd.Series:
    return pd.Series(pd.NA, index=index, dtype="object")


def normalize_number(text: pd.Series, decimal: str, thousands: str | None) -> pd.Series:
    """Number text in Python's form: thousands removed, decimal point ``.``."""
    s = text.str.strip()
    if thousands:
        s = s.str.replace(thousands, "", regex=False)
    if decimal != ".":
        # A '.' left over when ',' is the decimal separator is not a number.
        s = s.str.replace(".", "\x00", regex=False).str.replace(
            decimal, ".", regex=False
        )
    return s


def to_number(
    text: pd.Series, decimal: str = ".", thousands: str | None = None
) -> Converted:
    """Floats; ``12 pcs``, ``$5`` and ``1,5`` (without ``decimal: ","``) fail."""
    s = normalize_number(text, decimal, thousands)
    ok = s.str.fullmatch(_NUMBER).fillna(False).astype(bool)
    values = pd.to_numeric(s.where(ok), errors="coerce").astype("float64")
    bad = text.notna() & ~ok
    reasons = _reasons(text.index)
    for i in text.index[bad]:
        reasons[i] = _number_reason(str(text[i]), decimal)
    return values, reasons


def _number_reason(value: str, decimal: str) -> str:
    if _UNIT.match(value):
        unit = re.sub(rf"^\s*{_NUMBER}\s*", "", value)
        return f"not a number (remove the unit {unit!r})"
    if decimal == "." and re.fullmatch(r"\s*[+-]?\d+,\d+\s*", value):
        return 'not a number; if "," is the decimal separator set source.decimal: ","'
    return "not a number"


def to_int(
    text: pd.Series, decimal: str = ".", thousands: str | None = None
) -> Converted:
    """Nullable integers (``Int64``); ``2.5`` fails, ``2.0`` is 2."""
    values, reasons = to_number(text, decimal, thousands)
    fraction = values.notna() & (values % 1 != 0)
    reasons[fraction] = "not a whole number"
    values = values.mask(fraction)
    return values.round().astype("Int64"), reasons


def to_bool(text: pd.Series) -> Converted:
    """``true/false, yes/no, y/n, t/f, 1/0`` in any case; anything else fails."""
    folded = text.str.strip().str.lower()
    values = pd.Series(pd.NA, index=text.index, dtype="boolean")
    values[folded.isin(_TRUE).fillna(False).astype(bool)] = True
    values[folded.isin(_FALSE).fillna(False).astype(bool)] = False
    reasons = _reasons(text.index)
    reasons[text.notna() & values.isna()] = (
        "not true/false (use TRUE, FALSE, yes, no, 1, 0)"
    )
    return values, reasons


def to_datetime(text: pd.Series, fmt: str | None = None) -> Converted:
    """Timestamps from ISO text, ``fmt`` text or Excel serial numbers.

    ISO and SQL-Server style (``1996-07-04``, ``1996-07-04T13:05:00``,
    ``1996-07-04 00:00:00.000``) always parse, as do Excel serial day numbers
    (what a date cell becomes when its format is lost); other text needs the
    field's ``format``. Day-first or month-first text without a format fails
    rather than being guessed, with a format that reads the column's failing
    values (see :func:`_date_reasons`); an ISO text that names no real day
    (``2024-13-45``) fails as invalid.
    """
    s = text.str.strip()
    values = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    iso = s.str.fullmatch(_ISO).fillna(False).astype(bool)
    if iso.any():
        parsed = pd.to_datetime(
            s[iso].str.replace(" ", "T"), format="ISO8601", errors="coerce"
        )
        values[iso] = parsed.astype("datetime64[us]")
    rest = text.notna() & values.isna()
    if fmt and rest.any():
        parsed = pd.to_datetime(s[rest], format=fmt, errors="coerce")
        values[rest] = parsed.astype("datetime64[us]")
        rest = text.notna() & values.isna()
    serial = rest & s.str.fullmatch(r"\d+(?:\.\d+)?").fillna(False).astype(bool)
    if serial.any():
        days = pd.to_numeric(s[serial], errors="coerce")
        days = days.where((days >= 1) & (days <= EXCEL_SERIAL_MAX))
        # Excel counts a 29 February 1900 that never was: serials below 61
        # are one day later than the epoch arithmetic says.
        days = days.where(days >= 61, days + 1)
        stamps = _EXCEL_EPOCH + pd.to_timedelta(days, unit="D")
        values[serial] = stamps.dt.round("s").astype("datetime64[us]")
    failed = text[text.notna() & values.isna()].astype(str)
    return values, _date_reasons(failed, text.index, fmt)


def _date_reasons(failed: pd.Series, index: pd.Index, fmt: str | None) -> pd.Series:
    """Why each failed cell is not a date, with a format that reads it if any.

    Candidate formats are tried on every distinct failing value of the
    column: a format reading more of them is suggested first, so one
    ``13/02/2024`` makes ``07/04/2024`` of the same column day-first too.
    """
    reasons = _reasons(index)
    shaped = failed.str.fullmatch(_DATE_LIKE.pattern).fillna(False).astype(bool)
    texts = pd.unique(failed[shaped].str.strip())
    reads = _formats_reading(texts) if fmt is None else {}
    for i in failed.index:
        reasons[i] = _date_reason(str(failed[i]), fmt, reads)
    return reasons


def _formats_reading(values: object) -> dict[str, set[str]]:
    """For each candidate format, the values (stripped) it parses."""
    texts = pd.Series(values, dtype="object")
    out: dict[str, set[str]] = {}
    for candidate in DATE_FORMATS:
        parsed = pd.to_datetime(texts, format=candidate, errors="coerce")
        hit = set(texts[parsed.notna()])
        if hit:
            out[candidate] = hit
    return out


def _date_reason(value: str, fmt: str | None, reads: dict[str, set[str]]) -> str:
    iso = _ISO_PARTS.match(value)
    if iso and re.fullmatch(_ISO, value.strip()):
        return _invalid_iso(*(int(g) for g in iso.groups()))
    if fmt:
        return f"not a date in the format {fmt!r} (nor ISO YYYY-MM-DD)"
    if not _DATE_LIKE.fullmatch(value):
        return "not a date (expected YYYY-MM-DD, or set a format in the mapping)"
    key = value.strip()
    fits = sorted(
        (f for f, hit in reads.items() if key in hit),
        key=lambda f: (-len(reads[f]), DATE_FORMATS.index(f)),
    )
    if not fits:
        return (
            "not a valid date: no day, month and year order reads it "
            "(correct the value, or write it as YYYY-MM-DD)"
        )
    best = [f for f in fits if len(reads[f]) == len(reads[fits[0]])]
    shown = " or ".join(f'"{f}"' for f in best[:2])
    if len(fits) == 1:
        return (
            "not an ISO date: add a format to the field in the mapping, "
            f"e.g. format: {shown} (or write it as YYYY-MM-DD)"
        )
    return (
        "ambiguous date: add a format to the field in the mapping, "
        f"e.g. format: {shown} (or write it as YYYY-MM-DD)"
    )


def _invalid_iso(year: int, month: int, day: int) -> str:
    """Why an ISO-shaped text is no date: the month, the day, or the time."""
    if not 1 <= month <= 12:
        return f"not a valid date: there is no month {month} (YYYY-MM-DD)"
    if year >= 1:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            return (
                f"not a valid date: {calendar.month_name[month]} {year} has "
                f"{last} days, not {day} (YYYY-MM-DD)"
            )
        return "not a valid time of day (HH:MM or HH:MM:SS, hours 0 to 23)"
    return "not a valid date: there is no year 0 (YYYY-MM-DD)"


def convert(
    text: pd.Series,
    kind: ColumnKind,
    *,
    decimal: str = ".",
    thousands: str | None = None,
    fmt: str | None = None,
) -> Converted:
    """Dispatch on ``kind``; text columns come back unchanged with no reasons."""
    if kind == "int":
        return to_int(text, decimal, thousands)
    if kind == "number":
        return to_number(text, decimal, thousands)
    if kind == "bool":
        return to_bool(text)
    if kind == "datetime":
        return to_datetime(text, fmt)
    return text, _reasons(text.index)


def decimal_places(normalized: pd.Series) -> pd.Series:
    """Significant places after the point of normalised number text (0 if none).

    Vectorised string lengths (``12.3400`` has 2); the rare scientific
    notation cells are counted exactly with :class:`decimal.Decimal`.
    """
    text = normalized.fillna("")
    trimmed = text.str.rstrip("0")
    point = trimmed.str.find(".")
    places = (trimmed.str.len() - point - 1).where(point >= 0, 0).astype("int64")
    exponent = text.str.contains("e", case=False, regex=False)
    for i in text.index[exponent]:
        places[i] = _exact_places(str(text[i]))
    return places


def _exact_places(text: str) -> int:
    try:
        exp = Decimal(text).normalize().as_tuple().exponent
    except InvalidOperation:
        return 0
    return max(0, -exp) if isinstance(exp, int) else 0


def looks_scientific(text: pd.Series) -> pd.Series:
    """Cells such as ``1.23457E+11``: a code Excel showed as a number, digits lost."""
    return text.str.strip().str.fullmatch(_SCIENTIFIC).fillna(False).astype(bool)
