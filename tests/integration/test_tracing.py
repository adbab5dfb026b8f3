"""OpenTelemetry traces: the spans and their GenAI attributes (in-memory exporter), the real
OTLP/HTTP export of `council solve --trace` to a receiver on loopback (decoded with
opentelemetry-proto), and that tracing off imports and wraps nothing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import RunSpec
from council.tools.base import ToolRegistry
from council.tools.calculator import calculator
from council.tracing import start_tracing
from tests.support.openai_stub import StubBehaviour, openai_stub
from tests.support.web import REPO

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def respond(call: ScriptedCall) -> str:
    if call.role == "planner":
        return "1. Multiply"
    if call.role == "verifier":
        return "VERDICT: correct\nCONFIDENCE: 0.9\nok"
    if "```output" in call.last:
        return "ANSWER: 391"
    return '```tool\n{"name": "calculator", "arguments": {"expression": "17*23"}}\n```'


def test_spans_for_run_nodes_model_calls_and_tools() -> None:
    exporter = InMemorySpanExporter()
    tracing = start_tracing(exporter)
    try:
        runner = RunSpec().build(
            models=RoleModels(ScriptedModel(responder=respond)), tools=ToolRegistry([calculator])
        )
        result = asyncio.run(_run(runner))
    finally:
        tracing.shutdown()
    assert result == "391"
    spans = {span.name: span for span in exporter.get_finished_spans()}
    run = spans["council.run solve"]
    assert run.attributes["council.problem_id"] == "p-17"
    assert run.attributes["council.status"] == "accepted"
    node = spans["council.node solve"]
    assert node.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert node.parent.span_id == run.context.span_id
    chats = [s for s in exporter.get_finished_spans() if s.name == "chat scripted"]
    assert len(chats) == 4  # planner, solver twice (tool loop), verifier
    solver_calls = [s for s in chats if s.attributes["council.role"] == "solver"]
    first = solver_calls[0].attributes
    assert first["gen_ai.operation.name"] == "chat"
    assert first["gen_ai.request.model"] == "scripted"
    assert first["gen_ai.usage.input_tokens"] > 0 and first["gen_ai.usage.output_tokens"] > 0
    assert tuple(first["gen_ai.response.finish_reasons"]) == ("stop",)
    assert (first["council.agent"], first["council.round"], first["council.sample"]) == (
        "solve",
        1,
        0,
    )
    assert first["council.problem_id"] == "p-17"
    assert solver_calls[0].parent.span_id == node.context.span_id
    tool = spans["execute_tool calculator"]
    assert tool.attributes["gen_ai.tool.name"] == "calculator"
    assert tool.attributes["council.tool.sandboxed"] is False
    assert tool.parent.span_id == node.context.span_id
    assert {s.context.trace_id for s in exporter.get_finished_spans()} == {run.context.trace_id}


async def _run(runner: Any) -> str | None:
    return (await runner.arun("What is 17 * 23?", problem_id="p-17")).answer


class _Receiver(BaseHTTPRequestHandler):
    bodies: ClassVar[list[tuple[str, dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", 0))
        self.bodies.append((self.path, dict(self.headers), self.rfile.read(length)))
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceResponse,
        )

        payload = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[str, dict[str, str], bytes]]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Receiver.bodies
    finally:
        server.shutdown()


@pytest.mark.integration
async def test_solve_trace_exports_otlp_http_to_a_receiver(receiver: Any) -> None:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    endpoint, bodies = receiver
    async with openai_stub(StubBehaviour(reply="4 it is. ANSWER: 4")) as api_base:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "council.main",
            "solve",
            "--graph",
            "single",
            "--model",
            "openai/stub-model",
            "--api-base",
            api_base,
            "--trace",
            "What is 2 + 2?",
            env={
                **ENV,
                "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
                "OTEL_SERVICE_NAME": "council-test",
                "OTEL_EXPORTER_OTLP_HEADERS": "x-council-test=yes",
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=REPO,
        )
        _, err = await asyncio.wait_for(process.communicate(), 300)
    assert process.returncode == 0, err.decode()
    assert bodies, "nothing was exported"
    path, headers, _ = bodies[0]
    assert path == "/v1/traces"
    assert headers.get("x-council-test") == "yes"
    spans: dict[str, dict[str, Any]] = {}
    services = set()
    for _, _, body in bodies:
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            for attribute in resource_spans.resource.attributes:
                if attribute.key == "service.name":
                    services.add(attribute.value.string_value)
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    spans[span.name] = {a.key: a.value for a in span.attributes}
    assert services == {"council-test"}
    assert {"council.run single", "council.node solver", "chat openai/stub-model"} <= set(spans)
    chat = spans["chat openai/stub-model"]
    assert chat["gen_ai.request.model"].string_value == "openai/stub-model"
    assert chat["gen_ai.provider.name"].string_value == "openai"
    assert chat["gen_ai.usage.input_tokens"].int_value == 7
    assert chat["gen_ai.usage.output_tokens"].int_value == 3
    reasons = [v.string_value for v in chat["gen_ai.response.finish_reasons"].array_value.values]
    assert reasons == ["stop"]
    assert chat["council.agent"].string_value == "solver"


OFF = """
import sys
import council.tracing as tracing
tracing.model_span("m", None).finish(None)
assert not [m for m in sys.modules if m.startswith("opentelemetry")], "imported OpenTelemetry"
from council.models.scripted import ScriptedModel
from council.protocols import RunSpec
runner = RunSpec(graph="single").build(models=ScriptedModel(responder=lambda call: "ANSWER: 4"))
assert runner.run("2 + 2?").answer == "4"
node = runner.spec.build().nodes["solver"]
assert not hasattr(node.runnable.afunc, "__wrapped__"), "a node was wrapped with tracing off"
assert not [m for m in sys.modules if m.startswith(("opentelemetry.exporter", "council.tracing_"))]
print("ok")
"""


def test_tracing_off_imports_and_wraps_nothing() -> None:
    env = {k: v for k, v in ENV.items() if k != "COUNCIL_TRACE"}
    done = subprocess.run(
        [sys.executable, "-c", OFF], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
