"""`ot-etl sandbox serve|seed`: run the local Order Time sandbox, fill it with data."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
import yaml

from ot_etl.cli.common import EXIT_CANNOT_PROCEED, fail


def _read_lists(path: Path) -> dict[str, list[str]]:
    """A YAML or JSON file ``{"Ship Method": ["Speedy Express", ...], ...}``."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        fail(f"Cannot read the lists file {path}: {exc}")
    ok = isinstance(data, dict) and all(
        isinstance(k, str)
        and isinstance(v, list)
        and all(isinstance(n, str) for n in v)
        for k, v in data.items()
    )
    if not ok:
        fail(
            f"The lists file {path} must map record type names to lists of names, "
            'e.g. {"Ship Method": ["Speedy Express"]}.'
        )
    return dict(data)


@click.group("sandbox")
def sandbox_group() -> None:
    """Run a local Order Time API sandbox (loopback HTTP, SQLite)."""


@sandbox_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=int)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite file that keeps the data; in memory when omitted.",
)
@click.option("--latency", default=0.0, type=float, help="Seconds added per request.")
@click.option("--api-key", default="sandbox-api-key", show_default=True)
@click.option(
    "--email",
    default="admin@sandbox.local",
    show_default=True,
    help="Email of the full-access user (password: env OT_SANDBOX_PASSWORD).",
)
@click.option("--error-rate", default=0.0, type=float, help="Share of 500 answers.")
@click.option(
    "--drop-rate", default=0.0, type=float, help="Share of dropped connections."
)
@click.option("--throttle-rate", default=0.0, type=float, help="Share of 429 answers.")
@click.option(
    "--retry-after",
    default=1.0,
    type=float,
    show_default=True,
    help="Seconds in Retry-After of 429 answers.",
)
@click.option(
    "--max-concurrent",
    default=None,
    type=int,
    help="Answer 429 above this many requests in flight.",
)
@click.option(
    "--fault-seed",
    default=0,
    type=int,
    show_default=True,
    help="Seed of the fault draws.",
)
@click.option(
    "--lists",
    "lists_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="YAML/JSON rows for list-only types, e.g. Ship Method.",
)
@click.option(
    "--allow-remote", is_flag=True, help="Allow binding to a non-loopback address."
)
def serve_command(
    host: str,
    port: int,
    db: Path | None,
    latency: float,
    api_key: str,
    email: str,
    error_rate: float,
    drop_rate: float,
    throttle_rate: float,
    retry_after: float,
    max_concurrent: int | None,
    fault_seed: int,
    lists_file: Path | None,
    allow_remote: bool,
) -> None:
    """Serve the sandbox in the foreground until Ctrl-C."""
    from ot_etl.sandbox import Faults, Sandbox, is_loopback
    from ot_etl.sandbox.auth import DEFAULT_USERS, User

    if not is_loopback(host):
        if not allow_remote:
            fail(
                f"Refusing to bind to {host}: the sandbox is for loopback. "
                "Pass --allow-remote if you really mean it.",
                EXIT_CANNOT_PROCEED,
            )
        click.echo(
            f"WARNING: the sandbox is reachable from other machines on {host}; "
            "its credentials are not secret.",
            err=True,
        )
    password = os.environ.get("OT_SANDBOX_PASSWORD") or "sandbox-pass"
    users = (User(email, password, "full"), *DEFAULT_USERS[1:])
    faults = Faults(
        latency=latency,
        error_rate=error_rate,
        drop_rate=drop_rate,
        throttle_rate=throttle_rate,
        retry_after=retry_after,
        max_concurrent=max_concurrent,
        seed=fault_seed,
    )
    lists = _read_lists(lists_file) if lists_file else None
    try:
        sandbox = Sandbox(
            db_path=db,
            host=host,
            port=port,
            api_key=api_key,
            users=users,
            lists=lists,
            faults=faults,
            dev_key=os.environ.get("OT_SANDBOX_DEVKEY"),
            allow_remote=allow_remote,
        )
        sandbox.bind()  # bind now, so the URL printed is the real one
    except OSError as exc:
        fail(f"Cannot start the sandbox on {host}:{port}: {exc}")
    except Exception as exc:  # a bad lists file names an unknown record type
        fail(f"Cannot start the sandbox: {exc}")
    click.echo(f"Order Time sandbox on {sandbox.base_url} ({db or 'in memory'})")
    click.echo("Point ot-etl at it with:")
    click.echo(f"  export OT_BASE_URL={sandbox.base_url}")
    click.echo(f"  export OT_API_KEY={api_key}")
    click.echo(f"  export OT_EMAIL={email}")
    click.echo(
        "  and set OT_PASSWORD to the sandbox password "
        "(OT_SANDBOX_PASSWORD, default 'sandbox-pass')."
    )
    click.echo("Press Ctrl-C to stop.")
    try:
        sandbox.serve_forever()
    except KeyboardInterrupt:
        click.echo("Sandbox stopped.")


@sandbox_group.command("seed")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="SQLite file to fill (created when missing).",
)
@click.option("--customers", default=0, type=click.IntRange(min=0))
@click.option("--items", default=0, type=click.IntRange(min=0))
@click.option("--orders", default=0, type=click.IntRange(min=0))
@click.option("--seed", "seed_value", default=1, type=int, show_default=True)
def seed_command(
    db: Path, customers: int, items: int, orders: int, seed_value: int
) -> None:
    """Append generated customers, part items and sales orders to a sandbox file."""
    from ot_etl.sandbox.seed import seed

    try:
        result = seed(
            db, customers=customers, items=items, orders=orders, seed=seed_value
        )
    except ValueError as exc:
        fail(str(exc))
    click.echo(
        f"Seeded {db}: {result.customers} customers ({result.addresses} addresses), "
        f"{result.items} items, {result.orders} orders with {result.lines} lines "
        f"in {result.seconds:.1f}s."
    )
