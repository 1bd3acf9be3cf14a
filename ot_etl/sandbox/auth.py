"""Credentials: ``apiKey`` + ``email`` + (``password`` or ``DevKey``) headers.

Header names are matched case-insensitively. Missing or wrong credentials are
a 401 with ``{"Message": ...}``; the message never says which part was wrong
and never repeats a secret. A read-only user may list (``/list``,
``/entityref``) and GET, and gets 403 on POST/PUT/DELETE of records.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ot_etl.sandbox import messages as msg

Role = Literal["full", "read"]


@dataclass(frozen=True)
class User:
    email: str
    password: str
    role: Role = "full"

    @property
    def can_write(self) -> bool:
        return self.role == "full"

    def __repr__(self) -> str:  # the password stays out of logs and reprs
        return f"User(email={self.email!r}, role={self.role!r})"


DEFAULT_API_KEY = "sandbox-api-key"
DEFAULT_USERS = (
    User("admin@sandbox.local", "sandbox-pass", "full"),
    User("viewer@sandbox.local", "viewer-pass", "read"),
)


class AuthFailedError(Exception):
    """Credentials refused; ``status`` is 401."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.status = 401
        self.message = message


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class Auth:
    """Checks request headers against the configured key, users and DevKey."""

    def __init__(
        self, api_key: str, users: Sequence[User], dev_key: str | None = None
    ) -> None:
        self._api_key = api_key
        self._users = {u.email.lower(): u for u in users}
        self._dev_key = dev_key

    def check(self, headers: Mapping[str, str]) -> User:
        """The user the headers name, or AuthFailedError."""
        lowered = {k.lower(): v for k, v in headers.items()}
        for header in ("apikey", "email"):
            if not lowered.get(header):
                name = "apiKey" if header == "apikey" else "email"
                raise AuthFailedError(msg.MISSING_HEADER.format(header=name))
        password, dev_key = lowered.get("password"), lowered.get("devkey")
        if not password and not dev_key:
            raise AuthFailedError(msg.MISSING_SECRET)
        user = self._users.get(lowered["email"].strip().lower())
        ok = _same(lowered["apikey"], self._api_key) and user is not None
        if ok and user is not None:
            if password:
                ok = _same(password, user.password)
            else:
                ok = self._dev_key is not None and _same(dev_key or "", self._dev_key)
        if not ok or user is None:
            raise AuthFailedError(msg.BAD_CREDENTIALS)
        return user
