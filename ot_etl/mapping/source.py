"""The ``source:`` section of a mapping: how the input file is read and joined.

Problems go to the parser's :class:`~ot_etl.mapping.problems.Problems`, so a
bad option is reported with the rest of the mapping's problems.
"""

from __future__ import annotations

from typing import Any

from ot_etl.mapping.model import JoinSpec, SourceOptions
from ot_etl.mapping.problems import Problems

SOURCE_KEYS = (
    "sheet",
    "header_row",
    "encoding",
    "delimiter",
    "decimal",
    "thousands",
    "null_markers",
    "join",
)
JOIN_KEYS = ("path", "on", "how", "sheet")


def source_options(raw: Any, ctx: Problems) -> SourceOptions:
    """The file options under ``source:``; defaults where one is missing or bad."""
    if raw is None:
        return SourceOptions()
    if not isinstance(raw, dict):
        ctx.add("source", "expected a mapping of file options")
        return SourceOptions()
    ctx.keys(raw, "source", SOURCE_KEYS)
    header = raw.get("header_row", "auto")
    if header != "auto" and (
        not isinstance(header, int) or isinstance(header, bool) or header < 1
    ):
        ctx.add(
            "source.header_row", f"expected auto or a row number >= 1, got {header!r}"
        )
        header = "auto"
    seps: dict[str, str | None] = {}
    for key, default in (("delimiter", ","), ("decimal", "."), ("thousands", None)):
        value = ctx.typed(raw, key, "source", str)
        if (
            value is not None
            and len(value) != 1
            and not (key == "delimiter" and value in ("\\t", "auto"))
        ):
            extra = " (or auto)" if key == "delimiter" else ""
            ctx.add(f"source.{key}", f"expected one character{extra}, got {value!r}")
            value = None
        seps[key] = (
            "\t" if value == "\\t" else (value if value is not None else default)
        )
    markers = raw.get("null_markers", [])
    if not isinstance(markers, list) or not all(isinstance(m, str) for m in markers):
        ctx.add(
            "source.null_markers",
            'expected a list of quoted texts, e.g. ["NULL", "n/a"] (unquoted, YAML '
            "reads NULL and ~ as nothing)",
        )
        markers = []
    return SourceOptions(
        sheet=ctx.typed(raw, "sheet", "source", str),
        header_row=header,
        encoding=ctx.typed(raw, "encoding", "source", str) or "auto",
        delimiter=seps["delimiter"] or ",",
        decimal=seps["decimal"] or ".",
        thousands=seps["thousands"],
        null_markers=tuple(markers),
        joins=_joins(raw.get("join"), ctx),
    )


def _joins(raw: Any, ctx: Problems) -> tuple[JoinSpec, ...]:
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for i, item in enumerate(items):
        path = f"source.join[{i}]"
        if not isinstance(item, dict):
            ctx.add(path, "expected {path: FILE, on: COLUMN}")
            continue
        if True in item and "on" not in item:
            # YAML 1.1 reads a bare `on:` key as the boolean true.
            item = {("on" if k is True else k): v for k, v in item.items()}
        ctx.keys(item, path, JOIN_KEYS)
        on = item.get("on")
        right_cols: list[str] = []
        on_cols: Any
        if isinstance(on, dict):
            # {input column: joined file's column}, for keys named differently.
            on_cols, right_cols = list(on), [str(v) for v in on.values()]
        else:
            on_cols = [on] if isinstance(on, str) else on
        file = ctx.typed(item, "path", path, str)
        how = item.get("how", "left")
        if how not in ("left", "inner"):
            ctx.add(f"{path}.how", f"expected left or inner, got {how!r}")
            how = "left"
        if (
            not isinstance(on_cols, list)
            or not on_cols
            or not all(isinstance(c, str) for c in on_cols)
        ):
            ctx.add(f"{path}.on", "expected the column (or list of columns) to join on")
            continue
        if not file:
            ctx.add(f"{path}.path", "missing: the file to join, relative to the input")
            continue
        out.append(
            JoinSpec(
                file,
                tuple(on_cols),
                how,
                ctx.typed(item, "sheet", path, str),
                tuple(right_cols),
            )
        )
    return tuple(out)
