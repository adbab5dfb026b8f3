"""`best-of-n`: N candidates, then one scorer picks the answer — best-of-N selection by a
learned value, as Qwen2.5-Math reports RM@N (Yang et al. 2024, "Qwen2.5-Math Technical
Report"; scoring script QwenLM/Qwen2.5-Math `evaluation/rm_maj_eval.py`): sample N
solutions, score each with Qwen2.5-Math-RM-72B, answer with the highest-scored one. The
report finds RM@8 above Maj@8 for every model size and benchmark (e.g. MATH, with TIR,
Qwen2.5-Math-72B-Instruct reaches about 92.9 with RM@8).

Candidates are chain-of-thought samples with Qwen's `qwen25-math-cot` prompt (the CoT
instruction as the system message) and decoding (T = 0.7, top_p 0.8, 2048 tokens), 8 by
default as RM@8; distinct seeds when a seed is given. For `execution` they are
tool-integrated samples (`council.agents.tir`), since only a candidate that ran code can be
re-run. The scorer (`--scorer`):

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

from council.agents.answerer import QWEN_COT_PROMPTS, Answerer
from council.agents.base import Agent
from council.agents.grader import CandidateGrader
from council.agents.tir import ToolIntegratedReasoner
from council.agents.tir_options import REFERENCE
from council.errors import ConfigError
from council.graphs.builder import CouncilGraph
from council.graphs.selection import selection_node
from council.models.roles import RoleModels
from council.protocols.definition import ProtocolDefinition, Reference, RoleDecoding, role
from council.protocols.options import ProtocolOptions
from council.protocols.single import COT_DECODING
from council.protocols.tir import TIR_DECODING
from council.scoring.base import Scorer
from council.scoring.reward_model import RewardModelScorer
from council.tools.base import ToolRegistry

CANDIDATE_DECODING = COT_DECODING.model_copy(
    update={
        "temperature": 0.7,
        "top_p": 0.8,
        "source": "Qwen2.5-Math README.md:111 and evaluation/math_eval.py:261-275: T 0.7, "
        "top_p 0.8, max_tokens_per_call 2048, its stop words",
    }
)
EXECUTOR_DECODING = TIR_DECODING.model_copy(
    update={
        "temperature": 0.7,
        "top_p": 0.8,
        "source": "tir's decoding (math_eval.py) sampled as Qwen's RM@N candidates: T 0.7, "
        "top_p 0.8 (README.md:111)",
    }
)
JUDGE_DECODING = RoleDecoding(
    temperature=0.0, max_tokens=512, source="council's choice: a greedy judge, a short reply"
)
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

    return RewardModelScorer(options.reward)


def best_of_n_graph(
    definition: ProtocolDefinition,
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
        agent: Agent[Any]
        if options.scorer == "execution" and scorer is None:
            settings = definition.settings("executor", options, index)
            agent = ToolIntegratedReasoner(
                models.for_role("solver"),
                settings=settings,
                max_executions=options.max_executions,
                tir=options.tir,
            )
        else:
            settings = definition.settings("solver", options, index)
            agent = Answerer(
                models.for_role("solver"), tools=tools, settings=settings, prompts=QWEN_COT_PROMPTS
            )
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
                models.for_role("verifier"),
                settings=definition.settings("verifier", options, index),
            )
            graph.add_agent(name, grader, kind="verdict", sample=index)
            graph.add_edge(names[index], name)
        graph.add_edge(judges, "select")
    else:
        graph.add_edge(names, "select")
    graph.add_edge("select", "END")
    return graph


BEST_OF_N = ProtocolDefinition(
    name="best-of-n",
    aliases=("bon", "best_of_n"),
    summary="N chain-of-thought candidates, one scorer picks the answer (default scorer: "
    "an LLM judge per candidate; --scorer reward-model is Qwen's RM@N)",
    roles={
        "solver": role(Answerer, CANDIDATE_DECODING, count="samples", prompts=QWEN_COT_PROMPTS),
        "executor": role(
            ToolIntegratedReasoner, EXECUTOR_DECODING, count="samples (scorer execution)"
        ),
        "verifier": role(CandidateGrader, JUDGE_DECODING, count="samples (scorer verifier)"),
    },
    uses=frozenset({"samples", "scorer", "reward", "max_executions", "tir"}),
    defaults={"samples": 8, "scorer": "verifier", "max_executions": 4, "tir": REFERENCE},
    shape=best_of_n_graph,
    reference=Reference(
        paper="Yang et al. 2024, Qwen2.5-Math Technical Report (RM@N)",
        repository="QwenLM/Qwen2.5-Math",
        files=("evaluation/rm_maj_eval.py", "evaluation/math_eval.py"),
        commit="a45202bd16f1ec06f433442dc1152d0074773465",
    ),
    deviations=(
        "the default scorer is a prompted LLM judge (--scorer verifier), not a trained "
        "reward model: RM@N needs --scorer reward-model and a served reward model",
        "votes (--scorer vote, maj@N) group answers by mathematical equivalence where "
        "rm_maj_eval.py counts identical strings",
    ),
    answer_rule="the highest-scored candidate's answer; ties go to the answer most tied "
    "candidates gave; every score is kept in the state (selections)",
)
