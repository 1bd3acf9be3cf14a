"""What travels on the wire: reading answer bodies, decoding JSON, naming failures.

The client reads a page as bytes in one call and decodes it itself; these
helpers do that, and turn a requests exception into a short, redacted reason
and a verdict on whether the request can have reached the server.
"""

from __future__ import annotations

import json
from typing import Any

import requests
from urllib3.exceptions import HTTPError, NewConnectionError, ReadTimeoutError

from ot_etl.catalog import RecordType
from ot_etl.client.redact import redact
from ot_etl.errors import UnavailableError


def read_all(response: requests.Response) -> bytes:
    """The whole body of a streamed response; a failed read is a requests error
    (as when requests reads it), and the connection goes back to the pool."""
    try:
        return bytes(response.raw.read(decode_content=True))
    except ReadTimeoutError as exc:
        raise requests.ReadTimeout(exc) from exc
    except (HTTPError, OSError) as exc:
        raise requests.ConnectionError(exc) from exc
    finally:
        response.close()


def as_utf8(body: bytes, encoding: str | None) -> bytes:
    """The body as bytes, re-encoded as UTF-8 when the server declares another
    charset; without a charset the bytes are as sent (JSON is UTF-8, -16 or -32)."""
    name = (encoding or "utf-8").lower().replace("_", "-")
    if name in ("utf-8", "utf8", "ascii", "us-ascii") or not body:
        return body
    try:
        text = str(body, encoding or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know: UTF-8, as requests does
        text = str(body, errors="replace")
    return text.encode("utf-8")


def decode_json(content: bytes, method: str, path: str, rt: RecordType) -> Any:
    """The JSON value of a body (UTF-8, -16 or -32); None for an empty body.

    Bytes that are not valid in the encoding become U+FFFD, as in requests.
    """
    if not content:
        return None
    try:
        return json.loads(content.decode(json.detect_encoding(content), "replace"))
    except ValueError:
        raise UnavailableError(
            "the answer was not JSON: "
            + redact(content[:120].decode("utf-8", "replace")),
            method=method,
            path=path,
            record_type=rt.name,
        ) from None


def never_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached the server (no connection made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, NewConnectionError)


def why_failed(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, requests.ReadTimeout):
        return "no answer within the read timeout"
    if isinstance(exc, requests.ConnectTimeout):
        return "could not connect within the connect timeout"
    return redact(text.split("(Caused by")[-1].strip(" )")[:200] or type(exc).__name__)
