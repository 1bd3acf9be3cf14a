"""Resolve a mapping's target paths (``BillAddress.City``) against the catalog."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from ot_etl.catalog import Field, object_fields
from ot_etl.mapping.model import TargetKind


@dataclass(frozen=True)
class Target:
    """Where a target path lands: payload path, kind and the catalog field."""

    json_path: tuple[str, ...]
    kind: TargetKind
    field: Field


class TargetError(ValueError):
    """A target path the catalog does not allow; the message says why."""


def _close(name: str, fields: Sequence[Field]) -> str:
    names = [f.name for f in fields if not f.read_only]
    folded = {n.casefold(): n for n in names}
    if name.casefold() in folded:
        return f" Did you mean {folded[name.casefold()]!r}? (names are case-sensitive)"
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    return f" Did you mean: {', '.join(close)}?" if close else ""


def _lookup(name: str, fields: Sequence[Field], owner: str) -> Field:
    for f in fields:
        if f.name == name:
            return f
    raise TargetError(f"{owner} has no field {name!r}.{_close(name, fields)}")


def resolve_target(path: str, fields: Sequence[Field], owner: str) -> Target:
    """Resolve a dotted ``path`` among ``fields`` of the object called ``owner``.

    Raises TargetError with close matches for unknown names, and for fields
    that cannot be written (read-only, line arrays, ``$type``).
    """
    parts = path.split(".")
    if any(not p for p in parts):
        raise TargetError(f"{path!r} is not a field path (empty part)")
    if parts[0] == "$type":
        raise TargetError("$type is set automatically for each line")
    top = _lookup(parts[0], fields, owner)
    if top.read_only:
        raise TargetError(f"{owner}.{top.name} is read-only; the server sets it")
    rest = parts[1:]
    if top.type == "CustomFields":
        if len(rest) != 1:
            raise TargetError(
                "write custom fields as CustomFields.<Name>, e.g. CustomFields.SOCust3"
            )
        return Target(("CustomFields", rest[0]), "custom", top)
    if top.type == "EntityRef":
        if not rest or rest == ["Name"]:
            return Target((top.name,), "ref_name", top)
        if rest == ["Id"]:
            return Target((top.name,), "ref_id", top)
        raise TargetError(f"{top.name} is an EntityRef: map {top.name}.Name or .Id")
    if top.type == "Array":
        raise TargetError(
            f"{top.name} holds lines: map line fields under documents.lines"
        )
    if top.type == "Object":
        if not rest:
            raise TargetError(
                f"{top.name} is an object: map its fields, e.g. {top.name}.<Field>"
            )
        inner = resolve_target(
            ".".join(rest), object_fields(top.of or ""), top.of or top.name
        )
        return Target((top.name, *inner.json_path), inner.kind, inner.field)
    if rest:
        raise TargetError(f"{top.name} is a plain {top.type} field, not an object")
    return Target((top.name,), "value", top)
