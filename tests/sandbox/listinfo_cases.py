"""The table of filter cases both the pure engine and the HTTP tests run.

Five customers, and per filter the Ids it selects. Term Ids and names are those
of a fresh sandbox (Net 30 is 1, Net 15 is 2), so the table holds over HTTP too.
"""

from __future__ import annotations

from typing import Any


def customer(
    key: int,
    name: str,
    limit: float | None,
    active: bool,
    city: str | None,
    modified: str,
) -> tuple[int, dict[str, Any]]:
    return key, {
        "Id": key,
        "Name": name,
        "CreditLimit": limit,
        "IsActive": active,
        "BillAddress": {"City": city} if city else None,
        "TermRef": {"Id": key % 2 + 1, "Name": "Net 15" if key % 2 else "Net 30"},
        "RecordInfo": {"CreatedDate": modified, "ModifiedDate": modified},
    }


RECORDS = [
    customer(1, "Alfreds Futterkiste", 500.0, True, "Berlin", "2024-01-05T10:00:00"),
    customer(2, "Ana Trujillo", 1500.0, False, "México D.F.", "2024-02-01T00:00:00"),
    customer(3, "Antonio Moreno", None, True, None, "2024-02-15T08:30:00.5"),
    customer(4, "Around the Horn", 250.5, True, "London", "2024-03-01T23:59:59"),
    customer(5, "Berglunds snabbköp", 500.0, False, "Luleå", "2024-03-02T00:00:00"),
]


def f(prop: str, op: int | None, value: Any = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"PropertyName": prop, **extra}
    if op is not None:
        out["Operator"] = op
    if value is not None:
        out["FilterValueArray"] = value
    return out


OPERATOR_CASES: list[tuple[dict[str, Any], list[int]]] = [
    (f("Name", 1, "ana trujillo"), [2]),
    (f("Name", None, "Ana Trujillo"), [2]),  # Operator defaults to EqualTo
    (f("CreditLimit", 1, 500), [1, 5]),
    (f("CreditLimit", 1, "500.00"), [1, 5]),
    (f("CreditLimit", 2, "500"), [2]),
    (f("CreditLimit", 3, 500), [4]),
    (f("CreditLimit", 4, 500), [1, 2, 5]),
    (f("CreditLimit", 5, 500), [1, 4, 5]),
    (f("CreditLimit", 6, 500), [2, 4]),
    (f("Id", 8, "1, 3,5"), [1, 3, 5]),
    (f("Id", 9, "1,3,5"), [2, 4]),
    (f("Name", 8, "ANA TRUJILLO,Around the Horn"), [2, 4]),
    (f("BillAddress.City", 10), [3]),
    (f("BillAddress.City", 11), [1, 2, 4, 5]),
    (f("CreditLimit", 10), [3]),
    (f("Name", 12, "an"), [2, 3]),
    (f("Name", 12, "A%o"), [2, 3, 4]),
    (f("Name", 13, "an"), [1, 4, 5]),
    (f("IsActive", 1, True), [1, 3, 4]),
    (f("IsActive", 1, "1"), [1, 3, 4]),
    (f("IsActive", 1, "false"), [2, 5]),
    (f("IsActive", 1, 0), [2, 5]),
    (f("TermRef.Name", 1, "net 15"), [1, 3, 5]),
    (f("termref.id", 1, 2), [1, 3, 5]),
    (f("RecordInfo.ModifiedDate", 4, "2024-02-15"), [3, 4, 5]),
    (f("RecordInfo.ModifiedDate", 2, "2024-02-15T08:30:00.5Z"), [4, 5]),
    (f("RecordInfo.ModifiedDate", 3, "2024-02-01T00:00:00"), [1]),
    (
        f(
            "RecordInfo.ModifiedDate",
            None,
            None,
            DateMacro=25,
            FilterValueArray="2024-02-01,2024-03-01",
        ),
        [2, 3, 4],
    ),
    (f("RecordInfo.ModifiedDate", None, None, DateMacro=0), [1, 2, 3, 4, 5]),
]
