"""Reconcile a migration: source rows vs records on the server vs rows exported.

Per record type: the records the source held (loaded + rejected), what the
server counts, and what the export wrote; for sales orders also the lines
and the sum of line amounts. A row in the table whose figures disagree is
flagged, so the table is a check, not decoration.

Line amounts: Northwind's own extended price is ``unitPrice * quantity *
(1 - discount)``; the mapping posts the net unit price, so the export's
``Quantity * Price`` must give the same sum for the orders that loaded
(compared to the cent). The amounts part reads ``order_details.csv`` and is
therefore Northwind's; the per-type counts work for any steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ot_etl.extract import ExportResult
from ot_etl.load.run import LoadResult
from ot_etl.quickstart.plan import Step

LOADED = ("created", "updated", "unchanged", "skipped")


@dataclass(frozen=True)
class TypeLine:
    label: str
    source: int
    loaded: int
    rejected: int
    on_server: int | None
    exported: int | None

    @property
    def agrees(self) -> bool:
        return (
            self.source == self.loaded + self.rejected
            and self.on_server in (None, self.loaded)
            and self.exported in (None, self.loaded)
        )


@dataclass(frozen=True)
class Amounts:
    """Sums of line amounts, to the cent."""

    source_all: float
    source_loaded: float
    source_rejected: float
    exported: float

    @property
    def agrees(self) -> bool:
        return round(self.source_loaded, 2) == round(self.exported, 2)


@dataclass
class Reconciliation:
    types: list[TypeLine] = field(default_factory=list)
    amounts: Amounts | None = None

    @property
    def agrees(self) -> bool:
        return all(t.agrees for t in self.types) and (
            self.amounts is None or self.amounts.agrees
        )

    def lines(self) -> list[str]:
        """The table as text, one line per record type, then the amounts."""
        head = ("", "source", "loaded", "rejected", "on server", "exported", "")
        rows = [head]
        for t in self.types:
            rows.append(
                (
                    t.label,
                    f"{t.source:,}",
                    f"{t.loaded:,}",
                    f"{t.rejected:,}",
                    "-" if t.on_server is None else f"{t.on_server:,}",
                    "-" if t.exported is None else f"{t.exported:,}",
                    "ok" if t.agrees else "MISMATCH",
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
        out = [
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
            for r in rows
        ]
        a = self.amounts
        if a is not None:
            out.append(
                f"line amounts: source {a.source_all:,.2f} = loaded "
                f"{a.source_loaded:,.2f} + rejected {a.source_rejected:,.2f}; "
                f"exported {a.exported:,.2f} "
                + ("(equal to the cent)" if a.agrees else "(MISMATCH)")
            )
        return out


def reconcile(
    loads: list[tuple[Step, LoadResult]],
    exports: list[ExportResult],
    client: Any,
    data_dir: Path,
    export_dir: Path,
) -> Reconciliation:
    by_type = {e.record_type: e for e in exports}
    out = Reconciliation()
    for step, result in loads:
        if step.verify_only:
            continue
        summary = result.summary
        counts = result.counts
        loaded = sum(counts[k] for k in LOADED)
        exported = by_type.get(step.record_type)
        out.types.append(
            TypeLine(
                label=step.label,
                source=loaded + summary.not_loaded,
                loaded=loaded,
                rejected=summary.not_loaded,
                on_server=int(client.count(step.record_type)),
                exported=exported.rows if exported else None,
            )
        )
        if step.record_type == "salesorder" and exported is not None:
            line, amounts = _order_lines(exported, data_dir, export_dir)
            out.types.append(line)
            out.amounts = amounts
    return out


def _order_lines(
    exported: ExportResult, data_dir: Path, export_dir: Path
) -> tuple[TypeLine, Amounts]:
    details = pd.read_csv(data_dir / "order_details.csv", dtype={"orderID": str})
    details["amount"] = (
        details["unitPrice"] * details["quantity"] * (1 - details["discount"])
    )
    heads = pd.read_parquet(export_dir / "salesorder.parquet", columns=["DocNo"])
    lines = pd.read_parquet(
        export_dir / "salesorder_lines.parquet", columns=["Quantity", "Price"]
    )
    loaded_ids = set(heads["DocNo"].astype(str))
    is_loaded = details["orderID"].isin(loaded_ids)
    line = TypeLine(
        label="  order lines",
        source=len(details),
        loaded=int(is_loaded.sum()),
        rejected=int((~is_loaded).sum()),
        on_server=None,
        exported=int(exported.lines or 0),
    )
    amounts = Amounts(
        source_all=float(details["amount"].sum()),
        source_loaded=float(details.loc[is_loaded, "amount"].sum()),
        source_rejected=float(details.loc[~is_loaded, "amount"].sum()),
        exported=float((lines["Quantity"] * lines["Price"]).sum()),
    )
    return line, amounts
