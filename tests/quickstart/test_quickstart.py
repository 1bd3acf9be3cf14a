"""The quickstart end to end: Northwind into a sandbox, exported back, twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from ot_etl.cli import main
from ot_etl.client import Client
from ot_etl.quickstart import find_inputs, run_quickstart
from ot_etl.sandbox import Sandbox

pytestmark = pytest.mark.slow


def _table(result: Any) -> dict[str, tuple[Any, ...]]:
    return {
        t.label.strip(): (t.source, t.loaded, t.rejected, t.on_server, t.exported)
        for t in result.reconciliation.types
    }


def test_northwind_reconciles_and_a_rerun_creates_nothing(tmp_path: Path) -> None:
    inputs = find_inputs()
    lists = yaml.safe_load(inputs.lists.read_text(encoding="utf-8"))
    with (
        Sandbox(tmp_path / "sandbox.sqlite", lists=lists) as sandbox,
        Client(**sandbox.client_kwargs()) as api,
    ):
        first = run_quickstart(tmp_path, client=api, inputs=inputs)
        second = run_quickstart(tmp_path, client=api, inputs=inputs)

    expected = {
        "vendors": (29, 29, 0, 29, 29),
        "part items": (77, 77, 0, 77, 77),
        "customers": (91, 90, 1, 90, 90),
        "sales orders": (830, 821, 9, 821, 821),
        "order lines": (2155, 2131, 24, None, 2131),
        "ship docs": (809, 800, 9, 800, 800),
    }
    assert _table(first) == expected
    assert _table(second) == expected
    amounts = first.reconciliation.amounts
    assert round(amounts.source_all, 2) == 1265793.04
    assert round(amounts.source_loaded, 2) == round(amounts.exported, 2) == 1259128.23
    assert round(amounts.source_rejected, 2) == 6664.81
    fills = first.reconciliation.fills
    assert (fills.filled, fills.open) == (800, 21)
    assert (fills.shipped_in_source, fills.unshipped_in_source) == (800, 21)
    assert first.reconciliation.agrees

    created = {s.mapping: r.counts["created"] for s, r in first.loads}
    assert created == {
        "01_company_setup.yaml": 0,
        "01b_sales_reps.yaml": 0,
        "01c_item_groups.yaml": 0,
        "02_vendors.yaml": 29,
        "03_items.yaml": 77,
        "04_customers.yaml": 90,
        "05_sales_orders.yaml": 821,
        "06_shipments.yaml": 800,
    }
    assert all(r.counts["created"] == 0 for _, r in second.loads)
    assert sum(r.counts["skipped"] for _, r in second.loads) == (
        3 + 9 + 8 + 29 + 77 + 90 + 821 + 800
    )

    # Every rejected order carries the reason of its customer's rejected row.
    reasons = set(
        next(r for s, r in first.loads if s.mapping == "05_sales_orders.yaml").rejects[
            "_reasons"
        ]
    )
    assert reasons == {
        "CustomerRef: no Customer named 'Que Delícia'; rejected by an earlier load: "
        "customers.csv row 62: city: must match the pattern '^[^0-9\\s]' "
        "(str_matches('^[^0-9\\s]'))"
    }
    customers = pd.read_parquet(tmp_path / "export" / "customer.parquet")
    assert "Que Delícia" not in set(customers["Name"])
    assert (tmp_path / "rejects" / "customers.rejects.csv").is_file()


def test_quickstart_command_prints_the_reconciliation(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["quickstart", "--workdir", str(tmp_path / "qs")])
    assert result.exit_code == 0, result.output
    out = result.output
    assert (
        "04_customers.yaml      customers.csv       91 rows  90 created, 1 rejected"
        in out
    )
    assert "  sales orders      830     821         9        821       821  ok" in out
    assert (
        "line amounts: source 1,265,793.04 = loaded 1,259,128.23 + rejected "
        "6,664.81; exported 1,259,128.23 (equal to the cent)"
    ) in out
    assert (
        "orders filled: 800 (loaded with a shipped date: 800); open: 21 "
        "(without one: 21) ok"
    ) in out
    assert "export OT_API_KEY=...  OT_EMAIL=...  OT_PASSWORD=..." in out
    assert (tmp_path / "qs" / "export" / "salesorder_lines.parquet").is_file()
    assert (tmp_path / "qs" / "sandbox.sqlite").is_file()
