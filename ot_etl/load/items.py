"""The unit a load moves through resolve, plan and post: one record to write.

A :class:`LoadItem` is one target record (a customer, or a sales order with
its lines) built from one or more source rows. Every stage after building
reads and fills the same item, so the rejects file, the ledger and the
outcomes table all describe the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Action = Literal["create", "update", "unchanged", "reject", "skip"]
"""What the plan decided for an item."""

Outcome = Literal[
    "created", "updated", "unchanged", "rejected", "failed", "skipped", "planned"
]
"""What happened to an item; ``planned`` only in a dry run."""

Stage = Literal["validation", "reference", "duplicate", "fill", "server"]
"""Where a rejected row was stopped (the ``_stage`` column of the rejects file)."""

LOADED = frozenset({"created", "updated", "unchanged"})
"""Outcomes that count as loaded: a re-run skips them."""


@dataclass(frozen=True)
class Ref:
    """An EntityRef given by name that must become an Id before posting.

    ``path`` leads from the payload root to the EntityRef object, e.g.
    ``("SalesRepRef",)`` or ``("LineItems", 0, "ItemRef")``.
    """

    path: tuple[str | int, ...]
    target: int | None
    name: str


@dataclass
class LoadItem:
    """One record on its way to the server, and everything learnt about it."""

    position: int
    rows: list[int]  # positions in the source frame (0-based)
    payload: dict[str, Any]
    match_key: tuple[Any, ...] = ()
    refs: list[Ref] = field(default_factory=list)
    fingerprint: str = ""
    action: Action = "create"
    outcome: Outcome | None = None
    stage: Stage | None = None
    reasons: list[str] = field(default_factory=list)
    raw: list[dict[str, Any]] = field(default_factory=list)
    existing: dict[str, Any] | None = None
    record_key: int | None = None
    attempts: int = 0
    recovered: bool = False  # found by its match key after an unknown outcome
    unknown: bool = False  # a create may have saved it; never re-sent blindly
    # Reasons per source row (frame position) when the rows of one document
    # fail for different reasons; rows not listed carry ``reasons``.
    row_reasons: dict[int, list[str]] = field(default_factory=dict)

    def reject(
        self,
        stage: Stage,
        reasons: list[str],
        raw: list[dict[str, Any]] | None = None,
    ) -> None:
        """Mark the item rejected at ``stage``; the first rejection wins."""
        if self.action == "reject":
            return
        self.action = "reject"
        self.outcome = "rejected"
        self.stage = stage
        self.reasons = list(reasons)
        self.raw = list(raw or [])

    @property
    def key_text(self) -> str:
        """The match key as the user would write it (for messages)."""
        return " / ".join("" if v is None else str(v) for v in self.match_key)
