"""A logging filter that masks every credential the process has seen.

The client registers each secret it is given; the filter replaces them in the
formatted message of every record (arguments included), so no handler can
write one out. The CLI installs the filter on its handler; the library never
configures logging, but :func:`redact` is also applied to exception texts.

A secret of four characters or more is masked wherever it occurs. A shorter
one (a password like ``"ab"``) is masked only as a whole token, where no
letter or digit touches it: ``password=ab`` and ``'ab'`` are masked, but
``about`` is left alone, so a short secret cannot mangle every message.
"""

from __future__ import annotations

import functools
import logging
import re
import threading

_MASK = "***"
# Below this length a secret is matched only as a whole token.
_SUBSTRING_FROM = 4
_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(secret: str) -> None:
    """Mask ``secret`` in every later :func:`redact` and log record."""
    if secret:
        with _lock:
            _secrets.add(secret)


def redact(text: str) -> str:
    with _lock:
        secrets = frozenset(_secrets)
    if not secrets:
        return text
    return _pattern(secrets).sub(_MASK, text)


@functools.lru_cache(maxsize=8)
def _pattern(secrets: frozenset[str]) -> re.Pattern[str]:
    # Longest first, so a secret that contains another is masked whole.
    parts = []
    for s in sorted(secrets, key=lambda s: (-len(s), s)):
        escaped = re.escape(s)
        if len(s) < _SUBSTRING_FROM:
            escaped = rf"(?<![^\W_]){escaped}(?![^\W_])"
        parts.append(escaped)
    return re.compile("|".join(parts))


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
