"""`ot-etl quickstart`: Northwind into an embedded sandbox and back out.

Exit codes: 0 when every source row is accounted for (loaded, or rejected
with a reason) and the reconciliation agrees; 1 when it does not add up;
2 when a step could not proceed.

Starts the sandbox on 127.0.0.1 with its database in the work folder, runs
every Northwind mapping in order, exports the loaded record types to
Parquet and prints the reconciliation. Running it again finds the ledgers
and the database and creates nothing twice.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import yaml

from ot_etl.cli.common import fail, guarded
from ot_etl.cli.progress import ExportProgress, PostingBar
from ot_etl.client import Client
from ot_etl.load.run import LoadResult
from ot_etl.quickstart import Step, find_inputs, run_quickstart

DEFAULT_WORKDIR = Path("ot-etl-quickstart")

REAL_ACCOUNT = """\
To run the same steps against your Order Time account, set the credentials
in the environment (never on the command line) and use the same commands:

  export OT_API_KEY=...  OT_EMAIL=...  OT_PASSWORD=...   # or OT_DEVKEY=...
  ot-etl load --dry-run mappings/northwind/02_vendors.yaml \\
      sample_data/northwind/suppliers.csv
  ot-etl export customer salesorder --out exports/

OT_BASE_URL defaults to https://services.ordertime.com/api. To rehearse on the
quickstart's data first: ot-etl sandbox serve --db {db}"""


@click.command("quickstart")
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_WORKDIR,
    show_default=True,
    help="Folder for the sandbox database, rejects, ledgers and the export.",
)
@click.option(
    "--data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of the Northwind CSV files (default sample_data/northwind).",
)
@click.option(
    "--mappings",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of the Northwind mappings (default mappings/northwind).",
)
@guarded
def quickstart_command(workdir: Path, data: Path | None, mappings: Path | None) -> None:
    """Migrate Northwind into a local sandbox, export it back, reconcile."""
    from ot_etl.sandbox import Sandbox

    inputs = find_inputs(data, mappings)
    lists = yaml.safe_load(inputs.lists.read_text(encoding="utf-8"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "sandbox.sqlite"
    click.echo(f"Sandbox: {db} (127.0.0.1, this run only)")
    click.echo(f"Data:    {inputs.data}\nMappings: {inputs.mappings}\n")
    bars: list[PostingBar] = []

    def progress(step: Step) -> PostingBar:
        bar = PostingBar()
        bars.append(bar)
        return bar

    def on_step(step: Step, result: LoadResult, seconds: float) -> None:
        for bar in bars:
            bar.close()
        click.echo(_step_line(step, result, seconds))
        for line in _step_details(result):
            click.echo(line)

    export_bar = ExportProgress(enabled=sys.stderr.isatty())
    with Sandbox(db, lists=lists) as sandbox, Client(**sandbox.client_kwargs()) as api:
        try:
            result = run_quickstart(
                workdir,
                client=api,
                inputs=inputs,
                on_step=on_step,
                progress=progress,
                on_page=export_bar.page,
                on_count=export_bar.count,
            )
        finally:
            export_bar.close()
    if result.stopped:
        fail(f"error: the quickstart stopped at {result.stopped}")
    click.echo(f"\nExported to {result.export_dir}/:")
    for exp in result.exports:
        lines = "" if exp.lines is None else f" + {exp.lines:,} lines"
        click.echo(f"  {exp.record_type:<12} {exp.rows:>6,} rows{lines}")
    assert result.reconciliation is not None
    click.echo("\nReconciliation:")
    for line in result.reconciliation.lines():
        click.echo("  " + line)
    click.echo("\n" + REAL_ACCOUNT.format(db=db))
    if not result.reconciliation.agrees:
        fail("error: the reconciliation does not add up (see MISMATCH above)", 1)
    # Rows rejected with a reason are part of a successful quickstart
    # (Northwind's broken customer row is rejected on purpose): every row is
    # accounted for, so the exit code is 0 once the reconciliation agrees.


def _step_line(step: Step, result: LoadResult, seconds: float) -> str:
    c: dict[str, Any] = result.counts
    parts = []
    unchanged = "verified" if step.verify_only else "unchanged"
    for key, label in (
        ("created", "created"),
        ("updated", "updated"),
        ("unchanged", unchanged),
        ("skipped", "already loaded"),
    ):
        if c[key]:
            parts.append(f"{c[key]:,} {label}")
    not_loaded = result.summary.not_loaded
    parts.append(f"{not_loaded:,} rejected")
    head = f"{step.mapping:<22} {step.source:<16} {c['rows_read']:>5,} rows"
    return f"{head}  {', '.join(parts)}  ({seconds:.1f}s)"


def _step_details(result: LoadResult) -> list[str]:
    out = []
    if result.summary.rejects_path is not None:
        out.append(f"    rejects: {result.summary.rejects_path}")
        reasons = result.rejects.drop_duplicates("_reasons")["_reasons"].head(2)
        out += [f"      {_short(r)}" for r in reasons]
    if result.summary.stopped:
        out.append(f"    STOPPED: {result.summary.stopped}")
    return out


def _short(text: str, limit: int = 150) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
