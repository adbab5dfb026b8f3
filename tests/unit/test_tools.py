from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

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
        ("10**3999", 10**3999),  # the bounds refuse only what is too big, not what is near
        ("comb(10000, 5000)", __import__("math").comb(10000, 5000)),
        ("perm(5)", 120),
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
        "factorial(10**7)",
        "1 << 10**9",
        "'ab' * 10**9",
        pytest.param("-" * 1900 + "1", id="1900 nested minus signs"),
        "x + 1",
        "lambda: 1",
        "(1).__class__",
    ],
)
def test_calculator_refuses_anything_but_bounded_arithmetic(expression: str) -> None:
    with pytest.raises(CalculatorError):
        calculate(expression)


REPO_ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import json, sys, time
from council.tools.calculator import calculate
started = time.perf_counter()
try:
    calculate(sys.argv[1])
    outcome = "computed"
except Exception as exc:
    outcome = f"{type(exc).__name__}: {exc}"
print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - started}))
"""


def calculate_in_child(expression: str, kill_after: float = 20.0) -> tuple[str, float]:
    """In its own process, so a runaway big-int computation (which holds the GIL and cannot
    be interrupted) is killed and fails the test instead of hanging the test run."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, expression],
            capture_output=True,
            text=True,
            timeout=kill_after,
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{expression!r} was still computing after {kill_after}s")
    report = json.loads(done.stdout)
    return report["outcome"], report["seconds"]


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        ("(10**3000)**10000", "the power would have more than 4,000 digits"),
        ("(10**3000) * (10**3000)", "the product would have more than 4,000 digits"),
        ("comb(10**9, 5*10**8)", "comb would have more than 4,000 digits"),
        ("perm(10**6, 10**5)", "perm would have more than 4,000 digits"),
        ("factorial(10**7)", "factorial(10000000) would have more than 4,000 digits"),
        ("round(5, -10**8)", "digits up to 400"),
        ("lcm(10**3999, 10**3999 + 1)", "lcm would have more than 4,000 digits"),
        pytest.param("1" + "+1" * 1500, "longer than 2000 characters", id="1500 terms"),
    ],
)
def test_calculator_estimates_size_before_computing(expression: str, says: str) -> None:
    """Each of these would compute for minutes (or exhaust memory) if tried; the estimate
    refuses it at once with a message the model can act on."""
    outcome, _ = calculate_in_child(expression)
    # the estimator's own wording ("would have"): refused before computing, not after
    assert outcome.startswith("CalculatorError: ") and says in outcome


async def test_calculator_tool_runs_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Even a slow evaluation leaves the loop free for other agents' calls and timeouts:
    the evaluation below can only finish once the event loop has run another task, so on
    the loop's own thread it would never finish (no timing involved)."""
    loop_thread = threading.get_ident()
    ran_on: list[int] = []
    loop_ran = threading.Event()

    def blocking_calculate(expression: str) -> int:
        ran_on.append(threading.get_ident())
        if not loop_ran.wait(timeout=60):
            raise AssertionError("the event loop ran nothing while the calculation blocked")
        return 42

    monkeypatch.setattr("council.tools.calculator.calculate", blocking_calculate)

    async def other_agent() -> None:
        loop_ran.set()

    other = asyncio.create_task(other_agent())
    output = await calculator.run({"expression": "6 * 7"})
    await other
    assert output.to_text() == "42"
    assert ran_on and ran_on[0] != loop_thread


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


async def test_calculator_tool_gives_the_refusal_as_text() -> None:
    output = await calculator.run({"expression": "(10**3000)**10000"})
    assert output.to_text().startswith("error: the power would have more than 4,000 digits")
