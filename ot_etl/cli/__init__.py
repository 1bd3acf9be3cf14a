"""The `ot-etl` command line. Each command lives in its own module here.

Commands are imported when they run (or when ``--help`` lists them), so
``ot-etl export`` does not import the loader's pandas and pandera: about
0.6 s of start-up on every export.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from ot_etl import __version__
from ot_etl.cli.common import setup_logging

# name -> "module:attribute", in the order --help lists them.
COMMANDS = {
    "types": "ot_etl.cli.types_cmd:types_command",
    "export": "ot_etl.cli.export:export_command",
    "validate": "ot_etl.cli.mapping:validate_command",
    "load": "ot_etl.cli.load:load_command",
    "mapping": "ot_etl.cli.mapping:mapping_group",
    "sandbox": "ot_etl.cli.sandbox:sandbox_group",
    "quickstart": "ot_etl.cli.quickstart:quickstart_command",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        command: Any = getattr(importlib.import_module(module), attribute)
        return command  # type: ignore[no-any-return]


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="ot-etl")
@click.option("-v", "--verbose", count=True, help="Log progress (INFO) to stderr.")
@click.option("--debug", is_flag=True, help="Log request detail; show tracebacks.")
def main(verbose: int, debug: bool) -> None:
    """Move data in and out of Order Time Inventory through its REST API."""
    setup_logging(verbose, debug)
