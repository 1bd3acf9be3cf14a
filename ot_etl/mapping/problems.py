"""Gathering a mapping's problems, each with its YAML path and line."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from ot_etl.errors import Problem
from ot_etl.mapping.yamltext import YamlDoc


class Problems:
    """Problems found so far, each tagged with its YAML path and line."""

    def __init__(self, doc: YamlDoc) -> None:
        self.doc = doc
        self.problems: list[Problem] = list(doc.problems)

    def add(self, path: str, message: str) -> None:
        line = self.doc.line(path)
        suffix = f" (line {line})" if line else ""
        self.problems.append(Problem(path, message + suffix))

    def keys(self, data: dict[str, Any], path: str, allowed: Sequence[str]) -> None:
        """A problem for each key of ``data`` not in ``allowed``, with a hint."""
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                where = f"{path}.{key}" if path else str(key)
                self.add(where, f"unknown option {key!r}.{hint}")

    def typed(self, data: dict[str, Any], key: str, path: str, kind: Any) -> Any:
        """``data[key]`` if it has type ``kind`` (None when absent), else a problem."""
        value = data.get(key)
        if value is None or (isinstance(value, kind) and not bool_as_int(value, kind)):
            return value
        names = " or ".join(
            k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,))
        )
        self.add(f"{path}.{key}", f"expected {names}, got {value!r}")
        return None


def bool_as_int(value: Any, kind: Any) -> bool:
    """True for a YAML boolean where a number is wanted (``bool`` is an ``int``)."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return isinstance(value, bool) and bool not in kinds
