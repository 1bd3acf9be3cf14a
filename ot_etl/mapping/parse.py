"""Turn a mapping file into a :class:`Mapping`, or report every problem at once.

Problems are gathered, never raised one by one: a user fixing a mapping sees
the whole list (with YAML paths and lines) after one run, before any data is
read.
"""

from __future__ import annotations

import difflib
import logging
from pathlib import Path
from typing import Any

import pandera.pandas as pa

from ot_etl.catalog import RecordType, resolve
from ot_etl.errors import MappingError, Problem, UnknownRecordTypeError
from ot_etl.mapping.fields import field_maps
from ot_etl.mapping.fill import fill_spec
from ot_etl.mapping.model import (
    MODES,
    DocumentSpec,
    Duplicates,
    FieldMap,
    Mapping,
    MatchNormalize,
)
from ot_etl.mapping.problems import Problems
from ot_etl.mapping.schema import read_schema
from ot_etl.mapping.source import source_options
from ot_etl.mapping.yamltext import load_yaml

log = logging.getLogger(__name__)

TOP_KEYS = (
    "record_type",
    "mode",
    "match",
    "source",
    "schema",
    "fields",
    "documents",
    "fill",
)
TOP_OPTIONAL = ("description",)
MATCH_KEYS = ("fields", "strip", "case", "duplicates")


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file; raises MappingError listing every problem."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise MappingError(
            str(p), [Problem("(file)", f"cannot read: {exc.strerror}")]
        ) from None
    except UnicodeDecodeError:
        raise MappingError(
            str(p), [Problem("(file)", "not UTF-8 text; save the mapping as UTF-8")]
        ) from None
    return parse_mapping(text, str(p))


def parse_mapping(text: str, path: str = "<mapping>") -> Mapping:
    """Parse mapping YAML ``text``; raises MappingError listing every problem."""
    doc = load_yaml(text)
    ctx = Problems(doc)
    data = doc.data
    if doc.problems and data is None:
        raise MappingError(path, ctx.problems)
    if not isinstance(data, dict):
        ctx.add(
            "(root)", "a mapping file is a YAML mapping with record_type, fields..."
        )
        raise MappingError(path, ctx.problems)
    ctx.keys(data, "", TOP_KEYS + TOP_OPTIONAL)
    rt = _record_type(data, ctx)
    mode = data.get("mode", "create")
    if mode not in MODES:
        ctx.add("mode", f"must be one of {', '.join(MODES)}, got {mode!r}")
        mode = "create"
    if rt is not None and mode != "verify" and not rt.writable:
        ctx.add(
            "mode",
            f"the API cannot write {rt.name} records (no endpoint); use mode "
            "verify to check that they exist",
        )
    source = source_options(data.get("source"), ctx)
    schema_cols, schema = read_schema(data, ctx)
    fields = field_maps(data.get("fields"), "fields", rt, ctx, header=True)
    documents = _documents(data.get("documents"), rt, ctx)
    fill = fill_spec(data.get("fill"), rt, mode, fields, documents, ctx)
    match_fields, normalize = _match(data.get("match"), fields, mode, rt, ctx)
    duplicates = _duplicates(data.get("match"), documents, ctx)
    mapping_cols = _used_columns(fields, documents)
    # Columns are checked against a schema that names them even when a piece of
    # it is bad, so that one run lists both kinds of problem.
    raw_schema = data.get("schema")
    has_schema = isinstance(raw_schema, dict) and isinstance(
        raw_schema.get("columns", {}), dict
    )
    if fill is not None and fill.order:
        mapping_cols.append(fill.order)
        if has_schema and fill.order not in schema_cols:
            ctx.add("fill.order", f"column {fill.order!r} is not in the schema")
    if has_schema:
        _check_columns(fields, documents, schema_cols, ctx)
    if schema is None:
        schema = pa.DataFrameSchema(
            {c: pa.Column(str, nullable=True) for c in mapping_cols}
        )
    if ctx.problems or rt is None:
        raise MappingError(path, ctx.problems)
    _warn_unmapped_required(rt, mode, fields, documents, fill is not None)
    return Mapping(
        path=path,
        record_type=rt,
        mode=mode,
        match_fields=match_fields,
        match_normalize=normalize,
        source=source,
        schema=schema,
        fields=fields,
        documents=documents,
        fill=fill,
        text=text,
        duplicates=duplicates,
    )


def _warn_unmapped_required(
    rt: RecordType,
    mode: str,
    fields: list[FieldMap],
    documents: DocumentSpec | None,
    fill: bool = False,
) -> None:
    """Log required fields left unmapped: the server will likely refuse the records.

    A warning, not a problem: the sandbox and the real service may fill some
    (a ship-to address from the customer, for instance). A fill mapping's
    customer, link and line price come from the order.
    """
    if mode == "update":
        return
    header = {fm.json_path[0] for fm in fields}
    lines = {fm.json_path[0] for fm in documents.lines} if documents else None
    missing = unmapped_required(rt, header, lines, fill)
    if missing:
        log.warning(
            "%s: required field(s) not mapped: %s; the server may refuse the records",
            rt.name,
            ", ".join(missing),
        )


def unmapped_required(
    rt: RecordType,
    header: set[str],
    lines: set[str] | None,
    fill: bool = False,
) -> list[str]:
    """Required fields a mapping leaves to nobody (``LineItems.X`` for lines).

    ``header`` and ``lines`` are the top-level targets mapped (``lines`` None
    without a ``documents`` section). Fields the server or the loader fills
    in are not counted: the ship-to defaults to the customer's primary
    address (sandbox and, by the reference's description of ShipToRef, the
    real service); a fill mapping takes its customer, links and line prices
    from the order.
    """
    mapped = set(header)
    if fill:
        mapped |= {"CustomerRef"}
    if "CustomerRef" in mapped:
        mapped.add("ShipToRef")
    missing = [f.name for f in rt.fields if f.required and f.name not in mapped]
    if lines is not None:
        given = lines | ({"Price", "TranType", "DocNo"} if fill else set())
        missing += [
            f"LineItems.{f.name}"
            for f in rt.line_fields
            if f.required and f.name != "$type" and f.name not in given
        ]
    return missing


def _record_type(data: dict[str, Any], ctx: Problems) -> RecordType | None:
    name = data.get("record_type")
    if name is None:
        ctx.add("record_type", "missing; name the target, e.g. record_type: customer")
        return None
    try:
        rt = resolve(name)
    except UnknownRecordTypeError as exc:
        ctx.add("record_type", str(exc))
        return None
    if rt.kind == "line":
        # Lines are written inside their document (documents.lines).
        ctx.add("record_type", f"{rt} cannot be written through the API")
        return None
    return rt


def _documents(raw: Any, rt: RecordType | None, ctx: Problems) -> DocumentSpec | None:
    if raw is None:
        return None
    if rt is not None and not rt.is_transaction:
        ctx.add("documents", f"{rt} is an entity: documents are for transactions only")
        return None
    if not isinstance(raw, dict):
        ctx.add("documents", "expected {group_by: [...], lines: {...}}")
        return None
    ctx.keys(raw, "documents", ("group_by", "lines"))
    group = raw.get("group_by")
    group_cols = [group] if isinstance(group, str) else group
    if (
        not isinstance(group_cols, list)
        or not group_cols
        or not all(isinstance(c, str) for c in group_cols)
    ):
        ctx.add("documents.group_by", "expected the column(s) that identify a document")
        group_cols = []
    lines = field_maps(raw.get("lines"), "documents.lines", rt, ctx, header=False)
    if rt is not None and not rt.line_fields:
        ctx.add("documents.lines", f"{rt} has no line items")
    return DocumentSpec(tuple(group_cols), tuple(lines))


def _match(
    raw: Any, fields: list[FieldMap], mode: str, rt: RecordType | None, ctx: Problems
) -> tuple[list[str], MatchNormalize]:
    mapped = [fm.target for fm in fields]
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        ctx.add("match", "expected {fields: [Name], strip: true, case: insensitive}")
        raw = {}
    ctx.keys(raw, "match", MATCH_KEYS)
    names = raw.get("fields")
    if names is None:
        default = [n for n in ("Name", rt.key_field if rt else "") if n in mapped][:1]
        names = default
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        ctx.add("match.fields", "expected a list of target fields, e.g. [Name]")
        names = []
    for i, name in enumerate(names):
        if name not in mapped:
            ctx.add(f"match.fields[{i}]", f"{name} is not mapped under fields")
    if not names and mode != "create":
        ctx.add("match", f"mode {mode} needs match.fields to find existing records")
    case = raw.get("case", "insensitive")
    if case not in ("sensitive", "insensitive"):
        ctx.add("match.case", f"expected sensitive or insensitive, got {case!r}")
        case = "insensitive"
    strip = ctx.typed(raw, "strip", "match", bool)
    return list(names), MatchNormalize(strip=strip is not False, case=case)


def _duplicates(raw: Any, documents: DocumentSpec | None, ctx: Problems) -> Duplicates:
    value = raw.get("duplicates", "reject") if isinstance(raw, dict) else "reject"
    if value not in ("reject", "merge"):
        ctx.add("match.duplicates", f"expected reject or merge, got {value!r}")
        return "reject"
    if value == "merge" and documents is not None:
        ctx.add(
            "match.duplicates",
            "merge is for entities; a document's rows are already grouped by "
            "documents.group_by",
        )
        return "reject"
    return "merge" if value == "merge" else "reject"


def _used_columns(fields: list[FieldMap], documents: DocumentSpec | None) -> list[str]:
    cols: dict[str, None] = {}
    for fm in [*fields, *(documents.lines if documents else ())]:
        for c in fm.columns:
            cols.setdefault(c, None)
    for c in documents.group_by if documents else ():
        cols.setdefault(c, None)
    return list(cols)


def _check_columns(
    fields: list[FieldMap],
    documents: DocumentSpec | None,
    schema: set[str],
    ctx: Problems,
) -> None:
    formats: dict[str, str] = {}
    for fm in [*fields, *(documents.lines if documents else ())]:
        for col in fm.columns:
            if col not in schema:
                close = difflib.get_close_matches(col, sorted(schema), n=1, cutoff=0.6)
                hint = (
                    f" Did you mean {close[0]!r}?"
                    if close
                    else " Add it to schema.columns."
                )
                ctx.add(fm.yaml_path, f"column {col!r} is not in the schema.{hint}")
        if not (fm.column and fm.format):
            continue
        if formats.setdefault(fm.column, fm.format) != fm.format:
            where = f"{fm.yaml_path}.format"
            ctx.add(where, f"column {fm.column!r} is given two different formats")
    for i, col in enumerate(documents.group_by if documents else ()):
        if col not in schema:
            ctx.add(f"documents.group_by[{i}]", f"column {col!r} is not in the schema")
