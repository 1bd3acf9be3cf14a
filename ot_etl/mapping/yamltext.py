"""Safe YAML loading that remembers where each key sits in the file.

Mapping files are plain data: only the YAML safe subset is accepted, so a tag
such as ``!!python/object`` is refused instead of constructing anything.
Keys are tracked by their YAML path (``fields.BillAddress.City``) so a problem
can name both the path and the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from ot_etl.errors import Problem


@dataclass
class YamlDoc:
    """The loaded data, the line of every YAML path, and problems found so far."""

    data: Any
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line(self, path: str) -> int | None:
        return self.lines.get(path)


def _walk(node: yaml.Node, path: str, doc: YamlDoc) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            sub = f"{path}.{key}" if path else key
            if key in seen:
                line = key_node.start_mark.line + 1
                message = f"key {key!r} appears twice; keep only one (line {line})"
                doc.problems.append(Problem(sub, message))
            seen.add(key)
            doc.lines.setdefault(sub, key_node.start_mark.line + 1)
            _walk(value_node, sub, doc)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            sub = f"{path}[{i}]"
            doc.lines.setdefault(sub, item.start_mark.line + 1)
            _walk(item, sub, doc)


def _mark_text(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return ""
    text = f" (line {mark.line + 1}, column {mark.column + 1}"
    began = exc.context_mark
    if began is not None and mark is not began and began.line != mark.line:
        # A bracket or quote left open is found lines later; name both.
        text += f"; {exc.context} on line {began.line + 1}"
    return text + ")"


_SYNTAX_FIX = (
    "; check the indentation, and that every bracket and quote opened there is closed"
)
_SHORT_TAG = "tag:yaml.org,2002:"


def load_yaml(text: str) -> YamlDoc:
    """Parse ``text`` safely; YAML errors come back as problems, not exceptions."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        message = f"{exc.problem or exc.context}{_mark_text(exc)}{_SYNTAX_FIX}"
        return YamlDoc(None, problems=[Problem("(yaml)", f"not valid YAML: {message}")])
    except yaml.YAMLError as exc:
        return YamlDoc(None, problems=[Problem("(yaml)", f"not valid YAML: {exc}")])
    doc = YamlDoc(None)
    if node is not None:
        _walk(node, "", doc)
    try:
        doc.data = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.constructor.ConstructorError as exc:
        tag = str(exc.problem or "").split("tag ")[-1].strip(" '")
        tag = tag.replace(_SHORT_TAG, "!!")
        doc.problems.append(
            Problem(
                "(yaml)",
                f"the tag {tag} is not allowed{_mark_text(exc)}: mapping files are "
                "plain data (strings, numbers, lists, mappings); remove the tag",
            )
        )
    except yaml.YAMLError as exc:
        doc.problems.append(Problem("(yaml)", f"not valid YAML: {exc}"))
    return doc
