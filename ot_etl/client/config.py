"""Client configuration: explicit arguments first, then ``OT_*`` environment variables.

Secrets live only in :class:`Credentials`, whose ``repr`` hides them, and are
registered with the redaction filter so a stray log line cannot carry them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ot_etl.client.redact import register_secret
from ot_etl.errors import ConfigError

DEFAULT_BASE_URL = "https://services.ordertime.com/api"
# Connections kept open per client; callers with more threads pass pool_size.
DEFAULT_POOL_SIZE = 16
ENV_VARS = ("OT_BASE_URL", "OT_API_KEY", "OT_EMAIL", "OT_PASSWORD", "OT_DEVKEY")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Credentials:
    api_key: str = field(repr=False)
    email: str
    password: str | None = field(default=None, repr=False)
    devkey: str | None = field(default=None, repr=False)

    def headers(self) -> dict[str, str]:
        """The auth headers; ``DevKey`` replaces ``password`` when given."""
        out = {"apiKey": self.api_key, "email": self.email}
        if self.devkey:
            out["DevKey"] = self.devkey
        elif self.password is not None:
            out["password"] = self.password
        return out


@dataclass(frozen=True)
class ClientConfig:
    base_url: str
    credentials: Credentials
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    pool_size: int = DEFAULT_POOL_SIZE


def resolve_config(
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    email: str | None = None,
    password: str | None = None,
    devkey: str | None = None,
    environ: Mapping[str, str] | None = None,
    timeout: tuple[float, float] = (5.0, 60.0),
    pool_size: int = DEFAULT_POOL_SIZE,
) -> ClientConfig:
    """Build the configuration, raising one ConfigError that names what is missing."""
    env = os.environ if environ is None else environ
    base = (base_url or env.get("OT_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    key = api_key or env.get("OT_API_KEY")
    user = email or env.get("OT_EMAIL")
    secret = password or env.get("OT_PASSWORD")
    dev = devkey or env.get("OT_DEVKEY")
    missing = []
    if not key:
        missing.append("OT_API_KEY")
    if not user:
        missing.append("OT_EMAIL")
    if not secret and not dev:
        missing.append("OT_PASSWORD (or OT_DEVKEY)")
    if missing:
        raise ConfigError(
            "Missing Order Time credentials: set "
            + ", ".join(missing)
            + " in the environment (OT_BASE_URL is optional and defaults to "
            + DEFAULT_BASE_URL
            + ")."
        )
    _check_url(base)
    assert key and user  # narrowed by the checks above
    for s in (key, secret, dev):
        if s:
            register_secret(s)
    creds = Credentials(api_key=key, email=user, password=secret, devkey=dev)
    return ClientConfig(
        base_url=base,
        credentials=creds,
        connect_timeout=timeout[0],
        read_timeout=timeout[1],
        pool_size=pool_size,
    )


def _check_url(base: str) -> None:
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"OT_BASE_URL {base!r} is not an http(s) URL; "
            "use e.g. https://services.ordertime.com/api"
        )
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        # Credentials ride on every request; plain HTTP is only for the
        # local sandbox.
        raise ConfigError(
            f"Refusing plain http:// for {parts.hostname}: credentials would travel "
            "unencrypted. Use https://, or 127.0.0.1 for the local sandbox."
        )
