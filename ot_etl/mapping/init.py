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
from ot_etl.mapping.parse import unmapped_required

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


# Line headers a transaction file uses for its line fields, folded.
_LINE_WORDS = {
    "sku": "ItemRef.Name",
    "product": "ItemRef.Name",
    "productname": "ItemRef.Name",
    "part": "ItemRef.Name",
    "partno": "ItemRef.Name",
    "qty": "Quantity",
    "quantityordered": "Quantity",
    "unitprice": "Price",
    "rate": "Price",
}
# A column naming the document a row belongs to ("orderID", "Invoice No").
_DOCUMENT_COLUMN = re.compile(
    r"^(?:sales)?(?:order|invoice|so|po|doc(?:ument)?)(?:no|num|number|id|#)?$"
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


def line_targets(rt: RecordType) -> list[str]:
    """Writable targets of a transaction's line items (``ItemRef.Name``...)."""
    names: list[str] = []
    for f in rt.line_fields:
        if f.read_only or f.name in ("Id", "$type") or f.type in ("Object", "Array"):
            continue
        if f.type == "CustomFields":
            continue
        names.append(f"{f.name}.Name" if f.type == "EntityRef" else f.name)
    return names


def match_lines(headers: list[str], targets: list[str]) -> dict[str, str]:
    """``{header: line target}``: usual line headers (``sku``), then as fields."""
    out: dict[str, str] = {}
    for h in headers:
        target = _LINE_WORDS.get(_fold(h))
        if target in targets and target not in out.values():
            out[h] = target
    rest = [h for h in headers if h not in out]
    free = [t for t in targets if t not in out.values()]
    out.update(match_headers(rest, free))
    return {h: out[h] for h in headers if h in out}  # in the file's column order


def document_column(headers: list[str]) -> str | None:
    """The first header that looks like an order or invoice number, if any."""
    for h in headers:
        if _DOCUMENT_COLUMN.match(_fold(h)):
            return h
    return None


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
    group = document_column(frame.columns) if rt.is_transaction else None
    if group is not None:
        matched.pop(group, None)  # the document's number, not a header field
    fields = {t: h for h, t in matched.items()}
    if named is not None:
        fields = {"Name": named, **fields}
    line_map: dict[str, str] | None = None
    if rt.is_transaction and rt.line_fields:
        rest = [c for c in frame.columns if c not in fields.values() and c != group]
        line_map = {t: h for h, t in match_lines(rest, line_targets(rt)).items()}
    used = set(fields.values()) | set((line_map or {}).values())
    if group is not None:
        used.add(group)
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
    if line_map is not None:
        lines += _documents(group, line_map)
    if named is not None:
        lines.append(f"# Name (the match key) is drafted from {named}: check it.")
    required = unmapped_required(
        rt,
        {t.split(".")[0] for t in fields},
        None if line_map is None else {t.split(".")[0] for t in line_map},
    )
    if required:
        lines.append(f"# Required by the API and not mapped yet: {', '.join(required)}")
    if unmatched:
        lines.append("# Columns not mapped (add them under fields if needed):")
        lines += [f"#   {c}" for c in unmatched]
    return "\n".join(line.rstrip("\n") for line in lines) + "\n"


def _documents(group: str | None, line_map: dict[str, str]) -> list[str]:
    """The ``documents`` section: which rows make one document, and its lines."""
    if group is not None:
        out = [
            yaml.safe_dump(
                {"documents": {"group_by": [group]}},
                sort_keys=False,
                allow_unicode=True,
            ).rstrip("\n")
        ]
    else:
        out = [
            "documents:",
            "  # No column looks like an order or invoice number: name the one(s)",
            "  # whose rows make one document, e.g. group_by: [order_no].",
            "  group_by: []",
        ]
    if line_map:
        body = yaml.safe_dump({"lines": line_map}, sort_keys=False, allow_unicode=True)
        out += ["  " + line for line in body.splitlines()]
    else:
        out.append("  lines: {}  # no header matched a line field: map them by hand")
    return out
