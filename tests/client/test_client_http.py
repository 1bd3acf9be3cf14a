"""The client against the real sandbox over HTTP on 127.0.0.1."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from ot_etl.client import Client, Filter, FilterOp, RetryPolicy, Sort, SortDir
from ot_etl.errors import (
    AuthError,
    ConflictError,
    NotFoundError,
    UnavailableError,
    ValidationResult,
)

FAST_RETRY = RetryPolicy(max_attempts=10, base_delay=0.01, max_delay=0.05)


def make_customers(client: Client, n: int, prefix: str = "Cust") -> list[int]:
    def one(i: int) -> int:
        record = {"Name": f"{prefix} {i:05d}", "IsActive": i % 2 == 0}
        return int(client.create("customer", record)["Id"])

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(n)))


def test_paging_2500_records_in_pages_of_1000(client: Client) -> None:
    ids = make_customers(client, 2500)
    assert client.count("customer") == 2500
    before = client.stats["requests"]
    seen: list[int] = []
    for page in (1, 2, 3):
        rows = client.list_page("customer", sort=Sort("Id"), page=page, size=1000)
        seen.extend(r["Id"] for r in rows)
    assert client.stats["requests"] - before == 3
    assert len(seen) == 2500
    assert sorted(seen) == sorted(ids)
    assert client.list_page("customer", page=4, size=1000) == []


def test_count_and_list_agree_under_filters(client: Client) -> None:
    make_customers(client, 30)
    active = [Filter("IsActive", FilterOp.EQUAL, True)]
    rows = client.list_page("customer", filters=active, size=1000)
    assert client.count("customer", active) == len(rows) == 15
    names = [Filter("Name", FilterOp.IN, ["Cust 00001", "Cust 00002", "Nope"])]
    found = client.list_page("customer", filters=names, sort=Sort("Name"))
    assert [r["Name"] for r in found] == [
        "Cust 00001",
        "Cust 00002",
    ]
    desc = client.list_page("customer", sort=Sort("Name", SortDir.DESC), size=2)
    assert [r["Name"] for r in desc] == ["Cust 00029", "Cust 00028"]


def test_entity_refs_and_single_record_calls(client: Client) -> None:
    created = client.create("vendor", {"Name": "Exotic Liquids"})
    vendor_id = created["Id"]
    refs = client.entity_refs("vendor")
    assert refs == [{"Id": vendor_id, "Name": "Exotic Liquids"}]
    fetched = client.get("vendor", vendor_id)
    fetched["Note"] = "preferred"
    assert client.update("vendor", fetched)["Note"] == "preferred"
    assert client.get("vendor", vendor_id)["Note"] == "preferred"
    assert client.delete("vendor", vendor_id) is True
    with pytest.raises(NotFoundError):
        client.get("vendor", vendor_id)


def test_a_404_under_a_base_url_without_api_says_so(
    sandbox: Any, client: Client
) -> None:
    kwargs = sandbox.client_kwargs()
    assert kwargs["base_url"].endswith("/api")
    kwargs["base_url"] = kwargs["base_url"].removesuffix("/api") + "/"
    with Client(**kwargs) as bare:
        with pytest.raises(NotFoundError) as listed:
            bare.count("customer")
        with pytest.raises(NotFoundError) as got:
            bare.get("customer", 1)
    assert str(listed.value) == (
        "PUT /list -> 404: No HTTP resource was found that matches the request URI"
        " '/list'. (OT_BASE_URL usually ends in /api)"
    )
    assert str(got.value).endswith(". (OT_BASE_URL usually ends in /api)")
    # Under /api a missing record is an ordinary 404, without the hint.
    with pytest.raises(NotFoundError) as missing:
        client.get("customer", 999)
    assert "OT_BASE_URL" not in str(missing.value)


def test_409_body_parsed_into_validation_results(client: Client) -> None:
    client.create("customer", {"Name": "Dup"})
    with pytest.raises(ConflictError) as info:
        client.create("customer", {"Name": "Dup", "CompanyName": "x" * 51})
    results = info.value.results
    assert info.value.status == 409
    assert len(results) == 2
    assert {r.property_name for r in results} == {"Name", "CompanyName"}
    assert all(isinstance(r, ValidationResult) and r.message for r in results)


def test_a_409_message_that_names_its_property_is_not_prefixed_twice(
    client: Client,
) -> None:
    with pytest.raises(ConflictError) as info:
        client.create(
            "salesorder",
            {"CustomerRef": {"Name": "Nobody"}, "Date": "2024-01-02"},
        )
    assert str(info.value) == (
        "POST /salesorder -> 409: CustomerRef: no Customer with Name 'Nobody';"
        " ShipToRef is required; PromiseDate is required"
    )


@pytest.mark.parametrize(
    ("prop", "message", "text"),
    [
        ("CustomerRef", "CustomerRef: no Customer", "CustomerRef: no Customer"),
        ("Name", "Name is required", "Name is required"),
        ("Name", "is required", "Name: is required"),
        ("Name", "Names differ", "Name: Names differ"),
        ("", "refused", "refused"),
    ],
)
def test_validation_result_text(prop: str, message: str, text: str) -> None:
    assert str(ValidationResult(prop, message)) == text


def test_misspelled_property_name_key_is_accepted() -> None:
    assert ValidationResult.from_json(
        {"ProperyName": "Name", "Message": "Name is required", "Value": ""}
    ) == ValidationResult("Name", "Name is required", "")


def test_read_only_role_gets_403_naming_user_and_type(sandbox: Any) -> None:
    viewer = Client(**sandbox.viewer_kwargs(), retry=FAST_RETRY)
    assert viewer.count("customer") == 0
    with pytest.raises(AuthError) as info:
        viewer.create("customer", {"Name": "Nope"})
    assert info.value.status == 403
    assert str(info.value).startswith(
        "POST /customer -> 403: refused for user viewer@sandbox.local on Customer"
    )


def test_bad_credentials_are_refused_without_echoing_them(sandbox: Any) -> None:
    kwargs = {**sandbox.client_kwargs(), "password": "wrong-password-123"}
    bad = Client(**kwargs, retry=FAST_RETRY)
    with pytest.raises(AuthError) as info:
        bad.count("customer")
    assert info.value.status in (401, 403)
    assert "wrong-password-123" not in str(info.value)


def test_retries_on_500_and_429_then_succeeds(sandbox: Any) -> None:
    client = Client(**sandbox.client_kwargs(), retry=FAST_RETRY)
    sandbox.faults.seed = 7
    sandbox.faults.error_rate = 0.5
    counts = [client.count("customer") for _ in range(10)]
    assert counts == [0] * 10
    assert client.stats["retries"] > 0
    assert client.stats["status_500"] == client.stats["retries"]
    sandbox.faults.error_rate = 0.0
    sandbox.faults.throttle_rate = 0.5
    sandbox.faults.retry_after = 0
    throttles: list[float | None] = []
    client.on_throttle(throttles.append)
    assert [client.count("customer") for _ in range(10)] == [0] * 10
    assert len(throttles) == client.stats["status_429"] > 0


def test_create_is_never_retried_after_a_5xx(sandbox: Any) -> None:
    client = Client(**sandbox.client_kwargs(), retry=FAST_RETRY)
    sandbox.faults.commit_then_fail_rate = 1.0
    with pytest.raises(UnavailableError) as info:
        client.create("customer", {"Name": "Once"})
    assert info.value.sent is True
    assert client.stats["requests"] == 1
    sandbox.faults.commit_then_fail_rate = 0.0
    # The record was committed before the failure: exactly one exists.
    assert client.count("customer", [Filter("Name", FilterOp.EQUAL, "Once")]) == 1


def test_secrets_never_reach_logs_or_errors(
    sandbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    kwargs = sandbox.client_kwargs()
    secret_key = kwargs["api_key"]
    client = Client(**kwargs, retry=FAST_RETRY)
    bad = Client(**{**kwargs, "password": "planted-Secret-99"}, retry=FAST_RETRY)
    sandbox.faults.error_rate = 1.0
    texts: list[str] = []
    with caplog.at_level(logging.DEBUG):
        for call in (lambda: client.count("customer"), lambda: bad.count("customer")):
            try:
                call()
            except Exception as exc:  # collect every message the user could see
                texts.append(f"{exc!r} {exc}")
        sandbox.faults.error_rate = 0.0
        try:
            bad.count("customer")
        except AuthError as exc:
            texts.append(f"{exc!r} {exc}")
    texts.extend(r.getMessage() for r in caplog.records)
    texts.append(repr(client.config))
    joined = "\n".join(texts)
    assert len(texts) > 3
    for secret in (secret_key, kwargs["password"], "planted-Secret-99"):
        assert secret not in joined
