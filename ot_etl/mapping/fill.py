"""The ``fill:`` section of a mapping: ship docs that fill sales-order lines.

```yaml
record_type: shipdoc
fill:
  order: order_no      # the source column naming the sales order of each row
  by: DocNo            # what it holds: DocNo (default) or CustomerPO
```

The loader, not the file, links each row to the order line it fills, and
takes the ship doc's customer and each line's price from the order. So a fill
mapping must not map ``CustomerRef`` or ``LinkedInfo``, and its lines must
give the item and the quantity shipped.
"""

from __future__ import annotations

from typing import Any

from ot_etl.catalog import RecordType
from ot_etl.mapping.model import DocumentSpec, FieldMap, FillSpec
from ot_etl.mapping.problems import Problems

SHIP_DOC = 4
FILL_KEYS = ("order", "by")
ORDER_FIELDS = ("DocNo", "CustomerPO")


def fill_spec(
    raw: Any,
    rt: RecordType | None,
    mode: str,
    fields: list[FieldMap],
    documents: DocumentSpec | None,
    ctx: Problems,
) -> FillSpec | None:
    """The parsed ``fill`` section, or None; problems go to ``ctx``."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        ctx.add("fill", "expected {order: COLUMN, by: DocNo}")
        return None
    ctx.keys(raw, "fill", FILL_KEYS)
    if rt is not None and rt.number != SHIP_DOC:
        ctx.add("fill", f"fill is for ship docs (record_type: shipdoc), not {rt.name}")
    if mode != "create":
        ctx.add("mode", "a fill mapping creates ship docs: use mode create")
    if documents is None:
        ctx.add("documents", "a fill mapping needs documents: group_by and lines")
    order = raw.get("order")
    if not isinstance(order, str) or not order:
        ctx.add("fill.order", "expected the column naming each row's sales order")
        order = ""
    by = raw.get("by", "DocNo")
    if by not in ORDER_FIELDS:
        ctx.add("fill.by", f"expected DocNo or CustomerPO, got {by!r}")
        by = "DocNo"
    for fm in fields:
        if fm.json_path[0] == "CustomerRef":
            ctx.add(fm.yaml_path, "the customer comes from the filled order; remove it")
    lines = documents.lines if documents is not None else ()
    for fm in lines:
        if fm.json_path[0] in ("LinkedInfo", "TranType", "DocNo"):
            ctx.add(fm.yaml_path, "the loader links each line to its order line")
    mapped = {fm.json_path[0] for fm in lines}
    for need in ("ItemRef", "Quantity"):
        if documents is not None and need not in mapped:
            ctx.add("documents.lines", f"a fill mapping's lines must map {need}")
    return FillSpec(order, by)
