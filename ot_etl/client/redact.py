"""A logging filter that masks every credential the process has seen.

The client registers each secret it is given; the filter replaces them in the
formatted message of every record (arguments included), so no handler can
write one out. The CLI installs the filter on its handler; the library never
configures logging, but :func:`redact` is also applied to exception texts.
"""

from __future__ import annotations

import logging
import threading

_MASK = "***"
_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(secret: str) -> None:
    # Very short values would mask ordinary words; real keys are long.
    if len(secret) >= 4:
        with _lock:
            _secrets.add(secret)


def redact(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for s in secrets:
        if s in text:
            text = text.replace(s, _MASK)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with every registered secret masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
