"""Tools from MCP servers, as council `Tool`s: `MCPTools("python my_server.py")` (stdio) or
`MCPTools("http://127.0.0.1:8000/mcp")` (streamable HTTP), with the official `mcp` SDK.

Why a thread of its own: an MCP client session lives in anyio task groups that must be
entered and left by one task, while council builds graphs synchronously (a config file's
agents need their tools, and the tools' schemas, before any event loop runs) and then
calls tools from whatever task LangGraph runs a node in, possibly in another loop (a web
server, a test). So each server gets one connection owned by one task on a small private
event loop; schemas are listed once when it opens, and every call is handed to that loop.
The connection closes with `close()` (or `with MCPTools(...)`), or when the last tool that
uses it is garbage; a stdio server also ends when council does, as its stdin closes.

A tool's input schema is the server's own, unchanged: native tool-calling models get it
as the function's `parameters`, and the text-mode protocol lists its parameters.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import threading
import weakref
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from council.errors import ConfigError
from council.tools.base import TextOutput, Tool, ToolContext, ToolError, ToolOutput, ToolRegistry

OPEN_TIMEOUT_SECONDS = 60.0
CALL_TIMEOUT_SECONDS = 300.0

_JSON_TYPES: dict[str, Any] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "array": list,
    "object": dict,
}


class MCPServerSpec(BaseModel):
    """Where an MCP server is: a command line (stdio) or an http(s) URL (streamable HTTP)."""

    target: str = Field(description="`python my_server.py` or `http://127.0.0.1:8000/mcp`")
    env: dict[str, str] | None = None
    cwd: str | None = None

    @property
    def is_http(self) -> bool:
        return self.target.startswith(("http://", "https://"))

    def describe(self) -> str:
        return self.target if len(self.target) <= 80 else self.target[:79] + "…"


class _Worker:
    """The private loop and the one task that holds the client session open."""

    def __init__(self, spec: MCPServerSpec) -> None:
        self.spec = spec
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name=f"mcp {spec.describe()}", daemon=True
        )
        self.client: Any = None
        self._stop: asyncio.Event | None = None
        self._held: Future[None] | None = None
        self.thread.start()

    def open(self, timeout: float) -> list[Any]:
        ready: Future[list[Any]] = Future()
        self._held = asyncio.run_coroutine_threadsafe(self._hold(ready), self.loop)
        try:
            return ready.result(timeout)
        except TimeoutError:
            self.close()
            raise ConfigError(
                f"MCP server {self.spec.describe()!r} did not answer within {timeout:.0f}s"
            ) from None
        except BaseException as exc:
            self.close()
            raise ConfigError(
                f"cannot use MCP server {self.spec.describe()!r}: {_one_line(exc)}"
            ) from None

    async def _hold(self, ready: Future[list[Any]]) -> None:
        from mcp import Client  # optional extra: mcp

        self._stop = asyncio.Event()
        try:
            async with Client(_transport(self.spec)) as client:
                self.client = client
                tools = (await client.list_tools()).tools
                ready.set_result(list(tools))
                await self._stop.wait()
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
            elif not isinstance(exc, asyncio.CancelledError | Exception):
                raise
        finally:
            self.client = None

    def submit(self, coroutine: Any) -> Future[Any]:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def close(self) -> None:
        if not self.thread.is_alive():
            return
        if self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        if self._held is not None:
            try:
                self._held.result(10)
            except BaseException:  # closing: whatever the session says is moot now
                self._held.cancel()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        if not self.thread.is_alive():
            self.loop.close()


def _transport(spec: MCPServerSpec) -> Any:
    """What `mcp.Client` connects to: a URL string, or how to start the stdio server."""
    if spec.is_http:
        return spec.target
    from mcp import StdioServerParameters  # optional extra: mcp

    parts = shlex.split(spec.target)
    if not parts:
        raise ConfigError("an MCP server command is empty")
    return StdioServerParameters(command=parts[0], args=parts[1:], env=spec.env, cwd=spec.cwd)


def _one_line(exc: BaseException) -> str:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= 300 else text[:299] + "…"


class _Connection:
    """Shared by the tools of one server; closes its worker when the last of them goes."""

    def __init__(self, spec: MCPServerSpec, timeout: float) -> None:
        self.spec = spec
        self.worker = _Worker(spec)
        self.listed = self.worker.open(timeout)
        self._finalizer = weakref.finalize(self, self.worker.close)

    def close(self) -> None:
        self._finalizer()

    async def call(self, name: str, arguments: dict[str, Any]) -> str:
        future = self.worker.submit(self._call(name, arguments))
        return await asyncio.wait_for(asyncio.wrap_future(future), CALL_TIMEOUT_SECONDS)

    async def _call(self, name: str, arguments: dict[str, Any]) -> str:
        client = self.worker.client
        if client is None:
            raise ToolError(f"the MCP server {self.spec.describe()!r} is closed")
        result = await client.call_tool(name, arguments)
        text = _result_text(result)
        return f"error: {text}" if getattr(result, "is_error", False) else text


def _result_text(result: Any) -> str:
    """Text blocks as they are; other content (and structured results) as JSON."""
    parts: list[str] = []
    for block in getattr(result, "content", None) or []:
        text = getattr(block, "text", None)
        if isinstance(text, str):
            parts.append(text)
        elif hasattr(block, "model_dump"):
            parts.append(json.dumps(block.model_dump(mode="json", exclude_none=True)))
    structured = getattr(result, "structured_content", None)
    if not parts and structured is not None:
        parts.append(json.dumps(structured))
    return "\n".join(parts)


def _input_model(name: str, schema: dict[str, Any]) -> type[BaseModel]:
    """A pydantic model that checks what the schema requires (names and JSON types), so a
    model's bad call is an observation before it reaches the server."""
    required = set(schema.get("required") or [])
    fields: dict[str, Any] = {}
    for prop, info in (schema.get("properties") or {}).items():
        json_type = info.get("type") if isinstance(info, dict) else None
        python = _JSON_TYPES.get(json_type, Any) if isinstance(json_type, str) else Any
        if prop in required:
            fields[prop] = (python, ...)
        else:
            fields[prop] = (python | None, info.get("default") if isinstance(info, dict) else None)
    model_name = "".join(part.capitalize() for part in name.replace("-", "_").split("_"))
    return create_model(
        f"{model_name or 'Mcp'}Input", __config__=ConfigDict(extra="allow"), **fields
    )


class MCPTool(Tool):
    """One tool of an MCP server; the schema models see is the server's own."""

    def __init__(self, connection: _Connection, info: Any) -> None:
        self.connection = connection
        self.schema: dict[str, Any] = dict(info.input_schema or {"type": "object"})
        super().__init__(
            info.name,
            (info.description or info.name).strip(),
            _input_model(info.name, self.schema),
            self._unused,
        )

    @staticmethod
    def _unused(**_: Any) -> None:  # pragma: no cover - `run` is overridden
        raise NotImplementedError

    def openai_schema(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.schema,
            },
        }

    async def run(
        self, arguments: dict[str, Any] | str, context: ToolContext | None = None
    ) -> ToolOutput:
        """Only what the model gave is sent (defaults are the server's to fill in); a
        failure of the server or the call is text for the model, as for any tool."""
        parsed = self.parse_arguments(arguments)
        try:
            text = await self.connection.call(self.name, parsed.model_dump(exclude_unset=True))
        except ToolError:
            raise
        except Exception as exc:
            return TextOutput(text=f"error: tool {self.name!r} failed: {_one_line(exc)}")
        return TextOutput(text=text)


class MCPTools:
    """The tools of one MCP server: `for tool in MCPTools("python server.py")`, or
    `.registry()` for an agent. `with MCPTools(...) as tools:` closes the connection after.
    """

    def __init__(
        self,
        server: str | MCPServerSpec,
        *,
        include: Sequence[str] | None = None,
        timeout: float = OPEN_TIMEOUT_SECONDS,
    ) -> None:
        self.spec = server if isinstance(server, MCPServerSpec) else MCPServerSpec(target=server)
        self._connection = _Connection(self.spec, timeout)
        listed = self._connection.listed
        if include is not None:
            missing = sorted(set(include) - {tool.name for tool in listed})
            if missing:
                self.close()
                raise ConfigError(
                    f"MCP server {self.spec.describe()!r} has no tool {', '.join(missing)}"
                )
            listed = [tool for tool in listed if tool.name in include]
        self.tools: list[MCPTool] = [MCPTool(self._connection, info) for info in listed]

    def registry(self) -> ToolRegistry:
        return ToolRegistry(self.tools)

    def names(self) -> list[str]:
        return [tool.name for tool in self.tools]

    def close(self) -> None:
        self._connection.close()

    def __iter__(self) -> Iterator[MCPTool]:
        return iter(self.tools)

    def __len__(self) -> int:
        return len(self.tools)

    def __enter__(self) -> MCPTools:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def mcp_registry(targets: Sequence[str]) -> ToolRegistry:
    """Every tool of every server named (`--mcp` on the command line); a name two servers
    share is refused, as any duplicate tool is."""
    registry = ToolRegistry()
    for target in targets:
        for one in MCPTools(target):
            if one.name in registry:
                raise ConfigError(f"two tools are named {one.name!r} (MCP server {target!r})")
            registry.register(one)
    return registry
