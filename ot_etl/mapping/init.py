"""Draft a mapping from a file's headers: ``ot-etl mapping init TYPE --from FILE``.

Headers are matched to the record type's writable fields in three passes:
exact name, then ignoring case, spaces and underscores, then close matches
(difflib). Unmatched columns are listed as comments. The schema is
conservative (every matched column text, nullable) so the first validation
run reports nothing surprising; tighten it by hand.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import yaml

from ot_etl.catalog import Field, RecordType, object_fields, resolve

_WORD = re.compile(r"[\s_\-.]+")


# A bare "address" or "street" is the first street line; the Address object has
# its own Name and Contact fields for the addressee.
_WHOLE = {"company": "companyname", "street": "addr1", "address": "addr1"}
_NUMBERED_ADDRESS = re.compile(r"(?:address|addr|street)(?:line)?([1-4])$")
# Headers that name an entity when no header is "Name" itself, best first;
# "<type>name" and "<type>" ("customerName", "Customer") go before them.
_NAME_HEADERS = ("companyname", "company", "productname", "itemname", "fullname")
_PARTS = (
    ("postalcode", "zip"),
    ("zipcode", "zip"),
    ("postcode", "zip"),
    ("region", "state"),
    ("province", "state"),
)


def _fold(name: str) -> str:
    return _WORD.sub("", name).casefold()


def _wanted(header: str) -> str:
    """A header folded, with common synonyms of field names put in."""
    want = _fold(header)
    if want in _WHOLE:
        return _WHOLE[want]
    for part, field_name in _PARTS:
        want = want.replace(part, field_name)
    want = _NUMBERED_ADDRESS.sub(r"addr\1", want)
    return want.removesuffix("address") + "addr1" if want.endswith("address") else want


def _names(target: str) -> set[str]:
    """Folded forms of a target a header may use (see match_headers)."""
    names = {_fold(target)}
    if target.endswith("Ref.Name"):  # "Customer", "CustomerID" -> CustomerRef.Name
        ref = _fold(target.removesuffix("Ref.Name"))
        names |= {ref, ref + "id", ref + "name"}
    elif "." in target:  # "City" -> BillAddress.City; "shipCity" -> ShipAddress.City
        owner, leaf = target.rsplit(".", 1)
        names |= {_fold(leaf), _fold(owner.removesuffix("Address")) + _fold(leaf)}
    return names


def target_names(rt: RecordType) -> list[str]:
    """Writable targets a header may match: fields, ``Object.Field`` and refs."""
    names: list[str] = []
    for f in rt.fields:
        if f.read_only or f.type in ("Array", "CustomFields") or f.name == "Id":
            continue
        if f.type == "Object" and f.of:
            names += [f"{f.name}.{s.name}" for s in _writable(object_fields(f.of))]
        elif f.type == "EntityRef":
            names.append(f"{f.name}.Name")
        else:
            names.append(f.name)
    return names


def _writable(fields: tuple[Field, ...]) -> list[Field]:
    return [f for f in fields if not f.read_only and f.type not in ("Object", "Array")]


def match_headers(headers: list[str], targets: list[str]) -> dict[str, str]:
    """``{header: target}`` by exact, folded, then close matching; one use each."""
    out: dict[str, str] = {}
    free = list(targets)

    def take(header: str, target: str) -> None:
        out[header] = target
        free.remove(target)

    for h in headers:
        if h in free:
            take(h, h)
    for h in headers:
        if h in out:
            continue
        want = _wanted(h)
        # A bare header may name a ref ("SalesRep" -> SalesRepRef.Name) or the
        # leaf of an object ("City" -> BillAddress.City, the first one).
        for t in free:
            if want in _names(t):
                take(h, t)
                break
    for h in headers:
        if h in out:
            continue
        # Close spelling, against plain fields only: object paths are long
        # enough to look alike ("shipaddress" ~ "shipaddresszip").
        folded = {_fold(t): t for t in free if "." not in t}
        close = difflib.get_close_matches(_wanted(h), list(folded), n=1, cutoff=0.85)
        if close:
            take(h, folded[close[0]])
    return out


def name_column(
    rt: RecordType, headers: list[str], matched: dict[str, str]
) -> str | None:
    """The header to draft an entity's ``Name`` from when none matched it.

    ``customerName`` or ``Customer`` for a customer, else a company or product
    name column (``companyName``), even one already drafted for another
    field: the name is the record's match key, so it should not stay empty.
    """
    if rt.kind != "entity" or "Name" in matched.values():
        return None
    if "Name" not in target_names(rt):
        return None
    own = _fold(rt.name)
    by_fold: dict[str, str] = {}
    for header in headers:
        by_fold.setdefault(_fold(header), header)
    for wanted in (own + "name", own, *_NAME_HEADERS):
        if wanted in by_fold:
            return by_fold[wanted]
    return None


def init_mapping(record_type: str | int | RecordType, source_path: str | Path) -> str:
    """YAML text of a starting mapping for ``source_path`` into ``record_type``."""
    # Imported here: ot_etl.load imports this package at import time.
    from ot_etl.load.read import read_source
    from ot_etl.mapping.model import SourceOptions

    rt = resolve(record_type)
    frame = read_source(source_path, SourceOptions(delimiter="auto"))
    matched = match_headers(frame.columns, target_names(rt))
    named = name_column(rt, frame.columns, matched)
    fields = {t: h for h, t in matched.items()}
    if named is not None:
        fields = {"Name": named, **fields}
    used = set(fields.values())
    unmatched = [c for c in frame.columns if c not in used]
    lines = [
        f"# Drafted by `ot-etl mapping init` from {Path(source_path).name}.",
        "# Check every line; see docs/mappings.md for the format.",
        yaml.safe_dump({"record_type": rt.slug, "mode": "create"}, sort_keys=False),
    ]
    match = "Name" if "Name" in fields else None
    if match:
        lines.append(
            yaml.safe_dump(
                {"match": {"fields": [match], "strip": True, "case": "insensitive"}},
                sort_keys=False,
            )
        )
    source: dict[str, object] = {"header_row": frame.header_row, "encoding": "auto"}
    if frame.delimiter not in (None, ","):
        source["delimiter"] = frame.delimiter
    if frame.sheet is not None:
        source["sheet"] = frame.sheet
    lines.append(yaml.safe_dump({"source": source}, sort_keys=False))
    schema = {
        "schema_type": "dataframe",
        "columns": {
            c: {"dtype": "str", "nullable": True} for c in frame.columns if c in used
        },
    }
    lines.append(
        yaml.safe_dump({"schema": schema}, sort_keys=False, allow_unicode=True)
    )
    if fields:
        lines.append(
            yaml.safe_dump({"fields": fields}, sort_keys=False, allow_unicode=True)
        )
    else:
        lines.append("fields: {}  # no header matched a field: map them by hand")
    if named is not None:
        lines.append(f"# Name (the match key) is drafted from {named}: check it.")
    mapped_tops = {t.split(".")[0] for t in fields}
    required = [f.name for f in rt.fields if f.required and f.name not in mapped_tops]
    if required:
        lines.append(f"# Required by the API and not mapped yet: {', '.join(required)}")
    if unmatched:
        lines.append("# Columns not mapped (add them under fields if needed):")
        lines += [f"#   {c}" for c in unmatched]
    return "\n".join(line.rstrip("\n") for line in lines) + "\n"
