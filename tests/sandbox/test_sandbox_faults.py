"""Each fault and latency knob, observed over real HTTP, and the concurrency cap."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sandbox_helpers import Api

from ot_etl.sandbox import Faults, Sandbox


def test_error_rate(sandbox: Sandbox, api: Api) -> None:
    sandbox.faults.error_rate = 1.0
    r = api.put("/list", {"Type": 120})
    assert (r.status_code, r.json()) == (500, {"Message": "An error has occurred."})
    sandbox.faults.error_rate = 0.0
    assert api.put("/list", {"Type": 120}).status_code == 200
    assert sandbox.stats.errors == 1
    assert sandbox.stats.requests == 2


def test_drop_rate_closes_without_an_answer(sandbox: Sandbox, api: Api) -> None:
    sandbox.faults.drop_rate = 1.0
    with pytest.raises(requests.ConnectionError):
        api.put("/list", {"Type": 120})
    sandbox.faults.drop_rate = 0.0
    assert api.put("/list", {"Type": 120}).text == "0"
    assert sandbox.stats.drops == 1


def test_throttle_rate_sends_retry_after(sandbox: Sandbox, api: Api) -> None:
    sandbox.faults.throttle_rate = 1.0
    sandbox.faults.retry_after = 2
    r = api.put("/list", {"Type": 120})
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "2"
    assert r.json() == {"Message": "Too many requests; retry after 2 seconds"}
    assert sandbox.stats.throttles == 1


def test_latency_and_slow_responses(sandbox: Sandbox, api: Api) -> None:
    sandbox.faults.latency = 0.2
    started = time.perf_counter()
    api.put("/list", {"Type": 120})
    assert time.perf_counter() - started >= 0.2
    sandbox.faults.latency = 0.0
    sandbox.faults.slow_rate = 1.0
    sandbox.faults.slow_seconds = 0.6
    with pytest.raises(requests.ReadTimeout):
        api.session.put(api.base + "/list", json={"Type": 120}, timeout=(2, 0.2))
    assert sandbox.stats.slow == 1


def test_commit_then_fail_saves_the_record(sandbox: Sandbox, api: Api) -> None:
    sandbox.faults.commit_then_fail_rate = 1.0
    r = api.post("/customer", {"Name": "Saved anyway"})
    assert r.status_code == 500
    sandbox.faults.commit_then_fail_rate = 0.0
    assert api.rows({"Type": 120})[0]["Name"] == "Saved anyway"
    assert sandbox.stats.commit_then_fail == 1


def test_concurrency_cap() -> None:
    with Sandbox(faults=Faults(max_concurrent=2, latency=0.5, retry_after=1)) as sb:
        kw = sb.client_kwargs()
        headers = {
            "apiKey": kw["api_key"],
            "email": kw["email"],
            "password": kw["password"],
        }

        def one(_: int) -> requests.Response:
            return requests.put(
                kw["base_url"] + "/list",
                json={"Type": 120},
                headers=headers,
                timeout=10,
            )

        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(one, range(6)))
        codes = sorted(r.status_code for r in answers)
        assert codes == [200, 200, 429, 429, 429, 429]
        assert {
            r.headers.get("Retry-After") for r in answers if r.status_code == 429
        } == {"1"}
        snap = sb.stats.snapshot()
        assert (snap["concurrency_rejections"], snap["max_in_flight"]) == (4, 2)
        assert snap["by_status"] == {200: 2, 429: 4}


def test_faults_are_deterministic_with_a_seed(sandbox: Sandbox, api: Api) -> None:
    def pattern() -> list[int]:
        return [api.put("/list", {"Type": 120}).status_code for _ in range(20)]

    sandbox.faults.error_rate = 0.5
    sandbox.faults.seed = 7
    first = pattern()
    sandbox.faults.seed = 7
    assert pattern() == first
    assert first.count(500) == sandbox.stats.errors // 2
    assert 0 < first.count(500) < 20


def test_a_rejected_request_leaves_its_connection_usable() -> None:
    with Sandbox(faults=Faults(max_concurrent=1)) as sb:
        holder, other = Api(sb.client_kwargs()), Api(sb.client_kwargs())
        sb.faults.latency = 0.4
        with ThreadPoolExecutor(1) as pool:
            held = pool.submit(holder.put, "/list", {"Type": 120})
            time.sleep(0.1)
            rejected = other.post("/customer", {"Name": "Later", "Note": "x" * 5000})
            assert rejected.status_code == 429
            assert held.result().status_code == 200
        sb.faults.latency = 0.0
        assert other.post("/customer", {"Name": "Later"}).json()["Id"] == 1
        holder.close()
        other.close()
