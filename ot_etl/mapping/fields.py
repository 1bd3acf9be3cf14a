"""Field maps: ``target: column`` or ``target: {column|value|template|expr, ...}``."""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

from ot_etl.catalog import RecordType
from ot_etl.mapping.expr import ExprError, parse_expression
from ot_etl.mapping.model import FieldMap
from ot_etl.mapping.problems import Problems, bool_as_int
from ot_etl.mapping.targets import TargetError, resolve_target

FIELD_KEYS = (
    "column",
    "value",
    "template",
    "expr",
    "format",
    "strip",
    "decimals",
    "allow_scientific",
)


def field_maps(
    raw: Any, path: str, rt: RecordType | None, ctx: Problems, *, header: bool
) -> list[FieldMap]:
    """The field maps under ``path`` (``fields`` or ``documents.lines``).

    Targets resolve against the record type's header fields, or its line
    fields when ``header`` is False. Every problem goes to ``ctx``; a field
    with a problem is left out of the result.
    """
    if not isinstance(raw, dict) or not raw:
        ctx.add(path, "expected a mapping of target field -> source column")
        return []
    if rt is None:
        return []
    fields = rt.fields if header else rt.line_fields
    owner = rt.object if header else (rt.line_object or "line")
    out = []
    for target, spec in raw.items():
        where = f"{path}.{target}"
        try:
            resolved = resolve_target(str(target), fields, owner)
        except TargetError as exc:
            ctx.add(where, str(exc))
            continue
        fm = _field_spec(str(target), spec, where, ctx)
        if fm is None:
            continue
        out.append(
            FieldMap(
                target=str(target),
                json_path=resolved.json_path,
                kind=resolved.kind,
                field=resolved.field,
                yaml_path=where,
                **fm,
            )
        )
        _check_options(out[-1], ctx)
    return out


def _field_spec(
    target: str, spec: Any, where: str, ctx: Problems
) -> dict[str, Any] | None:
    if isinstance(spec, str):
        return {"column": spec}
    if not isinstance(spec, dict):
        ctx.add(
            where,
            f"expected a column name or options, got {spec!r}; "
            f"for a constant write {{value: {spec!r}}}",
        )
        return None
    ctx.keys(spec, where, FIELD_KEYS)
    given = [k for k in ("column", "value", "template", "expr") if k in spec]
    if len(given) != 1:
        ctx.add(where, "give exactly one of column, value, template or expr")
        return None
    out: dict[str, Any] = {
        "column": ctx.typed(spec, "column", where, str),
        "template": ctx.typed(spec, "template", where, str),
        "value": spec.get("value"),
        "format": ctx.typed(spec, "format", where, str),
        "strip": ctx.typed(spec, "strip", where, bool),
        "decimals": ctx.typed(spec, "decimals", where, int),
        "allow_scientific": bool(ctx.typed(spec, "allow_scientific", where, bool)),
    }
    if out["strip"] is None:
        out["strip"] = True
    if out["template"] is not None:
        out["template_columns"] = _template_columns(
            out["template"], f"{where}.template", ctx
        )
    text = ctx.typed(spec, "expr", where, str)
    if text is not None:
        try:
            out["expr"] = parse_expression(text)
        except ExprError as exc:
            ctx.add(f"{where}.expr", str(exc))
            return None
    if out["decimals"] is not None and out["decimals"] < 0:
        ctx.add(f"{where}.decimals", "expected a number of places >= 0")
    return out


def _template_columns(template: str, where: str, ctx: Problems) -> tuple[str, ...]:
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        ctx.add(where, f"not a valid template: {exc}")
        return ()
    cols = []
    for _, name, _, _ in parts:
        if name is None:
            continue
        if not name or any(ch in name for ch in ".[]"):
            ctx.add(where, f"placeholder {{{name}}} must be a column name")
            continue
        cols.append(name)
    return tuple(dict.fromkeys(cols))


_CONSTANT_TYPES: dict[str, tuple[type, ...]] = {
    "Boolean": (bool,),
    "Decimal": (int, float),
    "Int32": (int,),
    "Int16": (int,),
    "String": (str, int, float),
    "DateTime": (str, dt.date),
}


def _check_options(fm: FieldMap, ctx: Problems) -> None:
    vtype = fm.value_type
    if fm.format is not None and vtype != "DateTime":
        ctx.add(
            f"{fm.yaml_path}.format", f"format applies to dates; {fm.target} is {vtype}"
        )
    if fm.decimals is not None and vtype != "Decimal":
        ctx.add(
            f"{fm.yaml_path}.decimals",
            f"decimals applies to Decimal; {fm.target} is {vtype}",
        )
    if fm.column is None and fm.template is None and fm.expr is None:
        kinds = _CONSTANT_TYPES.get(vtype)
        bad = fm.value is None or (
            kinds is not None
            and (not isinstance(fm.value, kinds) or bool_as_int(fm.value, kinds))
        )
        if bad:
            ctx.add(
                f"{fm.yaml_path}.value", f"{fm.value!r} is not a valid {vtype} value"
            )
