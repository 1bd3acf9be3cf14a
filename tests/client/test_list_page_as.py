"""list_page_as: a page decoded by the caller, inside the retries, outside the slot."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from ot_etl.catalog import resolve
from ot_etl.client import Client, RetryPolicy, Sort
from ot_etl.errors import UnavailableError


@pytest.fixture
def patient(sandbox: Any) -> Iterator[Client]:
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02)
    c = Client(**sandbox.client_kwargs(), retry=policy)
    yield c
    c.close()


def _add(sandbox: Any, n: int) -> None:
    for i in range(n):
        sandbox.records.create(resolve("customer"), {"Name": f"Customer {i:03d}"})


def test_a_declined_page_is_read_as_list_page_reads_it(
    sandbox: Any, patient: Client
) -> None:
    _add(sandbox, 5)
    bodies: list[bytes] = []

    def decline(body: bytes) -> None:
        bodies.append(body)
        return None

    got = patient.list_page_as(decline, "customer", sort=Sort("Id"), size=3, page=2)
    assert got == patient.list_page("customer", sort=Sort("Id"), size=3, page=2)
    assert [r["Id"] for r in got] == [4, 5]
    assert bodies and bodies[0].lstrip().startswith(b"[")


def test_an_answer_that_is_not_json_is_retried(
    sandbox: Any, patient: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(sandbox, 2)
    once = patient._once
    answers = iter([b'[{"Id": 1, "Na'])

    def truncated_first(*args: Any) -> Any:
        real = once(*args)
        return next(answers, real)

    monkeypatch.setattr(patient, "_once", truncated_first)
    got = patient.list_page_as(lambda body: None, "customer", sort=Sort("Id"))
    assert [r["Id"] for r in got] == [1, 2]
    assert patient.stats["retries"] == 1


def test_an_answer_that_is_never_json_fails_once_retries_are_spent(
    sandbox: Any, patient: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(patient, "_once", lambda *args: b"<html>")
    with pytest.raises(UnavailableError, match="not JSON"):
        patient.list_page_as(lambda body: None, "customer")
    assert patient.stats["retries"] == 2


def test_the_slot_is_held_for_the_request_only(sandbox: Any, patient: Client) -> None:
    _add(sandbox, 1)
    held: list[bool] = []
    state = {"in": False}

    @contextlib.contextmanager
    def slot() -> Iterator[None]:
        state["in"] = True
        try:
            yield
        finally:
            state["in"] = False

    def decode(body: bytes) -> str:
        held.append(state["in"])
        return "decoded"

    assert patient.list_page_as(decode, "customer", slot=slot()) == "decoded"
    assert held == [False]
