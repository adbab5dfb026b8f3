"""Symbolic math tools. Expressions are parsed by sympy INSIDE the sandbox: sympify uses
eval, so model-written text is never parsed on the host."""

from __future__ import annotations

import json

from council.tools.base import TextOutput, ToolContext, tool
from council.tools.python_tool import require_session

_PRELUDE = (
    "import sympy as __sp\n"
    "from sympy.parsing.sympy_parser import parse_expr as __parse, "
    "standard_transformations as __std, implicit_multiplication_application as __imp, "
    "convert_xor as __xor\n"
    "__T = __std + (__imp, __xor)\n"
    "def __expr(text):\n"
    "    if '=' in text and '==' not in text:\n"
    "        left, right = text.split('=', 1)\n"
    "        return __sp.Eq(__parse(left, transformations=__T),\n"
    "                       __parse(right, transformations=__T))\n"
    "    return __parse(text, transformations=__T)\n"
)


async def _run(context: ToolContext, body: str) -> TextOutput:
    session = require_session(context)
    result = await session.run(_PRELUDE + body)  # type: ignore[attr-defined]
    return TextOutput(text=result.to_text())


@tool
async def solve_equation(equation: str, variable: str, context: ToolContext) -> TextOutput:
    """Solve an equation (e.g. 'x**2 - 2 = 0') for a variable; returns the exact solutions."""
    return await _run(
        context,
        f"__sp.solve(__expr({json.dumps(equation)}), __sp.Symbol({json.dumps(variable)}))",
    )


@tool
async def simplify(expression: str, context: ToolContext) -> TextOutput:
    """Simplify a symbolic expression exactly (e.g. 'sin(x)**2 + cos(x)**2')."""
    return await _run(context, f"__sp.simplify(__expr({json.dumps(expression)}))")


@tool
async def check_equal(first: str, second: str, context: ToolContext) -> TextOutput:
    """Check whether two expressions are mathematically equal (True / False)."""
    return await _run(
        context,
        f"bool(__sp.simplify(__expr({json.dumps(first)}) - __expr({json.dumps(second)})) == 0)",
    )
