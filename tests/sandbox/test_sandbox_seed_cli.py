"""The seeder (deterministic, fast) and the `ot-etl sandbox` commands."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import requests
from click.testing import CliRunner
from sandbox_helpers import Api

from ot_etl.cli.sandbox import sandbox_group
from ot_etl.sandbox import Sandbox
from ot_etl.sandbox.seed import seed

SERVE = "from ot_etl.cli.sandbox import sandbox_group; sandbox_group()"


def dump(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT grp, key, rtype, name, parent, body, lines FROM records"
            " ORDER BY grp, key"
        ).fetchall()


def test_seed_is_deterministic(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "c.db"
    for db, value in ((a, 1), (b, 1), (c, 2)):
        seed(db, customers=300, items=40, orders=120, seed=value)
    assert dump(a) == dump(b)
    assert dump(a) != dump(c)


def test_seed_counts_and_consistency(tmp_path: Path) -> None:
    db = tmp_path / "big.db"
    result = seed(db, customers=10_000, items=500, orders=2_000)
    # Speed is measured by benchmarks, not asserted here (shared CI machines).
    assert (result.customers, result.addresses, result.items, result.orders) == (
        10_000,
        10_000,
        500,
        2_000,
    )
    with Sandbox(db_path=db) as sb:
        api = Api(sb.client_kwargs())
        assert api.put("/list", {"Type": 120}).text == "10000"
        assert api.put("/list", {"Type": 115}).text == "500"
        orders = api.rows(
            {"Type": 7, "IncludeLineItems": True, "NumberOfRecords": 1000}
        )
        assert sum(len(o["LineItems"]) for o in orders) > 1000
        order = orders[0]
        customer = api.get(f"/customer?id={order['CustomerRef']['Id']}").json()
        assert customer["Name"] == order["CustomerRef"]["Name"]
        ship_to = order["ShipToRef"]["Id"]
        address = api.get(f"/customeraddress?customerId={customer['Id']}&id={ship_to}")
        assert address.json()["IsPrimary"] is True
        item = order["LineItems"][0]["ItemRef"]
        assert api.get(f"/partitem?id={item['Id']}").json()["Name"] == item["Name"]
        # New records continue after the seeded keys.
        assert api.create("/customer", {"Name": "Next"})["Id"] == 10_001
        made = api.create(
            "/salesorder",
            {
                "CustomerRef": {"Id": 1},
                "Date": "2024-01-01",
                "PromiseDate": "2024-01-02",
                "LineItems": [
                    {
                        "$type": "AOLib7.SalesOrderLineItem, AOLib7",
                        "ItemRef": {"Id": item["Id"]},
                        "Price": 1,
                        "Quantity": 1,
                    }
                ],
            },
        )
        assert made["DocNo"] == 2_001
        assert made["LineItems"][0]["Id"] == result.lines + 1
        api.close()


def test_seed_twice_appends(tmp_path: Path) -> None:
    db = tmp_path / "twice.db"
    seed(db, customers=10)
    seed(db, customers=5)
    with Sandbox(db_path=db) as sb:
        api = Api(sb.client_kwargs())
        assert api.ids({"Type": 120}) == list(range(1, 16))
        assert api.put("/list", {"Type": 250}).text == "3"
        api.close()


def test_lists_add_setup_rows_once(tmp_path: Path) -> None:
    db = tmp_path / "lists.db"
    extra = {
        "Ship Method": ["Speedy Express", "UPS Ground"],
        "Item Group": ["Beverages"],
    }
    for _ in range(2):
        with Sandbox(db_path=db, lists=extra) as sb:
            api = Api(sb.client_kwargs())
            names = [r["Name"] for r in api.rows({"Type": 250})]
            assert names == ["UPS Ground", "FedEx 2Day", "Will Call", "Speedy Express"]
            groups = api.post("/entityref", {"Type": 180}).json()
            assert groups[-1]["Name"] == "Beverages"
            api.close()


def test_cli_seed(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    result = CliRunner().invoke(
        sandbox_group,
        [
            "seed",
            "--db",
            str(db),
            "--customers",
            "50",
            "--items",
            "5",
            "--orders",
            "10",
        ],
    )
    assert result.exit_code == 0
    assert result.output.startswith(
        f"Seeded {db}: 50 customers (50 addresses), 5 items, 10 orders with "
    )
    bad = CliRunner().invoke(
        sandbox_group, ["seed", "--db", str(tmp_path / "x.db"), "--orders", "3"]
    )
    assert bad.exit_code == 2
    assert "seeding orders needs customers and items" in bad.output


def test_cli_serve_refuses_remote_without_flag() -> None:
    result = CliRunner().invoke(sandbox_group, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "Refusing to bind to 0.0.0.0" in result.output


def test_cli_serve_prints_env_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    lists = tmp_path / "lists.json"
    lists.write_text(json.dumps({"Ship Method": ["Speedy Express"]}))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SERVE,
            "serve",
            "--port",
            "0",
            "--db",
            str(tmp_path / "s.db"),
            "--lists",
            str(lists),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines = [proc.stdout.readline() for _ in range(6)]
    base = lines[0].split()[4]
    assert lines[2].strip() == f"export OT_BASE_URL={base}"
    assert lines[3].strip() == "export OT_API_KEY=sandbox-api-key"
    assert lines[4].strip() == "export OT_EMAIL=admin@sandbox.local"
    assert "OT_PASSWORD" in lines[5] and "sandbox-pass" in lines[5]
    headers = {
        "apiKey": "sandbox-api-key",
        "email": "admin@sandbox.local",
        "password": "sandbox-pass",
    }
    r = requests.put(base + "/list", json={"Type": 250}, headers=headers, timeout=10)
    assert r.text == "4"
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=10)
    proc.stdout.close()
    assert proc.returncode == 0
    assert out.strip().endswith("Sandbox stopped.")
