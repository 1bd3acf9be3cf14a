"""Helpers of the sandbox tests: a raw `requests` API session and record makers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import requests

SO_LINE = "AOLib7.SalesOrderLineItem, AOLib7"


class Api:
    """A requests session with the sandbox's credential headers and base URL."""

    def __init__(self, kwargs: dict[str, Any]) -> None:
        self.sandbox: Any = None  # the Sandbox, when a fixture shares it
        self.base = kwargs["base_url"]
        self.session = requests.Session()
        self.session.headers.update(
            {
                "apiKey": kwargs["api_key"],
                "email": kwargs["email"],
                "password": kwargs["password"],
            }
        )

    def __call__(self, method: str, path: str, **kw: Any) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=30, **kw)

    def post(self, path: str, body: Any) -> requests.Response:
        return self("POST", path, json=body)

    def put(self, path: str, body: Any) -> requests.Response:
        return self("PUT", path, json=body)

    def get(self, path: str) -> requests.Response:
        return self("GET", path)

    def delete(self, path: str) -> requests.Response:
        return self("DELETE", path)

    def create(self, path: str, body: Any) -> dict[str, Any]:
        r = self.post(path, body)
        assert r.status_code == 200, r.text
        out: dict[str, Any] = r.json()
        return out

    def rows(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        r = self.post("/list", body)
        assert r.status_code == 200, r.text
        out: list[dict[str, Any]] = r.json()
        return out

    def ids(self, body: dict[str, Any], key: str = "Id") -> list[int]:
        return [row[key] for row in self.rows(body)]

    def close(self) -> None:
        self.session.close()


def make_customer(api: Api, name: str, **extra: Any) -> dict[str, Any]:
    return api.create("/customer", {"Name": name, **extra})


def make_item(
    api: Api, name: str, price: float = 10.0, path: str = "/partitem"
) -> dict[str, Any]:
    return api.create(
        path, {"Name": name, "ItemGroupRef": {"Name": "General"}, "Price": price}
    )


def so_line(item: str, quantity: float = 1, price: float = 10.0) -> dict[str, Any]:
    return {
        "$type": SO_LINE,
        "ItemRef": {"Name": item},
        "Quantity": quantity,
        "Price": price,
    }


def make_order(
    api: Api, customer: str, *lines: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    body = {
        "CustomerRef": {"Name": customer},
        "Date": "2024-03-01",
        "PromiseDate": "2024-03-10",
        "LineItems": list(lines),
        **extra,
    }
    return api.create("/salesorder", body)


class FrozenClock:
    """A settable clock for Sandbox(clock=...): naive UTC, moves only when told."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
