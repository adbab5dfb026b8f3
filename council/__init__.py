"""council: language-model agents that reason together.

What a user needs, each name once, in the import block below. The names load on first use:
importing the graph layer pulls in LangGraph (2.0 s of CPU on 2 cores, measured in
`council.main`'s docstring), which `import council` and `council --help` must not pay
for. The lazy loader reads its map from that same block, so the list is written
once and type checkers see the real names.
"""

from __future__ import annotations

import ast
import importlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from council.agents.base import Agent
    from council.agents.define import define_agent
    from council.agents.output import AgentOutput
    from council.agents.prompting import PromptTemplate
    from council.chat.session import ChatSession
    from council.config import CouncilConfig
    from council.errors import ConfigError, CouncilError
    from council.graphs.builder import CouncilGraph
    from council.graphs.config import load_graph
    from council.graphs.run import RunResult
    from council.models.base import ChatModel
    from council.models.factory import build_model
    from council.models.scripted import ScriptedModel
    from council.models.settings import ModelSettings, ModelSpec
    from council.protocols.definition import ProtocolCard
    from council.protocols.options import ProtocolOptions
    from council.protocols.run_spec import RunSpec
    from council.runner import GraphRunner
    from council.tools.base import Tool, tool


@cache
def _exports() -> dict[str, str]:
    """Each public name and its module, read from the `if TYPE_CHECKING:` block above."""
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
    )
    return {
        alias.name: statement.module
        for statement in block.body
        if isinstance(statement, ast.ImportFrom) and statement.module
        for alias in statement.names
    }


__all__ = sorted(_exports())


def __getattr__(name: str) -> Any:
    module_name = _exports().get(name)
    if module_name is None:
        raise AttributeError(f"module 'council' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_exports()])
