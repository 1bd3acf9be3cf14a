"""Credentials never leave the process: not in logs, errors, output files or argv.

The sandbox runs with credentials of its own, distinctive enough to be found
anywhere they leak: every file a load or an export writes is searched byte
by byte, and so is everything the CLI prints with ``--debug``.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from ot_etl.cli import main
from ot_etl.client import Client
from ot_etl.errors import AuthError
from ot_etl.sandbox import Sandbox, User

API_KEY = "key-7f3a9c41d2e8b605"
PASSWORD = "pw-Q8v!r2Lz-5mKt"
WRONG = "pw-not-the-one-4471"
EMAIL = "ops@example.test"
SECRETS = (API_KEY, PASSWORD, WRONG)

MAPPING = """\
record_type: customer
mode: upsert
match: {fields: [Name]}
schema:
  columns:
    Name: {dtype: str}
    Limit: {dtype: float64, nullable: true, checks: {ge: 0}}
fields:
  Name: Name
  CreditLimit: Limit
"""


@pytest.fixture
def secret_sandbox() -> Iterator[Sandbox]:
    with Sandbox(api_key=API_KEY, users=[User(EMAIL, PASSWORD, "full")]) as sb:
        yield sb


def _env(sb: Sandbox, password: str = PASSWORD) -> dict[str, str]:
    return {
        "OT_BASE_URL": sb.base_url,
        "OT_API_KEY": API_KEY,
        "OT_EMAIL": EMAIL,
        "OT_PASSWORD": password,
    }


def _assert_clean(data: bytes | str, where: str) -> None:
    blob = data.encode() if isinstance(data, str) else data
    for secret in SECRETS:
        assert secret.encode() not in blob, f"{secret!r} leaked into {where}"
        assert secret.encode("utf-16-le") not in blob, f"{secret!r} in {where}"


def _all_options(command: click.Command, path: str = "ot-etl") -> Iterator[Any]:
    for param in command.params:
        yield path, param
    if isinstance(command, click.Group):
        # list/get_command, not .commands: the top group imports lazily.
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, name
            yield from _all_options(sub, f"{path} {name}")


def test_no_command_takes_a_secret_on_the_command_line() -> None:
    """Arguments are visible to every user of the machine (ps, /proc)."""
    found = []
    for path, param in _all_options(main):
        names = " ".join(param.opts + param.secondary_opts).lower()
        if any(w in names for w in ("password", "devkey", "secret", "token", "key")):
            found.append((path, names))
    # The sandbox's own API key is public: `serve` prints it for users to copy.
    assert found == [("ot-etl sandbox serve", "--api-key")]


def test_a_load_with_debug_logging_leaks_nothing(
    secret_sandbox: Sandbox, tmp_path: Path
) -> None:
    mapping = tmp_path / "customers.yaml"
    mapping.write_text(MAPPING)
    data = tmp_path / "customers.csv"
    data.write_text("Name,Limit\nAcme,10\nBad,-1\nZeta,not money\n")
    result = CliRunner().invoke(
        main,
        ["-v", "--debug", "load", str(mapping), str(data)],
        env=_env(secret_sandbox),
    )
    assert result.exit_code == 3, result.output
    # Debug logging is on: every request the load made is in the output searched.
    requests = [
        line
        for line in result.output.splitlines()
        if line.startswith("DEBUG ot_etl.client.http: ")
    ]
    assert requests == [
        "DEBUG ot_etl.client.http: PUT /list -> 200",
        "DEBUG ot_etl.client.http: POST /list -> 200",
        "DEBUG ot_etl.client.http: POST /customer -> 200",
    ]
    _assert_clean(result.output, "the CLI output")
    written = sorted(p for p in tmp_path.iterdir() if p.suffix != ".yaml")
    assert [p.name for p in written] == [
        "customers.csv",
        "customers.ledger.sqlite",
        "customers.ledger.sqlite.lock",
        "customers.rejects.csv",
    ]
    for path in written:
        _assert_clean(path.read_bytes(), path.name)
    with sqlite3.connect(tmp_path / "customers.ledger.sqlite") as db:
        dump = "\n".join(db.iterdump())
    _assert_clean(dump, "the ledger")


def test_an_export_and_its_manifest_leak_nothing(
    secret_sandbox: Sandbox, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["--debug", "export", "customer", "--out", str(out), "--format", "csv"],
        env=_env(secret_sandbox),
    )
    assert result.exit_code == 0, result.output
    _assert_clean(result.output, "the CLI output")
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "manifest.json" for p in files)
    for path in files:
        _assert_clean(path.read_bytes(), str(path.relative_to(out)))


def test_a_refused_password_is_not_repeated(
    secret_sandbox: Sandbox, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main,
        ["--debug", "export", "customer", "--out", str(tmp_path)],
        env=_env(secret_sandbox, password=WRONG),
    )
    assert result.exit_code == 2
    assert EMAIL in result.output  # the message says whose credentials failed
    _assert_clean(result.output, "the error message")


def test_exceptions_and_reprs_hold_no_secret(
    secret_sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """Also without the CLI's redacting filter: the library logs no header."""
    caplog.set_level(logging.DEBUG)
    kw = dict(base_url=secret_sandbox.base_url, api_key=API_KEY, email=EMAIL)
    with Client(**kw, password=WRONG) as bad:
        with pytest.raises(AuthError) as refused:
            bad.count("customer")
        _assert_clean(repr(bad.config), "the config's repr")
    _assert_clean(str(refused.value) + repr(refused.value), "the exception")
    with Client(**kw, password=PASSWORD) as good:
        assert good.count("customer") == 0
    _assert_clean("\n".join(r.getMessage() for r in caplog.records), "the log")
    assert caplog.records  # the requests were logged, without their headers
