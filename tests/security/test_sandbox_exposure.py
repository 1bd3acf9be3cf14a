"""The sandbox stays on loopback, bounds what it reads, and never runs input.

Binding elsewhere is only checked on the refusal and warning path: a stand-in
replaces the server, so nothing ever listens off loopback.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

import ot_etl.sandbox
from ot_etl.cli import main
from ot_etl.client.listinfo import Filter
from ot_etl.sandbox import Sandbox
from ot_etl.sandbox.server import MAX_BODY


class _StandIn:
    """Records how `sandbox serve` would start the server, and stops at once."""

    made: list[dict[str, Any]] = []  # noqa: RUF012 (one list per test, reset)

    def __init__(self, **kwargs: Any) -> None:
        self.made.append(kwargs)
        self.base_url = f"http://{kwargs['host']}:{kwargs['port']}/api"

    def bind(self) -> None:
        pass

    def serve_forever(self) -> None:
        raise KeyboardInterrupt


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    _StandIn.made = []
    monkeypatch.setattr(ot_etl.sandbox, "Sandbox", _StandIn)
    return _StandIn.made


def _serve(*args: str) -> Any:
    return CliRunner().invoke(main, ["sandbox", "serve", *args])


def test_the_default_is_loopback(stand_in: list[dict[str, Any]]) -> None:
    assert Sandbox().host == "127.0.0.1"
    result = _serve()
    assert result.exit_code == 0, result.output
    assert [m["host"] for m in stand_in] == ["127.0.0.1"]
    assert "WARNING" not in result.output


@pytest.mark.parametrize("host", ["127.0.0.2", "localhost", "::1"])
def test_other_loopback_names_need_no_flag(
    stand_in: list[dict[str, Any]], host: str
) -> None:
    result = _serve("--host", host)
    assert result.exit_code == 0, result.output
    assert "WARNING" not in result.output


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "sandbox.lan"])
def test_another_address_is_refused_without_the_flag(
    stand_in: list[dict[str, Any]], host: str
) -> None:
    result = _serve("--host", host)
    assert result.exit_code == 2
    assert f"Refusing to bind to {host}" in result.output
    assert "--allow-remote" in result.output
    assert stand_in == []  # not even constructed


def test_the_flag_binds_elsewhere_with_a_warning(
    stand_in: list[dict[str, Any]],
) -> None:
    result = _serve("--host", "0.0.0.0", "--allow-remote")
    assert result.exit_code == 0, result.output
    assert "WARNING: the sandbox is reachable from other machines" in result.output
    assert [m["host"] for m in stand_in] == ["0.0.0.0"]


def test_no_secret_is_read_from_the_command_line(
    stand_in: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OT_SANDBOX_PASSWORD", "from-the-environment")
    assert _serve().exit_code == 0
    passwords = [u.password for u in stand_in[0]["users"]]
    assert "from-the-environment" in passwords


def _raw_request(sb: Sandbox, head: str, body: bytes = b"") -> tuple[int, bytes]:
    """Send bytes as they are; return the status and whatever came back."""
    with socket.create_connection((sb.host, sb.port), timeout=5) as conn:
        conn.sendall(head.encode() + b"\r\n" + body)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), data


def _head(sb: Sandbox, length: str) -> str:
    kw = sb.client_kwargs()
    return (
        "POST /api/list HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"apiKey: {kw['api_key']}\r\nemail: {kw['email']}\r\n"
        f"password: {kw['password']}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n"
    )


def test_bodies_have_a_limit() -> None:
    assert MAX_BODY == 10 * 1024 * 1024
    with Sandbox() as sb:
        # Announced too big: answered at once, nothing read, connection closed.
        status, data = _raw_request(sb, _head(sb, str(MAX_BODY + 1)))
        assert status == 413
        assert b"larger than 10485760 bytes" in data
    with Sandbox(max_body=1000) as sb:
        kw = sb.client_kwargs()
        headers = {k: kw[k] for k in ("email", "password")}
        headers["apiKey"] = kw["api_key"]
        big = requests.post(
            f"{sb.base_url}/list", data=b" " * 1001, headers=headers, timeout=5
        )
        assert big.status_code == 413
        fine = requests.post(
            f"{sb.base_url}/list", json={"Type": 120}, headers=headers, timeout=5
        )
        assert fine.status_code == 200


@pytest.mark.parametrize("length", ["-1", "abc", "1e3", "²"])
def test_a_bad_content_length_is_a_400_not_a_hang(length: str) -> None:
    with Sandbox() as sb:
        status, data = _raw_request(sb, _head(sb, length), b"{}")
        assert status == 400
        assert b"Content-Length must be a whole number" in data


HOSTILE = [
    "__import__('os').system('touch PWNED-by-sandbox')",
    "{{7*7}}",
    "${7*7}",
    "=1+1",
    "'; DROP TABLE records; --",
    "Robert'); DELETE FROM records WHERE ('1'='1",
    '{"$type": "System.Object"}',
]


def test_input_is_stored_never_evaluated(
    client: Any, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for i, text in enumerate(HOSTILE):
        client.create("customer", {"Name": text, "Notes": f"n{i}"})
    rows = client.list_page("customer", size=100)
    assert sorted(r["Name"] for r in rows) == sorted(HOSTILE)
    for text in HOSTILE:
        found = client.list_page("customer", filters=[Filter("Name", value=text)])
        assert [r["Name"] for r in found] == [text]
    assert client.count("customer") == len(HOSTILE)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "listinfo",
    [
        {"Type": 120, "Sortation": {"PropertyName": "Name; DROP TABLE records"}},
        {
            "Type": 120,
            "Filters": [
                {
                    "PropertyName": "Name) OR 1=1 --",
                    "Operator": 1,
                    "FilterValueArray": "x",
                }
            ],
        },
        {"Type": "120 OR 1=1"},
        {"Type": 120, "PageNumber": "1; DROP TABLE records"},
    ],
)
def test_property_and_type_names_are_looked_up_not_interpolated(
    sandbox: Sandbox, client: Any, listinfo: dict[str, Any]
) -> None:
    client.create("customer", {"Name": "kept"})
    kw = sandbox.client_kwargs()
    headers = {"apiKey": kw["api_key"], "email": kw["email"]}
    headers["password"] = kw["password"]
    answer = requests.post(
        f"{sandbox.base_url}/list",
        data=json.dumps(listinfo),
        headers=headers,
        timeout=5,
    )
    assert answer.status_code == 400, answer.text
    assert client.count("customer") == 1


def test_from_python_a_non_loopback_host_needs_allow_remote() -> None:
    with pytest.raises(ValueError, match=r"refusing to bind the sandbox to 0\.0\.0\.0"):
        Sandbox(host="0.0.0.0")
    # Constructed only: nothing is bound or served here.
    assert Sandbox(host="0.0.0.0", allow_remote=True).host == "0.0.0.0"
    assert Sandbox(host="::1").host == "::1"
    assert Sandbox(host="localhost").host == "localhost"
