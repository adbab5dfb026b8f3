"""`tir`: tool-integrated reasoning as Qwen2.5-Math evaluates it (Yang et al. 2024,
"Qwen2.5-Math Technical Report: Toward Mathematical Expert Model via Self-Improvement";
reference script QwenLM/Qwen2.5-Math `evaluation/math_eval.py`; the method is ToRA's,
Gou et al. 2024, "ToRA: A Tool-Integrated Reasoning Agent for Mathematical Problem
Solving"). One agent, greedy (the evaluation decodes at T = 0), interleaves reasoning with
```python blocks that run in the run's sandbox session, each output fed back into the same
assistant turn, at most `max_executions` generations (the script: 4). See
`council.agents.tir` for the prompt and how the turn is continued through a chat API.

Reported (technical report, MATH, zero-shot): Qwen2.5-Math-72B-Instruct 85.9 with
chain of thought, 88.1 with TIR; 7B-Instruct 83.6 and 85.3; 1.5B-Instruct 75.8 and 79.7.
ToRA-Code-34B: 50.8 on MATH (Gou et al.).

Works with any model: code is read from fenced blocks, never from native tool calls. Needs
the sandbox (`council sandbox doctor`); without one the run fails with that fix.
"""

from __future__ import annotations

from council.agents.tir import ToolIntegratedReasoner
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.definition import ProtocolDefinition, Reference, RoleDecoding, role
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry

TIR_DECODING = RoleDecoding(
    temperature=0.0,
    top_p=1.0,
    max_tokens=2048,
    stop=("```output",),
    source="evaluation/math_eval.py: temperature 0, top_p 1, max_tokens_per_call 2048, "
    "generation stops at ```output and the code runs",
)


def tir_graph(
    definition: ProtocolDefinition,
    models: RoleModels,
    options: ProtocolOptions,
    tools: ToolRegistry | None = None,
) -> CouncilGraph:
    graph = CouncilGraph("tir")
    agent = ToolIntegratedReasoner(
        models.for_role("solver"),
        settings=definition.settings("solver", options),
        max_executions=options.max_executions,
    )
    graph.add_agent("solver", agent, kind="answer", starts_round=True)
    graph.add_node("finish", "finish_last_answer")
    graph.add_edge("START", "solver")
    graph.add_edge("solver", "finish")
    graph.add_edge("finish", "END")
    return graph


TIR = ProtocolDefinition(
    name="tir",
    summary="one greedy answer interleaving reasoning with Python blocks run in the sandbox",
    roles={"solver": role(ToolIntegratedReasoner, TIR_DECODING)},
    uses=frozenset({"max_executions"}),
    defaults={"max_executions": 4},
    shape=tir_graph,
    reference=Reference(
        paper="Yang et al. 2024, Qwen2.5-Math Technical Report (tool-integrated reasoning, "
        "after ToRA, Gou et al. 2024)",
        repository="QwenLM/Qwen2.5-Math",
        files=("evaluation/math_eval.py", "evaluation/python_executor.py"),
        commit="a45202bd16f1ec06f433442dc1152d0074773465",
    ),
    answer_rule="the reply's last \\boxed{} answer; none when it gives none",
)
