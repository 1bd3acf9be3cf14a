"""`ot-etl export`: record types to Parquet/CSV files, with a progress bar per type."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from ot_etl.cli.common import guarded, make_client
from ot_etl.cli.progress import ExportProgress
from ot_etl.errors import ConfigError
from ot_etl.extract import (
    FORMS,
    ExportOptions,
    ExportResult,
    export_types,
    listable_types,
    parse_filters,
)
from ot_etl.extract.writer import FORMATS


def _since(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"--modified-since {text!r} is not a date; "
            "use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS"
        ) from None


@click.command("export")
@click.argument("types", nargs=-1)
# No file_okay=False: the library's own check names the path and the fix, the
# same for a file given as --out and for a file somewhere above it.
@click.option("--out", "-o", "out_dir", required=True, metavar="DIR")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="parquet")
@click.option("--filter", "filters", multiple=True, help=f"Repeatable. Forms: {FORMS}.")
@click.option("--modified-since", help="Only records modified on or after this date.")
@click.option("--incremental", is_flag=True, help="Merge changes since the last run.")
@click.option("--full", is_flag=True, help="Rebuild (after deletions); resets state.")
@click.option("--all", "all_types", is_flag=True, help="Every readable record type.")
@click.option("--workers", type=click.IntRange(1, 32), default=4, show_default=True)
@click.option(
    "--page-size", type=click.IntRange(1, 1000), default=1000, show_default=True
)
@click.option("--include-sensitive", is_flag=True, help="Keep card fields too.")
@guarded(interrupted="interrupted; nothing half-written was left under a final name")
def export_command(
    types: tuple[str, ...],
    out_dir: str,
    fmt: str,
    filters: tuple[str, ...],
    modified_since: str | None,
    incremental: bool,
    full: bool,
    all_types: bool,
    workers: int,
    page_size: int,
    include_sensitive: bool,
) -> None:
    """Export record TYPES (e.g. customer salesorder) to files in --out.

    Writes <type>.parquet (or .csv) per type, <type>_lines for transactions,
    manifest.json, and the state used by --incremental. Deletions are not
    seen by --incremental; run --full now and then.
    """
    if all_types == bool(types):
        raise ConfigError("Name record types, or give --all (not both).")
    options = ExportOptions(
        fmt="csv" if fmt == "csv" else "parquet",
        filters=tuple(parse_filters(filters)),
        modified_since=_since(modified_since),
        incremental=incremental and not full,
        full=full,
        workers=workers,
        page_size=page_size,
        include_sensitive=include_sensitive,
    )
    chosen: list[Any] = list(listable_types()) if all_types else list(types)
    progress = ExportProgress(enabled=sys.stderr.isatty())
    with make_client(workers) as client:
        try:
            results = export_types(
                chosen,
                out_dir,
                client=client,
                options=options,
                skip_refused=all_types,
                on_page=progress.page,
                on_count=progress.count,
            )
        finally:
            progress.close()
    click.echo(summary_table(results))


def summary_table(results: list[ExportResult]) -> str:
    """The end-of-run table: counts, lines, headers without lines, changes."""
    head = ("type", "count", "rows", "lines", "no-lines", "mode", "notes")
    rows = [head]
    for r in results:
        if r.skipped is not None:
            rows.append((r.record_type, "-", "-", "-", "-", "skipped", r.skipped[:60]))
            continue
        rows.append(
            (
                r.record_type,
                str(r.server_count),
                str(r.rows),
                "-" if r.lines is None else str(r.lines),
                "-"
                if r.headers_without_lines is None
                else str(r.headers_without_lines),
                r.mode,
                _notes(r),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _notes(r: ExportResult) -> str:
    notes = []
    ch = r.changes
    if ch.get("recount") is not None and ch["recount"] != r.server_count:
        notes.append(f"count changed to {ch['recount']} during the run")
    if ch.get("added_during_run"):
        notes.append(f"{ch['added_during_run']} added during the run")
    if ch.get("recovered"):
        notes.append(f"{ch['recovered']} recovered from page gaps")
    if ch.get("duplicates_dropped"):
        notes.append(f"{ch['duplicates_dropped']} duplicates dropped")
    if r.mode == "incremental":
        notes.append(f"{r.fetched} fetched, {r.replaced} replaced")
    if r.extras:
        notes.append(f"unknown fields kept: {', '.join(r.extras)}")
    if r.coercions:
        notes.append(f"{sum(r.coercions.values())} values coerced")
    if r.removed:
        notes.append(f"removed {', '.join(r.removed)} (other format)")
    return "; ".join(notes)
