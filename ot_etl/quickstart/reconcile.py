"""Reconcile a migration: source records vs records on the server vs exported.

Per record type: the records the source held (loaded + rejected), what the
server counts, and what the export wrote. A line whose figures disagree is
flagged, so the table is a check, not decoration. The Northwind-specific
checks (order lines, line amounts, fills) live in
:mod:`ot_etl.quickstart.northwind`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ot_etl.extract import ExportResult
from ot_etl.load.run import LoadResult
from ot_etl.quickstart import northwind
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


@dataclass
class Reconciliation:
    types: list[TypeLine] = field(default_factory=list)
    amounts: northwind.Amounts | None = None
    fills: northwind.Fills | None = None

    @property
    def agrees(self) -> bool:
        checks = [t.agrees for t in self.types]
        checks += [c.agrees for c in (self.amounts, self.fills) if c is not None]
        return all(checks)

    def lines(self) -> list[str]:
        """The table as text, one line per record type, then the other checks."""
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
        out += [c.line() for c in (self.amounts, self.fills) if c is not None]
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
        loaded = sum(result.counts[k] for k in LOADED)
        exported = by_type.get(step.record_type)
        out.types.append(
            TypeLine(
                label=step.label,
                source=loaded + result.summary.not_loaded,
                loaded=loaded,
                rejected=result.summary.not_loaded,
                on_server=int(client.count(step.record_type)),
                exported=exported.rows if exported else None,
            )
        )
        if step.record_type == "salesorder" and exported is not None:
            is_loaded, out.amounts = northwind.amounts(data_dir, export_dir)
            out.types.append(
                TypeLine(
                    label="  order lines",
                    source=len(is_loaded),
                    loaded=int(is_loaded.sum()),
                    rejected=int((~is_loaded).sum()),
                    on_server=None,
                    exported=int(exported.lines or 0),
                )
            )
        if step.record_type == "shipdoc" and exported is not None:
            out.fills = northwind.fills(data_dir, export_dir)
    return out
