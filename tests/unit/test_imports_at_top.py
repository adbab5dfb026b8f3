"""Imports sit at a module's top (issue 25): an import inside a function must say why, with a
comment on its line or directly above it (above the run of imports it opens):

- `# optional extra: NAME`: a package from [project.optional-dependencies], not installed
  by default (mcp, OpenTelemetry, uvicorn, ray);
- `# start-up: ...`: a measured import time that a caller must not pay (`council --help`,
  or everything that imports a light module for its light part);
- `# child process: ...`: code that runs after a fork or inside the sandbox's interpreter.

A CLI command module (one `council.main` registers) may instead say once, in its docstring,
that its handlers import lazily so `council --help` stays fast (the measurement is in
`council.main`'s docstring). An import circle is never a reason: restructure instead.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from council.main import SUBCOMMAND_MODULES

COUNCIL = Path(__file__).resolve().parents[2] / "council"
REASON = re.compile(r"#\s*(optional extra:|start-up:|child process:)", re.IGNORECASE)
CLI_DOCSTRING = re.compile(r"Start-up:.*`council --help`", re.DOTALL)


def nested_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Import statements anywhere inside a function body."""
    found: list[ast.Import | ast.ImportFrom] = []
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom) and node not in found:
                    found.append(node)
    return found


def has_reason(lines: list[str], node: ast.stmt, starts_by_end: dict[int, int]) -> bool:
    """The reason is on the import's own lines, or in the comment lines directly above it
    or above the adjacent imports it follows (one comment may cover a run of them)."""
    end = node.end_lineno or node.lineno
    if any(REASON.search(line) for line in lines[node.lineno - 1 : end]):
        return True
    above = node.lineno - 1  # 1-based number of the line above
    while above in starts_by_end:  # climb over the run of imports this one follows
        above = starts_by_end[above] - 1
    if above >= 1 and REASON.search(lines[above - 1]):  # e.g. `try:  # optional extra: x`
        return True
    while above >= 1 and lines[above - 1].lstrip().startswith("#"):
        if REASON.search(lines[above - 1]):
            return True
        above -= 1
    return False


def unexplained(source: str, *, cli_module: bool = False) -> list[str]:
    """`line: import ...` for every import inside a function with no reason given."""
    tree = ast.parse(source)
    if cli_module and CLI_DOCSTRING.search(ast.get_docstring(tree) or ""):
        return []
    lines = source.splitlines()
    imports = nested_imports(tree)
    starts_by_end = {node.end_lineno or node.lineno: node.lineno for node in imports}
    return [
        f"{node.lineno}: {ast.unparse(node)}"
        for node in imports
        if not has_reason(lines, node, starts_by_end)
    ]


def module_name(path: Path) -> str:
    parts = path.relative_to(COUNCIL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_every_import_inside_a_function_says_why() -> None:
    problems = []
    for path in sorted(COUNCIL.rglob("*.py")):
        relative = path.relative_to(COUNCIL).as_posix()
        cli_module = module_name(path) in SUBCOMMAND_MODULES
        problems += [
            f"council/{relative}:{line}"
            for line in unexplained(path.read_text(), cli_module=cli_module)
        ]
    assert not problems, (
        "imports inside functions with no reason (hoist them to the module top, or add "
        "`# optional extra: NAME`, `# start-up: ...` or `# child process: ...`):\n"
        + "\n".join(problems)
    )


def test_the_cli_command_modules_state_the_start_up_reason() -> None:
    """Each command module that keeps imports in its handlers says why in its docstring."""
    for name in SUBCOMMAND_MODULES:
        path = COUNCIL.parent / (name.replace(".", "/") + ".py")
        tree = ast.parse(path.read_text())
        if nested_imports(tree):
            assert CLI_DOCSTRING.search(ast.get_docstring(tree) or ""), name


@pytest.mark.parametrize(
    "source",
    [
        "def f():\n    import json\n",
        "def f():\n    # a comment, but no reason\n    from os import path\n",
        "async def f():\n    if True:\n        import json\n",
        "class A:\n    def f(self):\n        import json\n",
        '"""Start-up: `council --help` stays fast."""\ndef f():\n    import json\n',
        "def f():\n    import json\n\n    # start-up: for the next one only\n    import os\n",
    ],
)
def test_an_import_without_a_reason_is_reported(source: str) -> None:
    assert unexplained(source), source


@pytest.mark.parametrize(
    "source",
    [
        "import json\n\ndef f():\n    return json\n",
        "def f():\n    import mcp  # optional extra: mcp\n",
        "def f():\n    # start-up: 2 s (python -X importtime)\n    import litellm\n",
        "def f():\n    # start-up: litellm takes long\n    # to import\n    import litellm\n",
        "def f():\n    try:  # optional extra: otel\n        import a\n        from b import (\n"
        "            c,\n        )\n        import d\n    except ImportError:\n        pass\n",
        "def f():\n    import ctypes  # child process: the sandbox's python3\n",
    ],
)
def test_an_import_with_a_reason_passes(source: str) -> None:
    assert unexplained(source) == [], source


def test_a_cli_module_may_give_the_reason_once_in_its_docstring() -> None:
    source = (
        '"""`council x`.\n\nStart-up: the handlers import lazily, so `council --help` stays '
        'fast."""\ndef handler():\n    import json\n'
    )
    assert unexplained(source, cli_module=True) == []
    assert unexplained(source, cli_module=False)
