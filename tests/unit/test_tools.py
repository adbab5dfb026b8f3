from __future__ import annotations

import pytest

from council.errors import ConfigError
from council.tools.builtin import SANDBOXED_TOOLS, default_tools
from council.tools.calculator import CalculatorError, calculate, calculator


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("2 + 3 * 4", 14),
        ("(2 + 3) * 4", 20),
        ("2^10", 1024),
        ("7 // 2 + 7 % 2", 4),
        ("sqrt(16) + factorial(5)", 124),
        ("1,234 * 2", 2468),
        ("-3 ** 2", -9),
        ("comb(10, 3)", 120),
    ],
)
def test_calculator_evaluates(expression: str, expected: float) -> None:
    assert calculate(expression) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os').system('true')",
        "open('/etc/passwd')",
        "9 ** 99999",
        "factorial(10**6)",
        "x + 1",
        "lambda: 1",
        "(1).__class__",
    ],
)
def test_calculator_refuses_anything_but_bounded_arithmetic(expression: str) -> None:
    with pytest.raises(CalculatorError):
        calculate(expression)


async def test_calculator_tool_reports_errors_as_text() -> None:
    output = await calculator.run({"expression": "1/0"})
    assert output.to_text() == "error: division by zero"


def test_tool_sets_and_schemas() -> None:
    registry = default_tools(["python", "sympy", "calculator"])
    assert registry.names() == ["calculator", "check_equal", "python", "simplify", "solve_equation"]
    schema = registry.get("solve_equation").openai_schema()
    assert schema["function"]["parameters"]["required"] == ["equation", "variable"]
    assert "context" not in schema["function"]["parameters"]["properties"]
    assert {"python", "solve_equation"} <= SANDBOXED_TOOLS


def test_unknown_tool_name() -> None:
    with pytest.raises(ConfigError, match="unknown tool 'matlab'"):
        default_tools(["matlab"])


async def test_bad_arguments_are_a_tool_error() -> None:
    from council.tools.base import ToolError

    with pytest.raises(ToolError, match="bad arguments"):
        await calculator.run({"expr": "1"})
