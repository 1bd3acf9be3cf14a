"""Value checks and lossless conversions for flattening (pure).

``FAST_TYPES`` are the Python types a column takes without a look at each
value; ``CHECKS`` tell a value of the right type; ``COERCE`` converts one of
the wrong type when that loses nothing (``"12"`` -> 12, ``1`` -> True) and
returns None otherwise. :func:`text_of` is the text form of custom fields and
unknown fields: a string as it is, anything else as compact JSON.
"""

from __future__ import annotations

import json
import math
from typing import Any

_INT_RANGE = {"int32": 2**31, "int16": 2**15}


def text_of(value: Any) -> str | None:
    """The text form of a custom field or extra value (see the module doc)."""
    kind = type(value)
    if value is None or kind is str:
        return value  # type: ignore[no-any-return]
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        # repr() is the JSON text of a finite float; inf/nan have no JSON form.
        return repr(value) if math.isfinite(value) else str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


_NONE = type(None)
FAST_TYPES: dict[str, set[type]] = {
    "string": {str, _NONE},
    "bool": {bool, _NONE},
    "float64": {int, float, _NONE},
    "int32": {int, _NONE},
    "int16": {int, _NONE},
}


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def _is_float(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _int_check(bound: int) -> Any:
    def check(v: Any) -> bool:
        return type(v) is int and -bound <= v < bound

    return check


CHECKS: dict[str, Any] = {
    "string": _is_str,
    "bool": _is_bool,
    "float64": _is_float,
    "int32": _int_check(_INT_RANGE["int32"]),
    "int16": _int_check(_INT_RANGE["int16"]),
}


def _as_str(v: Any) -> str | None:
    return text_of(v)


def _as_bool(v: Any) -> bool | None:
    if isinstance(v, int | float) and v in (0, 1):
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in ("true", "false", "1", "0"):
        return v.strip().lower() in ("true", "1")
    return None


def _as_float(v: Any) -> float | None:
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    return None


def _as_int(bound: int) -> Any:
    def coerce(v: Any) -> int | None:
        number: Any = v
        if isinstance(v, str):
            try:
                number = float(v) if "." in v else int(v)
            except ValueError:
                return None
        if isinstance(number, bool) or not isinstance(number, int | float):
            return None
        if isinstance(number, float) and not number.is_integer():
            return None
        whole = int(number)
        return whole if -bound <= whole < bound else None

    return coerce


COERCE: dict[str, Any] = {
    "string": _as_str,
    "bool": _as_bool,
    "float64": _as_float,
    "int32": _as_int(_INT_RANGE["int32"]),
    "int16": _as_int(_INT_RANGE["int16"]),
}
