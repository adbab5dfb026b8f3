"""`debate`: Du et al. (2023), "Improving Factuality and Reasoning in Language Models
through Multiagent Debate", as its reference script runs it
(composable-models/llm_multiagent_debate, `gsm/gen_gsm.py` and `gsm/eval_gsm.py`):

- N debaters (the script: 3) each answer alone in round 1;
- in each later round (the script: 2 rounds in all) every debater continues its own
  conversation: its earlier replies are assistant turns, and one new user turn holds the
  other debaters' full previous replies (see `council.agents.debater`);
- the answer is the most frequent final answer of the last round.

The script samples at the API's default temperature (1.0); so does this protocol unless
the user sets one. Deviations, each an option or stated: `early_stop` (off by default;
the script has none) ends the debate once every debater commits to one value; votes group
answers by mathematical equivalence and skip replies with no answer or cut at the token
limit, where `eval_gsm.py` compares strings, votes with unparsed replies, and counts a
missing answer as correct.
"""

from __future__ import annotations

from council.agents.debater import LONE_DEBATER_PROMPTS, Debater
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.definition import ProtocolDefinition, Reference, RoleDecoding, role
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry

DEBATER_DECODING = RoleDecoding(
    temperature=1.0,
    source="gsm/gen_gsm.py sends only model, messages and n=1: the API's default "
    "temperature (1.0) and no max_tokens",
)


def debate_graph(
    definition: ProtocolDefinition,
    models: RoleModels,
    options: ProtocolOptions,
    tools: ToolRegistry | None = None,
) -> CouncilGraph:
    graph = CouncilGraph("debate")
    names = [f"debater_{i}" for i in range(1, options.agents + 1)]
    for index, name in enumerate(names):
        agent = Debater(
            models.for_role("debater"),
            tools=tools,
            settings=definition.settings("debater", options, index),
            prompts=LONE_DEBATER_PROMPTS if options.agents == 1 else None,
        )
        graph.add_agent(name, agent, kind="answer", sample=index, conversation=name)
    graph.add_node("start_round", "next_round")
    graph.add_node("end_round", "round_summary")
    graph.add_node("vote", "vote")
    graph.add_edge("START", "start_round")
    graph.add_edge("start_round", names)
    graph.add_edge(names, "end_round")
    routes: list[tuple[str, str]] = [("agents_agree", "vote")] if options.early_stop else []
    routes.append(("round < max_rounds", "start_round"))
    graph.add_branch("end_round", routes, otherwise="vote")
    graph.add_edge("vote", "END")
    return graph


DEBATE = ProtocolDefinition(
    name="debate",
    summary="debaters answer, then each revises reading the others' replies; majority of "
    "the last round",
    roles={"debater": role(Debater, DEBATER_DECODING, count="agents")},
    uses=frozenset({"agents", "rounds", "early_stop"}),
    defaults={"agents": 3, "rounds": 2, "early_stop": False},
    shape=debate_graph,
    reference=Reference(
        paper="Du et al. 2023, Improving Factuality and Reasoning in Language Models "
        "through Multiagent Debate",
        repository="composable-models/llm_multiagent_debate",
        files=("gsm/gen_gsm.py", "gsm/eval_gsm.py"),
        commit="9846749350eb917ae5bfaaff4c645fc705b8d3af",
    ),
    deviations=(
        "votes group answers by mathematical equivalence and skip replies with no answer or "
        "cut at the cap; eval_gsm.py compares strings and counts a missing answer as correct",
        "--early-stop (off by default; the script has none) ends once all debaters agree",
    ),
    answer_rule="majority of the last round's answers; if no debater of the last round gives "
    "a readable answer there is no answer (status no_answer)",
)
