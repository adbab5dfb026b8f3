"""A calculator that evaluates arithmetic by walking the syntax tree: no eval, and every
operation's result size is estimated *before* it is computed, so it is safe to run on the
host. `10**4000` is fine; `(10**4000)**10000`, `factorial(10**7)` or a huge `comb` are
refused in microseconds with a message, instead of computing for minutes. The tool also
runs off the event loop, so even the largest allowed result never stalls other agents.
"""

from __future__ import annotations

import ast
import asyncio
import math
import operator
import re
from collections.abc import Callable
from typing import Any

from council.tools.base import TextOutput, tool

MAX_DIGITS = 4_000
"""Largest integer result, in decimal digits (below Python's 4300-digit `str()` limit)."""
MAX_BITS = int(MAX_DIGITS * math.log2(10))
MAX_EXPONENT = 10_000
MAX_ROUND_DIGITS = 400
"""`round(x, -n)` computes 10**n, so n is bounded like an exponent's result."""
MAX_EXPRESSION_CHARS = 2_000
"""Keeps the parse and the walk short (and the tree shallow enough for recursion)."""
_LOG2_E = 1 / math.log(2)

_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
_NAMES = {"pi": math.pi, "e": math.e, "tau": math.tau}


class CalculatorError(ValueError):
    pass


def _bits(value: Any) -> int:
    """Bit length of an int (floats overflow by themselves and need no estimate)."""
    return abs(value).bit_length() if isinstance(value, int) else 0


def _refuse_bits(bits: float, what: str) -> None:
    if bits > MAX_BITS:
        digits = math.floor((bits - 1) * math.log10(2)) + 1
        raise CalculatorError(
            f"{what} would have more than {MAX_DIGITS:,} digits (about {digits:,}); "
            "work with logarithms or a smaller case"
        )


def _whole(value: Any, name: str) -> int:
    if isinstance(value, float):
        if not value.is_integer():
            raise CalculatorError(f"{name} takes whole numbers, not {value}")
        value = int(value)
    if not isinstance(value, int) or value < 0:
        raise CalculatorError(f"{name} takes non-negative whole numbers, not {value}")
    return value


def _log2_factorial(n: int) -> float:
    """log2(n!) from lgamma: accurate to a few bits and constant time for any n."""
    if n.bit_length() > 60:  # lgamma(float(n)) would overflow; the answer is "far too big"
        return math.inf
    return math.lgamma(n + 1) * _LOG2_E


def _factorial(n: Any) -> int:
    n = _whole(n, "factorial")
    _refuse_bits(_log2_factorial(n), f"factorial({n})")
    return math.factorial(n)


def _comb(n: Any, k: Any) -> int:
    n, k = _whole(n, "comb"), _whole(k, "comb")
    if k > n:
        return 0
    k = min(k, n - k)
    _refuse_bits(_log2_factorial(n) - _log2_factorial(k) - _log2_factorial(n - k), "comb")
    return math.comb(n, k)


def _perm(n: Any, k: Any = None) -> int:
    n = _whole(n, "perm")
    k = n if k is None else _whole(k, "perm")
    if k > n:
        return 0
    _refuse_bits(_log2_factorial(n) - _log2_factorial(n - k), "perm")
    return math.perm(n, k)


def _lcm(*values: Any) -> int:
    _refuse_bits(sum(_bits(v) for v in values), "lcm")
    return math.lcm(*values)


def _round(value: Any, digits: Any = None) -> Any:
    if digits is None:
        return round(value)
    if not isinstance(digits, int) or abs(digits) > MAX_ROUND_DIGITS:
        raise CalculatorError(f"round takes a whole number of digits up to {MAX_ROUND_DIGITS}")
    return round(value, digits)


def _power(base: Any, exponent: Any) -> Any:
    if abs(exponent) > MAX_EXPONENT:
        raise CalculatorError(f"exponent larger than {MAX_EXPONENT}")
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
        _refuse_bits((_bits(base) - 1) * exponent + 1, "the power")  # |base| >= 2**(bits-1)
    return base**exponent


def _multiply(left: Any, right: Any) -> Any:
    _refuse_bits(_bits(left) + _bits(right) - 1, "the product")
    return left * right


_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: _multiply,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: _power,
}

_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sqrt": math.sqrt,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "log": math.log,
    "log10": math.log10,
    "log2": math.log2,
    "exp": math.exp,
    "abs": abs,
    "round": _round,
    "floor": math.floor,
    "ceil": math.ceil,
    "factorial": _factorial,
    "gcd": math.gcd,
    "lcm": _lcm,
    "comb": _comb,
    "perm": _perm,
    "min": min,
    "max": max,
}
"""Every function here is either constant time on bounded inputs or estimates its result
size first; adding one means adding its bound."""


def _check_size(value: Any) -> Any:
    """A last check on every result (cheap: bit_length is O(1))."""
    _refuse_bits(_bits(value), "the result")
    return value


def _evaluate(node: ast.AST) -> Any:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return _check_size(node.value)
    if isinstance(node, ast.BinOp):
        operation = _BINARY.get(type(node.op))
        if operation is None:
            raise CalculatorError(f"operator {type(node.op).__name__} is not supported")
        return _check_size(operation(_evaluate(node.left), _evaluate(node.right)))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_evaluate(node.operand))
    if isinstance(node, ast.Name) and node.id in _NAMES:
        return _NAMES[node.id]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
    ):
        return _check_size(_FUNCTIONS[node.func.id](*(_evaluate(a) for a in node.args)))
    raise CalculatorError(f"'{ast.unparse(node)}' is not arithmetic this calculator knows")


def calculate(expression: str) -> int | float:
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise CalculatorError(
            f"expression longer than {MAX_EXPRESSION_CHARS} characters; split it up"
        )
    text = expression.replace("^", "**").replace("×", "*").replace("÷", "/")
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)  # 1,234 but not comb(10, 3)
    try:
        tree = ast.parse(text.strip(), mode="eval")
        value = _evaluate(tree)
    except SyntaxError as exc:
        raise CalculatorError(f"not an arithmetic expression: {exc.msg}") from exc
    except RecursionError as exc:
        raise CalculatorError("expression nested too deeply; split it up") from exc
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


@tool
async def calculator(expression: str) -> TextOutput:
    """Evaluate arithmetic exactly: + - * / // % ** ( ), sqrt, log, sin, factorial, pi, ..."""
    # Off the event loop: the bounds keep it to milliseconds, and other agents' calls and
    # timeouts keep running meanwhile.
    try:
        return TextOutput(text=str(await asyncio.to_thread(calculate, expression)))
    except (ValueError, ArithmeticError, TypeError) as exc:
        return TextOutput(text=f"error: {exc}")
