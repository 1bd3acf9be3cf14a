"""The Northwind migration as ordered steps, and where its files are found.

Each step pairs a mapping in ``mappings/northwind/`` with the input file it
reads. The order is the order a real migration needs: lists first (checked,
not created: the API cannot create them), then what others point to.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ot_etl.errors import ConfigError

DATA_FOLDER = Path("sample_data") / "northwind"
MAPPINGS_FOLDER = Path("mappings") / "northwind"
LISTS_FILE = "company_setup.yaml"


@dataclass(frozen=True)
class Step:
    """One load: a mapping, its input, and the record type it writes."""

    mapping: str
    source: str
    record_type: str
    label: str
    # Steps that only check lists stay out of the export and the table.
    verify_only: bool = False


NORTHWIND: tuple[Step, ...] = (
    Step("01_company_setup.yaml", "shippers.csv", "shipmethod", "ship methods", True),
    Step("01b_sales_reps.yaml", "employees.csv", "salesrep", "sales reps", True),
    Step("01c_item_groups.yaml", "categories.csv", "itemgroup", "item groups", True),
    Step("02_vendors.yaml", "suppliers.csv", "vendor", "vendors"),
    Step("03_items.yaml", "products.csv", "partitem", "part items"),
    Step("04_customers.yaml", "customers.csv", "customer", "customers"),
    Step("05_sales_orders.yaml", "orders.csv", "salesorder", "sales orders"),
    Step("06_shipments.yaml", "shipments.csv", "shipdoc", "ship docs"),
)


@dataclass(frozen=True)
class Inputs:
    data: Path
    mappings: Path

    @property
    def lists(self) -> Path:
        return self.data / LISTS_FILE


def find_inputs(data: Path | None = None, mappings: Path | None = None) -> Inputs:
    """The Northwind data and mapping folders.

    Given folders win; otherwise the project's ``sample_data/northwind`` and
    ``mappings/northwind`` are looked for in the current folder, then beside
    the installed package (an editable install or a source checkout).
    """
    roots = [Path.cwd(), Path(__file__).resolve().parents[2]]
    found_data = data or _first([r / DATA_FOLDER for r in roots])
    found_maps = mappings or _first([r / MAPPINGS_FOLDER for r in roots])
    missing = []
    if found_data is None or not (found_data / NORTHWIND[0].source).is_file():
        missing.append(f"the Northwind CSV files ({DATA_FOLDER}, or give --data DIR)")
    if found_maps is None or not (found_maps / NORTHWIND[0].mapping).is_file():
        missing.append(f"the Northwind mappings ({MAPPINGS_FOLDER}, or --mappings DIR)")
    if missing or found_data is None or found_maps is None:
        raise ConfigError(
            "The quickstart cannot find "
            + " and ".join(missing)
            + ". Run it from the project folder (the one holding README.md)."
        )
    return Inputs(found_data, found_maps)


def _first(candidates: list[Path]) -> Path | None:
    return next((c for c in candidates if c.is_dir()), None)
