"""Pages read as bytes: one read of the whole body, and a cut-short body is retried.

A small server on 127.0.0.1 stands in for the API here, because the sandbox
cannot send fewer bytes than its Content-Length announces.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator

import pytest

from ot_etl.client import Client, RetryPolicy

PAGE = b'[{"Id": 1, "Name": "A\xc3\xa9"}, {"Id": 2, "Name": "B"}]'


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        server = self.server
        assert isinstance(server, _Server)
        while True:
            length = 0
            line = self.rfile.readline()
            if not line:
                return
            while line not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
                line = self.rfile.readline()
            self.rfile.read(length)
            body, charset = server.answers.pop(0)
            head = (
                "HTTP/1.1 200 OK\r\n"
                f"Content-Type: application/json; charset={charset}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            )
            server.served += 1
            if server.cut:
                server.cut = False
                self.wfile.write(head.encode() + body[: len(body) // 2])
                return  # closes the connection mid-body
            self.wfile.write(head.encode() + body)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answers: list[tuple[bytes, str]] = []
        self.cut = False
        self.served = 0


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _client(srv: _Server) -> Client:
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02)
    host, port = srv.server_address[:2]
    return Client(
        base_url=f"http://{host}:{port}/api",
        api_key="k",
        email="e@example.com",
        password="p",
        retry=policy,
    )


def test_a_body_cut_short_is_retried(server: _Server) -> None:
    server.answers = [(PAGE, "utf-8"), (PAGE, "utf-8")]
    server.cut = True
    with _client(server) as client:
        got = client.list_page_as(lambda body: body, "customer")
        assert got == PAGE
        assert client.stats["retries"] == 1
    assert server.served == 2


def test_pages_reuse_the_connection_and_other_charsets_become_utf8(
    server: _Server,
) -> None:
    latin = PAGE.decode("utf-8").encode("latin-1")
    server.answers = [(PAGE, "utf-8"), (latin, "latin-1"), (PAGE, "utf-8")]
    with _client(server) as client:
        bodies = [client.list_page_as(lambda b: b, "customer") for _ in range(3)]
        pools = client._session.adapters["http://"].poolmanager.pools  # type: ignore[attr-defined]
        connections = sum(p.num_connections for p in pools._container.values())
    assert bodies == [PAGE, PAGE, PAGE]
    assert connections == 1
