"""What a load did, in numbers, and the exit code that says it to a shell.

Exit codes (documented in docs/load.md):

* ``0`` every row loaded (created, updated, unchanged or already loaded);
* ``3`` the run finished but some rows were rejected or failed;
* ``2`` the run could not proceed: bad mapping, unusable input, refused
  credentials, a 403 on the record type, or a ledger held by another load.

``rows_read`` and ``invalid`` count source rows; the other counts are
records (for transactions one record is a document built from several rows),
and every record is counted once: ``invalid_records`` + ``duplicates`` +
``unresolved`` + ``unfilled`` + the outcomes (``created`` ... ``skipped``) =
``records`` (a dry run's planned records are in ``plan`` instead). A row that
fails validation builds no entity record, so it is counted as a row only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

EXIT_OK = 0
EXIT_CANNOT_PROCEED = 2
EXIT_REJECTED = 3
FILL_PLAN_SHOWN = 50

_PLAN_LABELS = (
    ("create", "would create"),
    ("update", "would update"),
    ("unchanged", "unchanged"),
    ("skip", "already loaded"),
    ("reject", "would reject"),
)


@dataclass
class LoadSummary:
    record_type: str
    rows_read: int = 0
    records: int = 0
    invalid: int = 0
    # Records rejected at validation: built from an invalid row, or a
    # document whose rows disagree on a header field or lack a required one.
    invalid_records: int = 0
    duplicates: int = 0
    unresolved: int = 0
    unfilled: int = 0  # ship docs whose rows cannot fill their orders' lines
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    failed: int = 0
    skipped: int = 0
    elapsed: float = 0.0
    dry_run: bool = False
    stopped: str | None = None
    rejects_path: Path | None = None
    rejects_removed: Path | None = None  # a rejects file loaded in full
    ledger_path: Path | None = None
    plan: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    fill_plan: list[str] | None = None  # fill mappings: one line per shipment

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def not_loaded(self) -> int:
        """Records (or, for invalid rows that built none, rows) not loaded."""
        invalid = max(self.invalid, self.invalid_records)
        return (
            invalid
            + self.duplicates
            + self.unresolved
            + self.unfilled
            + self.rejected
            + self.failed
        )

    @property
    def exit_code(self) -> int:
        if self.stopped is not None:
            return EXIT_CANNOT_PROCEED
        return EXIT_REJECTED if self.not_loaded else EXIT_OK

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["rows_per_second"] = round(self.rows_per_second, 1)
        out["exit_code"] = self.exit_code
        return out

    def lines(self) -> list[str]:
        """The human summary, one fact per line (the CLI prints these)."""
        title = "Dry run (nothing written)" if self.dry_run else "Load"
        out = [
            f"{title}: {self.record_type}",
            f"  rows read      {self.rows_read}",
            f"  invalid rows   {self.invalid}",
            f"  records        {self.records}",
            f"  invalid records {self.invalid_records}",
            f"  duplicates     {self.duplicates}",
            f"  unresolved     {self.unresolved}",
        ]
        if self.fill_plan is not None:
            out.append(f"  not fillable   {self.unfilled}")
        if self.dry_run:
            for action, label in _PLAN_LABELS:
                shown = ", ".join(self.examples.get(action, []))
                extra = f"   e.g. {shown}" if shown else ""
                out.append(f"  {label:<15}{self.plan.get(action, 0)}{extra}")
        else:
            out += [
                f"  created        {self.created}",
                f"  updated        {self.updated}",
                f"  unchanged      {self.unchanged}",
                f"  already loaded {self.skipped}",
                f"  rejected by the server {self.rejected}",
                f"  failed         {self.failed}",
            ]
        out.append(
            f"  elapsed        {self.elapsed:.1f}s ({self.rows_per_second:.0f} rows/s)"
        )
        if self.rejects_path is not None:
            out.append(f"  rejects file   {self.rejects_path}")
        if self.rejects_removed is not None:
            out.append(
                "  every row of the rejects file loaded; "
                f"{self.rejects_removed} removed"
            )
        if self.ledger_path is not None:
            out.append(f"  ledger         {self.ledger_path}")
        if self.stopped:
            out.append(f"  STOPPED: {self.stopped}")
        if self.dry_run and self.fill_plan:
            out += self._fill_lines()
        return out

    def _fill_lines(self, limit: int = FILL_PLAN_SHOWN) -> list[str]:
        plan = self.fill_plan or []
        out = ["Fill plan (per shipment: order lines filled, what stays open):"]
        out += [f"  {text}" for text in plan[:limit]]
        if len(plan) > limit:
            out.append(
                f"  ... and {len(plan) - limit} more shipment(s) "
                "(LoadResult.fills has every fill)"
            )
        return out
