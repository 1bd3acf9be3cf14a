"""The Order Time API client: one pooled session, explicit timeouts, retries.

Every call names a record type (anything the catalog resolves); the catalog
says where it lives and which key parameter identifies one record. The client
is safe to share between threads: requests' Session is used only through its
thread-safe connection pool, and the counters take a lock.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from ot_etl.catalog import RecordType, resolve
from ot_etl.client.config import DEFAULT_POOL_SIZE, ClientConfig, resolve_config
from ot_etl.client.encode import dumps
from ot_etl.client.keys import Key, customer_ref_id, endpoint_path, key_params
from ot_etl.client.listinfo import MAX_PAGE_SIZE, Filter, ListInfo, Sort
from ot_etl.client.redact import redact
from ot_etl.client.responses import to_error
from ot_etl.client.retry import RetryPolicy
from ot_etl.client.wire import as_utf8, decode_json, never_sent, read_all, why_failed
from ot_etl.errors import UnavailableError

log = logging.getLogger(__name__)

TypeName = str | int | RecordType
ThrottleListener = Callable[[float | None], None]


class Client:
    """Speak the Order Time REST API at ``base_url``.

    Arguments override the ``OT_*`` environment variables; see
    :func:`ot_etl.client.config.resolve_config`. ``pool_size`` is the most
    connections kept open: give at least the number of threads sharing the
    client, or connections beyond it are closed after a burst and reopened.
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        email: str | None = None,
        password: str | None = None,
        devkey: str | None = None,
        *,
        timeout: tuple[float, float] = (5.0, 60.0),
        pool_size: int = DEFAULT_POOL_SIZE,
        retry: RetryPolicy | None = None,
        config: ClientConfig | None = None,
    ) -> None:
        self.config = config or resolve_config(
            base_url=base_url,
            api_key=api_key,
            email=email,
            password=password,
            devkey=devkey,
            timeout=timeout,
            pool_size=pool_size,
        )
        self.retry = retry or RetryPolicy()
        self.stats: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._rng = random.Random()
        self._throttle_listeners: list[ThrottleListener] = []
        self._session = requests.Session()
        adapter = HTTPAdapter(
            pool_connections=1, pool_maxsize=self.config.pool_size, max_retries=0
        )
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers.update(self.config.credentials.headers())
        self._session.headers["Accept"] = "application/json"

    @classmethod
    def from_env(cls, **overrides: Any) -> Client:
        return cls(**overrides)

    @property
    def base_url(self) -> str:
        return self.config.base_url

    @property
    def email(self) -> str:
        return self.config.credentials.email

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def on_throttle(self, listener: ThrottleListener) -> None:
        """Call ``listener(retry_after)`` whenever the server answers 429."""
        self._throttle_listeners.append(listener)

    # -- queries -----------------------------------------------------------

    def count(self, record_type: TypeName, filters: Sequence[Filter] = ()) -> int:
        """Records matching ``filters`` (PUT /list, a bare integer)."""
        rt = resolve(record_type)
        info = ListInfo(type=rt.number, filters=tuple(filters))
        result = self._call("PUT", "/list", rt, body=info.to_json(paging=False))
        if isinstance(result, bool) or not isinstance(result, int):
            raise UnavailableError(
                f"PUT /list answered {str(result)[:80]!r}, not a count", sent=True
            )
        return result

    def list_page(
        self,
        record_type: TypeName,
        filters: Sequence[Filter] = (),
        sort: Sort | None = None,
        page: int = 1,
        size: int = MAX_PAGE_SIZE,
        include_line_items: bool = False,
    ) -> list[dict[str, Any]]:
        """One page (1-based) of full records (POST /list, a bare array)."""
        rt = resolve(record_type)
        info = _page_info(rt, filters, sort, page, size, include_line_items)
        return self._array(self._call("POST", "/list", rt, body=info.to_json()))

    def list_page_as(
        self,
        decode: Callable[[bytes], Any],
        record_type: TypeName,
        filters: Sequence[Filter] = (),
        sort: Sort | None = None,
        page: int = 1,
        size: int = MAX_PAGE_SIZE,
        include_line_items: bool = False,
        *,
        slot: AbstractContextManager[Any] | None = None,
    ) -> Any:
        """One page (POST /list) decoded by ``decode`` from the answer's UTF-8 bytes.

        ``decode`` returns the page, or None to have it decoded into records as
        :meth:`list_page` does. Decoding is inside the retry loop, so an answer
        that is not JSON is retried as with :meth:`list_page`, but outside
        ``slot``, a context manager held around each request only (to bound
        the requests in flight without bounding the decoding).
        """
        rt = resolve(record_type)
        info = _page_info(rt, filters, sort, page, size, include_line_items)

        def decoded(body: bytes) -> tuple[Any, bool]:
            value = decode(body)
            if value is not None:
                return value, True
            return decode_json(body, "POST", "/list", rt), False

        value, done = self._call(
            "POST", "/list", rt, body=info.to_json(), decode=decoded, slot=slot
        )
        return value if done else self._array(value)

    def entity_refs(
        self,
        record_type: TypeName,
        filters: Sequence[Filter] = (),
        page: int = 1,
        size: int = MAX_PAGE_SIZE,
    ) -> list[dict[str, Any]]:
        """One page of ``{"Id", "Name"}`` pairs (POST /entityref)."""
        rt = resolve(record_type)
        info = ListInfo(type=rt.number, filters=tuple(filters), page=page, size=size)
        return self._array(self._call("POST", "/entityref", rt, body=info.to_json()))

    def custom_field_definitions(self, record_type: TypeName) -> list[dict[str, Any]]:
        """``GET /customfielddefinition?recordType=N``: the definitions of the
        type's custom fields (``Name``, ``Caption``, ``FieldType``...), in the
        server's order. An older service answers 404, a restricted role 403."""
        rt = resolve(record_type)
        params = {"recordType": rt.number}
        return self._array(
            self._call("GET", "/customfielddefinition", rt, params=params)
        )

    # -- single records ----------------------------------------------------

    def get(self, record_type: TypeName, key: Key) -> dict[str, Any]:
        rt = resolve(record_type)
        return self._record(
            self._call("GET", endpoint_path(rt), rt, params=key_params(rt, key))
        )

    def create(
        self, record_type: TypeName, record: Mapping[str, Any]
    ) -> dict[str, Any]:
        """POST a new record. Never retried once it may have reached the server.

        Raises UnavailableError with ``sent=True`` when the outcome is unknown
        (timeout, dropped connection, 5xx): look the record up before retrying.
        """
        rt = resolve(record_type)
        return self._record(
            self._call("POST", endpoint_path(rt), rt, body=record, create=True)
        )

    def update(
        self, record_type: TypeName, record: Mapping[str, Any]
    ) -> dict[str, Any]:
        """PUT the whole record (the API's PUT is holistic: omitted fields reset)."""
        rt = resolve(record_type)
        key = record.get(rt.key_field)
        params = {rt.key_params[0]: key} if key is not None and rt.key_params else None
        if rt.number == 121:  # customeraddress needs both parameters
            params = key_params(rt, {"customerId": customer_ref_id(record), "id": key})
        return self._record(
            self._call("PUT", endpoint_path(rt), rt, body=record, params=params)
        )

    def delete(self, record_type: TypeName, key: Key) -> bool:
        rt = resolve(record_type)
        return bool(
            self._call("DELETE", endpoint_path(rt), rt, params=key_params(rt, key))
        )

    # -- transport ---------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        rt: RecordType,
        *,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        create: bool = False,
        decode: Callable[[bytes], Any] | None = None,
        slot: AbstractContextManager[Any] | None = None,
    ) -> Any:
        """The JSON answer, or ``decode`` of its UTF-8 bytes, after retries.

        ``slot`` is held around each attempt's request, not around ``decode``.
        """
        url = self.config.base_url + path
        data = None if body is None else dumps(body).encode("utf-8")
        headers = (
            {"Content-Type": "application/json"} if method in ("POST", "PUT") else {}
        )
        waited = 0.0
        # 429s are counted apart from failures: six 429s of one burst used to
        # use up max_attempts and fail an export page, although the server had
        # said when to come back. Throttling is bounded by max_throttles and
        # max_total_wait instead.
        attempt = throttles = 0
        while True:
            try:
                with slot or nullcontext():
                    answer = self._once(
                        method, url, path, rt, data, params, headers, decode is not None
                    )
                return answer if decode is None else decode(answer)
            except UnavailableError as exc:
                throttled = exc.status == 429
                if throttled:
                    throttles += 1
                    for listener in self._throttle_listeners:
                        listener(exc.retry_after)
                else:
                    attempt += 1
                # A create may be repeated only when the server cannot have
                # acted on it: a 429 refusal or a connection never made.
                if create and (exc.sent and not throttled):
                    raise
                tries = throttles if throttled else attempt
                pause = self.retry.delay(tries, exc.retry_after, self._rng)
                if (
                    attempt >= self.retry.max_attempts
                    or throttles > self.retry.max_throttles
                    or waited + pause > self.retry.max_total_wait
                ):
                    raise
                self._count("retries")
                log.warning(
                    "%s %s failed (%s); retry %d in %.2fs",
                    method,
                    path,
                    exc.detail,
                    attempt + throttles,
                    pause,
                )
                time.sleep(pause)
                waited += pause

    def _once(
        self,
        method: str,
        url: str,
        path: str,
        rt: RecordType,
        data: bytes | None,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str],
        raw: bool = False,
    ) -> Any:
        self._count("requests")
        try:
            response = self._session.request(
                method,
                url,
                data=data,
                params=params,
                headers=headers,
                timeout=(self.config.connect_timeout, self.config.read_timeout),
                stream=raw,
            )
            # A body wanted as bytes is read in one call: requests' .content
            # reads 10 KiB at a time, about half the CPU of reading a page.
            body = read_all(response) if raw and response.status_code < 300 else b""
        except requests.RequestException as exc:
            self._count("connection_errors")
            raise UnavailableError(
                why_failed(exc),
                sent=not never_sent(exc),
                method=method,
                path=path,
                record_type=rt.name,
            ) from None
        self._count(f"status_{response.status_code}")
        log.debug("%s %s -> %d", method, path, response.status_code)
        if response.status_code >= 300:
            raise to_error(
                response,
                method=method,
                path=path,
                record_type=rt.name,
                email=self.email,
                base_url=self.config.base_url,
            )
        if raw:
            return as_utf8(body, response.encoding)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise UnavailableError(
                "the answer was not JSON: " + redact(response.text[:120]),
                method=method,
                path=path,
                record_type=rt.name,
            ) from None

    def _count(self, name: str) -> None:
        with self._lock:
            self.stats[name] += 1

    @staticmethod
    def _array(result: Any) -> list[dict[str, Any]]:
        if not isinstance(result, list):
            raise UnavailableError(
                f"expected a JSON array, got {type(result).__name__}"
            )
        return result

    @staticmethod
    def _record(result: Any) -> dict[str, Any]:
        if not isinstance(result, dict):
            raise UnavailableError(
                f"expected a JSON object, got {type(result).__name__}"
            )
        return result


def _page_info(
    rt: RecordType,
    filters: Sequence[Filter],
    sort: Sort | None,
    page: int,
    size: int,
    include_line_items: bool,
) -> ListInfo:
    return ListInfo(
        type=rt.number,
        filters=tuple(filters),
        sort=sort,
        page=page,
        size=size,
        include_line_items=include_line_items,
    )
