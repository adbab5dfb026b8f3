"""Node functions: agents as graph nodes, and the built-in bookkeeping nodes.

Built-ins are what protocols share: starting a round, a round summary that records
agreement, majority vote, and picking the best answer after a verify loop.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from langchain_core.runnables import RunnableConfig

from council.agents.base import Agent
from council.agents.tool_text import describe_tools
from council.graphs.conditions import agents_agree, normalise_answer
from council.graphs.state import CouncilState, Step, StepKind
from council.graphs.turns import tool_context, turn_update
from council.graphs.variables import prompt_variables
from council.models.base import CallInfo

NodeFunction = Callable[..., Awaitable[dict[str, Any]] | dict[str, Any]]


def tool_help_for(agent: Agent[Any]) -> str:
    return describe_tools(agent.tools, native=agent.model.supports_native_tools)


def agent_node(
    name: str,
    agent: Agent[Any],
    *,
    kind: StepKind = "answer",
    starts_round: bool = False,
    sample: int = 0,
) -> NodeFunction:
    """Wrap an agent as a LangGraph node that appends its turn to the state."""
    tool_help = tool_help_for(agent)

    async def run_agent(state: CouncilState, config: RunnableConfig) -> dict[str, Any]:
        round_number = state.round + 1 if starts_round else state.round
        variables = prompt_variables(
            state,
            agent=name,
            round_number=round_number,
            tool_help=tool_help,
            needed=agent.prompts.fields,
        )
        context = tool_context(config)
        call = CallInfo(
            agent=name,
            role=agent.role,
            round=round_number,
            sample=sample,
            problem_id=context.problem_id,
        )
        result = await agent.run(variables, history=state.history, context=context, call=call)
        update = turn_update(result, agent=name, kind=kind, round=round_number, sample=sample)
        if starts_round:
            update["round"] = round_number
        return update

    run_agent.__name__ = f"agent_{name}"
    return run_agent


def next_round(state: CouncilState) -> dict[str, Any]:
    """Start a new round (debates: before all debaters answer in parallel)."""
    return {"round": state.round + 1}


def round_summary(state: CouncilState) -> dict[str, Any]:
    """Close a round: show the answers given and whether everyone agreed."""
    answers = state.round_answers(state.round)
    agreed = agents_agree(state)
    content = "answers: " + ", ".join(answers) + (" (all agree)" if agreed else "")
    step = Step(role="council", kind="round", content=content, round=state.round)
    return {"steps": [step]}


def majority(answers: list[str]) -> str | None:
    """Most common answer by loose equality; ties go to the one given first."""
    if not answers:
        return None
    keys = [normalise_answer(a) for a in answers]
    counts = Counter(keys)
    best = max(counts.values())
    winner = next(key for key in keys if counts[key] == best)
    return answers[keys.index(winner)]


def vote(state: CouncilState) -> dict[str, Any]:
    """Majority of the latest round's answers; records where and why the run stopped."""
    round_number = state.latest_answer_round()
    answer = majority(state.round_answers(round_number))
    early = agents_agree(state) and state.round < state.max_rounds
    step = Step(role="council", kind="final", content=answer or "(no answer)", round=state.round)
    return {
        "final_answer": answer,
        "status": "agreed" if agents_agree(state) else "done",
        "stopped_round": state.round,
        "stopped_early": early,
        "steps": [step],
    }


def finish_verified(state: CouncilState) -> dict[str, Any]:
    """After a verify loop: the accepted answer, else the one most attempts agreed on."""
    verdict_turn = state.last_turn(with_verdict=True)
    answered = [t.answer for t in state.turns if t.answer is not None and t.accepted is None]
    accepted = verdict_turn is not None and bool(verdict_turn.accepted)
    if accepted and answered:
        answer: str | None = answered[-1]
    else:
        answer = majority(list(reversed(answered)))  # latest wins ties
    step = Step(role="council", kind="final", content=answer or "(no answer)", round=state.round)
    return {
        "final_answer": answer,
        "status": "accepted" if accepted else "exhausted",
        "stopped_round": state.round,
        "stopped_early": accepted and state.round < state.max_rounds,
        "steps": [step],
    }


def finish_last_answer(state: CouncilState) -> dict[str, Any]:
    """The most recent answer any agent gave (single agent, judges)."""
    turn = state.last_turn(with_answer=True)
    answer = turn.answer if turn else None
    step = Step(role="council", kind="final", content=answer or "(no answer)", round=state.round)
    return {
        "final_answer": answer,
        "status": "done",
        "stopped_round": state.round,
        "stopped_early": state.round < state.max_rounds,
        "steps": [step],
    }


BUILTIN_NODES: dict[str, NodeFunction] = {
    "next_round": next_round,
    "round_summary": round_summary,
    "vote": vote,
    "finish_verified": finish_verified,
    "finish_last_answer": finish_last_answer,
}
ROUND_STARTERS = frozenset({"next_round"})
