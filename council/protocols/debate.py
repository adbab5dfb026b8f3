"""`debate` (Du et al. 2023): N agents answer, then see each other's answers and revise.

Round 1 every debater answers alone; each later round it reads the others' previous
answers (the `others` prompt variable) and updates its own. Majority of the last round
wins. With early stop on, the debate ends as soon as all debaters agree.
"""

from __future__ import annotations

from council.agents.base import Agent
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.agents.solver import Solution
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry

DEBATER_PROMPTS = AgentPrompts(
    system=PromptTemplate(
        name="debater.system",
        text="You are one of several agents debating a problem. Reason step by step, "
        "weigh the other agents' arguments on their merits, and give your own final answer."
        "{tool_help}",
    ),
    task=PromptTemplate(
        name="debater.task",
        text="Problem:\n{problem}\n\n{memory}{others}Give your solution.\n{format}",
    ),
)


class Debater(Agent[Solution]):
    role = "debater"
    prompts = DEBATER_PROMPTS
    output_type = Solution


def debate_graph(
    models: RoleModels, options: ProtocolOptions, tools: ToolRegistry | None = None
) -> CouncilGraph:
    graph = CouncilGraph("debate")
    names = [f"debater_{i}" for i in range(1, options.agents + 1)]
    for index, name in enumerate(names):
        agent = Debater(
            models.for_role("debater"), tools=tools, settings=options.sample_settings(index)
        )
        graph.add_agent(name, agent, kind="answer", sample=index)
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
