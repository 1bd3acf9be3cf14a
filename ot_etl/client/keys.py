"""Where one record lives: its type's endpoint and the key parameters naming it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ot_etl.catalog import RecordType
from ot_etl.errors import ConfigError

Key = int | str | Mapping[str, Any]


def endpoint_path(rt: RecordType) -> str:
    if rt.endpoint is None:
        raise ConfigError(
            f"{rt} has no single-record endpoint in the API; read it with "
            f"`ot-etl export {rt.slug}` (POST /list) instead."
        )
    return rt.endpoint


def key_params(rt: RecordType, key: Key) -> dict[str, Any]:
    if isinstance(key, Mapping):
        missing = [p for p in rt.key_params if p not in key]
        if missing:
            raise ValueError(
                f"{rt} needs {', '.join(rt.key_params)}; missing {missing}"
            )
        return {p: key[p] for p in rt.key_params}
    if len(rt.key_params) != 1:
        raise ValueError(f"{rt} is keyed by {', '.join(rt.key_params)}: pass a dict")
    return {rt.key_params[0]: key}


def customer_ref_id(record: Mapping[str, Any]) -> Any:
    ref = record.get("CustomerRef") or {}
    return ref.get("Id") if isinstance(ref, Mapping) else None
