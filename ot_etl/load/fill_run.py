"""Fill mappings inside a load: read the orders, allocate, rewrite the ship docs.

Two steps of :func:`ot_etl.load.run.run_load` call this module when the
mapping has a ``fill`` section:

1. :func:`without_item_lookups`, before names are resolved: the lines' items
   are found among the order's own lines, so the item catalog is never
   fetched, and a wrong SKU is "not on the order" rather than a failed name
   lookup;
2. :func:`fill_items`, once the plan knows which ship docs exist already:
   fetches the orders the file names (``/list`` with an ``In`` filter on
   DocNo or CustomerPO, lines included) and the ship docs that fill them
   (filtered on ``SONo``), allocates every shipment in file order
   (:class:`~ot_etl.load.fill.Allocator`) and either rewrites the ship doc's
   payload (customer, linked lines, prices) or rejects it at stage ``fill``.

The :class:`FillPlan` it returns is what a dry run shows: per shipment, the
order lines it fills and what stays open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ot_etl.catalog import resolve
from ot_etl.client import Filter, FilterOp
from ot_etl.load.fill import SALES_ORDER, Allocator, LineKey, Order, Shipment, Wanted
from ot_etl.load.fill import num as _num
from ot_etl.load.items import LoadItem
from ot_etl.load.lookup import all_pages
from ot_etl.mapping import FillSpec
from ot_etl.mapping import Mapping as LoadMapping

log = logging.getLogger(__name__)

CHUNK = 200
SHIP_DOC = 4
FILL_COLUMNS = ["shipment", "row", "order", "line", "item", "quantity", "open_after"]


@dataclass
class FillPlan:
    """Per shipment: the order lines filled (a table) and a line of text."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=FILL_COLUMNS)


def without_item_lookups(items: Iterable[LoadItem]) -> None:
    """Drop the lines' ItemRef name lookups: the order's lines answer them."""
    for item in items:
        item.refs = [
            r
            for r in item.refs
            if not (r.path[:1] == ("LineItems",) and r.path[-1:] == ("ItemRef",))
        ]


def fill_items(
    client: Any,
    mapping: LoadMapping,
    source: Any,
    items: Sequence[LoadItem],
    exists: Mapping[tuple[Any, ...], Any],
    workers: int = 4,
    explain: Callable[[str], str] | None = None,
) -> FillPlan:
    """Link each still-open ship doc to the order lines it fills, or reject it.

    Items already loaded, rejected, or whose match key exists in Order Time
    (``exists``) are left for the plan; the others are allocated in file
    order. ``explain`` says why an order is unknown (an earlier load's rejects
    file holds its number) and is added to that reject's reason.
    """
    spec = mapping.fill
    assert spec is not None
    todo = [i for i in items if i.action == "create" and not exists.get(i.match_key)]
    wants = {i.position: _wants(i, source, spec) for i in todo}
    keys = {w.order_key for ws in wants.values() for w in ws}
    orders = fetch_orders(client, keys, spec.order_field, workers)
    doc_nos = {o.doc_no for found in orders.values() for o in found}
    allocator = Allocator(
        orders,
        fetch_filled(client, doc_nos, workers),
        spec.order_field,
        explain,
    )
    plan = FillPlan()
    groups = list(mapping.documents.group_by) if mapping.documents else []
    for item in todo:
        shipment = allocator.ship(wants[item.position])
        label = " / ".join(
            str(source.raw[c].iloc[item.rows[0]]).strip() for c in groups
        )
        _apply(item, shipment, source.row_numbers)
        _describe(plan, label, item, shipment, source.row_numbers)
    log.info(
        "fill plan: %d shipment(s), %d fill(s) across %d order(s)",
        len(todo),
        len(plan.rows),
        len(doc_nos),
    )
    return plan


def _wants(item: LoadItem, source: Any, spec: FillSpec) -> list[Wanted]:
    lines = item.payload.get("LineItems") or []
    if item.action == "reject" or len(lines) != len(item.rows):
        return []
    out = []
    for pos, line in zip(item.rows, lines, strict=True):
        ref = line.get("ItemRef") or {}
        by_id = ref.get("Name") is None and ref.get("Id") is not None
        cell = source.raw[spec.order].iloc[pos]
        out.append(
            Wanted(
                position=pos,
                order_key=_order_key(cell, spec.order_field),
                item=str(ref.get("Id") if by_id else ref.get("Name") or ""),
                quantity=float(line.get("Quantity") or 0),
                line={k: v for k, v in line.items() if k != "ItemRef"},
                item_is_id=by_id,
            )
        )
    return out


def _order_key(cell: Any, order_field: str) -> str:
    text = "" if cell is None or pd.isna(cell) else str(cell).strip()
    if order_field == "DocNo":
        try:
            number = float(text)
        except ValueError:
            return text
        if number.is_integer():
            return str(int(number))
    return text


def _apply(item: LoadItem, shipment: Shipment, row_numbers: Sequence[int]) -> None:
    if not shipment.ok:
        # The item's reasons name the rows at fault; each row keeps its own.
        texts = [
            f"row {row_numbers[pos]}: " + "; ".join(shipment.reasons[pos])
            for pos in item.rows
            if not shipment.reasons[pos][0].startswith("not loaded:")
        ]
        item.reject("fill", texts)
        item.row_reasons = dict(shipment.reasons)
        return
    assert shipment.customer is not None
    item.payload["CustomerRef"] = {"Id": shipment.customer.get("Id")}
    item.payload["LineItems"] = shipment.lines


def _describe(
    plan: FillPlan,
    label: str,
    item: LoadItem,
    shipment: Shipment,
    row_numbers: Sequence[int],
) -> None:
    if not shipment.ok:
        plan.text.append(f"{label}: not fillable: " + "; ".join(item.reasons))
        return
    parts = []
    for f in shipment.fills:
        plan.rows.append(
            {
                "shipment": label,
                "row": int(row_numbers[f.position]),
                "order": f.doc_no,
                "line": f.line_no,
                "item": f.item,
                "quantity": f.quantity,
                "open_after": f.open_after,
            }
        )
        parts.append(
            f"SO {f.doc_no} line {f.line_no} {f.item} {_num(f.quantity)} "
            f"(open {_num(f.open_after)})"
        )
    still = (
        ", ".join(
            f"SO {doc} line {line} {name} {_num(q)}"
            for doc, line, name, q in shipment.still_open
        )
        or "nothing"
    )
    plan.text.append(f"{label}: fills {'; '.join(parts)}; stays open: {still}")


# -- reading orders and fills ------------------------------------------------


def fetch_orders(
    client: Any, keys: Iterable[str], order_field: str, workers: int = 4
) -> dict[str, list[Order]]:
    """The sales orders named by ``keys`` (DocNo or CustomerPO), by key.

    CustomerPO keys match case-insensitively (as the service compares text);
    a DocNo key that is not a whole number matches nothing.
    """
    wanted = sorted({k for k in keys if k})
    if order_field == "DocNo":
        values: list[Any] = [int(k) for k in wanted if k.lstrip("-").isdigit()]
    else:
        values = [k for k in wanted if "," not in k]
    filters = [
        [Filter(order_field, FilterOp.IN, values[i : i + CHUNK])]
        for i in range(0, len(values), CHUNK)
    ]
    # A comma would split an In list: such POs are asked for one by one.
    filters += [
        [Filter(order_field, FilterOp.EQUAL, k)]
        for k in wanted
        if order_field != "DocNo" and "," in k
    ]
    records = _fetch(client, SALES_ORDER, filters, workers)
    folded = {k.casefold(): k for k in wanted}
    out: dict[str, list[Order]] = {}
    for record in records:
        value = record.get(order_field)
        key = folded.get(str(value).strip().casefold()) if value is not None else None
        if key is not None:
            out.setdefault(key, []).append(Order.from_record(record))
    log.info("found %d of %d sales order(s) named", len(out), len(wanted))
    return out


def fetch_filled(
    client: Any, doc_nos: Iterable[int], workers: int = 4
) -> dict[LineKey, float]:
    """Quantities existing ship docs fill on the lines of these sales orders."""
    wanted = sorted(set(doc_nos))
    filters = [
        [Filter("SONo", FilterOp.IN, wanted[i : i + CHUNK])]
        for i in range(0, len(wanted), CHUNK)
    ]
    filled: dict[LineKey, float] = {}
    for doc in _fetch(client, SHIP_DOC, filters, workers):
        for line in doc.get("LineItems") or []:
            link = line.get("LinkedInfo") or {}
            if link.get("TranType") not in (None, SALES_ORDER):
                continue
            doc_no, line_no = link.get("DocNo"), link.get("LineNo")
            if isinstance(doc_no, int) and isinstance(line_no, int):
                key = (doc_no, line_no)
                filled[key] = filled.get(key, 0.0) + float(line.get("Quantity") or 0)
    return filled


def _fetch(
    client: Any, record_type: int, filter_sets: list[list[Filter]], workers: int
) -> list[dict[str, Any]]:
    if not filter_sets:
        return []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        rt = resolve(record_type)
        pages = pool.map(lambda f: all_pages(client, rt, f, True), filter_sets)
        return [r for page in pages for r in page]
