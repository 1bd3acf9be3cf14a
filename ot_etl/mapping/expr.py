"""Small arithmetic expressions over source columns, for the ``expr`` field source.

``Price: {expr: "round(unitPrice * (1 - discount), 4)"}`` computes a line's net
price from two columns. The expression is parsed with :mod:`ast` and only a
closed set of nodes is accepted: numbers, strings, booleans, column names,
``+ - * /``, comparisons, ``and``/``or``/``not``, unary minus, and ``round(x, n)``.
Nothing is ever handed to ``eval``; attribute access, subscripts, calls other
than ``round`` and every other construct are refused when the mapping is read.
Evaluation is vectorised over the typed columns; an empty cell in any column
the expression reads leaves the result empty for that row.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


class ExprError(ValueError):
    """The expression uses something outside the accepted set."""


@dataclass(frozen=True)
class Expression:
    text: str
    tree: ast.expr
    columns: tuple[str, ...]

    def evaluate(self, columns: Mapping[str, pd.Series]) -> pd.Series:
        """The result per row; rows with an empty input cell are empty."""
        result = _eval(self.tree, columns)
        index = next(iter(columns.values())).index if columns else pd.RangeIndex(0)
        if not isinstance(result, pd.Series):
            result = pd.Series([result] * len(index), index=index, dtype=object)
        missing = pd.Series(False, index=index)
        for name in self.columns:
            missing |= columns[name].isna()
        return result.astype(object).where(~missing, None)


def parse_expression(text: str) -> Expression:
    """Parse and check ``text``; raise ExprError naming what is not allowed."""
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        raise ExprError(f"not a valid expression: {exc.msg}") from None
    names: dict[str, None] = {}
    calls: set[int] = set()  # the Name nodes that are called (round)
    for node in ast.walk(tree):
        _check(node)
        if isinstance(node, ast.Call):
            calls.add(id(node.func))
        elif isinstance(node, ast.Name) and id(node) not in calls:
            names.setdefault(node.id, None)
    return Expression(text, tree, tuple(names))


_ALLOWED = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Call,
    ast.USub,
    ast.UAdd,
    ast.Not,
    ast.And,
    ast.Or,
    *_BINARY,
    *_COMPARE,
)


def _check(node: ast.AST) -> None:
    if not isinstance(node, _ALLOWED):
        raise ExprError(f"{type(node).__name__} is not allowed in an expression")
    if isinstance(node, ast.Call):
        func = node.func
        if not (isinstance(func, ast.Name) and func.id == "round") or node.keywords:
            raise ExprError("the only function an expression may call is round(x, n)")
        if len(node.args) not in (1, 2):
            raise ExprError("round takes a value and a number of decimals")
    if isinstance(node, ast.Constant) and not isinstance(
        node.value, int | float | str | bool
    ):
        raise ExprError(f"the constant {node.value!r} is not allowed")


def _eval(node: ast.expr, cols: Mapping[str, pd.Series]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return cols[node.id]
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_eval(node.left, cols), _eval(node.right, cols))
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, cols)
        if isinstance(node.op, ast.Not):
            return ~value.astype(bool) if isinstance(value, pd.Series) else not value
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BoolOp):
        values = [_eval(v, cols) for v in node.values]
        combine = operator.and_ if isinstance(node.op, ast.And) else operator.or_
        joined = values[0]
        for v in values[1:]:
            joined = combine(joined, v)
        return joined
    if isinstance(node, ast.Compare):
        left = _eval(node.left, cols)
        out: Any = True
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, cols)
            out = operator.and_(out, _COMPARE[type(op)](left, right))
            left = right
        return out
    if isinstance(node, ast.Call):
        value = _eval(node.args[0], cols)
        places = _eval(node.args[1], cols) if len(node.args) == 2 else 0
        if isinstance(value, pd.Series):
            return value.astype(float).round(int(places))
        return round(value, int(places))
    raise ExprError(f"{type(node).__name__} is not allowed in an expression")
