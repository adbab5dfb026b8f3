"""The variables every agent prompt template may use, computed from the state.

One fixed vocabulary for every graph means config files can be validated before a run:
a template that names anything else is an error at load time, not a KeyError mid-run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class _Context:
    state: CouncilState
    agent: str
    round_number: int
    tool_help: str


def _latest_answer(c: _Context) -> Turn | None:
    return c.state.last_turn(with_answer=True)


def _plan(c: _Context) -> str:
    plans = c.state.outputs_of(Plan)
    return plans[-1].summary() if plans else "(no plan)"


def _verdict(c: _Context) -> str:
    verdicts = [t for t in c.state.turns if t.output_type == Verdict.__name__]
    return verdicts[-1].output_as(Verdict).summary() if verdicts else ""


def _previous_answer(c: _Context) -> str:
    for turn in reversed(c.state.turns):
        if turn.agent == c.agent and turn.answer is not None and turn.round < c.round_number:
            return turn.answer
    return ""


def _memory(c: _Context) -> str:
    memory = c.state.memory
    return f"Useful notes from earlier problems:\n{memory}\n\n" if memory else ""


def _transcript(c: _Context) -> str:
    return "\n".join(
        f"- {t.agent} (round {t.round}): {t.answer or t.text[:200]}" for t in c.state.turns
    )


_COMPUTE: dict[str, Callable[[_Context], object]] = {
    "problem": lambda c: c.state.problem,
    "round": lambda c: c.round_number,
    "max_rounds": lambda c: c.state.max_rounds,
    "memory": _memory,
    "blackboard": lambda c: c.state.blackboard_text(),
    "plan": _plan,
    "solution": lambda c: _solution_text(_latest_answer(c)),
    "answer": lambda c: (turn.answer or "") if (turn := _latest_answer(c)) else "",
    "verdict": _verdict,
    "feedback": lambda c: _feedback(c.state, c.agent),
    "previous_answer": _previous_answer,
    "others": lambda c: _others(c.state, c.agent, c.round_number),
    "transcript": _transcript,
    "tool_help": lambda c: c.tool_help,
}


def prompt_variables(
    state: CouncilState,
    *,
    agent: str,
    round_number: int,
    tool_help: str = "",
    needed: Iterable[str] | None = None,
) -> dict[str, object]:
    """The variables an agent's templates use (all of them when `needed` is None); only
    what is needed is computed, since this runs before every agent turn."""
    context = _Context(state, agent, round_number, tool_help)
    names = _COMPUTE.keys() if needed is None else [n for n in needed if n in _COMPUTE]
    return {name: _COMPUTE[name](context) for name in names}
