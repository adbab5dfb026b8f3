"""The variables every agent prompt template may use, computed from the state.

One fixed vocabulary for every graph means config files can be validated before a run:
a template that names anything else is an error at load time, not a KeyError mid-run.
"""

from __future__ import annotations

from council.agents.critic import Critique
from council.agents.planner import Plan
from council.agents.verifier import Verdict
from council.graphs.state import CouncilState, Turn

PROMPT_VARIABLES: dict[str, str] = {
    "problem": "the problem being solved",
    "round": "the current round number (1-based once a round has started)",
    "max_rounds": "the round bound",
    "memory": "notes retrieved from earlier problems (empty when none)",
    "blackboard": "the team's shared notes (empty when none)",
    "plan": "the latest plan, or '(no plan)'",
    "solution": "the latest solution's reasoning, with any code it ran and the output",
    "answer": "the latest answer given by any agent",
    "verdict": "the latest verdict, summarised",
    "feedback": "why this agent's previous answer was rejected, and the critic's fix",
    "previous_answer": "this agent's own answer in the previous round",
    "others": "the other agents' answers from the previous round (debates)",
    "transcript": "every earlier turn, one line each",
    "format": "the output format of the agent's schema",
    "tool_help": "how to use the agent's tools (empty without tools)",
}


def _solution_text(turn: Turn | None) -> str:
    if turn is None:
        return ""
    reasoning = str(turn.output.get("reasoning") or "") or turn.text
    text = reasoning.strip() or (turn.answer or "")
    code = "\n\n".join(
        f"```python\n{t.arguments.get('code', '')}\n```\noutput:\n{t.output}"
        for t in turn.tool_traces
        if t.tool == "python"
    )
    return f"{text}\n\nCode the solver ran:\n{code}" if code else text


def _feedback(state: CouncilState, agent: str) -> str:
    own = state.last_turn(agent, with_answer=True)
    if own is None:
        return ""
    later = state.turns[state.turns.index(own) + 1 :]
    verdicts = [t for t in later if t.output_type == Verdict.__name__]
    if not verdicts or verdicts[-1].accepted:
        return ""
    reason = verdicts[-1].output_as(Verdict).reason or "no reason given"
    text = f"Your previous answer {own.answer!r} was rejected: {reason}\n"
    critiques = [t for t in later if t.output_type == Critique.__name__]
    if critiques:
        text += f"Critic: {critiques[-1].output_as(Critique).summary()}\n"
    return text + "\n"


def _others(state: CouncilState, agent: str, round_number: int) -> str:
    previous = [
        t
        for t in state.turns
        if t.round == round_number - 1 and t.agent != agent and t.answer is not None
    ]
    if not previous:
        return ""
    lines = "\n\n".join(
        f"One agent's solution: {_solution_text(t)}\nIts answer: {t.answer}" for t in previous
    )
    return (
        f"These are the solutions from other agents in the last round:\n\n{lines}\n\n"
        "Using their reasoning as additional advice, examine your solution and theirs step "
        "by step, and give an updated answer.\n\n"
    )


def prompt_variables(
    state: CouncilState, *, agent: str, round_number: int, tool_help: str = ""
) -> dict[str, object]:
    plans = state.outputs_of(Plan)
    verdicts = [t for t in state.turns if t.output_type == Verdict.__name__]
    latest_answer = state.last_turn(with_answer=True)
    own_previous = next(
        (
            t
            for t in reversed(state.turns)
            if t.agent == agent and t.answer is not None and t.round < round_number
        ),
        None,
    )
    memory = f"Useful notes from earlier problems:\n{state.memory}\n\n" if state.memory else ""
    return {
        "problem": state.problem,
        "round": round_number,
        "max_rounds": state.max_rounds,
        "memory": memory,
        "blackboard": state.blackboard_text(),
        "plan": plans[-1].summary() if plans else "(no plan)",
        "solution": _solution_text(latest_answer),
        "answer": latest_answer.answer if latest_answer else "",
        "verdict": verdicts[-1].output_as(Verdict).summary() if verdicts else "",
        "feedback": _feedback(state, agent),
        "previous_answer": own_previous.answer if own_previous else "",
        "others": _others(state, agent, round_number),
        "transcript": "\n".join(
            f"- {t.agent} (round {t.round}): {t.answer or t.text[:200]}" for t in state.turns
        ),
        "tool_help": tool_help,
    }
