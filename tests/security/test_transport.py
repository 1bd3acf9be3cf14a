"""Credentials travel only over verified TLS, or plain HTTP on loopback.

The TLS test serves a self-signed certificate on 127.0.0.1: the client must
refuse the connection before sending a single request (so no header either).
"""

from __future__ import annotations

import http.server
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from ot_etl.client import Client
from ot_etl.client.config import resolve_config
from ot_etl.client.retry import NO_RETRY
from ot_etl.errors import ConfigError, UnavailableError

CREDS = {"api_key": "k-123456", "email": "a@b.test", "password": "p-123456"}


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/api",
        "http://10.0.0.5:8765/api",
        "http://127.0.0.1.example.com/api",
        "http://localhost.example.com/api",
        "http://user@example.com/api",
    ],
)
def test_plain_http_is_refused_off_loopback(url: str) -> None:
    with pytest.raises(ConfigError, match="Refusing plain http://"):
        resolve_config(base_url=url, **CREDS)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8765/api",
        "http://localhost:8765/api",
        "http://[::1]:8765/api",
        "https://services.ordertime.com/api",
    ],
)
def test_loopback_http_and_any_https_are_accepted(url: str) -> None:
    assert resolve_config(base_url=url, **CREDS).base_url == url


@pytest.mark.parametrize("url", ["ftp://example.com/api", "file:///etc/passwd"])
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="not an http"):
        resolve_config(base_url=url, **CREDS)


def test_verification_cannot_be_switched_off_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CURL_CA_BUNDLE", "")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "")
    monkeypatch.setenv("PYTHONHTTPSVERIFY", "0")
    with Client(base_url="https://services.ordertime.com/api", **CREDS) as client:
        assert client._session.verify is True
        settings = client._session.merge_environment_settings(
            "https://services.ordertime.com/api/list", {}, None, None, None
        )
        assert settings["verify"] is True


def test_no_module_turns_verification_off() -> None:
    package = Path(__file__).parents[2] / "ot_etl"
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "verify=False" not in text, path
        assert "CERT_NONE" not in text, path
        assert "_create_unverified_context" not in text, path


class _Counting(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_PUT(self) -> None:  # the client's first call (count) is a PUT /list
        self.seen.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def self_signed(tmp_path: Path) -> Iterator[str]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counting)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()


def test_an_unverifiable_certificate_is_refused_before_any_request(
    self_signed: str,
) -> None:
    _Counting.seen.clear()
    client = Client(base_url=self_signed, retry=NO_RETRY, **CREDS)
    with client, pytest.raises(UnavailableError) as refused:
        client.count("customer")
    assert "certificate" in str(refused.value).lower()
    assert _Counting.seen == []
