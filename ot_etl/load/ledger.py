"""The ledger: a small SQLite file that makes re-running a load safe.

One row per source record (keyed by its fingerprint: a hash of the mapping's
identity and the source row's raw values) with its state, the created or
updated record's Id/DocNo, the attempt count and timestamps.

Creates follow the intent/outcome protocol: the ledger marks a batch
``sending`` (one transaction) before any of its POSTs leave, and writes each
outcome after. A kill between the two leaves ``sending`` rows behind; the
next run looks those up by their match key instead of posting them again.

Only one load may use a ledger at a time: :class:`Ledger` takes an exclusive
``flock`` on ``<ledger>.lock`` (released by the OS even after SIGKILL) and a
second load waits for it, then refuses with :class:`LedgerBusyError`.

Values never enter the ledger except the match key, which is masked when a
match field is sensitive. Sensitive cells (card numbers) enter the fingerprint
masked as in the rejects file, so a ledger cannot be used to guess them back.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ot_etl.errors import ConfigError
from ot_etl.load.items import LOADED, LoadItem
from ot_etl.load.rejects import mask

log = logging.getLogger(__name__)

SENDING = "sending"

FORMAT = 2
"""The ledger format (SQLite ``user_version``). 0: fingerprints hashed
sensitive cells in clear; 2: masked (see :func:`fingerprints`)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    fingerprint TEXT PRIMARY KEY,
    source_file TEXT NOT NULL,
    first_row INTEGER,
    match_key TEXT,
    state TEXT NOT NULL,
    record_key INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    first_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_file TEXT NOT NULL,
    record_type TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS batches (
    run_id INTEGER NOT NULL,
    batch_no INTEGER NOT NULL,
    size INTEGER NOT NULL,
    finished_at TEXT NOT NULL,
    PRIMARY KEY (run_id, batch_no)
);
"""


class LedgerBusyError(ConfigError):
    """Another load holds the ledger's lock."""

    def __init__(self, path: Path, holder: str) -> None:
        self.path = path
        self.holder = holder
        super().__init__(
            f"Ledger {path} is in use by another load ({holder}). Wait for it to "
            "finish, or pass --ledger with another path to load independently."
        )


def default_ledger_path(source: Path, rejects_path: Path | None = None) -> Path:
    """``<input stem>.ledger.sqlite`` next to the rejects file (or the input).

    A rejects file (``orders.rejects.csv``) shares its original's ledger
    (``orders.ledger.sqlite`` beside it): rows loaded from either are known to
    both, so re-running the original after loading its fixed rejects, or
    re-loading a rejects row whose create had an unknown outcome, never
    creates a record twice.
    """
    if rejects_path is not None and rejects_path.resolve() != source.resolve():
        folder = rejects_path.parent
    else:
        folder = source.parent
    stem = source.stem
    if stem.endswith(".rejects"):
        stem = stem.removesuffix(".rejects")
        folder = source.parent
    return folder / f"{stem}.ledger.sqlite"


def fingerprints(
    identity: str, frame: pd.DataFrame, sensitive: Sequence[str] = ()
) -> list[str]:
    """One fingerprint per row of ``frame``: hash of the mapping identity and cells.

    Column order does not matter (columns are hashed by name, sorted); a
    missing cell differs from any text. Identical rows get distinct
    fingerprints by their occurrence number, so a file with two equal rows
    loads both.

    Cells of ``sensitive`` columns are hashed masked (``************1234``):
    a plain hash of a card number, even inside a row, can be found again by
    trying every number. Rows that differ only in a card's hidden digits are
    told apart by occurrence, like identical rows.
    """
    columns = sorted(str(c) for c in frame.columns)
    head = identity + "\x00" + "\x1f".join(columns)
    cells = frame[columns].astype(object).where(frame[columns].notna(), None)
    hidden = [n for n, c in enumerate(columns) if c in set(sensitive)]
    seen: dict[str, int] = {}
    out = []
    for row in cells.itertuples(index=False, name=None):
        values = list(row)
        for n in hidden:
            values[n] = mask(values[n])
        text = "\x1e".join("\x00" if v is None else str(v) for v in values)
        base = hashlib.sha256(f"{head}\x1d{text}".encode()).hexdigest()
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(
            base if n == 0 else hashlib.sha256(f"{base}#{n}".encode()).hexdigest()
        )
    return out


def combine(parts: Sequence[str]) -> str:
    """The fingerprint of a document built from several rows."""
    if len(parts) == 1:
        return parts[0]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class Ledger:
    """An open ledger. Thread-safe: one connection, guarded by a lock.

    ``read_only`` opens an existing ledger for a dry run without locking or
    writing; a missing file then reads as empty.
    """

    def __init__(
        self,
        path: Path,
        *,
        read_only: bool = False,
        lock_timeout: float = 600.0,
    ) -> None:
        self.path = path
        self.read_only = read_only
        self._lock = threading.Lock()
        self._lock_file: Any = None
        self._db: sqlite3.Connection | None = None
        self.run_id: int | None = None
        self.mask_keys = False  # set when a match field is sensitive
        self.older_format = False  # written by a version before FORMAT
        if read_only:
            if path.exists():
                uri = f"file:{path}?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self._acquire(lock_timeout)
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        # WAL survives a killed process; NORMAL sync is enough for that.
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        had_records = db.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'records'"
        ).fetchone()
        self.older_format = bool(had_records) and version < FORMAT
        db.executescript(_SCHEMA)
        db.execute(f"PRAGMA user_version = {FORMAT}")
        self._db = db

    # -- locking -----------------------------------------------------------

    def _acquire(self, timeout: float) -> None:
        lock_path = self.path.with_name(self.path.name + ".lock")
        handle = open(lock_path, "a+", encoding="utf-8")  # noqa: SIM115
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(handle)
                    handle.close()
                    raise LedgerBusyError(self.path, holder) from None
                if not told:
                    log.warning(
                        "waiting for ledger %s: another load holds it (%s)",
                        self.path,
                        _holder(handle),
                    )
                    told = True
                time.sleep(0.1)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self._lock_file = handle

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._lock_file is not None:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reads -------------------------------------------------------------

    def states(self, prints: Iterable[str]) -> dict[str, tuple[str, int | None]]:
        """``fingerprint -> (state, record_key)`` for those the ledger knows."""
        if self._db is None:
            return {}
        wanted = list(prints)
        out: dict[str, tuple[str, int | None]] = {}
        with self._lock:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    "SELECT fingerprint, state, record_key FROM records "
                    f"WHERE fingerprint IN ({marks})",
                    chunk,
                ).fetchall()
                out.update({r[0]: (r[1], r[2]) for r in rows})
        return out

    # -- writes ------------------------------------------------------------

    def start_run(self, source_file: str, record_type: str) -> None:
        db = self._writable()
        with self._lock:
            cur = db.execute(
                "INSERT INTO runs (source_file, record_type, pid, started_at) "
                "VALUES (?, ?, ?, ?)",
                (source_file, record_type, os.getpid(), _now()),
            )
            self.run_id = cur.lastrowid

    def finish_run(self, summary: Mapping[str, Any]) -> None:
        db = self._writable()
        with self._lock:
            db.execute(
                "UPDATE runs SET finished_at = ?, summary = ? WHERE run_id = ?",
                (_now(), json.dumps(dict(summary), default=str), self.run_id),
            )

    def mark_sending(self, items: Sequence[LoadItem], source_file: str) -> None:
        """The intent: these items may reach the server from now on."""
        self._upsert(items, source_file, state=SENDING)

    def record(
        self, items: Sequence[LoadItem], source_file: str, batch_no: int | None = None
    ) -> None:
        """Write each item's outcome (one transaction); unsettled ones are skipped."""
        self._upsert(
            [
                i
                for i in items
                if i.outcome not in (None, "planned", "skipped") or i.recovered
            ],
            source_file,
            state=None,
            batch_no=batch_no,
            batch_size=len(items),
        )

    def clear_sending(self, items: Sequence[LoadItem]) -> None:
        """Forget intents of items that were never sent (the run stopped first)."""
        db = self._writable()
        with self._lock:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                "DELETE FROM records WHERE fingerprint = ? AND state = ?",
                [(i.fingerprint, SENDING) for i in items],
            )
            db.execute("COMMIT")

    def _upsert(
        self,
        items: Sequence[LoadItem],
        source_file: str,
        *,
        state: str | None,
        batch_no: int | None = None,
        batch_size: int = 0,
    ) -> None:
        db = self._writable()
        now = _now()
        rows = [
            (
                i.fingerprint,
                source_file,
                (i.rows[0] if i.rows else None),
                _key_text(i, self.mask_keys),
                state or ("created" if i.recovered else i.outcome),
                i.record_key,
                i.attempts,
                None if state else "; ".join(i.reasons)[:2000] or None,
                now,
                now,
            )
            for i in items
        ]
        with self._lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT INTO records (fingerprint, source_file, first_row, "
                    "match_key, state, record_key, attempts, reason, first_at, "
                    "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT(fingerprint) DO UPDATE SET state=excluded.state, "
                    "record_key=COALESCE(excluded.record_key, records.record_key), "
                    "attempts=excluded.attempts, reason=excluded.reason, "
                    "updated_at=excluded.updated_at",
                    rows,
                )
                if batch_no is not None and self.run_id is not None:
                    db.execute(
                        "INSERT OR REPLACE INTO batches VALUES (?, ?, ?, ?)",
                        (self.run_id, batch_no, batch_size, now),
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _writable(self) -> sqlite3.Connection:
        if self.read_only or self._db is None:
            raise RuntimeError("the ledger is open read-only (dry run)")
        return self._db


def is_loaded(state: str | None) -> bool:
    return state in LOADED


def _key_text(item: LoadItem, masked: bool) -> str | None:
    text = item.key_text or None
    if text is None or not masked:
        return text
    return "*" * max(len(text) - 4, 0) + text[-4:]


def _holder(handle: Any) -> str:
    try:
        handle.seek(0)
        text = str(handle.read()).strip()
    except OSError:
        text = ""
    return text or "pid unknown"
