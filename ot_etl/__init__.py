"""ot-etl: move data in and out of Order Time Inventory through its REST API.

For notebooks and scripts::

    from ot_etl import Client, read_frame, load_file
    client = Client.from_env()                      # OT_* environment variables
    customers = read_frame("customer", client=client)
    result = load_file("customers.csv", "mappings/customers.yaml", client=client)

The names are imported on first use: ``import ot_etl`` alone (which every
``ot-etl`` command does) must not pay for pandas and pandera, which only the
loader and the notebook API need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Submodules read it (manifests record it).
__version__ = "0.1.0"

if TYPE_CHECKING:
    from ot_etl.client import Client
    from ot_etl.extract import iter_pages, read_frame
    from ot_etl.load import load_file, load_frame

_WHERE = {
    "Client": "ot_etl.client",
    "iter_pages": "ot_etl.extract",
    "read_frame": "ot_etl.extract",
    "load_file": "ot_etl.load",
    "load_frame": "ot_etl.load",
}

__all__ = [
    "Client",
    "__version__",
    "iter_pages",
    "load_file",
    "load_frame",
    "read_frame",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'ot_etl' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
