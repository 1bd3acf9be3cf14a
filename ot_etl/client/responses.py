"""Turn a refused HTTP answer into the matching exception, with a short message.

Bodies of 400/403/404 are free text or ``{"Message": ...}`` (the reference does
not pin the shape), so both are read. Response text is truncated and passed
through the redaction filter before it can reach a message.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from ot_etl.client.redact import redact
from ot_etl.errors import (
    ApiError,
    AuthError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    UnavailableError,
    ValidationResult,
)

_MAX_TEXT = 300


def body_message(response: requests.Response) -> str:
    """The human part of an error body: its Message, a bare string, or raw text."""
    text = response.text or ""
    try:
        data: Any = json.loads(text)
    except ValueError:
        data = text
    if isinstance(data, dict):
        data = data.get("Message") or data.get("message") or data.get("error") or text
    message = str(data).strip() or response.reason or "no message"
    if len(message) > _MAX_TEXT:
        message = message[:_MAX_TEXT] + "..."
    return redact(message)


def retry_after(response: requests.Response) -> float | None:
    raw = response.headers.get("Retry-After")
    if raw is None:
        return None
    try:
        return max(float(raw), 0.0)
    except ValueError:
        # An HTTP-date form is legal but rare; back off by policy instead.
        return None


def to_error(
    response: requests.Response,
    *,
    method: str,
    path: str,
    record_type: str | None,
    email: str,
    base_url: str = "",
) -> ApiError:
    """The exception for a refused answer to ``method path``.

    ``base_url`` is the client's; a 404 under one that does not end in
    ``/api`` (``https://host`` for ``https://host/api``) says so, since the
    server's own 404 text names only the path it could not route.
    """
    status = response.status_code
    where: dict[str, Any] = {
        "status": status,
        "method": method,
        "path": path,
        "record_type": record_type,
    }
    if status == 409:
        try:
            raw = response.json()
        except ValueError:
            raw = [{"Message": body_message(response)}]
        items = raw if isinstance(raw, list) else [raw]
        results = [ValidationResult.from_json(r) for r in items]
        return ConflictError(results, method=method, path=path, record_type=record_type)
    message = body_message(response)
    if status in (401, 403):
        what = f" on {record_type}" if record_type else ""
        hint = (
            "check OT_API_KEY, OT_EMAIL and OT_PASSWORD/OT_DEVKEY"
            if status == 401
            else "the user's role lacks this right; ask the Order Time admin"
        )
        text = f"refused for user {email}{what}: {message} ({hint})"
        return AuthError(text, email=email, **where)
    if status == 400:
        return BadRequestError(message, **where)
    if status == 404:
        if base_url and not base_url.rstrip("/").lower().endswith("/api"):
            message += " (OT_BASE_URL usually ends in /api)"
        return NotFoundError(message, **where)
    if status == 429 or status >= 500:
        return UnavailableError(message, retry_after=retry_after(response), **where)
    return ApiError(message, **where)
