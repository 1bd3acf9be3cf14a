"""Plan a load: duplicates, then create / update / unchanged / reject per item.

Pure functions on plain data. The existing records come in already fetched
(see :mod:`ot_etl.load.lookup`), keyed by the normalised match key.

Comparing for "unchanged" looks only at the fields the mapping writes:
EntityRefs by Id when the file's ref has one (by name, case-insensitively,
otherwise), numbers by value (``12.5`` equals ``12.50``), datetimes by their
``YYYY-MM-DDTHH:MM:SS`` text, missing and empty text alike, custom fields by
``Name``, line items position by position.
"""

from __future__ import annotations

import copy
import decimal
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any, Literal

from ot_etl.load.items import LoadItem

Mode = Literal["create", "update", "upsert", "verify"]
_REF_KEYS = frozenset({"Id", "Name"})
_IGNORED = frozenset({"$type", "RecordInfo"})
UPSERT_ADVICE = "use mode upsert to update it"
"""What a create-mode reject of an existing record advises by default."""


@dataclass
class Plan:
    """Counts of what a load would do, with a few example match keys each."""

    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, action: str, example: str, limit: int = 3) -> None:
        self.counts[action] = self.counts.get(action, 0) + 1
        shown = self.examples.setdefault(action, [])
        if len(shown) < limit and example:
            shown.append(example)


def mark_duplicates(items: Sequence[LoadItem], row_numbers: Sequence[int]) -> int:
    """Reject every item whose match key repeats an earlier one; return how many.

    Items without a key (create mode without match fields) are never
    duplicates. The first occurrence loads; the message names its row.
    """
    first: dict[tuple[Any, ...], LoadItem] = {}
    found = 0
    for item in items:
        if item.action in ("reject", "skip") or not _usable(item.match_key):
            continue
        earlier = first.get(item.match_key)
        if earlier is None:
            first[item.match_key] = item
            continue
        item.reject(
            "duplicate",
            [
                f"duplicate of row {row_numbers[earlier.rows[0]]} "
                f"(same match key {item.key_text!r}); only that row is loaded"
            ],
        )
        found += 1
    return found


def _usable(key: tuple[Any, ...]) -> bool:
    return bool(key) and all(v not in (None, "") for v in key)


def classify(
    items: Sequence[LoadItem],
    mode: Mode,
    existing: Mapping[tuple[Any, ...], list[dict[str, Any]]],
    key_field: str,
    sending: Set[int] = frozenset(),
    advice: str = UPSERT_ADVICE,
) -> Plan:
    """Decide each still-open item's action from the mode and the matches found.

    In create mode a match means the record exists already: found for an
    item an earlier run was sending (positions in ``sending``), it is that
    run's record (skipped, ``recovered``); otherwise the row is rejected as a
    duplicate of the existing record rather than created twice, with
    ``advice`` (what the user can do about it) after the reason.

    Records rejected at validation are left out of the plan's counts: a row
    that fails validation builds no entity record at all, so only leaving
    them out counts entities and documents alike (the summary's invalid
    lines count them).
    """
    plan = Plan()
    for item in items:
        if item.action not in ("reject", "skip"):
            matches = existing.get(item.match_key, [])
            if mode == "create" and matches:
                was_sending = item.position in sending
                _exists(item, matches[0], key_field, was_sending, advice)
            else:
                _decide(item, mode, matches, key_field)
        if item.stage != "validation":
            plan.add(item.action, item.key_text)
    return plan


def _exists(
    item: LoadItem,
    found: dict[str, Any],
    key_field: str,
    was_sending: bool,
    advice: str,
) -> None:
    key = _int(found.get(key_field))
    if was_sending:
        item.action = "skip"
        item.outcome = "skipped"
        item.recovered = True
        item.record_key = key
        return
    item.reject(
        "duplicate",
        [
            f"a record with match key {item.key_text!r} already exists "
            f"({key_field} {key}); {advice}"
        ],
    )


def _decide(
    item: LoadItem, mode: Mode, matches: list[dict[str, Any]], key_field: str
) -> None:
    if len(matches) > 1:
        keys = ", ".join(str(m.get(key_field)) for m in matches[:5])
        item.reject(
            "reference",
            [
                f"{len(matches)} existing records match {item.key_text!r} "
                f"({key_field} {keys}); make the match key unique"
            ],
        )
        return
    if mode == "verify":
        _verify(item, matches, key_field)
        return
    if not matches:
        if mode == "update":
            item.reject(
                "reference",
                [
                    f"no existing record matches {item.key_text!r}; "
                    "use mode upsert to create it"
                ],
            )
        else:
            item.action = "create"
        return
    found = matches[0]
    item.existing = found
    item.record_key = _int(found.get(key_field))
    item.action = "update" if differences(item.payload, found) else "unchanged"


def _verify(item: LoadItem, matches: list[dict[str, Any]], key_field: str) -> None:
    """Verify mode: a match is all that is wanted; nothing is ever written."""
    if matches:
        item.record_key = _int(matches[0].get(key_field))
        item.action = "unchanged"
        return
    item.reject(
        "reference",
        [
            f"no record matches {item.key_text!r} in Order Time; mode verify "
            "never creates records: add it in Order Time, then re-run"
        ],
    )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# -- comparing and applying ------------------------------------------------


def differences(wanted: Any, have: Any, path: str = "") -> list[str]:
    """Dotted paths of the mapped fields whose values differ from ``have``."""
    if isinstance(wanted, Mapping):
        if not isinstance(have, Mapping):
            return [] if _blank(wanted) and _blank(have) else [path or "."]
        if wanted.keys() <= _REF_KEYS and wanted:
            return [] if _same_ref(wanted, have) else [path]
        out: list[str] = []
        for key, value in wanted.items():
            if key in _IGNORED:
                continue
            out += differences(value, have.get(key), f"{path}.{key}" if path else key)
        return out
    if isinstance(wanted, list):
        return _list_differences(wanted, have, path)
    return [] if same_value(wanted, have) else [path]


def _list_differences(wanted: list[Any], have: Any, path: str) -> list[str]:
    have_list = have if isinstance(have, list) else []
    if wanted and all(
        isinstance(w, Mapping) and "Name" in w and "Value" in w for w in wanted
    ):
        by_name = {h.get("Name"): h for h in have_list if isinstance(h, Mapping)}
        return [
            f"{path}.{w['Name']}"
            for w in wanted
            if not same_value(w["Value"], (by_name.get(w["Name"]) or {}).get("Value"))
        ]
    if len(wanted) != len(have_list):
        return [f"{path} ({len(wanted)} vs {len(have_list)})"]
    out: list[str] = []
    for i, (w, h) in enumerate(zip(wanted, have_list, strict=True)):
        out += differences(w, h, f"{path}[{i}]")
    return out


def _same_ref(wanted: Mapping[str, Any], have: Any) -> bool:
    if not isinstance(have, Mapping):
        return False
    if wanted.get("Id") is not None:
        return bool(wanted.get("Id") == have.get("Id"))
    return _fold(wanted.get("Name")) == _fold(have.get("Name"))


def _fold(value: Any) -> str:
    return str(value or "").strip().casefold()


def _blank(value: Any) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, Mapping):
        return all(_blank(v) for v in value.values())
    return False


def same_value(a: Any, b: Any) -> bool:
    """Equal as the API means it: numbers by value, blank text as null."""
    if _blank(a) and _blank(b):
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or a == b
    if isinstance(a, int | float | decimal.Decimal) and isinstance(
        b, int | float | decimal.Decimal | str
    ):
        return _number(a) == _number(b)
    if isinstance(a, str) and isinstance(b, str):
        return a == b or _datetime_text(a) == _datetime_text(b) != ""
    return bool(a == b)


def _number(value: Any) -> decimal.Decimal | None:
    try:
        return decimal.Decimal(str(value)).normalize()
    except decimal.InvalidOperation:
        return None


def _datetime_text(text: str) -> str:
    # "2024-01-05T00:00:00.0000000Z" and "2024-01-05T00:00:00" name one moment.
    if len(text) >= 19 and text[4] == "-" and text[10] == "T":
        return text[:19]
    return ""


def apply_fields(
    existing: Mapping[str, Any], payload: Mapping[str, Any]
) -> dict[str, Any]:
    """The whole record for a holistic PUT: ``existing`` with the mapped fields set.

    Nested objects merge key by key; an EntityRef is replaced whole (a new
    Id must not keep the old Name); custom fields merge by Name; line items
    merge by position and keep their existing ``Id``; extra lines are added.
    """
    out = copy.deepcopy(dict(existing))
    for key, value in payload.items():
        out[key] = _merge(out.get(key), value)
    return out


def _merge(have: Any, wanted: Any) -> Any:
    if isinstance(wanted, Mapping):
        if not isinstance(have, Mapping) or (wanted and wanted.keys() <= _REF_KEYS):
            return copy.deepcopy(dict(wanted))
        merged = dict(have)
        for key, value in wanted.items():
            merged[key] = _merge(have.get(key), value)
        return merged
    if isinstance(wanted, list) and isinstance(have, list):
        if all(isinstance(w, Mapping) and "Name" in w for w in wanted):
            return _merge_custom(have, wanted)
        merged_list = [
            _merge(have[i] if i < len(have) else None, w) for i, w in enumerate(wanted)
        ]
        return merged_list
    return copy.deepcopy(wanted)


def _merge_custom(have: list[Any], wanted: list[Any]) -> list[Any]:
    out = [dict(h) if isinstance(h, Mapping) else h for h in have]
    index = {h.get("Name"): h for h in out if isinstance(h, dict)}
    for w in wanted:
        if w["Name"] in index:
            index[w["Name"]].update(w)
        else:
            out.append(dict(w))
    return out
