import datetime as dt
import decimal
import json
import math
import sys
import types

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ot_etl.client.encode import dumps, to_jsonable


def test_pandas_and_numpy_values_become_json_native() -> None:
    body = {
        "Qty": np.int64(3),
        "Price": np.float32(2.5),
        "Missing": np.nan,
        "NA": pd.NA,
        "When": pd.Timestamp("2024-03-01 10:11:12.999"),
        "Day": dt.date(2024, 3, 1),
        "Exact": decimal.Decimal("12.50"),
        "Whole": decimal.Decimal("4"),
        "Flag": np.bool_(True),
        "NaT": pd.NaT,
        "Lines": [{"Q": np.int16(1)}],
    }
    assert json.loads(dumps(body)) == {
        "Qty": 3,
        "Price": 2.5,
        "Missing": None,
        "NA": None,
        "When": "2024-03-01T10:11:12",
        "Day": "2024-03-01T00:00:00",
        "Exact": 12.5,
        "Whole": 4,
        "Flag": True,
        "NaT": None,
        "Lines": [{"Q": 1}],
    }


def test_aware_datetime_keeps_its_wall_clock() -> None:
    moment = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    assert to_jsonable(moment) == "2024-01-02T03:04:05"


def test_infinity_is_refused_not_sent() -> None:
    with pytest.raises(ValueError, match="Infinity"):
        dumps({"x": math.inf})


def test_unknown_objects_are_a_programming_error() -> None:
    with pytest.raises(TypeError, match="cannot send a object"):
        dumps({"x": object()})


@given(st.lists(st.floats(allow_infinity=False), max_size=20))
def test_no_nan_ever_reaches_the_wire(values: list[float]) -> None:
    text = dumps({"values": [np.float64(v) for v in values]})
    assert "NaN" not in text
    decoded = json.loads(text)["values"]
    assert [d is None for d in decoded] == [math.isnan(v) for v in values]


def test_a_half_imported_pandas_in_another_thread_is_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # While pyarrow imports pandas in a worker thread, sys.modules already
    # holds a pandas module without NA; a body built meanwhile must not fail.

    monkeypatch.setitem(sys.modules, "pandas", types.ModuleType("pandas"))
    monkeypatch.setitem(sys.modules, "numpy", types.ModuleType("numpy"))
    assert dumps({"Name": "A", "Qty": 2, "Price": 1.5, "When": None}) == (
        '{"Name": "A", "Qty": 2, "Price": 1.5, "When": null}'
    )
