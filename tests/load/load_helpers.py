"""Shared bits of the load tests: mappings, CSV writing, sandbox counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

CUSTOMERS = """\
record_type: customer
mode: {mode}
match:
  fields: [Name]
schema:
  columns:
    Name: {{dtype: str, nullable: false}}
    City: {{dtype: str, nullable: true}}
    Limit: {{dtype: float64, nullable: true, checks: {{ge: 0}}}}
    Rep: {{dtype: str, nullable: true}}
    Terms: {{dtype: str, nullable: true}}
fields:
  Name: Name
  BillAddress.City: City
  CreditLimit: Limit
  SalesRepRef.Name: Rep
  TermRef.Id: Terms
"""

HEADER = "Name,City,Limit,Rep,Terms\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def customer_mapping(folder: Path, mode: str = "create") -> Path:
    return write(folder / f"customers_{mode}.yaml", CUSTOMERS.format(mode=mode))


def customer_csv(folder: Path, n: int, name: str = "customers.csv") -> Path:
    rows = [
        f"Customer {i:03d},{('Boston', 'Lyon')[i % 2]},{i * 10},Jane Seller,\n"
        for i in range(n)
    ]
    return write(folder / name, HEADER + "".join(rows))


def customers(client: Any) -> dict[str, dict[str, Any]]:
    """Every customer in the sandbox by name (fails on a duplicate name)."""
    out: dict[str, dict[str, Any]] = {}
    page = 1
    while True:
        rows = client.list_page("customer", page=page, size=1000)
        for row in rows:
            assert row["Name"] not in out, f"duplicate customer {row['Name']}"
            out[row["Name"]] = row
        if len(rows) < 1000:
            return out
        page += 1
