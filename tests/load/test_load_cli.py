"""`ot-etl load` from the command line: summary, exit codes, dry run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from load_helpers import HEADER, customer_csv, customer_mapping, write

from ot_etl.cli.load import load_command


@pytest.fixture
def env(sandbox: Any) -> dict[str, str]:
    return sandbox.environment()


def _run(env: dict[str, str], *args: Any) -> Any:
    return CliRunner().invoke(load_command, [str(a) for a in args], env=env)


def test_exit_codes_and_summary(env: dict[str, str], tmp_path: Path) -> None:
    mapping = customer_mapping(tmp_path)
    csv = customer_csv(tmp_path, 5)
    dry = _run(env, mapping, csv, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "  would create   5   e.g. customer 000, customer 001, customer 002" in (
        dry.output.splitlines()
    )
    done = _run(env, mapping, csv, "--workers", 2, "--batch-size", 2)
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0] == "Load: Customer (120)"
    assert "  created        5" in lines
    assert f"  ledger         {tmp_path / 'customers.ledger.sqlite'}" in lines
    bad = write(tmp_path / "bad.csv", HEADER + "X,Oslo,-1,,\nY,Oslo,1,,\n")
    rejects = tmp_path / "out" / "bad-rejects.csv"
    some = _run(env, mapping, bad, "--rejects", rejects, "--ledger", tmp_path / "l.db")
    assert some.exit_code == 3, some.output
    assert f"  rejects file   {rejects}" in some.output.splitlines()
    assert (tmp_path / "l.db").exists()


def test_could_not_proceed(env: dict[str, str], tmp_path: Path) -> None:
    csv = customer_csv(tmp_path, 2)
    broken = write(tmp_path / "broken.yaml", "record_type: custmer\nfields: {}\n")
    result = _run(env, broken, csv)
    assert result.exit_code == 2
    assert "Unknown record type 'custmer'. Did you mean: customer" in result.output
    viewer = dict(env, OT_EMAIL="viewer@sandbox.local", OT_PASSWORD="viewer-pass")
    refused = _run(viewer, customer_mapping(tmp_path), csv)
    assert refused.exit_code == 2
    assert (
        "error: Order Time refused user viewer@sandbox.local the right to create"
        in (refused.output)
    )


def test_progress_bar_is_quiet_off_a_terminal_and_counts_on_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from ot_etl.cli.progress import PostingBar

    quiet = PostingBar()
    quiet(1, 2)
    quiet.close()
    assert capsys.readouterr().err == ""
    bar = PostingBar()
    bar.enabled = True
    for done in (1, 3, 2, 4):  # workers may report out of order
        bar(done, 4)
    assert bar._shown == 4
    bar.close()
    assert "posting" in capsys.readouterr().err


def test_lock_timeout_zero_refuses_a_busy_ledger_before_any_request(
    env: dict[str, str], tmp_path: Path, sandbox: Any
) -> None:
    from ot_etl.load.ledger import Ledger

    mapping = customer_mapping(tmp_path)
    csv = customer_csv(tmp_path, 3)
    ledger_path = tmp_path / "customers.ledger.sqlite"
    with Ledger(ledger_path):
        before = sandbox.stats.snapshot()["requests"]
        busy = _run(env, mapping, csv, "--lock-timeout", 0)
        assert sandbox.stats.snapshot()["requests"] == before
    assert busy.exit_code == 2, busy.output
    assert f"error: Ledger {ledger_path} is in use by another load (pid " in (
        busy.output
    )
    assert _run(env, mapping, csv, "--lock-timeout", 0).exit_code == 0


def test_ctrl_c_says_how_to_resume_and_the_rerun_creates_each_row_once(
    env: dict[str, str], tmp_path: Path, sandbox: Any, monkeypatch: Any
) -> None:
    from ot_etl.client import Client
    from ot_etl.load.ledger import Ledger

    real = Ledger.mark_sending
    calls: list[int] = []

    def interrupt_at_second_batch(self: Ledger, *args: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(self, *args)

    mapping = customer_mapping(tmp_path)
    csv = customer_csv(tmp_path, 6)
    monkeypatch.setattr(Ledger, "mark_sending", interrupt_at_second_batch)
    stopped = _run(env, mapping, csv, "--workers", 1, "--batch-size", 2)
    assert stopped.exit_code == 130, stopped.output
    assert stopped.output.splitlines() == [
        "interrupted; run the same command again to resume: the ledger records "
        "what was sent, so rows already loaded are skipped and none is created twice"
    ]
    monkeypatch.setattr(Ledger, "mark_sending", real)
    resumed = _run(env, mapping, csv, "--workers", 1, "--batch-size", 2)
    assert resumed.exit_code == 0, resumed.output
    assert "  created        4" in resumed.output.splitlines()
    with Client(**sandbox.client_kwargs()) as client:
        names = [r["Name"] for r in client.list_page("customer", size=100)]
    assert sorted(names) == [f"Customer {i:03d}" for i in range(6)]


def test_interrupt_messages_are_the_command_s_own() -> None:
    import click

    from ot_etl.cli.common import guarded

    @click.command()
    @guarded
    def plain() -> None:
        raise KeyboardInterrupt

    @click.command()
    @guarded(interrupted="interrupted; partial files were removed")
    def careful() -> None:
        raise KeyboardInterrupt

    for command, said in (
        (plain, "interrupted\n"),
        (careful, "interrupted; partial files were removed\n"),
    ):
        result = CliRunner().invoke(command, [])
        assert (result.exit_code, result.output) == (130, said)
