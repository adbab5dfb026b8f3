"""`pot`: program-aided reasoning as PAL's reference script for chat models runs it (Gao et
al. 2023, "PAL: Program-aided Language Models", ICML; reasoning-machines/pal
`scripts/gsm_chatgpt.py`), the method of Chen et al. 2023, "Program of Thoughts Prompting"
(TMLR). One greedy generation from PAL's system message and three-example prompt; the
first code block runs once in the sandbox and `solution()`'s value is the answer
(`council.agents.program`, which lists the deviations).

Reported: PAL with Codex, GSM8K 72.0 vs 65.6 for chain of thought (Gao et al.); PoT with
Codex, GSM8K 71.6 (greedy) vs 63.1, 80.0 with self-consistency (Chen et al.).
"""

from __future__ import annotations

from council.agents.program import ProgramOfThought
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry

TEMPERATURE = 0.0


def pot_graph(
    models: RoleModels, options: ProtocolOptions, tools: ToolRegistry | None = None
) -> CouncilGraph:
    graph = CouncilGraph("pot")
    agent = ProgramOfThought(models.for_role("solver"), settings=options.decoding(TEMPERATURE))
    graph.add_agent("solver", agent, kind="answer", starts_round=True)
    graph.add_node("finish", "finish_last_answer")
    graph.add_edge("START", "solver")
    graph.add_edge("solver", "finish")
    graph.add_edge("finish", "END")
    return graph
