"""Run every command the README shows, in order, so the README cannot drift.

The ``sh`` blocks of the tour run in a scratch folder holding copies of
``sample_data/`` and ``mappings/``, against the sandbox the first block
starts (on a free port in place of the README's 8765). A trailing
``# exits 3`` comment states the exit code a command must end with; any
other command must exit 0, and none may print a traceback. The ``python``
block runs as a script afterwards. Of the two set-up commands on top, the
test command is what CI runs; the quickstart part of the first runs here.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.S | re.M)


def commands(block: str) -> Iterator[tuple[str, int]]:
    """Each command line and the exit code its comment promises (default 0)."""
    for line in block.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        command, _, comment = line.partition("  # ")
        expected = 3 if comment.startswith("exits 3") else 0
        yield command.strip(), expected


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"the README's sandbox did not listen on {port}")


def test_the_tour_runs_as_written(tmp_path: Path) -> None:
    work = tmp_path / "project"
    shutil.copytree(ROOT / "sample_data", work / "sample_data")
    shutil.copytree(ROOT / "mappings", work / "mappings")
    port = str(free_port())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OT_", "COLUMNS"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    servers: list[subprocess.Popen[bytes]] = []
    ran: list[str] = []
    try:
        for block in blocks("sh"):
            for command, expected in commands(block):
                command = command.replace("8765", port)
                if command.startswith("export "):
                    for pair in shlex.split(command)[1:]:
                        key, _, value = pair.partition("=")
                        env[key] = value
                elif command.endswith("&"):
                    servers.append(
                        subprocess.Popen(
                            shlex.split(command[:-1]),
                            cwd=work,
                            env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE,
                        )
                    )
                    wait_for(int(port))
                else:
                    done = subprocess.run(
                        ["bash", "-c", command],
                        cwd=work,
                        env=env,
                        capture_output=True,
                        text=True,
                        timeout=120,
                    )
                    shown = f"{command}\n{done.stdout}\n{done.stderr}"
                    assert done.returncode == expected, shown
                    assert "Traceback" not in done.stdout + done.stderr, shown
                ran.append(command)

        (python,) = blocks("python")
        script = subprocess.run(
            [sys.executable, "-c", python],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert script.returncode == 0, script.stderr
        assert script.stdout.split() == ["77", "0"]
    finally:
        for server in servers:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            if server.stderr is not None:
                server.stderr.close()

    assert len(ran) >= 12
    exported = pd.read_parquet(work / "exports" / "customer.parquet")
    assert len(exported) == 90
    assert len(pd.read_parquet(work / "exports" / "vendor.parquet")) == 29
    rejects = pd.read_csv(
        work / "sample_data" / "northwind" / "customers.rejects.csv",
        dtype=str,
        encoding="utf-8-sig",
    )
    assert rejects["customerID"].tolist() == ["QUEDE"]
    assert (work / "my_customers.yaml").read_text(encoding="utf-8").startswith("#")


def test_the_quickstart_command_of_the_readme_runs(tmp_path: Path) -> None:
    top = blocks("bash")[0]
    first = next(c for c, _ in commands(top) if "quickstart" in c)
    tail = first.split("&&")[-1].strip()
    assert tail == ".venv/bin/ot-etl quickstart"
    shutil.copytree(ROOT / "sample_data", tmp_path / "sample_data")
    shutil.copytree(ROOT / "mappings", tmp_path / "mappings")
    done = subprocess.run(
        [str(BIN / tail.removeprefix(".venv/bin/").split()[0]), "quickstart"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "  customers          91      90         1         90        90  ok" in (
        done.stdout
    )
    assert (tmp_path / "ot-etl-quickstart" / "export" / "salesorder.parquet").is_file()
