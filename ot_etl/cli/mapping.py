"""`ot-etl validate MAPPING FILE` and `ot-etl mapping init TYPE --from FILE`.

``validate`` reads, validates and builds (no server is contacted) and prints
every failure as a table of sheet row, column, value and reason. Exit codes:
0 every row is valid; 3 some rows are invalid or duplicates; 2 the check could
not proceed (bad mapping or unreadable file).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click
import pandas as pd

from ot_etl.catalog import resolve
from ot_etl.cli.common import EXIT_ROWS_REJECTED, fail, guarded
from ot_etl.load.build import build_records, find_duplicates
from ot_etl.load.read import SourceFrame, read_source
from ot_etl.load.rejects import masked_cells, neutralise, strip_extras
from ot_etl.load.validate import RowFailure, validate
from ot_etl.mapping import init_mapping, load_mapping

VALUE_WIDTH = 40


def mask(value: str | None) -> str | None:
    """A sensitive value with all but its last four characters hidden."""
    if value is None:
        return None
    return "*" * max(0, len(value) - 4) + value[-4:] if len(value) > 4 else "****"


def _failures_table(failures: list[RowFailure], sensitive: set[str]) -> pd.DataFrame:
    rows = sorted(failures, key=lambda f: (f.row, f.column))
    return pd.DataFrame(
        {
            "row": [f.row for f in rows],
            "column": [f.column for f in rows],
            "value": pd.Series(
                [mask(f.value) if f.column in sensitive else f.value for f in rows],
                dtype="object",
            ),
            "reason": [f.reason for f in rows],
            "stage": [f.stage for f in rows],
        }
    )


def _short(value: object) -> str:
    text = (
        ""
        if value is None or (isinstance(value, float) and pd.isna(value))
        else str(value)
    )
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def _echo_table(table: pd.DataFrame, limit: int) -> None:
    head = ("row", "column", "value", "reason")
    rows = [
        (str(r.row), _short(r.column), _short(r.value), str(r.reason))
        for r in table.head(limit).itertuples(index=False)
    ]
    widths = [max(len(x[i]) for x in [head, *rows]) for i in range(3)]
    for row in [head, *rows]:
        cells = [c.ljust(w) for c, w in zip(row[:3], widths, strict=True)]
        click.echo("  ".join([*cells, row[3]]).rstrip())
    if len(table) > limit:
        click.echo(f"... and {len(table) - limit} more (write them all with --out)")


def _masked_failures(frame: SourceFrame, sensitive: list[str]) -> list[RowFailure]:
    found = masked_cells(frame.raw, sensitive)
    out = []
    for pos, texts in found.items():
        for text in texts:
            column, _, reason = text.partition(": ")
            out.append(RowFailure(pos, frame.row(pos), column, None, reason))
    return out


@click.command("validate")
@click.argument("mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every failure to this CSV (UTF-8 with BOM, for Excel).",
)
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(1, None),
    help="Failures shown on screen.",
)
@guarded
def validate_command(mapping: Path, file: Path, out: Path | None, limit: int) -> None:
    """Check FILE against MAPPING without loading anything.

    Every failure is listed at once: sheet row, column, value and reason.
    Exit 0 when every row is valid, 3 when some are not, 2 when the mapping or
    the file cannot be used.
    """
    the_mapping = load_mapping(mapping)
    frame = read_source(file, the_mapping.source, columns=the_mapping.header_names)
    # A rejects file checks as the loader reads it: the added columns dropped,
    # its formula guards removed, its masked card numbers refused.
    raw, was_rejects = strip_extras(frame.raw)
    frame = replace(frame, raw=raw, columns=list(raw.columns))
    report = validate(frame, the_mapping)
    records = build_records(report, the_mapping)
    failures = list(report.failures)
    if was_rejects:
        failures += _masked_failures(frame, the_mapping.sensitive_columns)
    failures += [p for r in records for p in r.problems]
    failures += find_duplicates(records, report.row_numbers)
    bad_rows = {f.position for f in failures}
    table = _failures_table(failures, set(the_mapping.sensitive_columns))
    where = f"{file.name}" + (f" [{frame.sheet}]" if frame.sheet else "")
    kind = "documents" if the_mapping.documents else "records"
    click.echo(
        f"{where}: {report.rows_read} rows read, {report.rows_read - len(bad_rows)} "
        f"valid, {len(bad_rows)} with problems; {len(records)} {kind} built"
    )
    if out is not None:
        # A report meant for a spreadsheet: cells that could run as formulas
        # get one leading apostrophe, as in rejects files.
        safe = table.astype(object).map(neutralise)
        safe.to_csv(out, index=False, encoding="utf-8-sig")
        click.echo(f"failures written to {out}")
    if failures:
        _echo_table(table, limit)
        raise SystemExit(EXIT_ROWS_REJECTED)


@click.group("mapping")
def mapping_group() -> None:
    """Mapping files: draft one from a spreadsheet's headers."""


@mapping_group.command("init")
@click.argument("record_type")
@click.option(
    "--from",
    "source",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The spreadsheet whose headers to match.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write (default mappings/<type>.yaml).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@guarded
def init_command(record_type: str, source: Path, out: Path | None, force: bool) -> None:
    """Draft a mapping for RECORD_TYPE from the headers of --from FILE."""
    rt = resolve(record_type)
    target = out or Path("mappings") / f"{rt.slug}.yaml"
    if target.exists() and not force:
        fail(f"error: {target} exists; pass --force to overwrite it")
    text = init_mapping(rt, source)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    unmatched = sum(1 for line in text.splitlines() if line.startswith("#   "))
    click.echo(f"wrote {target} ({unmatched} column(s) left unmapped, listed in it)")
