"""`best-of-n`: N candidates, then one scorer picks the answer — best-of-N selection by a
learned value, as Qwen2.5-Math reports RM@N (Yang et al. 2024, "Qwen2.5-Math Technical
Report"; scoring script QwenLM/Qwen2.5-Math `evaluation/rm_maj_eval.py`): sample N
solutions, score each with Qwen2.5-Math-RM-72B, answer with the highest-scored one. The
report finds RM@8 above Maj@8 for every model size and benchmark (e.g. MATH, with TIR,
Qwen2.5-Math-72B-Instruct reaches about 92.9 with RM@8).

Candidates are chain-of-thought samples (`{problem}` + the CoT instruction, T = 0.7,
distinct seeds); for `execution` they are tool-integrated samples (`council.agents.tir`),
since only a candidate that ran code can be re-run. The scorer (`--scorer`):

- `vote`: maj@N, each candidate's score is its answer's vote share;
- `verifier` (default): an LLM judge per candidate scores it 0-1 from the problem and that
  candidate alone (`council.agents.grader`), the RM's role played by a prompted model;
- `execution`: a candidate whose programs re-run in a fresh namespace of the sandbox and
  print its answer again scores 1, others 0;
- `reward-model`: a served reward model (`ProtocolOptions.reward`, vLLM's pooling API;
  `council.scoring.reward_model`).

Highest score wins; a tie goes to the answer most tied candidates gave. Every score is kept
in the state (`selections`). Your own scorer: any object with the `council.scoring.Scorer`
protocol, given to `best_of_n_graph(..., scorer=...)`.
"""

from __future__ import annotations

from typing import Any

from council.agents.answerer import Answerer
from council.agents.base import Agent
from council.agents.grader import CandidateGrader
from council.agents.tir import ToolIntegratedReasoner
from council.errors import ConfigError
from council.graphs.builder import CouncilGraph
from council.graphs.selection import selection_node
from council.models.roles import RoleModels
from council.protocols.options import ProtocolOptions
from council.scoring.base import Scorer
from council.tools.base import ToolRegistry

TEMPERATURE = 0.7
JUDGE_TEMPERATURE = 0.0
BUILTIN_SELECTORS = {
    "vote": "select_by_vote",
    "verifier": "select_by_judge",
    "execution": "select_by_execution",
}


def _scorer_for(options: ProtocolOptions) -> Scorer | None:
    if options.scorer != "reward-model":
        return None
    if options.reward is None:
        raise ConfigError(
            "best-of-n --scorer reward-model needs a reward server: --reward-api-base URL "
            "--reward-model NAME (ProtocolOptions.reward)"
        )
    from council.scoring.reward_model import RewardModelScorer

    return RewardModelScorer(options.reward)


def best_of_n_graph(
    models: RoleModels,
    options: ProtocolOptions,
    tools: ToolRegistry | None = None,
    *,
    scorer: Scorer | None = None,
) -> CouncilGraph:
    scorer = scorer or _scorer_for(options)
    graph = CouncilGraph("best-of-n")
    names = [f"sample_{i}" for i in range(1, options.samples + 1)]
    for index, name in enumerate(names):
        settings = options.decoding(TEMPERATURE, index)
        agent: Agent[Any]
        if options.scorer == "execution" and scorer is None:
            agent = ToolIntegratedReasoner(
                models.for_role("solver"),
                settings=settings,
                max_executions=options.max_executions,
                tir=options.tir,
            )
        else:
            agent = Answerer(models.for_role("solver"), tools=tools, settings=settings)
        graph.add_agent(name, agent, kind="answer", sample=index)
    graph.add_node("start_round", "next_round")
    graph.add_edge("START", "start_round")
    graph.add_edge("start_round", names)
    if scorer is not None:
        graph.add_node("select", selection_node(scorer))
    else:
        graph.add_node("select", BUILTIN_SELECTORS[options.scorer])
    if options.scorer == "verifier" and scorer is None:
        judges = [f"grade_{i}" for i in range(1, options.samples + 1)]
        for index, name in enumerate(judges):
            grader = CandidateGrader(
                models.for_role("verifier"), settings=options.decoding(JUDGE_TEMPERATURE, index)
            )
            graph.add_agent(name, grader, kind="verdict", sample=index)
            graph.add_edge(names[index], name)
        graph.add_edge(judges, "select")
    else:
        graph.add_edge(names, "select")
    graph.add_edge("select", "END")
    return graph
