"""The command line's filter mini-language -> client :class:`Filter` objects (pure).

Accepted forms (keywords in any case; a value may be wrapped in quotes)::

    IsActive=true                         Equals
    Name!=UPS                             Not equal
    Name~UPS            Name!~UPS         Like (contains) / Not like
    Id>100  Id>=100  Id<100  Id<=100      comparisons
    CustomerRef.Name in A,B               In (comma list)
    CustomerRef.Name not in A,B           Not in
    Memo is null        Memo is not null  Null / Not null
    RecordInfo.ModifiedDate within lastmonth              a date macro
    RecordInfo.ModifiedDate within 2024-01-01,2024-01-31  a custom date range

An unquoted value may not start with an operator character (``= < > ! ~``):
``Name==foo``, ``Id=>5`` or ``Name!==x`` are refused as malformed operators
rather than read as ``Name = "=foo"``. A value that does start with one is
quoted: ``Name="=foo"``.

Property names are checked against the record type's catalog fields by
:func:`check_filter` (the first part of a dotted path must be a field).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from ot_etl.catalog import RecordType
from ot_etl.client import DateMacro, Filter, FilterOp
from ot_etl.errors import ConfigError

FORMS = (
    "NAME=VALUE, NAME!=VALUE, NAME~TEXT (like), NAME!~TEXT, NAME>VALUE, "
    "NAME>=VALUE, NAME<VALUE, NAME<=VALUE, 'NAME in A,B', 'NAME not in A,B', "
    "'NAME is null', 'NAME is not null', 'NAME within MACRO' "
    "(e.g. lastmonth, yeartodate) or 'NAME within FROM,TO'"
)
_NAME = r"(?P<name>[A-Za-z_$][\w.$]*)"
_WORDS = re.compile(
    rf"^\s*{_NAME}\s+(?P<kw>is\s+not\s+null|is\s+null|not\s+in|in|within)"
    r"(?:\s+(?P<value>.*?))?\s*$",
    re.IGNORECASE,
)
_SYMBOLS = re.compile(
    rf"^\s*{_NAME}\s*(?P<op>>=|<=|!=|!~|=|>|<|~)\s*(?P<value>.*?)\s*$"
)
_OPS = {
    "=": FilterOp.EQUAL,
    "!=": FilterOp.NOT_EQUAL,
    "~": FilterOp.LIKE,
    "!~": FilterOp.NOT_LIKE,
    ">": FilterOp.GREATER,
    ">=": FilterOp.GREATER_OR_EQUAL,
    "<": FilterOp.LESS,
    "<=": FilterOp.LESS_OR_EQUAL,
}
_OP_CHARS = "=<>!~"
_MEANT = {"==": "=", "=>": ">=", "=<": "<=", "!==": "!=", "<>": "!=", "=!": "!="}
_MACROS = {m.name.replace("_", "").lower(): m for m in DateMacro}


def parse_filter(expression: str) -> Filter:
    """One expression -> one Filter; ConfigError listing the accepted forms."""
    m = _WORDS.match(expression)
    if m:
        return _keyword(expression, m.group("name"), m.group("kw"), m.group("value"))
    m = _SYMBOLS.match(expression)
    if m and m.group("value"):
        name, op, value = m.group("name", "op", "value")
        if value[0] in _OP_CHARS:
            raise _bad(expression, _malformed(name, op, value))
        return Filter(name, _OPS[op], _unquote(value))
    raise _bad(expression, "cannot read it")


def _malformed(name: str, op: str, value: str) -> str:
    """Why ``Name==foo`` (``=>``, ``!==``...) is refused, and how to quote."""
    rest = value.lstrip(_OP_CHARS)
    run = op + value[: len(value) - len(rest)].replace(" ", "")
    meant = _MEANT.get(run)
    hint = f" (did you mean {meant!r}?)" if meant else ""
    return (
        f"{run!r} is not an operator{hint}; a value that starts with "
        f'{value[0]!r} is written in quotes: {name}{op}"{value}"'
    )


def parse_filters(expressions: Iterable[str]) -> list[Filter]:
    return [parse_filter(e) for e in expressions]


def check_filter(flt: Filter, rt: RecordType) -> None:
    """Raise ConfigError when the filter's property is not a field of ``rt``."""
    head = flt.property.split(".", 1)[0]
    names = sorted(f.name for f in rt.fields)
    if head in names:
        return
    close = difflib.get_close_matches(head, names, n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise ConfigError(
        f"Filter on {flt.property!r}: {rt.slug} has no field {head!r}.{hint}"
    )


def _keyword(expression: str, name: str, keyword: str, value: str | None) -> Filter:
    kw = " ".join(keyword.lower().split())
    if kw in ("is null", "is not null"):
        if value:
            raise _bad(expression, f"'{kw}' takes no value")
        op = FilterOp.IS_NULL if kw == "is null" else FilterOp.NOT_NULL
        return Filter(name, op)
    if not value:
        raise _bad(expression, f"'{kw}' needs a value")
    if kw == "within":
        return _within(expression, name, _unquote(value))
    items = [_unquote(v.strip()) for v in value.split(",")]
    if not all(items):
        raise _bad(expression, "the list has an empty item")
    return Filter(name, FilterOp.IN if kw == "in" else FilterOp.NOT_IN, items)


def _within(expression: str, name: str, value: str) -> Filter:
    if "," in value:
        return Filter(name, date_macro=DateMacro.CUSTOM, value=value.replace(" ", ""))
    macro = _MACROS.get(re.sub(r"[^a-z0-9]", "", value.lower()))
    if macro is None or macro == DateMacro.CUSTOM:
        known = ", ".join(sorted(k for k in _MACROS if k != "custom"))
        raise _bad(expression, f"unknown date macro {value!r} (known: {known})")
    return Filter(name, date_macro=macro)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _bad(expression: str, why: str) -> ConfigError:
    return ConfigError(f"Bad filter {expression!r}: {why}. Accepted forms: {FORMS}.")
