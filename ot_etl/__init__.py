"""ot-etl: move data in and out of Order Time Inventory through its REST API.

For notebooks and scripts::

    from ot_etl import Client, read_frame, load_file
    client = Client.from_env()                      # OT_* environment variables
    customers = read_frame("customer", client=client)
    result = load_file("customers.csv", "mappings/customers.yaml", client=client)
"""

# Set before the imports below: submodules read it (manifests record it).
__version__ = "0.1.0"

from ot_etl.client import Client
from ot_etl.extract import iter_pages, read_frame
from ot_etl.load import load_file, load_frame

__all__ = [
    "Client",
    "__version__",
    "iter_pages",
    "load_file",
    "load_frame",
    "read_frame",
]
