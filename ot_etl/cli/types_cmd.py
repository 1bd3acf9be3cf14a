"""`ot-etl types [TYPE]`: the record types the catalog knows, or one type's fields."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import click

from ot_etl.catalog import Field, RecordType, object_fields, record_types, resolve
from ot_etl.cli.common import guarded

_FIELD_HEAD = ("field", "type", "required", "max length", "refers to", "notes")


@click.command("types")
@click.argument("record_type", required=False)
@click.option(
    "--all", "show_all", is_flag=True, help="Include line and unofficial types."
)
@guarded
def types_command(record_type: str | None, show_all: bool) -> None:
    """List record types (number, name, endpoint, kind), or RECORD_TYPE's fields.

    With RECORD_TYPE (slug, number or name) print its fields from the catalog:
    type, whether required, maximum length, the record type an EntityRef points
    to, and read-only fields; then a transaction's line fields and the fields of
    the objects it nests (BillAddress.City...), which mappings write with dots.
    """
    if record_type is None:
        _echo_table(_type_rows(show_all))
        return
    for line in describe(resolve(record_type)):
        click.echo(line)


def _type_rows(show_all: bool) -> list[tuple[str, ...]]:
    head: tuple[str, ...] = ("number", "name", "use as", "endpoint", "kind")
    return [head] + [
        (str(rt.number), rt.name, rt.slug, rt.endpoint or "(list only)", rt.kind)
        for rt in record_types()
        if show_all or (rt.official and rt.kind != "line")
    ]


def describe(rt: RecordType) -> list[str]:
    """The lines ``ot-etl types TYPE`` prints for one record type."""
    where = rt.endpoint or "no endpoint (list only)"
    lines = [f"{rt.name} ({rt.number}), {rt.kind}, {where}; object {rt.object}", ""]
    lines += _table([_FIELD_HEAD, *map(_field_row, rt.fields)])
    if rt.line_object:
        tag = f", $type {rt.line_type_tag}" if rt.line_type_tag else ""
        lines += ["", f"Line fields (LineItems: {rt.line_object}{tag})", ""]
        lines += _table([_FIELD_HEAD, *map(_field_row, rt.line_fields)])
    nested = _nested_objects(rt.fields, "")
    for name, holders in _nested_objects(rt.line_fields, "LineItems.").items():
        nested.setdefault(name, []).extend(holders)
    for name, used_by in nested.items():
        lines += ["", f"{name} fields (in {', '.join(used_by)})", ""]
        lines += _table([_FIELD_HEAD, *map(_field_row, object_fields(name))])
    return lines


def _nested_objects(fields: Iterable[Field], prefix: str) -> dict[str, list[str]]:
    """Object name -> the fields holding it (``prefix`` + name), in catalog order."""
    found: dict[str, list[str]] = {}
    for f in fields:
        if f.type == "Object" and f.of:
            found.setdefault(f.of, []).append(prefix + f.name)
    return found


def _field_row(f: Field) -> tuple[str, ...]:
    detail = f.of or f.enum
    kind = f"{f.type} ({detail})" if detail else f.type
    required = "yes" if f.required else ("sometimes" if f.conditional else "")
    notes = [
        note
        for flag, note in (
            (f.read_only, "read-only"),
            (not f.put, "not changed by PUT"),
            (f.sensitive, "sensitive"),
        )
        if flag
    ]
    return (
        f.name,
        kind,
        required,
        str(f.max_length) if f.max_length else "",
        _ref_name(f.ref) if f.ref is not None else "",
        ", ".join(notes),
    )


def _ref_name(number: int) -> str:
    for rt in record_types():
        if rt.number == number:
            return str(rt)
    return str(number)


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _echo_table(rows: Sequence[tuple[str, ...]]) -> None:
    for line in _table(rows):
        click.echo(line)
