"""A local, persistent, multi-threaded HTTP implementation of the Order Time API.

::

    with Sandbox() as sb:                      # in-memory store, free port
        client = Client(**sb.client_kwargs())  # full-access user
        sb.faults.error_rate = 0.1             # knobs change at run time
        sb.stats.snapshot()                    # requests and injected faults

The sandbox speaks plain HTTP on loopback, imports the catalog and nothing
else of the toolkit, and uses only the standard library. Every choice the API
reference leaves open (status codes, paging limits, date macros, timestamp
format...) is listed with its reason in ``docs/sandbox.md``.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from ot_etl.sandbox.auth import DEFAULT_API_KEY, DEFAULT_USERS, Auth, User
from ot_etl.sandbox.customfields import configured
from ot_etl.sandbox.dates import Clock, utc_now
from ot_etl.sandbox.defaults import DEFAULT_LISTS, initialise
from ot_etl.sandbox.faults import Faults, Stats
from ot_etl.sandbox.records import Records
from ot_etl.sandbox.server import MAX_BODY, App, SandboxServer
from ot_etl.sandbox.store import Store

__all__ = ["DEFAULT_LISTS", "Faults", "Sandbox", "Stats", "User", "is_loopback"]

logger = logging.getLogger(__name__)

# How long stop() waits for requests already being answered.
DRAIN_SECONDS = 5.0


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Sandbox:
    """The Order Time API on ``http://host:port/api``, backed by SQLite.

    ``db_path`` None keeps data in memory; a path keeps it across restarts.
    ``port`` 0 picks a free port. ``users`` default to a full-access admin
    and a read-only viewer (see ``ot_etl.sandbox.auth``); ``dev_key`` enables
    the DevKey header in place of a password. ``lists`` adds rows to
    list-only record types (``{"Ship Method": ["Speedy Express"]}``).
    ``custom_fields`` defines custom fields per record type
    (``{"Customer": ["CustCust1"]}``) for ``/customfielddefinition``, which
    also lists the names found on stored records.
    ``clock`` returns naive UTC now (tests freeze it for date macros).
    """

    def __init__(
        self,
        db_path: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        api_key: str = DEFAULT_API_KEY,
        users: Sequence[User] = DEFAULT_USERS,
        lists: Mapping[str, Sequence[str]] | None = None,
        custom_fields: Mapping[str, Sequence[str]] | None = None,
        faults: Faults | None = None,
        dev_key: str | None = None,
        clock: Clock = utc_now,
        max_body: int = MAX_BODY,
        allow_remote: bool = False,
    ) -> None:
        if not users:
            raise ValueError("a sandbox needs at least one user")
        if not is_loopback(host) and not allow_remote:
            # Its credentials are public; anything but loopback is a choice.
            raise ValueError(
                f"refusing to bind the sandbox to {host}: it is for loopback "
                "(127.0.0.1); pass allow_remote=True if you really mean it"
            )
        self.db_path = db_path
        self.host = host
        self.port = port
        self.api_key = api_key
        self.users = tuple(users)
        self.dev_key = dev_key
        self.faults = faults if faults is not None else Faults()
        if latency:
            self.faults.latency = latency
        self.stats = Stats()
        self._lists = dict(lists or {})
        self._custom_fields = configured(custom_fields or {})
        self._clock = clock
        self._max_body = max_body
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None
        self._store: Store | None = None
        self.records: Records | None = None

    # -- life cycle --------------------------------------------------------------

    def bind(self) -> SandboxServer:
        """Open the store and bind the port (done by start; the CLI binds early)."""
        store = Store(self.db_path)
        records = Records(store, self._clock)
        initialise(records)
        if self._lists:
            records.ensure_lists(self._lists)
        app = App(
            store=store,
            records=records,
            auth=Auth(self.api_key, self.users, self.dev_key),
            clock=self._clock,
            faults=self.faults,
            stats=self.stats,
            max_body=self._max_body,
            custom_fields=self._custom_fields,
        )
        self._store, self.records = store, records
        server = SandboxServer((self.host, self.port), app)
        self.port = server.server_address[1]
        self._server = server
        return server

    def start(self) -> Sandbox:
        """Start serving in a background thread; returns self."""
        if self._server is not None:
            raise RuntimeError("the sandbox is already running")
        server = self.bind()
        self._thread = threading.Thread(
            target=server.serve_forever,
            args=(0.05,),  # a short poll so stop() returns quickly
            name="ot-sandbox",
            daemon=True,
        )
        self._thread.start()
        logger.info("sandbox serving on %s", self.base_url)
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until ``stop()`` or KeyboardInterrupt."""
        server = self._server or self.bind()
        try:
            server.serve_forever()
        finally:
            self._close()

    def stop(self) -> None:
        """Stop serving, close open connections and the store."""
        server = self._server
        if server is None:
            return
        if self._thread is not None:
            server.shutdown()
            self._thread.join(timeout=5)
        self._close()

    def _close(self) -> None:
        server, self._server, self._thread = self._server, None, None
        if server is not None:
            server.server_close()
            # Requests already inside (a slow-answer fault, a long write) finish
            # before the store closes under them; a stuck one is cut off after
            # DRAIN_SECONDS, as a real server's shutdown would.
            self._drain(DRAIN_SECONDS)
            server.close_connections()
        if self._store is not None:
            self._store.close()
            self._store = None

    def _drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while self.stats.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)
        if self.stats.in_flight:
            logger.debug("stopping with %d request(s) in flight", self.stats.in_flight)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- connection details --------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/api"

    def _kwargs(self, role: str) -> dict[str, Any]:
        user = next((u for u in self.users if u.role == role), None)
        if user is None:
            raise LookupError(f"the sandbox has no user with role {role!r}")
        return {
            "base_url": self.base_url,
            "api_key": self.api_key,
            "email": user.email,
            "password": user.password,
        }

    def client_kwargs(self) -> dict[str, Any]:
        """base_url, api_key, email, password of the full-access user."""
        return self._kwargs("full")

    def viewer_kwargs(self) -> dict[str, Any]:
        """The same for the read-only user."""
        return self._kwargs("read")

    def environment(self, role: str = "full") -> dict[str, str]:
        """The ``OT_*`` variables that point the CLI at this sandbox."""
        kw = self._kwargs(role)
        return {
            "OT_BASE_URL": kw["base_url"],
            "OT_API_KEY": kw["api_key"],
            "OT_EMAIL": kw["email"],
            "OT_PASSWORD": kw["password"],
        }

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the sandbox is not running")
        return self._store
