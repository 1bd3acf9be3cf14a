"""The HTTP side: a threading HTTP/1.1 server, routing and the /list engine glue.

Requests flow: faults (concurrency cap, latency, drop/throttle/error, slow)
-> authentication -> route (``/list``, ``/entityref``, ``/<endpoint>``) ->
records or ListInfo -> JSON answer. Paths and query parameter names are
matched case-insensitively. Every answer has a Content-Length so connections
stay alive.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ot_etl.catalog import RecordType, record_types
from ot_etl.sandbox import customfields, listinfo
from ot_etl.sandbox import messages as msg
from ot_etl.sandbox.auth import Auth, AuthFailedError, User
from ot_etl.sandbox.dates import Clock
from ot_etl.sandbox.faults import Fault, Faults, Stats, choose
from ot_etl.sandbox.records import Records
from ot_etl.sandbox.rows import dumps
from ot_etl.sandbox.rules import BadInputError, MissingError, RejectedError
from ot_etl.sandbox.store import Store

logger = logging.getLogger(__name__)

MAX_BODY = 10 * 1024 * 1024
_WRITES = ("POST", "PUT", "DELETE")


class HttpError(Exception):
    """An answer other than 200, with a JSON ``{"Message": ...}`` body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class App:
    """What a request handler needs: store, rules, auth, clock and knobs."""

    store: Store
    records: Records
    auth: Auth
    clock: Clock
    faults: Faults
    stats: Stats
    max_body: int = MAX_BODY
    endpoints: dict[str, RecordType] = field(default_factory=dict)
    custom_fields: dict[int, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for rt in record_types():
            if rt.endpoint:
                self.endpoints.setdefault(rt.endpoint.lower(), rt)


class SandboxServer(ThreadingHTTPServer):
    """Threading server that remembers open connections to close them on stop."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver prints tracebacks to stderr; a vanished client is routine.
        logger.debug(
            "connection from %s ended with an error", client_address, exc_info=True
        )

    def track(self, conn: socket.socket, is_open: bool) -> None:
        with self._open_lock:
            (self._open.add if is_open else self._open.discard)(conn)

    def close_connections(self) -> None:
        with self._open_lock:
            conns, self._open = list(self._open), set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "OrderTimeSandbox/1.0"
    server: SandboxServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle
        # and the client's delayed ACK add ~40 ms to every keep-alive answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, True)
        self.server.app.stats.add("connections")

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # -- the request ---------------------------------------------------------

    def _handle(self, method: str) -> None:
        app = self.server.app
        faults, stats = app.faults, app.stats
        # The body is read first: an unread body would corrupt the next
        # request on a kept-alive connection.
        raw = self._read_body()
        if raw is None:
            stats.add("requests")
            return
        if not stats.enter(faults.max_concurrent):
            self._throttle()
            return
        try:
            if faults.latency > 0:
                time.sleep(faults.latency)
            fault, slow = choose(faults)
            if slow:
                stats.add("slow")
                time.sleep(faults.slow_seconds)
            if fault is Fault.DROP:
                stats.add("drops")
                self.close_connection = True
                return
            if fault is Fault.THROTTLE:
                stats.add("throttles")
                self._throttle()
                return
            if fault is Fault.ERROR:
                stats.add("errors")
                self._send_message(500, msg.SERVER_ERROR)
                return
            self._dispatch(method, raw)
        except HttpError as exc:
            self._send_message(exc.status, exc.message)
        except OSError:
            # The client went away (read timeout, reset): nobody to answer.
            self.close_connection = True
        except Exception:
            logger.exception("sandbox failed on %s %s", method, self.path)
            self._send_message(500, msg.SERVER_ERROR)
        finally:
            stats.leave()

    def _read_body(self) -> bytes | None:
        # TODO: chunked request bodies are not read; clients send Content-Length.
        text = (self.headers.get("Content-Length") or "0").strip()
        if not (text.isascii() and text.isdigit()):
            # Negative or not a number: the body's end is unknown, so is
            # the next request's start; answer and hang up.
            self.close_connection = True
            self._send_message(400, msg.BAD_LENGTH.format(value=text[:40]))
            return None
        length = int(text)
        if length > self.server.app.max_body:
            self.close_connection = True
            self._send_message(
                413, msg.BODY_TOO_LARGE.format(limit=self.server.app.max_body)
            )
            return None
        return self.rfile.read(length) if length else b""

    def _dispatch(self, method: str, raw: bytes) -> None:
        app = self.server.app
        parts = urlsplit(self.path)
        path = parts.path.lower().rstrip("/")
        if not path.startswith("/api/"):
            raise HttpError(404, msg.NO_ROUTE.format(path=parts.path))
        route = path[len("/api") :]
        try:
            user = app.auth.check(dict(self.headers.items()))
        except AuthFailedError as exc:
            raise HttpError(exc.status, exc.message) from None
        query = {k.lower(): v for k, v in parse_qsl(parts.query)}
        if route in ("/list", "/entityref"):
            if method not in ("POST", "PUT"):
                raise HttpError(405, msg.NOT_ALLOWED.format(method=method))
            self._list(route == "/entityref", method == "PUT", _json_body(raw))
            return
        if route == "/customfielddefinition":
            self._definitions(method, query)
            return
        rt = app.endpoints.get(route)
        if rt is None:
            raise HttpError(404, msg.NO_ROUTE.format(path=parts.path))
        if rt.kind == "line" or not rt.key_params:
            raise HttpError(404, msg.NOT_SERVED.format(path=parts.path))
        if method not in rt.methods:
            raise HttpError(405, msg.NOT_ALLOWED.format(method=method))
        if method in _WRITES and not user.can_write:
            raise HttpError(
                403,
                msg.READ_ONLY.format(
                    email=user.email, method=method, record_type=rt.name
                ),
            )
        self._record(method, rt, query, raw, user)

    def _record(
        self, method: str, rt: RecordType, query: dict[str, str], raw: bytes, user: User
    ) -> None:
        records = self.server.app.records
        try:
            if method == "GET":
                key, parent = _key(rt, query, True)
                assert key is not None
                self._send_json(200, records.get(rt, key, parent))
            elif method == "DELETE":
                key, parent = _key(rt, query, True)
                assert key is not None
                records.delete(rt, key, parent)
                self._send_text(200, "true")
            elif method == "POST":
                saved = records.create(rt, _record_body(raw))
                if self.server.app.faults.draw(
                    self.server.app.faults.commit_then_fail_rate
                ):
                    self.server.app.stats.add("commit_then_fail")
                    self._send_message(500, msg.SERVER_ERROR)
                    return
                self._send_json(200, saved)
            else:
                key, _ = _key(rt, query, False)
                self._send_json(200, records.update(rt, _record_body(raw), key))
        except BadInputError as exc:
            raise HttpError(400, exc.message) from None
        except MissingError as exc:
            raise HttpError(404, exc.message) from None
        except RejectedError as exc:
            self._send_conflict(exc.results)

    def _definitions(self, method: str, query: dict[str, str]) -> None:
        if method != "GET":
            raise HttpError(405, msg.NOT_ALLOWED.format(method=method))
        app = self.server.app
        try:
            found = customfields.definitions(app.store, app.custom_fields, query)
        except customfields.DefinitionError as exc:
            raise HttpError(400, str(exc)) from None
        self._send_json(200, found)

    def _list(self, entity_refs: bool, count: bool, body: Any) -> None:
        app = self.server.app
        try:
            query = listinfo.parse(body, app.clock())
        except listinfo.ListInfoError as exc:
            raise HttpError(400, str(exc)) from None
        rtype = query.rt.number
        keys = self._selected(query)
        if count:
            self._send_text(200, str(len(keys)))
            return
        page = listinfo.page_of(keys, query.page, query.size)
        if not page and keys and app.faults.repeat_pages:
            app.stats.add("repeated_pages")
            last = (len(keys) - 1) // query.size + 1
            page = listinfo.page_of(keys, last, query.size)
        if entity_refs:
            pairs = app.store.names(rtype, page)
            text = dumps(
                [{"Id": k, "Name": n if n is not None else str(k)} for k, n in pairs]
            )
        else:
            text = (
                "[" + ",".join(app.store.texts(rtype, page, query.include_lines)) + "]"
            )
        self._send_text(200, text)

    def _selected(self, query: listinfo.Query) -> list[int]:
        store = self.server.app.store
        rtype = query.rt.number
        if query.plain:
            keys = store.keys(rtype)
            return keys[::-1] if query.descending else keys
        found = store.selection(rtype, query.signature)
        if found is not None:
            return found
        generation = store.generation(rtype)
        if query.modified_bounds is not None:
            found = store.keys_modified(rtype, query.modified_bounds)
            if query.descending:
                found.reverse()
        else:
            found = listinfo.select(store.records(rtype), query)
        store.remember(rtype, query.signature, found, generation)
        return found

    # -- answers ---------------------------------------------------------------

    def _throttle(self) -> None:
        faults = self.server.app.faults
        seconds = faults.retry_after_header()
        self._send_message(
            429, msg.TOO_MANY.format(seconds=seconds), {"Retry-After": seconds}
        )

    def _send_conflict(self, results: list[dict[str, Any]]) -> None:
        if self.server.app.faults.misspell_property_name:
            results = [
                {("ProperyName" if k == "PropertyName" else k): v for k, v in r.items()}
                for r in results
            ]
        self._send_json(409, results)

    def _send_message(
        self, status: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        self._send_text(status, dumps({"Message": message}), headers)

    def _send_json(self, status: int, payload: Any) -> None:
        self._send_text(status, dumps(payload))

    def _send_text(
        self, status: int, text: str, headers: dict[str, str] | None = None
    ) -> None:
        data = text.encode("utf-8")
        self.server.app.stats.status(status)
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)


def _json_body(raw: bytes) -> Any:
    """The decoded body; NaN, Infinity and numbers beyond a float are refused,
    because JSON has no such values and the answers would not be JSON."""
    if not raw.strip():
        return {}
    try:
        return json.loads(raw, parse_constant=_not_finite, parse_float=_finite)
    except _NotFiniteError as exc:
        raise HttpError(400, msg.NOT_FINITE.format(value=exc.text)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise HttpError(400, msg.BAD_JSON.format(error=exc)) from None


class _NotFiniteError(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _not_finite(text: str) -> Any:
    raise _NotFiniteError(text)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFiniteError(text)
    return value


def _record_body(raw: bytes) -> dict[str, Any]:
    body = _json_body(raw)
    if not isinstance(body, dict):
        raise HttpError(400, msg.BODY_NOT_OBJECT)
    return body


def _key(
    rt: RecordType, query: dict[str, str], required: bool
) -> tuple[int | None, int | None]:
    """(key, parent) from the query string, e.g. ``customerId`` + ``id``."""
    values: list[int | None] = []
    for param in rt.key_params:
        raw = query.get(param.lower())
        if raw is None or raw == "":
            if required:
                raise HttpError(400, msg.MISSING_PARAM.format(param=param))
            values.append(None)
            continue
        try:
            values.append(int(raw))
        except ValueError:
            raise HttpError(400, msg.BAD_PARAM.format(param=param, value=raw)) from None
    key = values[-1] if values else None
    parent = values[0] if len(values) > 1 else None
    return key, parent
