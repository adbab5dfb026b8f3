"""The variables every agent prompt template may use, computed from the state.

One fixed vocabulary for every graph means config files can be validated before a run:
a template that names anything else is an error at load time, not a KeyError mid-run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from council.agents import texts
from council.agents.critic import Critique
from council.agents.planner import Plan
from council.agents.tool_modules import (
    ModulePlan,
    ModuleReport,
    initial_context,
    problem_type_level,
)
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
    "others": "the other answering agents' full replies from the previous round, each as "
    "'\\n\\n One agent solution: ```<reply>```' (Du et al.'s debate script)",
    "opponent": "the latest full reply of another answering agent (two-sided debates)",
    "round_ordinal": "the current round as a word: first, second, ...",
    "reply.<agent>": "that agent's latest full reply in this run (e.g. {reply.affirmative})",
    "first_reply.<agent>": "that agent's first full reply in this run",
    "transcript": "every earlier turn, one line each",
    "candidate": "the latest full reply of the answering agent whose sample index is this "
    "agent's (a judge scoring one candidate, best-of-n)",
    "references": "the previous round's answering agents' full replies, numbered "
    "'\\n1. <reply>' (Mixture-of-Agents' aggregate-and-synthesize list)",
    "findings": "what earlier agents found, each under its name: their replies and any tool "
    "output not already in them (the modules of tool-planner; empty when none)",
    "problem_type_level": "the problem's MATH type and level as MathSensei's prompts write "
    "them: 'Mathematics Problem Type:<type>\\n' then 'Level of Problem:<level>\\n' (a line "
    "whose value the problem was not given with is left out; empty when neither is)",
    "module_context": "what tool-planner's modules have added so far, as MathSensei keeps it "
    "(cache['response']): the problem's type and level lines, then each module's addition "
    "(empty when there is none)",
    "modules_used": "the module names the latest module plan lists before its python "
    "generator, space-separated (MathSensei's 'Modules used till now')",
    "format": "the output format of the agent's schema",
    "tool_help": "how to use the agent's tools (empty without tools)",
}


DYNAMIC_PREFIXES = ("reply.", "first_reply.")
"""Variables named by prefix and agent: `{reply.judge}`; the agent must exist in the graph."""

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def is_prompt_variable(name: str) -> bool:
    return name in PROMPT_VARIABLES or (
        name.startswith(DYNAMIC_PREFIXES) and bool(name.split(".", 1)[1])
    )


def _solution_text(turn: Turn | None) -> str:
    if turn is None:
        return ""
    reasoning = str(getattr(turn.output, "reasoning", "") or "") or turn.text
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
    verdicts = [t.output for t in later if isinstance(t.output, Verdict)]
    if not verdicts or verdicts[-1].accepted:
        return ""
    reason = verdicts[-1].reason or "no reason given"
    text = texts.FEEDBACK.render({"answer": own.answer or "", "reason": reason})
    critiques = [t.output for t in later if isinstance(t.output, Critique)]
    if critiques:
        text += texts.CRITIC_NOTE.render({"critique": critiques[-1].summary()})
    return text + "\n"


def _others(state: CouncilState, agent: str, round_number: int) -> str:
    """Du et al.'s `construct_message` prefix, verbatim: the other agents' full replies
    from the previous round, in agent order."""
    previous = sorted(
        (
            t
            for t in state.turns
            if t.round == round_number - 1 and t.agent != agent and t.kind == "answer"
        ),
        key=lambda t: (t.sample, t.agent),
    )
    if not previous:
        return ""
    solutions = "".join(texts.OTHER_SOLUTION.render({"reply": t.text}) for t in previous)
    return texts.OTHERS.render({"solutions": solutions})


def _opponent(c: _Context) -> str:
    for turn in reversed(c.state.turns):
        if turn.agent != c.agent and turn.kind == "answer":
            return turn.text
    return ""


def _reply(state: CouncilState, agent: str, *, first: bool) -> str:
    turns = [t for t in state.turns if t.agent == agent]
    if not turns:
        return ""
    return (turns[0] if first else turns[-1]).text


@dataclass(frozen=True)
class _Context:
    state: CouncilState
    agent: str
    round_number: int
    tool_help: str
    sample: int = 0


def _candidate(c: _Context) -> str:
    for turn in reversed(c.state.turns):
        if turn.kind == "answer" and turn.sample == c.sample and turn.agent != c.agent:
            return turn.text
    return ""


def _references(c: _Context) -> str:
    """MoA's `inject_references_to_messages` list: the previous round's replies, in
    agent order, each on a numbered line."""
    previous = sorted(
        (t for t in c.state.turns if t.round == c.round_number - 1 and t.kind == "answer"),
        key=lambda t: (t.sample, t.agent),
    )
    return "".join(f"\n{i}. {t.text}" for i, t in enumerate(previous, 1))


def _findings(c: _Context) -> str:
    """Every earlier turn but plans and this agent's own: its reply, then the output of any
    tool call the reply does not already show (e.g. sympy results)."""
    shown = []
    for turn in c.state.turns:
        if turn.kind == "plan" or turn.agent == c.agent:
            continue
        extra = [
            texts.TOOL_RESULT.render({"tool": t.tool, "output": t.output.strip()})
            for t in turn.tool_traces
            if t.output.strip() not in turn.text
        ]
        text = "\n".join([turn.text.strip(), *extra])
        shown.append(texts.FINDING.render({"agent": turn.agent, "text": text}))
    return "".join(shown)


def _module_context(c: _Context) -> str:
    """The latest module's context since the latest module plan; before any module, the
    problem's type and level lines."""
    for turn in reversed(c.state.turns):
        if isinstance(turn.output, ModuleReport):
            return turn.output.context
        if isinstance(turn.output, ModulePlan):
            break
    return initial_context(c.state.info)


def _modules_used(c: _Context) -> str:
    plans = c.state.outputs_of(ModulePlan)
    return plans[-1].used_before_python() if plans else ""


def _latest_answer(c: _Context) -> Turn | None:
    return c.state.last_turn(with_answer=True)


def _round_ordinal(c: _Context) -> str:
    n = c.round_number
    return ORDINALS[n - 1] if 1 <= n <= len(ORDINALS) else f"{n}th"


def _plan(c: _Context) -> str:
    plans = c.state.outputs_of(Plan)
    return plans[-1].summary() if plans else "(no plan)"


def _verdict(c: _Context) -> str:
    verdicts = c.state.outputs_of(Verdict)
    return verdicts[-1].summary() if verdicts else ""


def _previous_answer(c: _Context) -> str:
    for turn in reversed(c.state.turns):
        if turn.agent == c.agent and turn.answer is not None and turn.round < c.round_number:
            return turn.answer
    return ""


def _memory(c: _Context) -> str:
    memory = c.state.memory
    return texts.MEMORY.render({"notes": memory}) if memory else ""


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
    "opponent": _opponent,
    "round_ordinal": _round_ordinal,
    "transcript": _transcript,
    "tool_help": lambda c: c.tool_help,
    "candidate": _candidate,
    "references": _references,
    "findings": _findings,
    "problem_type_level": lambda c: problem_type_level(c.state.info),
    "module_context": _module_context,
    "modules_used": _modules_used,
}


def prompt_variables(
    state: CouncilState,
    *,
    agent: str,
    round_number: int,
    tool_help: str = "",
    needed: Iterable[str] | None = None,
    sample: int = 0,
) -> dict[str, object]:
    """The variables an agent's templates use (all of them when `needed` is None); only
    what is needed is computed, since this runs before every agent turn."""
    context = _Context(state, agent, round_number, tool_help, sample)
    names = list(_COMPUTE) if needed is None else list(needed)
    values: dict[str, object] = {}
    for name in names:
        if name in _COMPUTE:
            values[name] = _COMPUTE[name](context)
        elif name.startswith(DYNAMIC_PREFIXES):
            prefix, _, other = name.partition(".")
            values[name] = _reply(state, other, first=prefix == "first_reply")
    return values
