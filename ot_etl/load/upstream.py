"""Why a referenced record is missing: the rejects of earlier loads.

A migration loads in order (customers, then the orders that name them). When
a customer row was rejected, every order naming that customer fails at the
reference stage, and "no Customer named 'X'" alone sends the user hunting.
So, before a reference reject is written, the rejects files of earlier loads
in the same folder are searched for the missing name, and the reason of the
row that holds it is carried over ("... was rejected by an earlier load:
customers.csv row 62: city: ...").

The match is by cell value: a rejects row whose cells contain the name
exactly (spaces around it stripped) explains it. That can credit the wrong
file when two rejected inputs in one folder carry the same text; the message
names the file and row so a person can check. Only ``*.rejects.csv`` files
are searched (reading every ``.xlsx`` beside an input would be slow and is
left out), and the run's own rejects file is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ot_etl.load.rejects import is_rejects_file, restore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UpstreamReject:
    """One row of an earlier load's rejects file."""

    source_file: str
    row: str
    reasons: str

    def explain(self) -> str:
        return f"rejected by an earlier load: {self.source_file} row {self.row}: " + (
            self.reasons
        )


class UpstreamRejects:
    """The names held by rejected rows of earlier loads, with their reasons."""

    def __init__(self, by_value: dict[str, UpstreamReject] | None = None) -> None:
        self._by_value = by_value or {}

    def __len__(self) -> int:
        return len(self._by_value)

    def find(self, name: str) -> UpstreamReject | None:
        return self._by_value.get(name.strip())

    @classmethod
    def from_folder(cls, folder: Path, skip: Path | None = None) -> UpstreamRejects:
        """Index every ``*.rejects.csv`` in ``folder`` except ``skip``."""
        by_value: dict[str, UpstreamReject] = {}
        skip_resolved = skip.resolve() if skip is not None else None
        for path in sorted(folder.glob("*.rejects.csv")):
            if skip_resolved is not None and path.resolve() == skip_resolved:
                continue
            try:
                table = pd.read_csv(
                    path, dtype=str, keep_default_na=False, encoding="utf-8-sig"
                )
            except (OSError, ValueError, UnicodeDecodeError) as exc:
                # A damaged rejects file only costs the better message.
                log.debug("not reading %s for upstream rejects: %s", path.name, exc)
                continue
            if not is_rejects_file(table.columns):
                continue
            _index(table, path, by_value)
        return cls(by_value)


def _index(table: pd.DataFrame, path: Path, into: dict[str, UpstreamReject]) -> None:
    own = [c for c in table.columns if not str(c).startswith("_")]
    for record in table.to_dict("records"):
        source = Path(str(record.get("_source_file") or path.name)).name
        entry = UpstreamReject(
            source_file=source,
            row=str(record.get("_row", "?")),
            reasons=str(record.get("_reasons", "")),
        )
        for col in own:
            value = str(restore(record[col])).strip()
            if value:
                into.setdefault(value, entry)


class Explainer:
    """Why a name is missing, from earlier loads' rejects, read on first use.

    One per run, shared by the reference resolver and the ship-doc fill, so
    the rejects files are read at most once and only when a name is missing.
    """

    def __init__(self, read: Callable[[], UpstreamRejects]) -> None:
        self._read = read
        self._index: UpstreamRejects | None = None

    def __call__(self, name: str) -> str:
        """``"; rejected by an earlier load: ..."`` or ``""``."""
        if self._index is None:
            self._index = self._read()
        found = self._index.find(name)
        return f"; {found.explain()}" if found is not None else ""
