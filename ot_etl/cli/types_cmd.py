"""`ot-etl types`: the record types the catalog knows."""

from __future__ import annotations

import click

from ot_etl.catalog import record_types


@click.command("types")
@click.option(
    "--all", "show_all", is_flag=True, help="Include line and unofficial types."
)
def types_command(show_all: bool) -> None:
    """List record types: number, name, endpoint and kind."""
    rows = [
        (str(rt.number), rt.name, rt.slug, rt.endpoint or "(list only)", rt.kind)
        for rt in record_types()
        if show_all or (rt.official and rt.kind != "line")
    ]
    head = ("number", "name", "use as", "endpoint", "kind")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for row in [head, *rows]:
        line = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
        click.echo(line.rstrip())
