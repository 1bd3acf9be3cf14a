"""Shared pieces of the fault suite: fault profiles, data, counting, the table.

Every scenario works against a real sandbox on 127.0.0.1 (in this process or
in a child process) and reads the sandbox back over HTTP with the faults
switched off, so "lost" and "duplicated" are what the server really holds.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ot_etl.client import Client

SEED = 20240607
"""One seed for the whole suite; each scenario derives its own from it."""

# Read timeout of the clients under test: slow answers sleep longer than this.
READ_TIMEOUT = 1.0
SLOW_SECONDS = 1.6


@dataclass
class Figures:
    """One line of the summary table."""

    scenario: str
    rows: int
    faults: int
    retries: int
    lost: int
    duplicated: int


def table(figures: Iterable[Figures]) -> list[str]:
    """The summary table as text lines (a Markdown table, readable as is)."""
    head = ("scenario", "rows", "faults injected", "retries", "lost", "duplicated")
    body = [
        (f.scenario, f.rows, f.faults, f.retries, f.lost, f.duplicated) for f in figures
    ]
    widths = [max(len(str(r[i])) for r in [head, *body]) for i in range(len(head))]

    def line(cells: tuple[Any, ...]) -> str:
        parts = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(parts) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return [line(head), rule, *(line(r) for r in body)]


# -- faults -------------------------------------------------------------------


def apply_profile(faults: Any, seed: int, *, commit_then_fail: float = 0.0) -> None:
    """The issue's fault mix: 10 % 500s, 5 % drops, a few answers too slow."""
    faults.seed = seed
    faults.error_rate = 0.10
    faults.drop_rate = 0.05
    faults.slow_rate = 0.03
    faults.slow_seconds = SLOW_SECONDS
    faults.retry_after = 0.1
    faults.commit_then_fail_rate = commit_then_fail


def quiet(faults: Any) -> None:
    """Every knob off, to read the sandbox back as it is."""
    for name in (
        "error_rate",
        "drop_rate",
        "throttle_rate",
        "slow_rate",
        "commit_then_fail_rate",
        "latency",
    ):
        setattr(faults, name, 0.0)


def settle(sandbox: Any, timeout: float = 10.0) -> None:
    """Wait until the sandbox has no request in flight.

    A request whose client gave up (read timeout) may still be saving a
    record; re-running before it is done is the one race no loader can see
    through without an idempotency key in the API (docs/guarantees.md).
    """
    deadline = time.monotonic() + timeout
    while sandbox.stats.in_flight and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not sandbox.stats.in_flight, "the sandbox is still busy"


def injected(stats: dict[str, Any]) -> int:
    """Faults a sandbox injected, from ``sandbox.stats.snapshot()``."""
    names = ("errors", "drops", "throttles", "slow", "commit_then_fail")
    return sum(int(stats.get(n, 0)) for n in names)


@contextmanager
def throttle_bursts(faults: Any, seed: int) -> Iterator[list[int]]:
    """Bursts of 429 (with Retry-After) at seeded moments while the block runs.

    Every 0.4 to 1.2 s, for 0.15 to 0.3 s, 90 % of requests are answered 429.
    Yields a one-element list holding the number of bursts so far.
    """
    rng = random.Random(seed)
    stop = threading.Event()
    bursts = [0]

    def run() -> None:
        while not stop.wait(rng.uniform(0.4, 1.2)):
            bursts[0] += 1
            faults.throttle_rate = 0.9
            stop.wait(rng.uniform(0.15, 0.3))
            faults.throttle_rate = 0.0

    thread = threading.Thread(target=run, name="bursts", daemon=True)
    thread.start()
    try:
        yield bursts
    finally:
        stop.set()
        thread.join()
        faults.throttle_rate = 0.0


def fault_client(kwargs: dict[str, Any]) -> Client:
    """A client with the product's retry policy and a short read timeout."""
    return Client(**kwargs, timeout=(5.0, READ_TIMEOUT))


def child_env(sandbox: Any) -> dict[str, str]:
    """Environment for a child ``ot-etl`` talking to a sandbox."""
    return {**os.environ, **sandbox.environment()}


# -- data ---------------------------------------------------------------------

CUSTOMER_MAPPING = """\
record_type: customer
mode: create
match:
  fields: [Name]
schema:
  columns:
    Name: {dtype: str, nullable: false}
    City: {dtype: str, nullable: true}
    Limit: {dtype: float64, nullable: true, checks: {ge: 0}}
fields:
  Name: Name
  BillAddress.City: City
  CreditLimit: Limit
"""

ORDER_MAPPING = """\
record_type: salesorder
mode: create
match:
  fields: [CustomerPO]
schema:
  columns:
    Order: {dtype: str, nullable: false}
    Customer: {dtype: str, nullable: false}
    Item: {dtype: str, nullable: false}
    Qty: {dtype: float64, nullable: false, checks: {gt: 0}}
    Date: {dtype: datetime64, nullable: false}
fields:
  CustomerPO: Order
  CustomerRef.Name: Customer
  Date: {column: Date, format: "%Y-%m-%d"}
  PromiseDate: {column: Date, format: "%Y-%m-%d"}
documents:
  group_by: [Order]
  lines:
    ItemRef.Name: Item
    Quantity: Qty
    Price: Qty
"""

ORDER_CUSTOMERS = ("Acme", "Bolt & Co", "Cobalt Ltd")
ORDER_ITEMS = ("Widget", "Gadget", "Sprocket")


def customer_rows(n: int, bad_every: int = 0) -> list[str]:
    """CSV lines of ``n`` customers; every ``bad_every``-th has a negative limit."""
    rows = []
    for i in range(n):
        limit = -1 if bad_every and i % bad_every == bad_every - 1 else i * 10
        rows.append(f"Customer {i:04d},{('Boston', 'Lyon')[i % 2]},{limit}\n")
    return rows


def write_customers(folder: Path, n: int, bad_every: int = 0) -> tuple[Path, Path]:
    """(CSV, mapping) of ``n`` customer rows."""
    csv = folder / "customers.csv"
    csv.write_text("Name,City,Limit\n" + "".join(customer_rows(n, bad_every)))
    mapping = folder / "customers.yaml"
    mapping.write_text(CUSTOMER_MAPPING)
    return csv, mapping


def order_lines(orders: int, seed: int) -> list[tuple[str, str, str, int]]:
    """(order, customer, item, qty) rows: 1 to 4 lines per order, seeded."""
    rng = random.Random(seed)
    out = []
    for n in range(orders):
        customer = rng.choice(ORDER_CUSTOMERS)
        for _ in range(rng.randint(1, 4)):
            out.append((f"PO-{n:04d}", customer, rng.choice(ORDER_ITEMS), 1 + n % 7))
    return out


def write_orders(
    folder: Path, orders: int, seed: int
) -> tuple[Path, Path, list[tuple[str, str, str, int]]]:
    """(CSV, mapping, rows) of ``orders`` sales orders, one CSV row per line."""
    lines = order_lines(orders, seed)
    text = "Order,Customer,Item,Qty,Date\n" + "".join(
        f"{o},{c},{i},{q},2024-03-{1 + q:02d}\n" for o, c, i, q in lines
    )
    csv = folder / "orders.csv"
    csv.write_text(text)
    mapping = folder / "orders.yaml"
    mapping.write_text(ORDER_MAPPING)
    return csv, mapping, lines


def setup_orders(client: Client) -> None:
    """The customers and items the order rows name (created over HTTP)."""
    for name in ORDER_CUSTOMERS:
        client.create("customer", {"Name": name})
    for name in ORDER_ITEMS:
        client.create("partitem", {"Name": name, "ItemGroupRef": {"Name": "General"}})


# -- reading the sandbox back ---------------------------------------------------


def all_records(
    client: Client, record_type: str, lines: bool = False
) -> list[dict[str, Any]]:
    """Every record of a type, page by page (1000 a page)."""
    out: list[dict[str, Any]] = []
    page = 1
    while True:
        rows = client.list_page(
            record_type, page=page, size=1000, include_line_items=lines
        )
        out += rows
        if len(rows) < 1000:
            return out
        page += 1


def lost_and_duplicated(
    expected: Iterable[str], found: Iterable[str]
) -> tuple[int, int]:
    """(expected keys missing, extra copies of keys) between two key lists."""
    counts = Counter(found)
    wanted = set(expected)
    lost = sum(1 for k in wanted if counts[k] == 0)
    duplicated = sum(n - 1 for n in counts.values() if n > 1)
    return lost, duplicated


def order_shapes(records: list[dict[str, Any]]) -> dict[str, list[tuple[str, float]]]:
    """CustomerPO -> [(item, quantity), ...] of the stored orders."""
    return {
        r["CustomerPO"]: [
            (line["ItemRef"]["Name"], float(line["Quantity"]))
            for line in r["LineItems"]
        ]
        for r in records
    }


def expected_shapes(
    rows: list[tuple[str, str, str, int]],
) -> dict[str, list[tuple[str, float]]]:
    out: dict[str, list[tuple[str, float]]] = {}
    for order, _, item, qty in rows:
        out.setdefault(order, []).append((item, float(qty)))
    return out


def check_accounting(result: Any) -> dict[str, int]:
    """Assert loaded + rejected + failed = rows read; return rows per outcome.

    Checked twice: per source row (the outcomes table, every row settled) and
    per record (the summary's counts add up to the records built).
    """
    outcomes = Counter(str(o) for o in result.outcomes["outcome"])
    settled = {"created", "updated", "unchanged", "skipped", "rejected", "failed"}
    assert set(outcomes) <= settled, f"unsettled rows: {outcomes}"
    assert sum(outcomes.values()) == result.summary.rows_read
    s = result.summary
    loaded = s.created + s.updated + s.unchanged + s.skipped
    rejected = s.invalid_records + s.duplicates + s.unresolved + s.rejected
    rejected += getattr(s, "unfilled", 0)  # ship-doc fill mappings only
    assert loaded + rejected + s.failed == s.records, result.counts
    return dict(outcomes)
