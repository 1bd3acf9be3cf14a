"""`ot-etl load MAPPING FILE`: validate, plan and post a spreadsheet.

Exit codes: 0 every row loaded; 3 some rows rejected or failed (see the
rejects file); 2 the run could not proceed (bad mapping, unusable input,
refused credentials, a 403, a ledger in use by another load).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ot_etl.cli.common import guarded, make_client
from ot_etl.cli.progress import PostingBar
from ot_etl.load import load_file

INTERRUPTED = (
    "interrupted; run the same command again to resume: the ledger records what "
    "was sent, so rows already loaded are skipped and none is created twice"
)


@click.command("load")
@click.argument("mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--workers",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Requests in flight at most (the pool slows down on 429).",
)
@click.option(
    "--batch-size",
    default=100,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Records per ledger checkpoint.",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(path_type=Path),
    help="Rejects file (default <stem>.rejects.csv/.xlsx next to FILE; a "
    "rejects file given back is rewritten in place).",
)
@click.option(
    "--ledger",
    "ledger_path",
    type=click.Path(path_type=Path),
    help="Ledger file (default <stem>.ledger.sqlite next to the rejects).",
)
@click.option(
    "--lock-timeout",
    default=600.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds to wait for a ledger held by another load; 0 refuses at once.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Read, validate, resolve and plan; write nothing anywhere.",
)
@guarded(interrupted=INTERRUPTED)
def load_command(
    mapping: Path,
    file: Path,
    workers: int,
    batch_size: int,
    rejects_path: Path | None,
    ledger_path: Path | None,
    lock_timeout: float,
    dry_run: bool,
) -> None:
    """Load FILE (CSV or Excel) into Order Time as MAPPING describes."""
    client = make_client(workers)
    bar = PostingBar()
    try:
        result = load_file(
            file,
            mapping,
            client=client,
            workers=workers,
            batch_size=batch_size,
            rejects_path=rejects_path,
            ledger_path=ledger_path,
            dry_run=dry_run,
            progress=bar,
            lock_timeout=lock_timeout,
        )
    finally:
        bar.close()
        client.close()
    for line in result.summary.lines():
        click.echo(line)
    if result.summary.stopped:
        click.echo(f"error: {result.summary.stopped}", err=True)
    sys.exit(result.exit_code)
