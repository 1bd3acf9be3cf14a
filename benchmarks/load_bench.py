"""Load benchmark: `ot-etl load` against a naive loop and the floor.

Starts its own sandbox (a separate process, 20 ms added latency per request,
on 127.0.0.1), writes N customer rows as CSV and a create mapping, then times:

* ``ot-etl load`` as a subprocess (``--workers W``);
* the naive loop: one POST per row, sequential, plain ``requests`` (measured
  on ``--naive-rows`` rows and reported as a rate, since at 20 ms a request a
  full sequential run of 10,000 rows takes minutes);
* the floor: the same POSTs fired with the same concurrency by a bare
  ``requests`` session (no validation, ledger or rejects);
* validation (pandera + catalog rules) of ``--validate-rows`` rows x 10 columns.

Every figure is measured on this machine when the script runs; nothing is
hard-coded. Run: ``python benchmarks/load_bench.py [--rows 10000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import requests

MAPPING = """\
record_type: customer
mode: create
match:
  fields: [Name]
schema:
  columns:
    Name: {dtype: str, nullable: false}
    Company: {dtype: str, nullable: true}
    City: {dtype: str, nullable: true}
    Zip: {dtype: str, nullable: true}
    Phone: {dtype: str, nullable: true}
    Email: {dtype: str, nullable: true}
    Website: {dtype: str, nullable: true}
    Account: {dtype: str, nullable: true}
    Note: {dtype: str, nullable: true}
    CreditLimit: {dtype: float64, nullable: true, checks: {ge: 0}}
fields:
  Name: Name
  CompanyName: Company
  BillAddress.City: City
  BillAddress.Zip: Zip
  BillAddress.Phone: Phone
  BillAddress.Email: Email
  Website: Website
  AccountNumber: Account
  Note: Note
  CreditLimit: CreditLimit
"""

SANDBOX = """\
import json, sys
from ot_etl.sandbox import Sandbox
with Sandbox(latency=float(sys.argv[1])) as sb:
    print(json.dumps(sb.client_kwargs()), flush=True)
    sys.stdin.read()
"""


def rows(n: int, prefix: str) -> pd.DataFrame:
    ids = range(n)
    return pd.DataFrame(
        {
            "Name": [f"{prefix} Customer {i:06d}" for i in ids],
            "Company": [f"Company {i % 997}" for i in ids],
            "City": [("Boston", "Lyon", "São Paulo", "Köln")[i % 4] for i in ids],
            "Zip": [f"{i % 99999:05d}" for i in ids],
            "Phone": [f"+1 617 555 {i % 10000:04d}" for i in ids],
            "Email": [f"c{i}@example.com" for i in ids],
            "Website": [f"https://c{i}.example.com" for i in ids],
            "Account": [f"A-{i:07d}" for i in ids],
            "Note": ["imported" for _ in ids],
            "CreditLimit": [f"{(i % 50) * 100}.00" for i in ids],
        }
    )


def payload(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "Name": row["Name"],
        "CompanyName": row["Company"],
        "BillAddress": {
            "City": row["City"],
            "Zip": row["Zip"],
            "Phone": row["Phone"],
            "Email": row["Email"],
        },
        "Website": row["Website"],
        "AccountNumber": row["Account"],
        "Note": row["Note"],
        "CreditLimit": float(row["CreditLimit"]),
    }


def headers(kw: dict[str, Any]) -> dict[str, str]:
    return {
        "apiKey": kw["api_key"],
        "email": kw["email"],
        "password": kw["password"],
        "Content-Type": "application/json",
    }


def naive(kw: dict[str, Any], frame: pd.DataFrame) -> float:
    started = time.perf_counter()
    for row in frame.to_dict("records"):
        r = requests.post(
            kw["base_url"] + "/customer",
            data=json.dumps(payload(row)),
            headers=headers(kw),
            timeout=60,
        )
        r.raise_for_status()
    return time.perf_counter() - started


def floor(kw: dict[str, Any], frame: pd.DataFrame, workers: int) -> float:
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=workers)
    session.mount("http://", adapter)
    session.headers.update(headers(kw))
    bodies = [json.dumps(payload(r)) for r in frame.to_dict("records")]

    def post(body: str) -> None:
        session.post(kw["base_url"] + "/customer", data=body, timeout=60)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(post, bodies))
    return time.perf_counter() - started


def ot_etl_load(
    kw: dict[str, Any], folder: Path, frame: pd.DataFrame, workers: int
) -> float:
    csv = folder / "customers.csv"
    frame.to_csv(csv, index=False)
    mapping = folder / "customers.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    env = dict(
        os.environ,
        OT_BASE_URL=kw["base_url"],
        OT_API_KEY=kw["api_key"],
        OT_EMAIL=kw["email"],
        OT_PASSWORD=kw["password"],
    )
    # The `ot-etl load` command itself, without the root group's option parsing.
    cli = "from ot_etl.cli.load import load_command; load_command()"
    cmd = [sys.executable, "-c", cli, str(mapping), str(csv)]
    cmd += ["--workers", str(workers)]
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    print(done.stdout.rstrip())
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"ot-etl load exited {done.returncode}")
    return elapsed


def validation(n: int) -> float:
    from ot_etl.load.read import SourceFrame
    from ot_etl.load.validate import validate
    from ot_etl.mapping import parse_mapping

    mapping = parse_mapping(MAPPING)
    raw = rows(n, "V").astype("str")
    source = SourceFrame(
        raw=raw,
        path="bench.csv",
        sheet=None,
        row_numbers=list(range(2, n + 2)),
        columns=list(raw.columns),
    )
    started = time.perf_counter()
    report = validate(source, mapping)
    elapsed = time.perf_counter() - started
    print(
        f"  validated {n:,} rows x {raw.shape[1]} columns, "
        f"{len(report.failures)} failures"
    )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--naive-rows", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--validate-rows", type=int, default=1_000_000)
    args = parser.parse_args()

    server = subprocess.Popen(
        [sys.executable, "-c", SANDBOX, str(args.latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        kw = json.loads(server.stdout.readline())
        with tempfile.TemporaryDirectory() as tmp:
            print(
                f"ot-etl load: {args.rows:,} rows, {args.workers} workers, "
                f"{args.latency * 1000:.0f} ms latency"
            )
            t_load = ot_etl_load(kw, Path(tmp), rows(args.rows, "L"), args.workers)
        t_floor = floor(kw, rows(args.rows, "F"), args.workers)
        t_naive = naive(kw, rows(args.naive_rows, "N"))
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=30)
    rate_load = args.rows / t_load
    rate_floor = args.rows / t_floor
    rate_naive = args.naive_rows / t_naive
    print()
    print(f"ot-etl load : {t_load:7.2f} s  {rate_load:8.0f} rows/s")
    print(
        f"floor       : {t_floor:7.2f} s  {rate_floor:8.0f} rows/s "
        f"(bare session, {args.workers} threads)"
    )
    print(
        f"naive loop  : {t_naive:7.2f} s  {rate_naive:8.0f} rows/s "
        f"(sequential, measured on {args.naive_rows:,} rows)"
    )
    print(
        f"speed-up over the naive loop : {rate_load / rate_naive:5.1f}x (target >= 6x)"
    )
    print(f"time over the floor          : {t_load / t_floor:5.2f}x (target <= 1.3x)")
    if args.validate_rows:
        t_val = validation(args.validate_rows)
        n = args.validate_rows
        print(f"validation   : {t_val:7.2f} s for {n:,} rows x 10 columns")


if __name__ == "__main__":
    main()
