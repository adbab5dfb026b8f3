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
from council.protocols.definition import ProtocolDefinition, Reference, RoleDecoding, role
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry

PAL_DECODING = RoleDecoding(
    temperature=0.0,
    top_p=1.0,
    max_tokens=512,
    source="scripts/gsm_chatgpt.py:29-33: temperature 0, top_p 1, max_tokens 512",
)


def pot_graph(
    definition: ProtocolDefinition,
    models: RoleModels,
    options: ProtocolOptions,
    tools: ToolRegistry | None = None,
) -> CouncilGraph:
    graph = CouncilGraph("pot")
    agent = ProgramOfThought(
        models.for_role("solver"), settings=definition.settings("solver", options)
    )
    graph.add_agent("solver", agent, kind="answer", starts_round=True)
    graph.add_node("finish", "finish_last_answer")
    graph.add_edge("START", "solver")
    graph.add_edge("solver", "finish")
    graph.add_edge("finish", "END")
    return graph


POT = ProtocolDefinition(
    name="pot",
    aliases=("pal",),
    summary="one greedy program; its solution() value, run in the sandbox, is the answer",
    roles={"solver": role(ProgramOfThought, PAL_DECODING)},
    uses=frozenset(),
    defaults={},
    shape=pot_graph,
    reference=Reference(
        paper="Gao et al. 2023, PAL: Program-aided Language Models; Chen et al. 2023, "
        "Program of Thoughts",
        repository="reasoning-machines/pal",
        files=("scripts/gsm_chatgpt.py", "pal/prompt/math_prompts.py"),
        commit="f81ca2a9777f002f98a6b4d0f10b61bd5c8feb02",
    ),
    deviations=(
        "the program runs in the sandbox with print(solution()) appended and its printed line "
        "is the answer, where the script takes float(eval('solution()')); a program that "
        "prints without defining solution() is also read",
    ),
    answer_rule="the value solution() returns; none when the program fails or the reply has "
    "no code",
)
