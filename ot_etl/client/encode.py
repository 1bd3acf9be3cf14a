"""JSON bodies for the API: never NaN or Infinity, only JSON-native values.

pandas and numpy hand over numpy scalars, ``pd.NA``/``NaT``, Decimals and
Timestamps; the API wants plain numbers, strings, ``null`` and naive ISO
datetimes (``YYYY-MM-DDTHH:MM:SS``). Anything else is a programming mistake
and raises ``TypeError`` rather than being stringified behind the caller's back.

numpy and pandas are not imported here: a value of theirs can only exist once
the caller has loaded them, so they are looked up in ``sys.modules``, which
keeps them out of the start-up of commands that never touch a DataFrame.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import sys
from typing import Any


def to_jsonable(value: Any) -> Any:
    """Convert one value (recursively) to a JSON-native Python value."""
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    np = _loaded("numpy", "ndarray", "bool_", "integer", "floating")
    pd = _loaded("pandas", "NA", "NaT")
    if pd is not None and (value is pd.NA or value is pd.NaT):
        return None
    if np is not None:
        if isinstance(value, np.ndarray):
            return [to_jsonable(v) for v in value.tolist()]
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            value = float(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return None if math.isnan(value) else _finite(value)
    if isinstance(value, decimal.Decimal):
        if value.is_nan():
            return None
        return _finite(
            int(value) if value == value.to_integral_value() else float(value)
        )
    if isinstance(value, dt.datetime):  # pandas' Timestamp is one too
        return _naive(value).strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00")
    raise TypeError(f"cannot send a {type(value).__name__} to the API: {value!r}")


def _loaded(name: str, *needed: str) -> Any:
    """The module if it is imported far enough to hold ``needed``, else None.

    Another thread may be importing it right now (pyarrow imports pandas the
    first time it converts Python values): a half-initialised module is in
    ``sys.modules`` before its names are. Its values cannot exist yet either,
    so skipping it is exact.
    """
    module = sys.modules.get(name)
    if module is None or not all(hasattr(module, n) for n in needed):
        return None
    return module


def _finite(number: float | int) -> float | int:
    if isinstance(number, float) and math.isinf(number):
        raise ValueError("Infinity cannot be sent to the API")
    return number


def _naive(moment: dt.datetime) -> dt.datetime:
    # The API's datetimes are naive company-local times; an aware value is
    # sent as its own wall-clock time, not converted to UTC.
    return moment.replace(tzinfo=None)


def dumps(body: Any) -> str:
    """Serialise a request body; NaN and Infinity are refused, never sent."""
    return json.dumps(to_jsonable(body), allow_nan=False, ensure_ascii=False)
