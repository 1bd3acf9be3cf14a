"""Progress bars on stderr, silent when stderr is not a terminal.

Bars go to stderr so the summaries on stdout stay clean for pipes and
cron mails.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

import click


class PostingBar:
    """Thread-safe progress bar on stderr; silent when stderr is not a terminal."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._shown = 0
        self._lock = threading.Lock()
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        with self._lock:
            if self._bar is None:
                self._bar = click.progressbar(
                    length=total, label="posting", file=sys.stderr, show_pos=True
                )
                self._bar.__enter__()
            if done > self._shown:
                self._bar.update(done - self._shown)
                self._shown = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


class ExportProgress:
    """One click progress bar per record type, sized by the server's count.

    Quiet (no bar at all) when stderr is not a terminal, so logs and cron
    mails stay clean.
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None

    def count(self, record_type: str, total: int) -> None:
        self.close()
        if self.enabled:
            self._bar = click.progressbar(
                length=total, label=f"{record_type:<22}", file=sys.stderr, width=30
            )
            self._bar.__enter__()

    def page(self, record_type: str, rows: int) -> None:
        if self._bar is not None:
            self._bar.update(rows)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
