"""A custom two-agent graph in Python: a proposer answers, a checker accepts or sends it
back with a reason, at most three rounds. Runs offline with the embedded model.

    python examples/propose_check.py "What is 12 * 12?"
"""

from __future__ import annotations

import sys

from council import CouncilGraph, GraphRunner, ModelSettings, ModelSpec, build_model, define_agent
from council.agents.verifier import Verdict


def build(model_name: str = "local/smollm2", max_tokens: int = 200) -> GraphRunner:
    model = build_model(ModelSpec(name=model_name))
    settings = ModelSettings(max_tokens=max_tokens, temperature=0.2)
    proposer = define_agent(
        "proposer",
        system="You propose an answer to the problem, with a short justification.",
        task="Problem: {problem}\n{feedback}Give your answer.\n{format}",
        model=model,
        settings=settings,
    )
    checker = define_agent(
        "checker",
        system="You check a proposed answer strictly.",
        task="Problem: {problem}\nProposed answer: {answer}\nWork: {solution}\n{format}",
        model=model,
        output=Verdict,
        settings=settings,
    )
    graph = CouncilGraph("propose-check")
    graph.add_agent("proposer", proposer, starts_round=True)
    graph.add_agent("checker", checker, kind="verdict")
    graph.add_node("finish", "finish_verified")
    graph.add_edge("START", "proposer")
    graph.add_edge("proposer", "checker")
    graph.add_branch(
        "checker",
        [("verdict.accepted", "finish"), ("round < max_rounds", "proposer")],
        otherwise="finish",
    )
    graph.add_edge("finish", "END")
    return GraphRunner(graph, max_rounds=3)


def main() -> None:
    question = sys.argv[1] if len(sys.argv) > 1 else "What is 12 * 12?"
    result = build().run(question)
    for step in result.steps:
        print(f"{step.agent or step.role} (round {step.round}): {step.content[:120]}")
    print("answer:", result.answer, f"({result.status}, {result.rounds} rounds)")


if __name__ == "__main__":
    main()
