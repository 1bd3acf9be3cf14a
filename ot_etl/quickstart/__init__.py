"""The quickstart: Northwind migrated into a sandbox, shipped, exported back.

``run_quickstart`` does the work against any client (the CLI's
``ot-etl quickstart`` gives it an embedded sandbox); ``NORTHWIND`` is the
ordered list of steps; ``reconcile`` compares source, server and export.
"""

from ot_etl.quickstart.plan import NORTHWIND, Step, find_inputs
from ot_etl.quickstart.reconcile import Reconciliation, reconcile
from ot_etl.quickstart.run import QuickstartResult, run_quickstart

__all__ = [
    "NORTHWIND",
    "QuickstartResult",
    "Reconciliation",
    "Step",
    "find_inputs",
    "reconcile",
    "run_quickstart",
]
