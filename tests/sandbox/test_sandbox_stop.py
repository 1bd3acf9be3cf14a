"""Stopping the sandbox while a slow request is being answered."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
import requests

from ot_etl.sandbox import Sandbox


def test_stop_lets_a_request_in_flight_finish_before_closing_the_store(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sandbox = Sandbox(latency=0.5).start()
    kw = sandbox.client_kwargs()
    answers: list[Any] = []

    def create() -> None:
        try:
            answer = requests.post(
                kw["base_url"] + "/customer",
                json={"Name": "Late"},
                headers={
                    "apiKey": kw["api_key"],
                    "email": kw["email"],
                    "password": kw["password"],
                },
                timeout=10,
            )
            answers.append(answer.status_code)
        except requests.ConnectionError as exc:
            answers.append(type(exc).__name__)

    caller = threading.Thread(target=create)
    with caplog.at_level(logging.ERROR, logger="ot_etl.sandbox"):
        caller.start()
        while sandbox.stats.in_flight == 0:
            threading.Event().wait(0.01)
        sandbox.stop()
        caller.join(timeout=10)

    # The request was answered from an open store: no "closed database" error.
    assert [r.getMessage() for r in caplog.records] == []
    assert answers == [200]
