"""Cell conversions, column at a time: text in, typed values and failures out.

Each converter takes a text Series (missing cells as NA) and returns the
typed Series with every failing cell missing, plus a Series of reasons
(missing where the cell converted or was empty). Nothing is guessed: a cell
that is not clearly of the type fails with a reason the user can act on.
"""

from __future__ import annotations

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
    field's ``format``. Day-first or month-first text without a format fails as
    ambiguous rather than being guessed.
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
    reasons = _reasons(text.index)
    for i in text.index[text.notna() & values.isna()]:
        reasons[i] = _date_reason(str(text[i]), fmt)
    return values, reasons


def _date_reason(value: str, fmt: str | None) -> str:
    if fmt:
        return f"not a date in the format {fmt!r} (nor ISO YYYY-MM-DD)"
    if re.fullmatch(r"\s*\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}.*", value):
        return (
            "ambiguous date: add a format to the field in the mapping, "
            'e.g. format: "%m/%d/%Y" (or write it as YYYY-MM-DD)'
        )
    return "not a date (expected YYYY-MM-DD, or set a format in the mapping)"


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
