"""Request shapes seen in public clients, credentials, roles and routing."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from sandbox_helpers import Api, make_customer

from ot_etl.sandbox import Sandbox


def test_list_is_a_bare_array_and_count_a_bare_integer(api: Api) -> None:
    for name in ("A", "B", "C"):
        make_customer(api, name)
    rows = api.post("/list", {"Type": 120, "NumberOfRecords": 2})
    assert rows.headers["Content-Type"].startswith("application/json")
    assert [r["Name"] for r in rows.json()] == ["A", "B"]
    count = api.put("/list", {"Type": 120, "PageNumber": 2, "NumberOfRecords": 1})
    assert int(count.text) == 3
    refs = api.post("/entityref", {"Type": 120, "PageNumber": 2, "NumberOfRecords": 2})
    assert refs.json() == [{"Id": 3, "Name": "C"}]


def test_paths_and_header_names_are_case_insensitive(sandbox: Sandbox) -> None:
    kw = sandbox.client_kwargs()
    headers = {
        "apikey": kw["api_key"],
        "EMAIL": kw["email"],
        "Password": kw["password"],
    }
    url = kw["base_url"].replace("/api", "/API")
    r = requests.post(url + "/List", json={"Type": 250}, headers=headers, timeout=10)
    assert [row["Name"] for row in r.json()] == [
        "UPS Ground",
        "FedEx 2Day",
        "Will Call",
    ]
    r = requests.post(
        url + "/Customer", json={"Name": "Mixed"}, headers=headers, timeout=10
    )
    assert r.status_code == 200
    r = requests.get(url + "/customer?ID=1", headers=headers, timeout=10)
    assert r.json()["Name"] == "Mixed"


def test_filter_values_of_any_json_type(api: Api) -> None:
    make_customer(api, "One", CreditLimit=100, IsActive=True)
    make_customer(api, "Two", CreditLimit=250.5, IsActive=False)

    def names(value: Any, prop: str) -> list[str]:
        body = {
            "Type": 120,
            "Filters": [{"PropertyName": prop, "FilterValueArray": value}],
        }
        return [r["Name"] for r in api.rows(body)]

    assert names(100, "CreditLimit") == ["One"]
    assert names("250.5", "CreditLimit") == ["Two"]
    assert names(True, "IsActive") == ["One"]
    assert names("1", "IsActive") == ["One"]
    assert names("false", "IsActive") == ["Two"]


ARRAY_HINT = (
    '; send one string, number or boolean (In and NotIn take a comma list, "A,B")'
)


@pytest.mark.parametrize(
    ("prop", "op", "value", "shown"),
    [
        ("Name", 1, ["T"], "[\"T\"] for 'Name' is a JSON array"),
        ("Id", 1, ["T"], "[\"T\"] for 'Id' is a JSON array"),
        ("Name", 8, ["One", "Two"], '["One", "Two"] for \'Name\' is a JSON array'),
        ("Id", 9, [1, 2], "[1, 2] for 'Id' is a JSON array"),
        ("Name", 12, {"v": "O"}, '{"v": "O"} for \'Name\' is a JSON object'),
    ],
)
def test_an_array_or_object_value_is_a_400_naming_it(
    api: Api, prop: str, op: int, value: Any, shown: str
) -> None:
    make_customer(api, "One")
    body = {
        "Type": 120,
        "Filters": [{"PropertyName": prop, "Operator": op, "FilterValueArray": value}],
    }
    message = f"Filters[0].FilterValueArray {shown}{ARRAY_HINT}"
    for method in ("POST", "PUT"):
        r = api(method, "/list", json=body)
        assert (r.status_code, r.json()) == (400, {"Message": message})


def test_in_and_not_in_take_a_comma_list(api: Api) -> None:
    for name in ("One", "Two", "Three"):
        make_customer(api, name)

    def names(op: int, value: Any, prop: str = "Name") -> list[str]:
        flt = {"PropertyName": prop, "Operator": op, "FilterValueArray": value}
        return [r["Name"] for r in api.rows({"Type": 120, "Filters": [flt]})]

    assert names(8, "one, THREE") == ["One", "Three"]
    assert names(9, "one,three") == ["Two"]
    assert names(8, "1,2", "Id") == ["One", "Two"]
    assert names(9, 2, "Id") == ["One", "Three"]


def test_dev_key_instead_of_password() -> None:
    with Sandbox(dev_key="dev-123") as sb:
        kw = sb.client_kwargs()
        headers = {"apiKey": kw["api_key"], "email": kw["email"], "DevKey": "dev-123"}
        r = requests.put(
            kw["base_url"] + "/list", json={"Type": 630}, headers=headers, timeout=10
        )
        assert r.status_code == 200 and r.text == "4"
        headers["DevKey"] = "wrong"
        r = requests.put(
            kw["base_url"] + "/list", json={"Type": 630}, headers=headers, timeout=10
        )
        assert r.status_code == 401


def test_bad_and_missing_credentials_are_401(sandbox: Sandbox) -> None:
    kw = sandbox.client_kwargs()
    url = kw["base_url"] + "/list"
    cases = [
        ({}, "Missing credentials: the apiKey header is required"),
        ({"apiKey": "k"}, "Missing credentials: the email header is required"),
        (
            {"apiKey": "k", "email": kw["email"]},
            "Missing credentials: send a password or a DevKey header",
        ),
        (
            {"apiKey": "wrong", "email": kw["email"], "password": kw["password"]},
            "Incorrect api key or user credentials",
        ),
        (
            {"apiKey": kw["api_key"], "email": kw["email"], "password": "nope"},
            "Incorrect api key or user credentials",
        ),
        (
            {"apiKey": kw["api_key"], "email": "who@x", "password": kw["password"]},
            "Incorrect api key or user credentials",
        ),
    ]
    for headers, message in cases:
        r = requests.post(url, json={"Type": 120}, headers=headers, timeout=10)
        assert (r.status_code, r.json()) == (401, {"Message": message})
        assert kw["password"] not in r.text


def test_read_only_role_lists_but_cannot_write(api: Api, viewer: Api) -> None:
    make_customer(api, "Kept")
    assert viewer.ids({"Type": 120}) == [1]
    assert viewer.post("/entityref", {"Type": 120}).json() == [
        {"Id": 1, "Name": "Kept"}
    ]
    assert viewer.get("/customer?id=1").json()["Name"] == "Kept"
    for method, path in (
        ("POST", "/customer"),
        ("PUT", "/customer?id=1"),
        ("DELETE", "/customer?id=1"),
    ):
        r = viewer(method, path, json={"Id": 1, "Name": "Changed"})
        assert r.status_code == 403
        assert r.json() == {
            "Message": f"The role of viewer@sandbox.local does not allow {method} "
            "on Customer"
        }
    assert api.get("/customer?id=1").json()["Name"] == "Kept"


def test_routing_errors(api: Api) -> None:
    r = api.get("/nowhere?id=1")
    assert (r.status_code, r.json()["Message"]) == (
        404,
        "No HTTP resource was found that matches the request URI '/api/nowhere'.",
    )
    r = api.get("/list")
    assert (r.status_code, r.json()["Message"]) == (
        405,
        "The requested resource does not support http method 'GET'.",
    )
    r = api("PUT", "/adjustment?docNo=1", json={})
    assert r.status_code == 405
    r = api.get("/customer")
    assert (r.status_code, r.json()["Message"]) == (
        400,
        "The query parameter 'id' is required",
    )
    r = api.get("/customer?id=abc")
    assert (
        r.json()["Message"] == "The query parameter 'id' must be an integer, got 'abc'"
    )
    r = api.get("/customer?id=42")
    assert (r.status_code, r.json()["Message"]) == (404, "No Customer with Id 42")
    r = api.get("/salesorderlineitem?id=1")
    assert r.status_code == 404


def test_malformed_json_and_wrong_body(api: Api) -> None:
    r = api(
        "POST",
        "/customer",
        data=b'{"Name": ',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json()["Message"].startswith("The request body is not valid JSON: ")
    r = api.post("/customer", ["not", "an", "object"])
    assert (r.status_code, r.json()["Message"]) == (
        400,
        "The request body must be a JSON object",
    )
    r = api.post("/list", {"Type": 120, "PageNumber": 0})
    assert (r.status_code, r.json()["Message"]) == (
        400,
        "PageNumber must be an integer of 1 or more, got 0",
    )


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_numbers_json_has_not_are_400(api: Api, literal: str) -> None:
    headers = {"Content-Type": "application/json"}
    message = (
        f"The request body is not valid JSON: {literal} is not a finite number;"
        " send a number or null"
    )
    body = f'{{"Name": "N", "CreditLimit": {literal}}}'.encode()
    r = api("POST", "/customer", data=body, headers=headers)
    assert (r.status_code, r.json()) == (400, {"Message": message})
    listing = '{"Type": 120, "Filters": [{"PropertyName": "CreditLimit",'
    listing += f' "FilterValueArray": {literal}}}]}}'
    r = api("POST", "/list", data=listing.encode(), headers=headers)
    assert (r.status_code, r.json()) == (400, {"Message": message})
    assert api.put("/list", {"Type": 120}).json() == 0
    r = api("POST", "/customer", data=b'{"Name": "N", "CreditLimit": 1e300}')
    assert (r.status_code, r.json()["CreditLimit"]) == (200, 1e300)


LINES_400 = {
    1000: "Sales Order Line Item (1000) rows are listed with their document: list"
    " Sales Order (7) or Quote (13) with IncludeLineItems true and read each row's"
    " LineItems",
    1070: "Ship Doc Line Item (1070) rows are listed with their document: list"
    " Ship Doc (4) or Customer Return (10) with IncludeLineItems true and read each"
    " row's LineItems",
    1095: "Transfer Line Item (1095) rows are listed with their document: list"
    " Transfer (5) with IncludeLineItems true and read each row's LineItems",
}


@pytest.mark.parametrize("number", sorted(LINES_400))
def test_line_types_are_listed_through_their_document(api: Api, number: int) -> None:
    for method, path in (("POST", "/list"), ("PUT", "/list"), ("POST", "/entityref")):
        r = api(method, path, json={"Type": number})
        assert (r.status_code, r.json()) == (400, {"Message": LINES_400[number]})


def test_body_over_the_limit_is_413() -> None:
    with Sandbox(max_body=1000) as sb:
        api = Api(sb.client_kwargs())
        r = api.post("/customer", {"Name": "x", "Note": "y" * 2000})
        assert r.status_code == 413
        assert r.json() == {"Message": "The request body is larger than 1000 bytes"}
        api.close()


def test_connections_are_kept_alive(sandbox: Sandbox, api: Api) -> None:
    for _ in range(5):
        assert api.put("/list", {"Type": 120}).text == "0"
    assert api.post("/customer", {"Name": 5}).status_code == 400
    assert api.put("/list", {"Type": 120}).text == "0"
    # One connection served every request, error answers included.
    assert (sandbox.stats.connections, sandbox.stats.requests) == (1, 7)
