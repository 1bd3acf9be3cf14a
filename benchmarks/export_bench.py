"""Export benchmark: `ot-etl export customer` against a naive loop and the floor.

Seeds a temporary sandbox database with N customers (the sandbox's own seed
function), serves it from a separate process on 127.0.0.1 with an added
latency per request, then runs, each in its own process so that its peak
memory is its own (``os.wait4`` rusage):

* ``ot-etl export customer`` (what the console script runs, ``--workers W``,
  pages of 1000, Parquet);
* the naive loop: POST /list pages one after another until an empty page,
  ``pandas.json_normalize`` of every record, one ``to_parquet`` at the end;
* the floor: the same page requests (a count, then every page) fired with the
  same concurrency by a bare ``requests`` session, bodies read and dropped.

Each comparison runs ``--repeat`` rounds (the order of the three turns each
round) and prints the range of every figure and ratio, since a shared machine
gives noisy single runs, with the CPU seconds each process used (less
sensitive to other load than the wall time; the server's own CPU is not in
them). It also times the start-up of the ``ot-etl`` command alone (its
imports), which the export's time includes.

``--memory`` instead compares the exporter's peak memory at N and at 10 x N
records (100,000 vs 1,000,000 by default). Every figure is measured when the
script runs; nothing is hard-coded.

Run: ``python benchmarks/export_bench.py [--customers 100000] [--latency 0.05]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SANDBOX = """\
import json, sys
from ot_etl.sandbox import Sandbox
with Sandbox(db_path=sys.argv[1], latency=float(sys.argv[2])) as sb:
    print(json.dumps(sb.client_kwargs()), flush=True)
    sys.stdin.read()
"""

NAIVE = """\
import json, sys
import pandas as pd, requests
kw = json.loads(sys.argv[1])
h = {"apiKey": kw["api_key"], "email": kw["email"], "password": kw["password"],
     "Content-Type": "application/json"}
rows, page = [], 1
with requests.Session() as s:
    while True:
        body = {"Type": 120, "PageNumber": page, "NumberOfRecords": 1000,
                "Sortation": {"PropertyName": "Id", "Direction": 1}}
        got = s.post(kw["base_url"] + "/list", data=json.dumps(body), headers=h,
                     timeout=120).json()
        if not got:
            break
        rows.extend(got)
        page += 1
pd.json_normalize(rows).to_parquet(sys.argv[2])
print(len(rows))
"""

FLOOR = """\
import json, math, sys
from concurrent.futures import ThreadPoolExecutor
import requests
kw, workers = json.loads(sys.argv[1]), int(sys.argv[2])
h = {"apiKey": kw["api_key"], "email": kw["email"], "password": kw["password"],
     "Content-Type": "application/json"}
s = requests.Session()
s.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=workers))
url = kw["base_url"] + "/list"
count = int(s.put(url, data=json.dumps({"Type": 120}), headers=h, timeout=120).text)
def page(n):
    body = {"Type": 120, "PageNumber": n, "NumberOfRecords": 1000,
            "Sortation": {"PropertyName": "Id", "Direction": 1}}
    return len(s.post(url, data=json.dumps(body), headers=h, timeout=120).content)
with ThreadPoolExecutor(workers) as pool:
    sizes = list(pool.map(page, range(1, math.ceil(count / 1000) + 1)))
print(count, sum(sizes))
"""

# What the ot-etl console script runs.
EXPORT = "from ot_etl.cli import main; main()"
STARTUP = "import ot_etl.cli"


def _measured(
    cmd: list[str], env: dict[str, str] | None = None
) -> tuple[float, float, str, float]:
    """Run ``cmd``: wall seconds, its peak RSS (MiB), its stdout, its CPU seconds."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    # os.wait4 gives the resource usage of this one child, not of all children.
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(err[-3000:])
        raise SystemExit(f"{' '.join(cmd[:3])} exited {proc.returncode}")
    return elapsed, usage.ru_maxrss / 1024, out, usage.ru_utime + usage.ru_stime


class Server:
    """A seeded sandbox in its own process."""

    def __init__(self, folder: Path, customers: int, latency: float) -> None:
        self.db = folder / "sandbox.db"
        t = time.perf_counter()
        # Seeded in a child process: a large parent would inflate the peak
        # memory its children report (a fork starts as a copy of the parent).
        code = "import sys; from ot_etl.sandbox.seed import seed; "
        code += "seed(sys.argv[1], customers=int(sys.argv[2]))"
        subprocess.run(
            [sys.executable, "-c", code, str(self.db), str(customers)], check=True
        )
        print(f"seeded {customers:,} customers in {time.perf_counter() - t:.1f}s")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SANDBOX, str(self.db), str(latency)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.kwargs: dict[str, Any] = json.loads(self.proc.stdout.readline())

    def env(self) -> dict[str, str]:
        return dict(
            os.environ,
            OT_BASE_URL=self.kwargs["base_url"],
            OT_API_KEY=self.kwargs["api_key"],
            OT_EMAIL=self.kwargs["email"],
            OT_PASSWORD=self.kwargs["password"],
        )

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def export(server: Server, out: Path, workers: int) -> tuple[float, float, float]:
    cmd = [sys.executable, "-c", EXPORT, "export", "customer", "--out", str(out)]
    cmd += ["--workers", str(workers)]
    seconds, mib, stdout, cpu = _measured(cmd, server.env())
    print(stdout.rstrip())
    return seconds, mib, cpu


def compare(args: argparse.Namespace) -> None:
    names = ("ot-etl export customer", "floor", "naive", "start-up")
    rounds: list[dict[str, tuple[float, float, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server = Server(folder, args.customers, args.latency)
        kw = json.dumps(server.kwargs)
        runs = {
            names[0]: lambda: export(server, folder / "out", args.workers),
            names[1]: lambda: _figures(
                [sys.executable, "-c", FLOOR, kw, str(args.workers)]
            ),
            names[2]: lambda: _figures(
                [sys.executable, "-c", NAIVE, kw, str(folder / "naive.parquet")]
            ),
            names[3]: lambda: _figures([sys.executable, "-c", STARTUP]),
        }
        try:
            for n in range(args.repeat):
                # The order turns each round, so no run is always the first.
                three = names[:3]
                order = three[n % 3 :] + three[: n % 3] + names[3:]
                rounds.append({name: runs[name]() for name in order})
        finally:
            server.stop()
    print(
        f"\n{args.customers:,} customers, {args.latency * 1000:.0f} ms latency, "
        f"{args.workers} workers, {args.repeat} rounds"
    )
    labels = {
        names[0]: names[0],
        names[1]: f"floor ({args.workers} workers, bodies dropped)",
        names[2]: "naive loop + json_normalize",
        names[3]: "start-up of ot-etl (imports only)",
    }
    print(f"{'':<40}{'seconds':>14}{'CPU s':>12}{'peak MiB':>10}")
    for name in names:
        secs = _span([r[name][0] for r in rounds], ".2f")
        cpu = _span([r[name][2] for r in rounds], ".2f")
        mib = max(r[name][1] for r in rounds)
        print(f"{labels[name]:<40}{secs:>14}{cpu:>12}{mib:>10.0f}")
    faster = [r[names[2]][0] / r[names[0]][0] for r in rounds]
    near = [r[names[0]][0] / r[names[1]][0] for r in rounds]
    print(f"\nnaive / ot-etl: {_span(faster, '.1f')}x faster (target >= 5x)")
    print(f"ot-etl / floor: {_span(near, '.2f')}x (target <= 1.5x)")


def _figures(cmd: list[str]) -> tuple[float, float, float]:
    seconds, mib, _, cpu = _measured(cmd)
    return seconds, mib, cpu


def _span(values: list[float], fmt: str) -> str:
    low, high = min(values), max(values)
    if f"{low:{fmt}}" == f"{high:{fmt}}":
        return f"{low:{fmt}}"
    return f"{low:{fmt}}-{high:{fmt}}"


def memory(args: argparse.Namespace) -> None:
    figures = []
    for n in (args.customers, args.customers * 10):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            server = Server(folder, n, 0.0)
            try:
                figures.append((n, *export(server, folder / "out", args.workers)[:2]))
            finally:
                server.stop()
            print(f"{n:,} records: {figures[-1][1]:.1f}s, {figures[-1][2]:.0f} MiB")
    print(f"\n{'records':>12}{'seconds':>10}{'peak MiB':>10}")
    for n, seconds, mib in figures:
        print(f"{n:>12,}{seconds:>10.1f}{mib:>10.0f}")
    ratio = figures[1][2] / figures[0][2]
    print(f"\npeak memory at 10x the records: {ratio:.2f}x (target <= 2x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds of the comparison (ranges)"
    )
    parser.add_argument(
        "--memory", action="store_true", help="peak memory at N vs 10 x N records"
    )
    args = parser.parse_args()
    (memory if args.memory else compare)(args)


if __name__ == "__main__":
    main()
