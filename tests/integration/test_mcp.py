"""MCP both ways, with real servers and the official SDK's client.

In: a tiny FastMCP server (tests/support/mcp_server.py) over stdio and over streamable
HTTP gives council agents its tools, on native tool-calling models (the schema the model
is sent is the server's) and on the text-mode tool protocol; `--mcp` on `council solve`
and an `mcp:` block in a graph config reach it too.
Out: `council mcp` answers `solve` and `bench_summary` to the `mcp` client.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from council.messages import ToolCall
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel, ScriptedReply
from council.protocols import RunSpec
from council.tools.mcp import MCPTools
from tests.support.runs import make_run
from tests.support.servers import free_port
from tests.support.web import REPO

pytestmark = pytest.mark.integration
SERVER = f"{sys.executable} {REPO / 'tests' / 'support' / 'mcp_server.py'}"
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


@pytest.fixture(scope="module")
def stdio_tools() -> Iterator[MCPTools]:
    with MCPTools(SERVER) as tools:
        yield tools


@pytest.fixture(scope="module")
def http_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("mcp-http") / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*SERVER.split(), "--http", str(port)], stdout=sink, stderr=subprocess.STDOUT
        )
        try:
            # any HTTP answer (even 4xx for a bare GET) means it is listening
            _wait_listening(port, process)
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            process.terminate()
            process.wait(timeout=20)


def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    import socket
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the MCP HTTP server exited")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError("the MCP HTTP server did not listen")


def test_stdio_server_tools_become_council_tools(stdio_tools: MCPTools) -> None:
    assert stdio_tools.names() == ["multiply", "secret_word"]
    multiply = stdio_tools.tools[0]
    schema = multiply.openai_schema()["function"]
    assert schema["parameters"]["required"] == ["a", "b"]
    assert schema["parameters"]["properties"]["a"]["type"] == "integer"
    assert list(multiply.input_model.model_fields) == ["a", "b"]


def test_native_tool_calling_model_gets_the_schema_and_the_result(
    stdio_tools: MCPTools,
) -> None:
    sent: list[object] = []

    def respond(call: ScriptedCall) -> ScriptedReply:
        if call.messages[-1].role == "tool":
            product = call.messages[-1].content
            return ScriptedReply(text=f"The product is {product}. ANSWER: {product}")
        request = ToolCall(id="c1", name="multiply", arguments={"a": 123457, "b": 987})
        return ScriptedReply(tool_calls=(request,))

    model = ScriptedModel(responder=respond, native_tools=True)
    original = model.complete

    async def recording(messages, *, tools=None, settings=None, call=None):  # type: ignore[no-untyped-def]
        sent.append(tools)
        return await original(messages, tools=tools, settings=settings, call=call)

    model.complete = recording  # type: ignore[method-assign]
    runner = RunSpec(graph="single").build(models=RoleModels(model), tools=stdio_tools.registry())
    result = runner.run("What is 123457 * 987?")
    assert result.answer == str(123457 * 987)
    assert sent[0] is not None
    names = [tool["function"]["name"] for tool in sent[0]]  # type: ignore[attr-defined]
    assert names == ["multiply", "secret_word"]
    tool_step = next(step for step in result.steps if step.kind == "tool")
    assert tool_step.tool is not None and tool_step.tool.output == str(123457 * 987)


def test_text_mode_tool_protocol_over_streamable_http(http_url: str) -> None:
    def respond(call: ScriptedCall) -> str:
        last = call.messages[-1].content
        if "```output" in last:
            word = last.split("```output\n", 1)[1].split("\n", 1)[0]
            return f"The word is {word}. ANSWER: {word}"
        return '```tool\n{"name": "secret_word", "arguments": {"salt": "-7"}}\n```'

    with MCPTools(http_url) as tools:
        runner = RunSpec(graph="single").build(
            models=RoleModels(ScriptedModel(responder=respond)), tools=tools.registry()
        )
        system = runner.spec.nodes["solver"].agent
        assert system is not None
        result = runner.run("What is the secret word?")
    assert result.answer == "pelican-7"


def test_solve_with_mcp_flag_and_a_graph_config_block(tmp_path: Path) -> None:
    config = tmp_path / "tooled.yaml"
    config.write_text(
        f"""name: tooled
mcp:
  arith: {SERVER}
agents:
  solver:
    system: "You solve problems. {{tool_help}}"
    task: "{{problem}}"
    tools: [arith]
nodes:
  finish: finish_last_answer
edges:
  - [START, solver]
  - [solver, finish]
  - [finish, END]
"""
    )
    from council.graphs.config import load_graph

    loaded = load_graph(config, models=RoleModels(ScriptedModel(["ANSWER: 1"])))
    agent = loaded.graph.nodes["solver"].agent
    assert agent is not None and agent.tools.names() == ["multiply", "secret_word"]
    # and on the command line: --mcp gives the solver the server's tools
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"rules": [], "default": "ANSWER: 5"}))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "council.main",
            "solve",
            "--graph",
            "single",
            "--mcp",
            SERVER,
            "--json",
            "What is 2 + 3?",
            "--model",
            "openai/x",
            "--api-base",
            "http://127.0.0.1:9/v1",
        ],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=REPO,
        timeout=300,
    )
    # the model server does not exist: the run fails on the model, after the tools were
    # listed (a bad --mcp would fail first, naming the server)
    assert "MCP server" not in done.stderr
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "council.main",
            "solve",
            "--mcp",
            "no-such-command-xyz",
            "What is 2 + 3?",
        ],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=REPO,
        timeout=300,
    )
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: cannot use MCP server 'no-such-command-xyz'")
    assert len(bad.stderr.strip().splitlines()) == 1


async def test_council_as_an_mcp_server(tmp_path: Path) -> None:
    from mcp import Client, StdioServerParameters

    script = tmp_path / "script.json"
    script.write_text(
        json.dumps(
            {
                "rules": [
                    {"contains": "VERDICT", "reply": "VERDICT: correct\nCONFIDENCE: 0.9\nok"},
                    {"contains": "You are the planner", "reply": "1. Add"},
                ],
                "default": "2 + 3 = 5. ANSWER: 5",
            }
        )
    )
    run = await asyncio.to_thread(make_run, tmp_path / "run", wrong_every=4)
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "council.main", "mcp", "--scripted", str(script)],
        env=ENV,
        cwd=str(REPO),
    )
    async with Client(params) as client:
        names = sorted(tool.name for tool in (await client.list_tools()).tools)
        assert names == ["bench_summary", "solve"]
        solved = await client.call_tool("solve", {"question": "What is 2 + 3?"})
        assert not solved.is_error
        reply = solved.structured_content
        assert reply is not None
        assert reply["answer"] == "5" and reply["status"] == "accepted"
        assert [(step["agent"], step["round"]) for step in reply["steps"][:3]] == [
            ("plan", 0),
            ("solve", 1),
            ("verify", 1),
        ]
        debate = await client.call_tool("solve", {"question": "What is 2 + 3?", "graph": "debate"})
        assert debate.structured_content is not None
        assert debate.structured_content["graph"] == "debate"
        # debate's own 3 debaters x 2 rounds, as bench runs it
        assert len(debate.structured_content["calls"]) == 6
        summary = await client.call_tool("bench_summary", {"run_dir": str(run)})
        assert summary.structured_content is not None
        assert summary.structured_content["accuracy"] == 0.375
        assert summary.structured_content["errors"] == 1
        missing = await client.call_tool("bench_summary", {"run_dir": str(tmp_path)})
        assert missing.is_error and "has no results.jsonl" in missing.content[0].text  # type: ignore[union-attr]


async def test_council_as_an_mcp_server_over_streamable_http(tmp_path: Path) -> None:
    """`council mcp --http`: the same tools at http://HOST:PORT/mcp, for the SDK's client."""
    from mcp import Client

    script = tmp_path / "script.json"
    script.write_text(json.dumps({"rules": [], "default": "6 * 7 = 42. ANSWER: 42"}))
    port = free_port()
    command = [sys.executable, "-m", "council.main", "mcp", "--http", "--port", str(port)]
    with (tmp_path / "server.log").open("wb") as sink:
        process = subprocess.Popen(
            [*command, "--scripted", str(script)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=ENV,
            cwd=REPO,
        )
        try:
            await asyncio.to_thread(_wait_listening, port, process)
            async with Client(f"http://127.0.0.1:{port}/mcp") as client:
                names = sorted(tool.name for tool in (await client.list_tools()).tools)
                assert names == ["bench_summary", "solve"]
                solved = await client.call_tool(
                    "solve", {"question": "What is 6 * 7?", "graph": "single"}
                )
                assert not solved.is_error and solved.structured_content is not None
                assert solved.structured_content["answer"] == "42"
                assert len(solved.structured_content["calls"]) == 1
                assert solved.structured_content["usage"]["total"]["calls"] == 1
        finally:
            process.terminate()
            process.wait(timeout=20)
