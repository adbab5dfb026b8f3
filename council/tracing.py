"""OpenTelemetry traces of council runs: one span per run, graph node, model call and tool
call, with the GenAI semantic-convention attributes and council's own (agent, role, round,
sample, problem id).

Why a module of helpers rather than OpenTelemetry calls spread through the code: tracing is
off by default and must then cost nothing, not even the import of `opentelemetry` (a few
hundred milliseconds on `council --help`). Every helper here asks one context variable
whether tracing was started; when it was not, it hands back a shared do-nothing object.
`start_tracing` (called for `--trace` or `COUNCIL_TRACE=1`) is the only place that imports
the SDK. Spans are exported with the standard `OTEL_EXPORTER_OTLP_*` settings (OTLP over
HTTP/protobuf), or to any exporter given (tests use the SDK's in-memory one).

The tracer lives in a context variable, not a module global: a run sees the tracer of the
context that started it, so two servers (or two tests) in one process do not share one.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any, Protocol

from council.errors import ConfigError

if TYPE_CHECKING:
    from council.models.base import CallInfo, Completion
    from council.usage import UsageReport


class FinishedRun(Protocol):
    """What a run span reads from a run's result (`council.graphs.run.RunResult`), named
    here so tracing, below the graphs, does not depend on them."""

    status: str
    rounds: int
    answer: str | None

    @property
    def usage(self) -> UsageReport: ...


_TRACER: ContextVar[Any | None] = ContextVar("council_tracer", default=None)

TRACE_ENV = "COUNCIL_TRACE"


def tracing_requested(flag: bool = False, environ: Mapping[str, str] | None = None) -> bool:
    """`--trace`, or `COUNCIL_TRACE=1` (also `true`/`yes`/`on`) in the environment."""
    value = (environ if environ is not None else os.environ).get(TRACE_ENV, "")
    return flag or value.strip().lower() in ("1", "true", "yes", "on")


def tracing_active() -> bool:
    return _TRACER.get() is not None


class Tracing:
    """A started tracer provider; `shutdown()` flushes what is buffered and stops it."""

    def __init__(self, provider: Any, tracer: Any, token: Token[Any | None] | None) -> None:
        self.provider = provider
        self.tracer = tracer
        self._token = token

    def shutdown(self) -> None:
        self.provider.force_flush()
        self.provider.shutdown()
        if self._token is not None:
            try:
                _TRACER.reset(self._token)
            except ValueError:  # reset from another context (e.g. a server's thread)
                _TRACER.set(None)
            self._token = None


def start_tracing(exporter: Any = None, *, service_name: str = "council") -> Tracing:
    """Start exporting spans from this context on.

    With no `exporter`, spans go by OTLP/HTTP to `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or
    `OTEL_EXPORTER_OTLP_ENDPOINT` (default http://localhost:4318), with
    `OTEL_EXPORTER_OTLP_HEADERS` and the other standard settings, batched. A given exporter
    gets each span as it ends (what tests want)."""
    try:  # optional extra: otel, for the three imports below
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
        raise ConfigError(
            "tracing needs OpenTelemetry: pip install 'council-reasoning[otel]'"
        ) from exc
    processor: Any
    if exporter is None:
        # optional extra: otel
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        processor = BatchSpanProcessor(OTLPSpanExporter())
    else:
        processor = SimpleSpanProcessor(exporter)
    named = os.environ.get("OTEL_SERVICE_NAME")  # the standard setting wins over ours
    resource = Resource.create({} if named else {"service.name": service_name})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("council")
    return Tracing(provider, tracer, _TRACER.set(tracer))


@contextmanager
def tracing_for(enabled: bool) -> Iterator[Tracing | None]:
    """What a command wraps itself in: traces when `enabled`, flushed when it ends."""
    if not enabled:
        yield None
        return
    handle = start_tracing()
    try:
        yield handle
    finally:
        handle.shutdown()


# -- spans ---------------------------------------------------------------------------------
class _NoSpan:
    """Handed out when tracing is off: every method does nothing."""

    def __enter__(self) -> _NoSpan:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def finish(self, result: Any) -> None:
        return None

    def set(self, key: str, value: Any) -> None:
        return None


_NO_SPAN = _NoSpan()


class _Span:
    """A span made current while its block runs; `finish` records what came of it."""

    def __init__(
        self, tracer: Any, name: str, attributes: dict[str, Any], finish: Callable[..., Any]
    ) -> None:
        from opentelemetry import trace  # optional extra: otel

        self._span = tracer.start_span(name, attributes=_clean(attributes))
        self._use = trace.use_span(self._span, end_on_exit=True, record_exception=True)
        self._finish = finish

    def __enter__(self) -> _Span:
        self._use.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self._use.__exit__(*exc)
        except ValueError:  # detached in another context (a generator closed elsewhere)
            self._span.end()

    def finish(self, result: Any) -> None:
        for key, value in self._finish(result).items():
            self.set(key, value)

    def set(self, key: str, value: Any) -> None:
        if value is not None:
            self._span.set_attribute(key, value)


def _clean(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in attributes.items() if value is not None}


def _span(name: str, attributes: dict[str, Any], finish: Callable[..., Any]) -> Any:
    tracer = _TRACER.get()
    if tracer is None:
        return _NO_SPAN
    return _Span(tracer, name, attributes, finish)


def _call_attributes(call: CallInfo | None) -> dict[str, Any]:
    if call is None:
        return {}
    return {
        "council.agent": call.agent or None,
        "council.role": call.role or None,
        "council.round": call.round,
        "council.sample": call.sample,
        "council.problem_id": call.problem_id or None,
    }


def run_span(graph: str, problem_id: str) -> Any:
    """One span around a whole run of a graph on a problem."""

    def finish(result: FinishedRun) -> dict[str, Any]:
        usage = result.usage.total
        return {
            "council.status": result.status,
            "council.rounds": result.rounds,
            "council.answer": result.answer,
            "gen_ai.usage.input_tokens": usage.prompt_tokens,
            "gen_ai.usage.output_tokens": usage.completion_tokens,
        }

    return _span(
        f"council.run {graph}",
        {
            "gen_ai.operation.name": "invoke_workflow",
            "council.graph": graph,
            "council.problem_id": problem_id,
        },
        finish,
    )


def provider_of(model: str) -> str:
    """`openai/gpt-4o-mini` → `openai`; a bare name is its own provider."""
    return model.split("/", 1)[0] if "/" in model else model


def model_span(model: str, call: CallInfo | None, settings: Any = None) -> Any:
    """One span per model call, named as the GenAI conventions say: `chat <model>`."""

    def finish(completion: Completion) -> dict[str, Any]:
        return {
            "gen_ai.response.model": completion.model or model,
            "gen_ai.usage.input_tokens": completion.usage.prompt_tokens,
            "gen_ai.usage.output_tokens": completion.usage.completion_tokens,
            "gen_ai.response.finish_reasons": (
                [completion.finish_reason] if completion.finish_reason else None
            ),
        }

    return _span(
        f"chat {model}",
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": provider_of(model),
            "gen_ai.request.model": model,
            "gen_ai.request.temperature": getattr(settings, "temperature", None),
            "gen_ai.request.max_tokens": getattr(settings, "max_tokens", None),
            "gen_ai.request.seed": getattr(settings, "seed", None),
            **_call_attributes(call),
        },
        finish,
    )


def tool_span(tool: str, call: CallInfo | None, *, sandboxed: bool = False) -> Any:
    """One span per tool call (a sandbox call is a tool call whose code runs sandboxed)."""

    def finish(output: str) -> dict[str, Any]:
        return {"council.tool.failed": output.startswith("error:")}

    return _span(
        f"execute_tool {tool}",
        {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": tool,
            "council.tool.sandboxed": sandboxed,
            **_call_attributes(call),
        },
        finish,
    )


def traced_node(name: str, kind: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A graph node that runs inside its own span. Only used while tracing is on (the
    graph is built without it otherwise), and keeps the node's signature, which LangGraph
    reads to decide what to pass."""
    attributes = {
        "gen_ai.operation.name": "invoke_agent" if kind == "agent" else "council.node",
        "gen_ai.agent.name": name if kind == "agent" else None,
        "council.node": name,
        "council.node.kind": kind,
    }

    def no_result(_: Any) -> dict[str, Any]:
        return {}

    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            with _span(f"council.node {name}", attributes, no_result):
                return await function(*args, **kwargs)

        return run_async

    @functools.wraps(function)
    def run_sync(*args: Any, **kwargs: Any) -> Any:
        with _span(f"council.node {name}", attributes, no_result):
            return function(*args, **kwargs)

    return run_sync
