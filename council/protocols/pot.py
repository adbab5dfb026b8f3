"""`pot`: program of thought / program-aided reasoning (Chen et al. 2023, "Program of
Thoughts Prompting", TMLR; Gao et al. 2023, "PAL: Program-aided Language Models", ICML),
run as Qwen2.5-Math's evaluation runs its `pal` prompt type (`evaluation/math_eval.py`:
one generation, one execution, greedy). The model writes one program; the sandbox runs it
once; its last printed line is the answer (`council.agents.program`). Deviation: a
zero-shot instruction instead of the papers' few-shot exemplars, and `print` instead of
PAL's `solution()` return value.

Reported: PoT with Codex, GSM8K 71.6 (greedy) vs 63.1 for chain of thought, 80.0 with
self-consistency (Chen et al.); PAL with Codex, GSM8K 72.0 vs 65.6 (Gao et al.).
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
