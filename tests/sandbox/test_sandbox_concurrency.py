"""Concurrent writes and filtered reads over HTTP: no stale cached selection."""

from __future__ import annotations

import random
import threading
from pathlib import Path

from sandbox_helpers import Api

from ot_etl.sandbox import Sandbox
from ot_etl.sandbox.seed import seed
from ot_etl.sandbox.store import Store

CREATORS = 4
READERS = 8
PER_CREATOR = 15
SEEDED = 2000  # enough customers that a filtered count takes a few ms


def _count_named(api: Api, name: str) -> int:
    body = {
        "Type": 120,
        "Filters": [{"PropertyName": "Name", "Operator": 1, "FilterValueArray": name}],
    }
    r = api.put("/list", body)
    assert r.status_code == 200, r.text
    return int(r.text)


def test_a_count_right_after_a_create_sees_it(tmp_path: Path) -> None:
    """Readers keep counting the name a creator is about to write; once the
    create has answered, a count by that name must be 1, not a selection a
    reader computed before the write and cached after it."""
    seed(tmp_path / "race.db", customers=SEEDED)
    with Sandbox(db_path=tmp_path / "race.db") as sandbox:
        _race(sandbox.client_kwargs())


def _race(kwargs: dict[str, str]) -> None:
    upcoming = ["" for _ in range(CREATORS)]
    stale: list[tuple[str, int]] = []
    done = threading.Event()
    errors: list[BaseException] = []

    def create(i: int) -> None:
        api = Api(kwargs)
        try:
            for k in range(PER_CREATOR):
                name = f"T{i}-{k}"
                upcoming[i] = name
                _count_named(api, name)  # cache the empty selection first
                api.create("/customer", {"Name": name})
                seen = _count_named(api, name)
                if seen != 1:
                    stale.append((name, seen))
        except BaseException as exc:
            errors.append(exc)
        finally:
            api.close()

    def read(seed: int) -> None:
        api, rng = Api(kwargs), random.Random(seed)
        try:
            while not done.is_set():
                name = upcoming[rng.randrange(CREATORS)]
                if name:
                    _count_named(api, name)
        except BaseException as exc:
            errors.append(exc)
        finally:
            api.close()

    readers = [threading.Thread(target=read, args=(s,)) for s in range(READERS)]
    creators = [threading.Thread(target=create, args=(i,)) for i in range(CREATORS)]
    for t in readers + creators:
        t.start()
    for t in creators:
        t.join()
    done.set()
    for t in readers:
        t.join()
    assert errors == []
    assert stale == []
    check = Api(kwargs)
    assert _count_named(check, f"T0-{PER_CREATOR - 1}") == 1
    assert check.put("/list", {"Type": 120}).json() == SEEDED + CREATORS * PER_CREATOR
    check.close()


def test_a_selection_read_before_a_write_is_not_cached() -> None:
    store = Store(None)
    generation = store.generation(120)
    with store.write():
        store.put(120, 1, {"Id": 1, "Name": "New"}, name="New")
    store.remember(120, "Name=New", [], generation)
    assert store.selection(120, "Name=New") is None
    store.remember(120, "Name=New", [1], store.generation(120))
    assert store.selection(120, "Name=New") == [1]
