"""The `ot-etl` command line. Each command lives in its own module here."""

from __future__ import annotations

import click

from ot_etl import __version__
from ot_etl.cli.common import setup_logging
from ot_etl.cli.export import export_command
from ot_etl.cli.load import load_command
from ot_etl.cli.mapping import mapping_group, validate_command
from ot_etl.cli.quickstart import quickstart_command
from ot_etl.cli.sandbox import sandbox_group
from ot_etl.cli.types_cmd import types_command


@click.group()
@click.version_option(__version__, prog_name="ot-etl")
@click.option("-v", "--verbose", count=True, help="Log progress (INFO) to stderr.")
@click.option("--debug", is_flag=True, help="Log request detail; show tracebacks.")
def main(verbose: int, debug: bool) -> None:
    """Move data in and out of Order Time Inventory through its REST API."""
    setup_logging(verbose, debug)


for command in (
    types_command,
    export_command,
    validate_command,
    load_command,
    mapping_group,
    sandbox_group,
    quickstart_command,
):
    main.add_command(command)
