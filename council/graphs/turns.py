"""Turning an agent's result into state updates: a turn, steps, usage, blackboard notes.

Every agent node goes through here, so every protocol streams and accounts the same way.
"""

from __future__ import annotations

import re
from typing import Any

from council.agents.base import AgentResult
from council.graphs.state import BlackboardNote, Step, StepKind, Turn

_NOTE = re.compile(r"^\s*NOTE\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
MAX_TOOL_OUTPUT_IN_STEP = 2000


def turn_update(
    result: AgentResult[Any],
    *,
    agent: str,
    kind: StepKind,
    round: int,
    sample: int = 0,
    conversation: str = "",
) -> dict[str, Any]:
    """The reducer-friendly update for one agent turn."""
    output = result.output
    turn = Turn(
        agent=agent,
        role=result.role,
        round=round,
        sample=sample,
        kind=kind,
        conversation=conversation or agent,
        output_type=output.qualified_name(),
        output=output,
        prompt=result.prompt,
        text=result.text,
        parse=result.parse,
        truncated=result.truncated,
        tool_traces=result.tool_traces,
    )
    where = {"round": round, "sample": sample, "agent": agent}
    steps: list[Step] = []
    for trace in result.tool_traces:
        shown = trace.output
        if len(shown) > MAX_TOOL_OUTPUT_IN_STEP:
            shown = shown[:MAX_TOOL_OUTPUT_IN_STEP] + "… [cut]"
        steps.append(Step(role=result.role, kind="tool", content=shown, tool=trace, **where))
    summary = output.summary()
    if result.truncated:
        summary += " [cut at the token limit: not trusted]"
    elif result.parse == "fallback":
        summary += " [unreadable reply]"
    steps.append(Step(role=result.role, kind=kind, content=summary, **where))
    notes = [
        BlackboardNote(author=result.role, round=round, text=text.strip())
        for text in _NOTE.findall(result.text)
    ]
    steps.extend(Step(role=result.role, kind="note", content=n.text, **where) for n in notes)
    return {"turns": [turn], "steps": steps, "calls": result.calls, "blackboard": notes}
