import pandas as pd
import pytest

from ot_etl.mapping.expr import ExprError, parse_expression


def test_net_price_from_list_price_and_discount() -> None:
    expr = parse_expression("round(unitPrice * (1 - discount), 4)")
    assert expr.columns == ("unitPrice", "discount")
    result = expr.evaluate(
        {
            "unitPrice": pd.Series([14.0, 19.45, None, 38.0]),
            "discount": pd.Series([0.15, 0.05, 0.1, None]),
        }
    )
    assert result.tolist() == [11.9, 18.4775, None, None]


def test_comparisons_and_not_give_booleans() -> None:
    flags = pd.Series([0, 1, 0])
    assert parse_expression("discontinued == 0").evaluate(
        {"discontinued": flags}
    ).tolist() == [True, False, True]
    assert parse_expression("not d").evaluate(
        {"d": pd.Series([True, False])}
    ).tolist() == [False, True]
    both = parse_expression("a > 1 and a < 5 or a == 10")
    assert both.evaluate({"a": pd.Series([0, 3, 10, 6])}).tolist() == [
        False,
        True,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('__import__("os")', "the only function an expression may call is round"),
        ("open('x').read()", "the only function an expression may call is round"),
        ("a.b", "Attribute is not allowed"),
        ("x[0]", "Subscript is not allowed"),
        ("lambda: 1", "Lambda is not allowed"),
        ("round(x, ndigits=2)", "the only function an expression may call is round"),
        ("[1, 2]", "List is not allowed"),
        ("a +", "not a valid expression"),
    ],
)
def test_anything_else_is_refused(text: str, message: str) -> None:
    with pytest.raises(ExprError, match=message.replace("(", r"\(")):
        parse_expression(text)
