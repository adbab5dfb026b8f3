"""`single`: one chain-of-thought answer, greedy. The baseline every protocol must beat,
with the plain chain-of-thought prompt (`council.agents.answerer`) and the decoding of
Qwen2.5-Math's evaluation (`evaluation/math_eval.py`: temperature 0, at most 2048 new
tokens per call)."""

from __future__ import annotations

from council.agents.answerer import Answerer
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.definition import ProtocolDefinition, Reference, RoleDecoding, role
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry

QWEN_STOP = ("</s>", "<|im_end|>", "<|endoftext|>")
"""math_eval.py's stop words: the end-of-turn markers of common chat templates."""
COT_DECODING = RoleDecoding(
    temperature=0.0,
    top_p=1.0,
    max_tokens=2048,
    stop=QWEN_STOP,
    source="QwenLM/Qwen2.5-Math evaluation/math_eval.py:261-275: temperature 0, top_p 1, "
    "max_tokens_per_call 2048, its stop words",
)
QWEN_COT = Reference(
    paper="Yang et al. 2024, Qwen2.5-Math Technical Report (chain-of-thought evaluation)",
    repository="QwenLM/Qwen2.5-Math",
    files=("evaluation/math_eval.py", "evaluation/utils.py"),
    commit="a45202bd16f1ec06f433442dc1152d0074773465",
)


def single_graph(
    definition: ProtocolDefinition,
    models: RoleModels,
    options: ProtocolOptions,
    tools: ToolRegistry | None = None,
) -> CouncilGraph:
    graph = CouncilGraph("single")
    answerer = Answerer(
        models.for_role("solver"), tools=tools, settings=definition.settings("solver", options)
    )
    graph.add_agent("solver", answerer, kind="answer", starts_round=True)
    graph.add_node("finish", "finish_last_answer")
    graph.add_edge("START", "solver")
    graph.add_edge("solver", "finish")
    graph.add_edge("finish", "END")
    return graph


SINGLE = ProtocolDefinition(
    name="single",
    aliases=("cot",),
    summary="one greedy chain-of-thought answer",
    roles={"solver": role(Answerer, COT_DECODING)},
    uses=frozenset(),
    defaults={},
    shape=single_graph,
    reference=QWEN_COT,
    deviations=(
        "the prompt is the harness's chat path with the CoT instruction after the problem "
        "(prompt type mathstral with --apply_chat_template), not qwen25-math-cot's system "
        "message; the answer is the last \\boxed{}, not parser.extract_answer",
    ),
    answer_rule="the reply's last \\boxed{} answer; a reply without one, or cut at the "
    "token cap, has no answer",
)
