"""Resolve EntityRef names to Ids: one ``/entityref`` sweep per target type.

The names of each target record type are fetched once per run (every page
of 1000) and cached. Matching mirrors what a person expects and what the
server's own name lookup does at best:

1. exact match of the name with surrounding spaces stripped;
2. otherwise, a match ignoring case and repeated inner spaces.

A name matching one record resolves; several records with the name at the
first tier that finds any is ambiguous (the candidates' Ids are listed); no
match rejects the item with the closest names as a hint. Refs whose target
type the catalog does not know are left for the server to resolve by name.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ot_etl.catalog import resolve
from ot_etl.load.items import LoadItem, Ref

log = logging.getLogger(__name__)

PAGE_SIZE = 1000


class RefSource(Protocol):
    def entity_refs(
        self,
        record_type: Any,
        filters: Sequence[Any] = (),
        page: int = 1,
        size: int = PAGE_SIZE,
    ) -> list[dict[str, Any]]: ...


def fold(name: str) -> str:
    """The second-tier form of a name: case and inner spacing ignored."""
    return " ".join(name.split()).casefold()


@dataclass
class NameIndex:
    """Every ``{Id, Name}`` of one record type, indexed for the two tiers."""

    exact: dict[str, list[int]] = field(default_factory=dict)
    folded: dict[str, list[int]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    def add(self, ref_id: int, name: str) -> None:
        self.names[ref_id] = name
        self.exact.setdefault(name.strip(), []).append(ref_id)
        self.folded.setdefault(fold(name), []).append(ref_id)


class RefError(Exception):
    """A name that did not resolve; the message is the reject reason."""


class Resolver:
    """Cached name -> Id lookups for the EntityRef targets of one run."""

    def __init__(
        self, client: RefSource, explain: Callable[[str], str] | None = None
    ) -> None:
        self._client = client
        self._indexes: dict[int, NameIndex] = {}
        self.requests = 0
        # Says why a missing name is missing (an earlier load rejected it).
        self._explain = explain

    def index(self, target: int) -> NameIndex:
        found = self._indexes.get(target)
        if found is None:
            found = self._fetch(target)
            self._indexes[target] = found
        return found

    def _fetch(self, target: int) -> NameIndex:
        # TODO: pages are fetched one after another; a type with tens of
        # thousands of names (items) would load faster with a count first and
        # concurrent pages, as the exporter does.
        index = NameIndex()
        page = 1
        while True:
            rows = self._client.entity_refs(target, page=page, size=PAGE_SIZE)
            self.requests += 1
            for row in rows:
                if isinstance(row.get("Id"), int) and row.get("Name") is not None:
                    index.add(row["Id"], str(row["Name"]))
            if len(rows) < PAGE_SIZE:
                break
            page += 1
        log.info("resolved %d names of %s", len(index.names), resolve(target).name)
        return index

    def lookup(self, target: int, name: str) -> tuple[int, str]:
        """The Id and the stored name for ``name``; raises RefError otherwise."""
        index = self.index(target)
        label = resolve(target).name
        for ids in (index.exact.get(name.strip()), index.folded.get(fold(name))):
            if ids and len(ids) == 1:
                return ids[0], index.names[ids[0]]
            if ids:
                shown = ", ".join(f"Id {i} {index.names[i]!r}" for i in ids[:6])
                raise RefError(
                    f"{label} {name!r} is ambiguous: {len(ids)} records have that "
                    f"name ({shown}); give the Id instead"
                )
        explained = self._explain(name) if self._explain is not None else ""
        if explained:
            raise RefError(f"no {label} named {name!r}{explained}")
        close = difflib.get_close_matches(name, list(index.names.values()), n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise RefError(f"no {label} named {name!r}{hint}")


def resolve_items(items: Iterable[LoadItem], resolver: Resolver) -> int:
    """Put Ids into every by-name EntityRef; reject items whose names fail.

    All of an item's unresolved names are reported together. Returns the
    number of items rejected at the ``reference`` stage.
    """
    rejected = 0
    for item in items:
        if item.action in ("reject", "skip") or not item.refs:
            continue
        problems = []
        for ref in item.refs:
            if ref.target is None:
                continue
            try:
                ref_id, stored = resolver.lookup(ref.target, ref.name)
            except RefError as exc:
                problems.append(f"{_where(ref)}: {exc}")
                continue
            target_obj = locate(item.payload, ref.path)
            target_obj.clear()
            target_obj.update({"Id": ref_id, "Name": stored})
        if problems:
            item.reject("reference", problems)
            rejected += 1
    return rejected


def _where(ref: Ref) -> str:
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in ref.path)


def locate(payload: dict[str, Any], path: Sequence[str | int]) -> dict[str, Any]:
    """The EntityRef object at ``path`` (created if missing).

    A trailing ``Name``/``Id`` element is ignored, so both
    ``("SalesRepRef",)`` and ``("SalesRepRef", "Name")`` name the same ref.
    """
    steps = list(path)
    if steps and steps[-1] in ("Name", "Id"):
        steps.pop()
    node: Any = payload
    for step in steps:
        node = node[int(step)] if isinstance(node, list) else node.setdefault(step, {})
    if not isinstance(node, dict):
        raise TypeError(f"no EntityRef object at {list(path)}")
    return node


def parse_path(text: str) -> tuple[str | int, ...]:
    """``"LineItems[0].ItemRef"`` or ``"LineItems.0.ItemRef"`` as path steps."""
    out: list[str | int] = []
    for part in text.replace("]", "").replace("[", ".").split("."):
        if part:
            out.append(int(part) if part.isdigit() else part)
    return tuple(out)
