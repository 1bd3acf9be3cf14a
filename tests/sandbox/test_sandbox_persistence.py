"""Data survives a restart and a SIGKILL mid-load; concurrent writes stay consistent."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sandbox_helpers import Api, make_customer, make_item, make_order, so_line

from ot_etl.sandbox import Sandbox

SERVE = """
import sys
from ot_etl.sandbox import Sandbox
sb = Sandbox(db_path=sys.argv[1])
sb.bind()
print(sb.port, flush=True)
sb.serve_forever()
"""


def test_data_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "ot.db"
    with Sandbox(db_path=db) as sb:
        api = Api(sb.client_kwargs())
        make_customer(api, "Alfreds")
        make_item(api, "Chai")
        order = make_order(api, "Alfreds", so_line("Chai", 2))
        api.close()
    with Sandbox(db_path=db) as sb:
        api = Api(sb.client_kwargs())
        assert api.get("/salesorder?docNo=1").json() == order
        assert make_customer(api, "Ana")["Id"] == 2
        assert make_order(api, "Ana", so_line("Chai"))["LineItems"][0]["Id"] == 2
        assert api.put("/list", {"Type": 250}).text == "3"  # setup seeded once
        api.close()


def test_concurrent_creates_get_unique_ids(api: Api) -> None:
    def create(i: int) -> int:
        return int(api.create("/customer", {"Name": f"C{i}"})["Id"])

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(create, range(200)))
    assert sorted(ids) == list(range(1, 201))
    assert api.put("/list", {"Type": 120}).text == "200"
    assert api.put("/list", {"Type": 121}).text == "200"


def test_sigkill_mid_load_leaves_a_consistent_file(tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(db)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    port = int(proc.stdout.readline())
    url = f"http://127.0.0.1:{port}/api/customer"
    headers = {
        "apiKey": "sandbox-api-key",
        "email": "admin@sandbox.local",
        "password": "sandbox-pass",
    }
    acknowledged: list[int] = []
    stop = threading.Event()

    def load(worker: int) -> None:
        session = requests.Session()
        n = 0
        while not stop.is_set():
            n += 1
            try:
                r = session.post(
                    url, json={"Name": f"W{worker}-{n}"}, headers=headers, timeout=5
                )
            except requests.RequestException:
                return
            if r.status_code == 200:
                acknowledged.append(r.json()["Id"])

    threads = [threading.Thread(target=load, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.6)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    stop.set()
    for t in threads:
        t.join(timeout=10)
    assert len(acknowledged) > 20

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with Sandbox(db_path=db) as sb:
        api = Api(sb.client_kwargs())
        stored = api.ids({"Type": 120, "NumberOfRecords": 1000})
        # Every acknowledged create is there; at most the in-flight ones more.
        assert set(acknowledged) <= set(stored)
        assert len(stored) - len(acknowledged) <= 4
        assert api.put("/list", {"Type": 121}).text == str(len(stored))
        assert make_customer(api, "After")["Id"] == max(stored) + 1
        api.close()
