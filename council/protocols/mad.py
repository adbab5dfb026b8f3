"""`mad`: Liang et al. (2023), "Encouraging Divergent Thinking in Large Language Models
through Multi-Agent Debate", as its reference code runs it (Skytliang/Multi-Agents-Debate,
`interactive.py` with `code/utils/config4all.json`; prompts in `council.agents.mad`):

round 1: affirmative (the problem) → negative (told it disagrees with the affirmative's
reply) → moderator (both full replies, JSON verdict). While the moderator gives no
`debate_answer` and rounds remain (the script: 3 rounds), another round: each side reads
the other's latest reply, then the moderator again. If the moderator never decides, the
judge lists the candidates from both sides' first replies and then gives the final answer.
The answer is the moderator's or the judge's `debate_answer`; nothing else (never a side's
own answer) becomes the answer. All agents decode at temperature 0, as the script does,
unless the user sets a temperature.
"""

from __future__ import annotations

from council.agents.mad import Affirmative, Judge, JudgeCandidates, Moderator, Negative
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.definition import ProtocolDefinition, Reference, RoleDecoding, role
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry

MAD_DECODING = RoleDecoding(
    temperature=0.0,
    source="code/utils/agent.py: temperature 0; max_tokens is the rest of the context, "
    "which is what sending no cap means",
)


def mad_graph(
    definition: ProtocolDefinition,
    models: RoleModels,
    options: ProtocolOptions,
    tools: ToolRegistry | None = None,
) -> CouncilGraph:
    graph = CouncilGraph("mad")
    settings = definition.settings("affirmative", options)
    graph.add_agent(
        "affirmative",
        Affirmative(models.for_role("affirmative"), tools=tools, settings=settings),
        starts_round=True,
        conversation="affirmative",
    )
    graph.add_agent(
        "negative",
        Negative(
            models.for_role("negative"),
            tools=tools,
            settings=definition.settings("negative", options, 1),
        ),
        conversation="negative",
    )
    graph.add_agent(
        "moderator",
        Moderator(models.for_role("moderator"), settings=definition.settings("moderator", options)),
        kind="verdict",
        conversation="moderator",
    )
    judge_model = models.for_role("judge")
    judge_settings = definition.settings("judge", options)
    graph.add_agent(
        "judge_candidates",
        JudgeCandidates(judge_model, settings=judge_settings),
        kind="verdict",
        conversation="judge",
    )
    graph.add_agent(
        "judge", Judge(judge_model, settings=judge_settings), kind="verdict", conversation="judge"
    )
    graph.add_node("finish", "finish_decision")
    graph.add_edge("START", "affirmative")
    graph.add_edge("affirmative", "negative")
    graph.add_edge("negative", "moderator")
    graph.add_branch(
        "moderator",
        [("judge.decided", "finish"), ("round < max_rounds", "affirmative")],
        otherwise="judge_candidates",
    )
    graph.add_edge("judge_candidates", "judge")
    graph.add_edge("judge", "finish")
    graph.add_edge("finish", "END")
    return graph


MAD = ProtocolDefinition(
    name="mad",
    summary="an affirmative and a negative side argue; a moderator ends the debate when one "
    "side is right, else a judge decides",
    roles={
        "affirmative": role(Affirmative, MAD_DECODING),
        "negative": role(Negative, MAD_DECODING),
        "moderator": role(Moderator, MAD_DECODING),
        "judge": role(JudgeCandidates, MAD_DECODING, also=(Judge,)),
    },
    uses=frozenset({"rounds"}),
    defaults={"rounds": 3},
    shape=mad_graph,
    reference=Reference(
        paper="Liang et al. 2023, Encouraging Divergent Thinking in Large Language Models "
        "through Multi-Agent Debate",
        repository="Skytliang/Multi-Agents-Debate",
        files=("interactive.py", "code/utils/config4all.json", "code/utils/agent.py"),
        commit="022a7a8eecda85844d336e9064cc556edb0445b3",
    ),
    deviations=(
        "no max_tokens is sent, where the script sends 3900 minus the prompt's gpt-3.5 tokens "
        "(the rest of a 4k context): the rest of the model's own context",
        "the moderator's and judge's JSON is found and repaired instead of eval()'d: an "
        "unreadable moderator lets the debate go on, an unreadable judge gives no answer",
    ),
    answer_rule="the moderator's debate_answer once it decides, else the judge's; never a "
    "side's own answer; none when neither gives one",
)
