"""`tir`: tool-integrated reasoning as Qwen2.5-Math evaluates it (Yang et al. 2024,
"Qwen2.5-Math Technical Report: Toward Mathematical Expert Model via Self-Improvement";
reference script QwenLM/Qwen2.5-Math `evaluation/math_eval.py`; the method is ToRA's,
Gou et al. 2024, "ToRA: A Tool-Integrated Reasoning Agent for Mathematical Problem
Solving"). One agent, greedy (the evaluation decodes at T = 0, top_p 1, 2048 tokens per
call, with the script's stop sequences: `TIR_DECODING` below), interleaves reasoning
with ```python blocks; a reply that ends at a block has the script's program run in the
sandbox and its output appended to the same assistant turn, which the next call
continues; at most `max_executions` calls (the script: 4). `options.tir` (`TirOptions`)
says how the turn is continued, what runs and where the answer is read; its defaults are
the script's. The embedded model continues its turn as the script does, through the raw
completion endpoint (the GGUF's chat template, the turn left open:
`TirOptions.embedded_continuation`); other servers get a chat request with
continue_final_message (`TirOptions.continuation`). See `council.agents.tir`.

Reported (technical report, MATH, zero-shot): Qwen2.5-Math-72B-Instruct 85.9 with
chain of thought, 88.1 with TIR; 7B-Instruct 83.6 and 85.3; 1.5B-Instruct 75.8 and 79.7.
ToRA-Code-34B: 50.8 on MATH (Gou et al.).

Works with any model: code is read from fenced blocks, never from native tool calls. Needs
the sandbox (`council sandbox doctor`); without one the run fails with that fix.
"""

from __future__ import annotations

from council.agents.tir import (
    MAX_TOKENS_PER_CALL,
    STOP_WORDS,
    TIR_DEVIATIONS,
    TOP_P,
    ToolIntegratedReasoner,
)
from council.agents.tir_options import REFERENCE
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.definition import ProtocolDefinition, Reference, RoleDecoding, role
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry

TIR_DECODING = RoleDecoding(
    temperature=0.0,
    top_p=TOP_P,
    max_tokens=MAX_TOKENS_PER_CALL,
    stop=STOP_WORDS,
    source="evaluation/math_eval.py:36,55-57,234-239: temperature 0, top_p 1, "
    "max_tokens_per_call 2048, stop words ending at ```output, where the code runs",
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
        tir=options.tir,
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
    uses=frozenset({"max_executions", "tir"}),
    defaults={"max_executions": 4, "tir": REFERENCE},
    shape=tir_graph,
    reference=Reference(
        paper="Yang et al. 2024, Qwen2.5-Math Technical Report (tool-integrated reasoning, "
        "after ToRA, Gou et al. 2024)",
        repository="QwenLM/Qwen2.5-Math",
        files=("evaluation/math_eval.py", "evaluation/python_executor.py"),
        commit="a45202bd16f1ec06f433442dc1152d0074773465",
    ),
    deviations=TIR_DEVIATIONS,
    answer_rule="as the script reads it (TirOptions.answer_from='script'): the turn cut at "
    "its first stop sequence, so only the text before the first code output counts; "
    "answer_from='whole_turn' reads the whole turn",
)
