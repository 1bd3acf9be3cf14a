"""Ship docs fill sales-order lines: link checks and filled quantities.

A ship doc line may carry ``LinkedInfo`` ``{TranType: 7, DocNo, LineNo}``
naming the sales-order line it fills. The linked order and line must exist,
belong to the ship doc's customer, be for the same item, and the quantity must
be positive and may not take the order line past its ordered quantity,
counting what other ship
docs (and earlier lines of this one) already filled. Filled quantities are
kept per ship doc in the store, so deleting or replacing a ship doc releases
its quantities.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from ot_etl.sandbox import messages as msg
from ot_etl.sandbox.refs import ref_id
from ot_etl.sandbox.rules import Problems
from ot_etl.sandbox.store import Store

SALES_ORDER = 7


def _num(value: float) -> str:
    return f"{value:g}"


def _link(line: Mapping[str, Any]) -> tuple[int, int] | None:
    link = line.get("LinkedInfo")
    if not isinstance(link, Mapping):
        return None
    doc_no, line_no = link.get("DocNo"), link.get("LineNo")
    if isinstance(doc_no, int) and isinstance(line_no, int):
        return doc_no, line_no
    return None


class ShipDocs:
    """Link rules and fill bookkeeping; call with the store's lock held."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def check(
        self,
        record: dict[str, Any],
        customer: int | None,
        existing_doc: int | None,
        problems: Problems,
    ) -> None:
        """Add a ValidationResult for each line whose link breaks a rule."""
        taken: dict[tuple[int, int], float] = defaultdict(float)
        for i, line in enumerate(record.get("LineItems") or [], start=1):
            where = f"LineItems[{i}]"
            raw = line.get("LinkedInfo")
            if raw is None:
                continue
            link = _link(line)
            tran_type = raw.get("TranType") if isinstance(raw, Mapping) else None
            if link is None or tran_type not in (None, SALES_ORDER):
                problems.add(
                    where + ".LinkedInfo", msg.LINK_REQUIRED.format(where=where)
                )
                continue
            error = self._check_line(line, link, where, customer, existing_doc, taken)
            if error is not None:
                problems.add(where + ".LinkedInfo", error, f"{link[0]}/{link[1]}")
        links = [k for line in record.get("LineItems") or [] if (k := _link(line))]
        if record.get("SONo") is None and links:
            record["SONo"] = links[0][0]

    def _check_line(
        self,
        line: Mapping[str, Any],
        link: tuple[int, int],
        where: str,
        customer: int | None,
        existing_doc: int | None,
        taken: dict[tuple[int, int], float],
    ) -> str | None:
        doc_no, line_no = link
        order = self._store.get(SALES_ORDER, doc_no)
        if order is None:
            return msg.LINK_NO_ORDER.format(where=where, doc_no=doc_no)
        ordered = next(
            (o for o in order.get("LineItems") or [] if o.get("LineNo") == line_no),
            None,
        )
        if ordered is None:
            return msg.LINK_NO_LINE.format(where=where, doc_no=doc_no, line_no=line_no)
        owner = ref_id(order.get("CustomerRef") or {})
        if customer is not None and owner != customer:
            return msg.LINK_OTHER_CUSTOMER.format(
                where=where, doc_no=doc_no, other=owner, customer=customer
            )
        item = line.get("ItemRef") or {}
        wanted = ordered.get("ItemRef") or {}
        if ref_id(item) is not None and ref_id(item) != ref_id(wanted):
            return msg.LINK_OTHER_ITEM.format(
                where=where,
                item=item.get("Name"),
                ordered=wanted.get("Name"),
                doc_no=doc_no,
                line_no=line_no,
            )
        quantity = float(line.get("Quantity") or 0)
        if quantity <= 0:
            # A negative fill would hand quantities back without a return.
            return msg.FILL_NOT_POSITIVE.format(
                where=where, quantity=_num(quantity), doc_no=doc_no, line_no=line_no
            )
        filled = self._store.filled(doc_no, line_no, existing_doc) + taken[link]
        open_qty = float(ordered.get("Quantity") or 0) - filled
        if quantity > open_qty + 1e-9:
            return msg.OVER_FILL.format(
                where=where,
                quantity=_num(quantity),
                open=_num(max(open_qty, 0.0)),
                doc_no=doc_no,
                line_no=line_no,
            )
        taken[link] += quantity
        return None

    def record_fills(self, ship_doc: int, record: Mapping[str, Any]) -> None:
        """Replace the fills this ship doc holds (call inside a write)."""
        fills = [
            (link[0], link[1], float(line.get("Quantity") or 0))
            for line in record.get("LineItems") or []
            if (link := _link(line)) is not None
        ]
        self._store.set_fills(ship_doc, fills)

    def filled(self, doc_no: int, line_no: int) -> float:
        """Quantity filled so far on a sales-order line, by every ship doc."""
        return self._store.filled(doc_no, line_no)
