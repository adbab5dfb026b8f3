"""Turning an agent's result into state updates: a turn, steps, usage, blackboard notes.

Every agent node goes through here, so every protocol streams and accounts the same way.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.runnables import RunnableConfig

from council.agents.base import AgentResult
from council.graphs.state import BlackboardNote, Step, StepKind, Turn
from council.tools.base import ToolContext
from council.usage import CallRecord

_NOTE = re.compile(r"^\s*NOTE\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
TOOL_CONTEXT_KEY = "council_tool_context"
MAX_TOOL_OUTPUT_IN_STEP = 2000


def tool_context(config: RunnableConfig | None) -> ToolContext:
    """The per-run tool context (sandbox session), passed through LangGraph's config."""
    configurable = (config or {}).get("configurable", {})
    context = configurable.get(TOOL_CONTEXT_KEY)
    return context if isinstance(context, ToolContext) else ToolContext()


def turn_update(
    result: AgentResult[Any],
    *,
    agent: str,
    kind: StepKind,
    round: int,
    sample: int = 0,
) -> dict[str, Any]:
    """The reducer-friendly update for one agent turn."""
    output = result.output
    answer = getattr(output, "answer", None)
    accepted = getattr(output, "verdict", None)
    turn = Turn(
        agent=agent,
        role=result.role,
        round=round,
        sample=sample,
        output_type=type(output).__name__,
        output=output.model_dump(mode="json"),
        text=result.text,
        answer=str(answer).strip() or None if answer is not None else None,
        accepted=accepted if isinstance(accepted, bool) else None,
        parse=result.parse,
        tool_traces=result.tool_traces,
    )
    where = {"round": round, "sample": sample, "agent": agent}
    steps: list[Step] = []
    for trace in result.tool_traces:
        shown = trace.output
        if len(shown) > MAX_TOOL_OUTPUT_IN_STEP:
            shown = shown[:MAX_TOOL_OUTPUT_IN_STEP] + "… [cut]"
        steps.append(Step(role=result.role, kind="tool", content=shown, tool=trace, **where))
    steps.append(Step(role=result.role, kind=kind, content=output.summary(), **where))
    notes = [
        BlackboardNote(author=result.role, round=round, text=text.strip())
        for text in _NOTE.findall(result.text)
    ]
    steps.extend(Step(role=result.role, kind="note", content=n.text, **where) for n in notes)
    calls = [
        CallRecord(
            role=result.role,
            agent=agent,
            model=result.model,
            usage=usage,
            round=round,
            sample=sample,
        )
        for usage in result.usage
    ]
    return {"turns": [turn], "steps": steps, "calls": calls, "blackboard": notes}
