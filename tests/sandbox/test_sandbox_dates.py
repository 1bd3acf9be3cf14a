"""DateMacroEnum ranges and date parsing, with a frozen 'now' (a Wednesday)."""

from __future__ import annotations

from datetime import datetime

import pytest

from ot_etl.sandbox.dates import custom_range, macro_range, parse_datetime

NOW = datetime(2026, 3, 18, 12, 0)


def d(y: int, m: int, day: int) -> datetime:
    return datetime(y, m, day)


EXPECTED = {
    1: (d(2026, 3, 18), d(2026, 3, 19)),
    2: (d(2026, 3, 16), d(2026, 3, 23)),
    3: (d(2026, 3, 16), d(2026, 3, 19)),
    4: (d(2026, 3, 1), d(2026, 4, 1)),
    5: (d(2026, 3, 1), d(2026, 3, 19)),
    6: (d(2026, 1, 1), d(2026, 4, 1)),
    7: (d(2026, 1, 1), d(2026, 3, 19)),
    8: (d(2026, 1, 1), d(2027, 1, 1)),
    9: (d(2026, 1, 1), d(2026, 3, 19)),
    10: (d(2026, 3, 17), d(2026, 3, 18)),
    11: (d(2026, 3, 9), d(2026, 3, 16)),
    12: (d(2026, 3, 9), d(2026, 3, 12)),
    13: (d(2026, 2, 1), d(2026, 3, 1)),
    14: (d(2026, 2, 1), d(2026, 2, 19)),
    15: (d(2025, 10, 1), d(2026, 1, 1)),
    16: (d(2025, 10, 1), d(2025, 12, 19)),
    17: (d(2025, 1, 1), d(2026, 1, 1)),
    18: (d(2025, 1, 1), d(2025, 3, 19)),
    19: (d(2026, 3, 23), d(2026, 3, 30)),
    20: (d(2026, 3, 23), d(2026, 4, 20)),
    21: (d(2026, 4, 1), d(2026, 5, 1)),
    22: (d(2026, 4, 1), d(2026, 7, 1)),
    23: (d(2027, 1, 1), d(2028, 1, 1)),
    24: (d(2025, 3, 19), d(2026, 3, 19)),
}


@pytest.mark.parametrize("macro", sorted(EXPECTED))
def test_macro_ranges(macro: int) -> None:
    assert macro_range(macro, NOW) == EXPECTED[macro]


def test_last_month_to_date_clamps_to_month_end() -> None:
    assert macro_range(14, datetime(2026, 3, 31, 8)) == (d(2026, 2, 1), d(2026, 3, 1))


def test_custom_range_sides_and_inclusivity() -> None:
    assert custom_range("2024-01-01,2024-01-31") == (d(2024, 1, 1), d(2024, 2, 1))
    assert custom_range("2024-01-01,") == (d(2024, 1, 1), None)
    assert custom_range(",2024-01-31") == (None, d(2024, 2, 1))
    assert custom_range("2024-01-01") == (d(2024, 1, 1), None)
    assert custom_range("soon,") is None


def test_parse_datetime_forms() -> None:
    assert parse_datetime("2024-05-01") == d(2024, 5, 1)
    assert parse_datetime("2024-05-01T10:00:00Z") == datetime(2024, 5, 1, 10)
    assert parse_datetime("2024-05-01T12:00:00+02:00") == datetime(2024, 5, 1, 10)
    assert parse_datetime("2020-12-08T22:13:42.8181534Z") == datetime(
        2020, 12, 8, 22, 13, 42, 818153
    )
    assert parse_datetime("yesterday") is None
