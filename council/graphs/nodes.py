"""Node functions: agents as graph nodes, and the built-in bookkeeping nodes.

Built-ins are what protocols share: starting a round, a round summary that records
agreement, majority vote, and picking the best answer after a verify loop. They are all
coroutines, even the trivial ones: LangGraph runs a plain function node in a thread pool
when the graph runs asynchronously, and that hop cost more than the node itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langgraph.runtime import Runtime

from council.agents.base import Agent
from council.agents.tool_text import describe_tools
from council.graphs.state import CouncilState, Step, StepKind
from council.graphs.turns import turn_update
from council.graphs.variables import prompt_variables
from council.models.base import CallInfo
from council.tools.base import ToolContext
from council.voting import Ballot, VoteTable, atally

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
    conversation: str | None = None,
) -> NodeFunction:
    """Wrap an agent as a LangGraph node that appends its turn to the state.

    With `conversation`, the agent continues that conversation: its earlier prompts and
    replies in this run come before the new prompt (as the debate papers' scripts keep one
    message list per agent). Without, every turn starts fresh."""
    tool_help = tool_help_for(agent)

    async def run_agent(state: CouncilState, runtime: Runtime[ToolContext]) -> dict[str, Any]:
        round_number = state.round + 1 if starts_round else state.round
        variables = prompt_variables(
            state,
            agent=name,
            round_number=round_number,
            tool_help=tool_help,
            needed=agent.prompts.fields | agent.reads,
            sample=sample,
        )
        context = runtime.context or ToolContext()
        call = CallInfo(
            agent=name,
            role=agent.role,
            round=round_number,
            sample=sample,
            problem_id=context.problem_id,
        )
        earlier = state.conversation(conversation) if conversation else []
        result = await agent.run(
            variables, history=state.history, conversation=earlier, context=context, call=call
        )
        update = turn_update(
            result,
            agent=name,
            kind=kind,
            round=round_number,
            sample=sample,
            conversation=conversation or name,
        )
        if starts_round:
            update["round"] = round_number
        return update

    run_agent.__name__ = f"agent_{name}"
    return run_agent


async def next_round(state: CouncilState) -> dict[str, Any]:
    """Start a new round (debates: before all debaters answer in parallel)."""
    return {"round": state.round + 1}


async def _round_vote(state: CouncilState, round_number: int) -> tuple[VoteTable, bool]:
    """The round's vote table, and whether it is new (to be added to the state)."""
    table = state.vote_for_round(round_number)
    if table is not None:
        return table, False
    return await atally(state.ballots(round_number), round_number), True


async def round_summary(state: CouncilState) -> dict[str, Any]:
    """Close a round: tally its answers (recorded in the state) and say whether all agree."""
    table, new = await _round_vote(state, state.round)
    step = Step(role="council", kind="round", content=table.summary(), round=state.round)
    return {"steps": [step], "votes": [table] if new else []}


async def vote(state: CouncilState) -> dict[str, Any]:
    """The last round's vote decides; records where and why the run stopped. When no
    ballot of that round has an answer there is none (status `no_answer`): an earlier
    round's answer is never put in its place."""
    table, new = await _round_vote(state, state.round)
    step = Step(
        role="council", kind="final", content=table.winner or "(no answer)", round=state.round
    )
    status = "no_answer" if table.winner is None else "agreed" if table.unanimous else "done"
    return {
        "final_answer": table.winner,
        "status": status,
        "stopped_round": state.round,
        "stopped_early": table.unanimous and state.round < state.max_rounds,
        "steps": [step],
        "votes": [table] if new else [],
    }


async def finish_verified(state: CouncilState) -> dict[str, Any]:
    """After a verify loop: the accepted answer, else a vote over every attempt's answer
    (latest attempt first, so it wins a tie)."""
    verdict_turn = state.last_turn(with_verdict=True)
    attempts = [t for t in state.turns if t.kind != "verdict" and t.output.final_answer()]
    accepted = verdict_turn is not None and bool(verdict_turn.accepted)
    if accepted and attempts:
        answer: str | None = attempts[-1].answer
    else:
        ballots = [Ballot(agent=f"{t.agent}@{t.round}", answer=t.answer) for t in attempts]
        answer = (await atally(list(reversed(ballots)))).winner
    step = Step(role="council", kind="final", content=answer or "(no answer)", round=state.round)
    return {
        "final_answer": answer,
        "status": "accepted" if accepted else "exhausted",
        "stopped_round": state.round,
        "stopped_early": accepted and state.round < state.max_rounds,
        "steps": [step],
    }


async def finish_last_answer(state: CouncilState) -> dict[str, Any]:
    """The most recent trusted answer any agent gave (a single agent, a judge)."""
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


async def finish_decision(state: CouncilState) -> dict[str, Any]:
    """The answer of the latest turn that decided (a moderator, a judge), if any: a debate
    nobody decided has no answer, rather than one side's."""
    turn = next((t for t in reversed(state.turns) if t.decided), None)
    answer = turn.answer if turn else None
    step = Step(role="council", kind="final", content=answer or "(no answer)", round=state.round)
    return {
        "final_answer": answer,
        "status": "decided" if turn is not None else "done",
        "stopped_round": state.round,
        "stopped_early": turn is not None and state.round < state.max_rounds,
        "steps": [step],
    }


BUILTIN_NODES: dict[str, NodeFunction] = {
    "next_round": next_round,
    "round_summary": round_summary,
    "vote": vote,
    "finish_verified": finish_verified,
    "finish_last_answer": finish_last_answer,
    "finish_decision": finish_decision,
}
ROUND_STARTERS = frozenset({"next_round"})
