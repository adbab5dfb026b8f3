"""Council graphs with LangGraph's own checkpointers: the solve graph pauses before the
verifier and resumes, and loading council's state warns about no type."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from council.graphs.state import SolveState
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import RunSpec
from council.tools.base import ToolContext


def reply(call: ScriptedCall) -> str:
    return {
        "planner": "1. add 3 and 4",
        "solver": "REASONING: 3 + 4 = 7\nANSWER: 7",
        "verifier": "VERDICT: correct\nCONFIDENCE: 0.9\nREASON: 3 + 4 = 7",
        "critic": "ISSUES: none\nFIX: none",
    }[call.role]


async def pause_and_resume(checkpointer: object) -> SolveState:
    runner = RunSpec(graph="solve").build(models=ScriptedModel(responder=reply))
    graph = runner.spec.compile(checkpointer=checkpointer, interrupt_before=["verify"])
    config = {"configurable": {"thread_id": "t1"}}
    initial = runner.initial_state("Tom has 3 apples and buys 4. How many?")
    await graph.ainvoke(initial, config, context=ToolContext())
    paused = await graph.aget_state(config)
    assert paused.next == ("verify",)  # stopped before the verifier
    assert not any(t.role == "verifier" for t in SolveState.model_validate(paused.values).turns)
    final = await graph.ainvoke(None, config, context=ToolContext())
    return SolveState.model_validate(final)


async def test_pause_and_resume_with_in_memory_saver(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        state = await pause_and_resume(InMemorySaver())
    assert state.final_answer == "7" and state.status == "accepted"
    assert [t.role for t in state.turns] == ["planner", "solver", "verifier"]
    assert state.turns[-1].accepted is True  # the typed output came back as a Verdict
    unregistered = [r for r in caplog.records if "unregistered type" in r.getMessage()]
    assert not unregistered, unregistered[0].getMessage()


async def test_pause_and_resume_with_sqlite_saver(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "c.sqlite")) as saver:
        with caplog.at_level(logging.WARNING):
            state = await pause_and_resume(saver)
    assert state.final_answer == "7"
    assert not [r for r in caplog.records if "unregistered type" in r.getMessage()]
