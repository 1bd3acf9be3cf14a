"""Deterministic generated data written straight to a sandbox store, in bulk.

``seed(db_path, customers=.., items=.., orders=..)`` appends that many
customers (each with its "Primary" address), part items and sales orders
(1 to 5 lines each) to the store; the same arguments on an empty store give
byte-identical records. Names carry the record's key, so seeding twice never
breaks name uniqueness. Records have every catalog field (null when unset),
as the server writes them.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ot_etl.catalog import Field, object_fields, resolve
from ot_etl.sandbox.dates import format_ts
from ot_etl.sandbox.defaults import initialise
from ot_etl.sandbox.records import Records
from ot_etl.sandbox.store import Store

logger = logging.getLogger(__name__)

# Fixed, so the data does not depend on when it was generated.
_EPOCH = datetime(2024, 1, 1)  # noqa: DTZ001 - naive UTC by design
_WORDS = [
    "Alpine",
    "Harbor",
    "Summit",
    "Cedar",
    "Maple",
    "Granite",
    "Silver",
    "Northern",
    "Coastal",
    "Prairie",
    "Golden",
    "River",
    "Valley",
    "Pioneer",
    "Liberty",
    "Evergreen",
    "Atlas",
    "Beacon",
    "Crescent",
    "Delta",
]
_KINDS = [
    "Traders",
    "Supply",
    "Goods",
    "Outfitters",
    "Market",
    "Imports",
    "Works",
    "Depot",
    "Partners",
]
_CITIES = (
    ("Seattle", "WA"),
    ("Portland", "OR"),
    ("Denver", "CO"),
    ("Austin", "TX"),
    ("Boston", "MA"),
    ("Chicago", "IL"),
    ("Atlanta", "GA"),
    ("Phoenix", "AZ"),
)
_PRODUCTS = [
    "Widget",
    "Gadget",
    "Bracket",
    "Valve",
    "Sensor",
    "Cable",
    "Panel",
    "Filter",
    "Gear",
    "Pump",
]
_TYPE_TAG = "AOLib7.SalesOrderLineItem, AOLib7"


@dataclass(frozen=True)
class SeedResult:
    customers: int
    addresses: int
    items: int
    orders: int
    lines: int
    seconds: float


def _template(fields: tuple[Field, ...]) -> dict[str, Any]:
    return {f.name: [] if f.type in ("Array", "CustomFields") else None for f in fields}


def _stamp(minutes: float) -> dict[str, str]:
    created = _EPOCH + timedelta(minutes=minutes)
    modified = created + timedelta(minutes=(minutes * 7) % 5000)
    return {"CreatedDate": format_ts(created), "ModifiedDate": format_ts(modified)}


class _Seeder:
    def __init__(self, store: Store, rng: random.Random) -> None:
        self.store = store
        self.rng = rng
        self.customer = _template(resolve(120).fields)
        self.address = _template(object_fields("Address"))
        self.ship_to = _template(resolve(121).fields)
        self.item = _template(resolve(101).fields)
        self.order = _template(resolve(7).fields)
        self.line = {"$type": _TYPE_TAG, **_template(resolve(7).line_fields)}
        self.made_customers: list[tuple[int, str, int]] = []
        self.made_items: list[tuple[int, str, float]] = []

    def _start(self, counter: str, rtype: int) -> int:
        keys = self.store.keys(rtype)
        with self.store.write():
            return self.store.next_value(counter, keys[-1] if keys else 0)

    def customers(
        self, n: int
    ) -> Iterator[tuple[int, int, dict[str, Any], str, int | None]]:
        first = self._start("key:120", 120)
        first_addr = self._start("key:121", 121)
        rng = self.rng
        for i in range(n):
            key, addr_key = first + i, first_addr + i
            name = f"{rng.choice(_WORDS)} {rng.choice(_KINDS)} {key}"
            city, state = rng.choice(_CITIES)
            bill = dict(self.address)
            bill.update(
                Addr1=name[:50],
                Addr2=f"{rng.randint(1, 9999)} {rng.choice(_WORDS)} St",
                City=city,
                State=state,
                Zip=f"{rng.randint(10000, 99999)}",
                Country="USA",
            )
            info = _stamp(i * 3.0)
            rec = dict(self.customer)
            rec.update(
                Id=key,
                Name=name,
                CompanyName=name[:50],
                IsActive=rng.random() > 0.1,
                CreditLimit=float(rng.randrange(0, 50000, 500)),
                BillAddress=bill,
                RecordInfo=info,
            )
            self.made_customers.append((key, name, addr_key))
            yield 120, key, rec, name, None
            ship = dict(self.ship_to)
            ship.update({k: v for k, v in bill.items() if k in ship and k != "Name"})
            ship.update(
                Id=addr_key,
                CustomerRef={"Id": key, "Name": name},
                Name="Primary",
                IsActive=True,
                IsPrimary=True,
                RecordInfo=info,
            )
            yield 121, addr_key, ship, "Primary", key

    def items(
        self, n: int, group: dict[str, Any]
    ) -> Iterator[tuple[int, int, dict[str, Any], str, None]]:
        first = self._start("key:100", 115)
        rng = self.rng
        for i in range(n):
            key = first + i
            name = f"{rng.choice(_PRODUCTS)} {key:06d}"
            price = round(rng.uniform(1, 500), 2)
            rec = dict(self.item)
            rec.update(
                Id=key,
                Name=name,
                Description=f"{rng.choice(_WORDS)} {name}",
                ItemGroupRef=group,
                Price=price,
                StdCost=round(price * 0.6, 2),
                IsActive=True,
                RecordInfo=_stamp(i * 5.0),
            )
            self.made_items.append((key, name, price))
            yield 101, key, rec, name, None

    def orders(
        self,
        n: int,
        customers: list[tuple[int, str, int]],
        items: list[tuple[int, str, float]],
    ) -> Iterator[tuple[int, int, dict[str, Any], None, None]]:
        first = self._start("key:7", 7)
        line_id = self._start("line:7", 0)
        rng = self.rng
        for i in range(n):
            key = first + i
            cust_id, cust_name, addr_id = rng.choice(customers)
            day = _EPOCH + timedelta(days=rng.randrange(0, 700))
            lines = []
            for no in range(1, rng.randint(1, 5) + 1):
                item_id, item_name, price = rng.choice(items)
                line = dict(self.line)
                line.update(
                    Id=line_id,
                    LineNo=no,
                    ItemRef={"Id": item_id, "Name": item_name},
                    Price=price,
                    Quantity=float(rng.randint(1, 40)),
                )
                line_id += 1
                lines.append(line)
            rec = dict(self.order)
            rec.update(
                CustomerRef={"Id": cust_id, "Name": cust_name},
                ShipToRef={"Id": addr_id, "Name": "Primary"},
                DocNo=key,
                Date=day.strftime("%Y-%m-%dT%H:%M:%S"),
                PromiseDate=(day + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M:%S"),
                LineItems=lines,
                RecordInfo=_stamp(i * 2.0),
            )
            yield 7, key, rec, None, None
        with self.store.write():
            self.store.raise_counter("line:7", line_id - 1)


def seed(
    db_path: str | Path,
    customers: int = 0,
    items: int = 0,
    orders: int = 0,
    seed: int = 1,
) -> SeedResult:
    """Append generated records to the store at ``db_path`` (created if new)."""
    started = time.perf_counter()
    store = Store(db_path)
    try:
        # The company setup is stamped with the fixed epoch too: same file, same bytes.
        records = Records(store, lambda: _EPOCH)
        initialise(records)
        seeder = _Seeder(store, random.Random(seed))
        store.bulk(seeder.customers(customers))
        group_key = store.find_name((180,), "General")
        group = {"Id": group_key[0][1], "Name": "General"} if group_key else None
        store.bulk(seeder.items(items, group or {}))
        line_count = 0
        if orders:
            pool_c = seeder.made_customers or _customer_pool(store)
            pool_i = seeder.made_items or _item_pool(store)
            if not pool_c or not pool_i:
                raise ValueError("seeding orders needs customers and items")
            made = list(seeder.orders(orders, pool_c, pool_i))
            line_count = sum(len(r[2]["LineItems"]) for r in made)
            store.bulk(made)
        _raise_counters(store)
        return SeedResult(
            customers=customers,
            addresses=customers,
            items=items,
            orders=orders,
            lines=line_count,
            seconds=time.perf_counter() - started,
        )
    finally:
        store.close()


def _customer_pool(store: Store) -> list[tuple[int, str, int]]:
    primary: dict[int, int] = {}
    for key, rec in store.records(121):
        owner = (rec.get("CustomerRef") or {}).get("Id")
        if rec.get("IsPrimary") and owner is not None:
            primary.setdefault(owner, key)
    return [
        (key, rec["Name"], primary[key])
        for key, rec in store.records(120)
        if key in primary
    ]


def _item_pool(store: Store) -> list[tuple[int, str, float]]:
    return [
        (key, rec["Name"], float(rec.get("Price") or 0))
        for key, rec in store.records(115)
    ]


def _raise_counters(store: Store) -> None:
    with store.write():
        for counter, rtype in (
            ("key:120", 120),
            ("key:121", 121),
            ("key:100", 115),
            ("key:7", 7),
        ):
            keys = store.keys(rtype)
            if keys:
                store.raise_counter(counter, keys[-1])
