from __future__ import annotations

import pytest

from council.agents import Solver, Verifier
from council.messages import ToolCall
from council.models.scripted import ScriptedModel, ScriptedReply
from council.tools.base import ToolContext, ToolRegistry, tool

SOLVER_VARS = {
    "problem": "What is 2+2?",
    "plan": "1. add",
    "memory": "",
    "blackboard": "",
    "feedback": "",
    "tool_help": "",
}


async def test_malformed_output_is_re_asked_once_then_parsed() -> None:
    model = ScriptedModel(["I think about it but say nothing", "ANSWER: 4"])
    result = await Solver(model).run(SOLVER_VARS)
    assert result.parse == "repaired"
    assert result.output.answer == "4"
    assert len(model.calls) == 2
    repair_prompt = model.calls[1][-1].content
    assert "could not be read" in repair_prompt and "ANSWER:" in repair_prompt
    assert len(result.calls) == 2 and result.calls[1].purpose == "repair"


async def test_unreadable_twice_falls_back_without_crashing() -> None:
    model = ScriptedModel(["gibberish", "more gibberish"])
    result = await Verifier(model).run(
        {"problem": "p", "solution": "s", "answer": "a", "blackboard": "", "tool_help": ""}
    )
    assert result.parse == "fallback"
    assert result.output.accepted is False
    assert result.output.confidence == 0.0


async def test_fenced_code_is_run_and_fed_back() -> None:
    ran: list[str] = []

    @tool
    def python(code: str) -> str:
        """Run Python."""
        ran.append(code)
        return "4"

    model = ScriptedModel(["Let me compute.\n```python\nprint(2+2)\n```", "ANSWER: 4"])
    solver = Solver(model, tools=ToolRegistry([python]))
    result = await solver.run(SOLVER_VARS, context=ToolContext())
    assert ran == ["print(2+2)\n"]
    assert result.output.answer == "4"
    assert [t.via for t in result.tool_traces] == ["fenced"]
    fed_back = model.calls[1][-1].content
    assert "```output\n4" in fed_back


async def test_native_tool_calls_round_trip() -> None:
    @tool
    def calculator(expression: str) -> str:
        """Evaluate arithmetic."""
        return "12"

    model = ScriptedModel(
        [
            ScriptedReply(
                tool_calls=(ToolCall(id="c1", name="calculator", arguments={"expression": "3*4"}),)
            ),
            "ANSWER: 12",
        ],
        native_tools=True,
    )
    result = await Solver(model, tools=ToolRegistry([calculator])).run(SOLVER_VARS)
    assert result.output.answer == "12"
    assert result.tool_traces[0].arguments == {"expression": "3*4"}
    tool_message = model.calls[1][-1]
    assert tool_message.role == "tool" and tool_message.content == "12"


async def test_unknown_tool_call_is_reported_to_the_model_not_raised() -> None:
    model = ScriptedModel(
        [
            ScriptedReply(tool_calls=(ToolCall(id="c1", name="nope", arguments={}),)),
            "ANSWER: 1",
        ],
        native_tools=True,
    )

    @tool
    def calculator(expression: str) -> str:
        """Evaluate arithmetic."""
        return "0"

    result = await Solver(model, tools=ToolRegistry([calculator])).run(SOLVER_VARS)
    assert "unknown tool 'nope'" in result.tool_traces[0].output


async def test_text_tool_block_calls_a_custom_tool() -> None:
    @tool
    def lookup(key: str) -> str:
        """Look a value up."""
        return {"pi": "3.14159"}.get(key, "unknown")

    model = ScriptedModel(
        ['```tool\n{"name": "lookup", "arguments": {"key": "pi"}}\n```', "ANSWER: 3.14159"]
    )
    result = await Solver(model, tools=ToolRegistry([lookup])).run(SOLVER_VARS)
    assert result.tool_traces[0].tool == "lookup"
    assert result.tool_traces[0].output == "3.14159"
    assert "```output\n3.14159" in model.calls[1][-1].content
    assert result.output.answer == "3.14159"


def test_tool_help_lists_text_tools_for_models_without_native_calls() -> None:
    from council.agents.tool_text import describe_tools

    @tool
    def lookup(key: str) -> str:
        """Look a value up."""
        return key

    text = describe_tools(ToolRegistry([lookup]), native=False)
    assert "```tool" in text and "- lookup(key): Look a value up." in text
    assert describe_tools(ToolRegistry(), native=False) == ""


async def test_define_agent_builds_a_working_role() -> None:
    from council import define_agent
    from council.agents.verifier import Verdict

    model = ScriptedModel(["VERDICT: correct\nREASON: fine"])
    checker = define_agent(
        "checker",
        system="You check.",
        task="Check {answer}.\n{format}",
        model=model,
        output=Verdict,
    )
    result = await checker.run({"answer": "4"})
    assert result.role == "checker" and result.output.accepted
    assert model.calls[0][-1].content.startswith("Check 4.\nVERDICT:")


async def test_a_tool_that_raises_is_an_observation_and_the_run_goes_on() -> None:
    """A user's tool with a bug: the model reads the error and answers; nothing crashes."""
    from council import define_agent
    from council.agents.solver import Solution
    from council.graphs.builder import CouncilGraph
    from council.runner import GraphRunner

    @tool
    def lookup(key: str) -> str:
        """Look a value up."""
        raise KeyError(f"no entry for {key}")

    model = ScriptedModel(
        [
            ScriptedReply(tool_calls=(ToolCall(id="c1", name="lookup", arguments={"key": "pi"}),)),
            "ANSWER: 3.14",
        ],
        native_tools=True,
    )
    agent = define_agent(
        "looker",
        system="You look things up.{tool_help}",
        task="{problem}\n{format}",
        model=model,
        output=Solution,
        tools=[lookup],
    )
    graph = CouncilGraph("lookup")
    graph.add_agent("looker", agent, starts_round=True)
    graph.add_node("finish", "finish_last_answer")
    graph.add_edge("START", "looker")
    graph.add_edge("looker", "finish")
    graph.add_edge("finish", "END")
    result = await GraphRunner(graph, max_rounds=1).arun("What is pi?")

    tool_message = model.calls[1][-1]
    assert tool_message.role == "tool"
    assert tool_message.content == "error: tool 'lookup' failed: KeyError: 'no entry for pi'"
    assert result.answer == "3.14"


async def test_a_tool_that_raises_a_run_fault_still_stops_the_run() -> None:
    """No sandbox is not something the model can work around: it propagates, loudly."""
    from council.errors import SandboxUnavailableError
    from council.tools.python_tool import python_tool

    with pytest.raises(SandboxUnavailableError, match="needs a sandbox session"):
        await python_tool.run({"code": "print(1)"}, ToolContext())
