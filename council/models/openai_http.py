"""OpenAI-compatible chat endpoints, called directly over HTTP.

vLLM, SGLang, llama.cpp's server, TGI, LM Studio, Ollama's `/v1` and council's own
embedded-model server all speak the same `/chat/completions` JSON. For them litellm's
provider machinery buys nothing and costs about 6 ms of CPU per call (`python
benchmarks/call_cpu.py`), which caps one process near 100 problems/s against a fast GPU
server. So a model string naming such an endpoint (`openai/<name>` or `hosted_vllm/<name>`
with an `api_base`, and `local/...`) is called here, with aiohttp; every other provider
keeps litellm (`litellm_model.py`). Retries, error messages and what a call records are
the same on both paths. With `ModelSettings.endpoint="completion"` a call goes to
`/completions` instead, as one raw prompt rendered with the model's own chat template
(`council.models.chat_format`), and is recorded the same way.

One aiohttp session per event loop (a session belongs to the loop that made it), closed
when that loop shuts its async generators down, as `asyncio.run` does on exit.
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import aiohttp

from council.errors import ConfigError
from council.messages import Message, ToolCall
from council.models.base import CallInfo, Completion
from council.models.chat_format import ChatTemplate
from council.models.failures import (
    TIMEOUT_FIX,
    FailureVerdict,
    http_verdict,
    malformed_verdict,
    network_verdict,
)
from council.models.limiter import ENDPOINT_LIMITERS, EndpointLimiters, ProviderLimits
from council.models.local_server import LOCAL_SERVERS, LocalServer, LocalServers
from council.models.local_server import PROVIDER as LOCAL_PROVIDER
from council.models.retrying import with_retries
from council.models.settings import Decoding, ModelSettings, ModelSpec
from council.usage import Usage

ENDPOINT_PREFIXES = ("openai/", "hosted_vllm/")
LOCAL_TIMEOUT_FACTOR = 10
"""The embedded model answers one request at a time on the CPU: on a slow or shared machine
a long reply takes minutes, so its time bound is this many times the setting, and a
timed-out request is not retried (the retry would queue behind the same work). A child
that died is detected by its exit status, not by waiting."""


def is_openai_endpoint(spec: ModelSpec) -> bool:
    """Served by an OpenAI-compatible endpoint council can call directly."""
    if spec.name.startswith(f"{LOCAL_PROVIDER}/"):
        return True
    return spec.api_base is not None and spec.name.startswith(ENDPOINT_PREFIXES)


LOCAL_CRASH_SETTLE = 1.0
"""Seconds a local model's child gets to be reaped after it dropped a connection."""


class EndpointError(Exception):
    """The endpoint answered with an error status."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str]) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message
        self.headers = headers


class MalformedReply(Exception):
    """The endpoint answered 200 with something that is not a completion."""


class _Sessions:
    """aiohttp sessions by event loop; see the module docstring."""

    def __init__(self) -> None:
        self._by_loop: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[aiohttp.ClientSession, AsyncIterator[None]]
        ] = weakref.WeakKeyDictionary()

    async def get(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        held = self._by_loop.get(loop)
        if held is not None and not held[0].closed:
            return held[0]
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, force_close=False),
            json_serialize=json.dumps,
        )
        keeper = _close_at_shutdown(session)
        await anext(keeper)  # parked: the loop's async-generator shutdown finishes it
        self._by_loop[loop] = (session, keeper)
        return session


async def _close_at_shutdown(session: aiohttp.ClientSession) -> AsyncIterator[None]:
    try:
        yield
    finally:
        await session.close()


SESSIONS = _Sessions()


class OpenAICompatibleModel:
    """A `ChatModel` for an OpenAI-compatible endpoint (see the module docstring)."""

    def __init__(
        self,
        spec: ModelSpec,
        local_servers: LocalServers = LOCAL_SERVERS,
        limiters: EndpointLimiters = ENDPOINT_LIMITERS,
    ) -> None:
        self.spec = spec
        self._limiters = limiters
        self.name = spec.name
        self._local: LocalServer | None = None
        if spec.name.startswith(f"{LOCAL_PROVIDER}/"):  # a missing file fails here
            self._local = local_servers.server_for(spec.name.split("/", 1)[1], spec.context_tokens)
        self._wire_model = self._local.alias if self._local else spec.name.split("/", 1)[1]

    @property
    def is_local(self) -> bool:
        return self._local is not None

    @property
    def supports_native_tools(self) -> bool:
        return False  # the text-mode tool protocol works with every server and model

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[dict[str, Any]] | None = None,
        settings: ModelSettings | None = None,
        call: CallInfo | None = None,
    ) -> Completion:
        settings = settings or self.spec.settings
        if self._local is None:
            body = self._body(messages, tools, settings, self.spec.chat_template)
            return await self._complete(self.spec.api_base or "", body, settings)
        server = self._local
        async with server.slot():  # one request at a time: see LocalServer.slot
            if server.running:
                base = server.api_base()
            else:
                base = await asyncio.to_thread(server.api_base)
            body = self._body(messages, tools, settings, server.chat_template)
            return await self._complete(base, body, settings)

    def _cost(self, usage: Mapping[str, Any]) -> float | None:
        """The declared price's cost; else nothing for the embedded model and unknown for
        a server at `api_base` (its price is not litellm's list price of the name)."""
        if self.spec.price is not None:
            return self.spec.price.cost(
                int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
            )
        return 0.0 if self._local else None

    def _body(
        self,
        messages: Sequence[Message],
        tools: Sequence[dict[str, Any]] | None,
        settings: ModelSettings,
        template: ChatTemplate | None,
    ) -> dict[str, Any]:
        wire = [m.to_openai() for m in messages]
        if self._local is not None or settings.endpoint == "completion":
            wire = [_plain_message(m) for m in wire]
        fields = Decoding.of(settings).request_fields()
        if settings.endpoint == "completion":
            if template is None:
                raise ConfigError(self._no_template())
            if tools:
                raise ConfigError("the completion endpoint takes no tool schemas")
            prompt = template.prompt(wire, open_turn=settings.continue_final_message)
            return {"model": self._wire_model, "prompt": prompt, **fields}
        body: dict[str, Any] = {"model": self._wire_model, "messages": wire, **fields}
        if tools:
            body["tools"] = list(tools)
        return body

    def _no_template(self) -> str:
        if self._local is not None:
            return (
                f"{self.name}: the completion endpoint renders the model's chat template, "
                f"and none was read from {self._local.path.name} (no tokenizer.chat_template "
                "in it, or this llama-cpp-python does not expose it); use a chat "
                "continuation (prefill) for it"
            )
        return (
            f"{self.name}: the completion endpoint renders the model's chat template; give "
            "it as ModelSpec.chat_template, or continue with continue_final_message on a "
            "server that knows it (vLLM, SGLang)"
        )

    async def _complete(
        self, base: str, body: dict[str, Any], settings: ModelSettings
    ) -> Completion:
        path = "/completions" if settings.endpoint == "completion" else "/chat/completions"
        url = base.rstrip("/") + path
        headers = {"Authorization": f"Bearer {self._key()}"}
        local = self._local is not None
        seconds = settings.timeout_seconds * (LOCAL_TIMEOUT_FACTOR if local else 1)
        timeout = aiohttp.ClientTimeout(total=seconds)

        async def attempt() -> dict[str, Any]:
            session = await SESSIONS.get()
            async with session.post(url, json=body, headers=headers, timeout=timeout) as reply:
                text = await reply.text()
                if reply.status != 200:
                    raise EndpointError(reply.status, _server_message(text), reply.headers)
            try:
                raw = json.loads(text)
                raw["choices"][0]
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                raise MalformedReply(f"{type(exc).__name__} in {text!r:.200}") from exc
            return dict(raw)

        limiter = None
        tokens = 0.0
        if not local:
            limits = ProviderLimits(
                requests_per_minute=settings.requests_per_minute,
                tokens_per_minute=settings.tokens_per_minute,
            )
            limiter = self._limiters.get(f"{self.name} at {base}", limits)
            if settings.tokens_per_minute is not None:
                tokens = _token_estimate(body)
        where = "" if local else f" at {base}"
        started = time.perf_counter()
        raw = await with_retries(
            attempt,
            settings,
            self._classify_local if local else _classify,
            who=f"model {self.name!r}{where}",
            limiter=limiter,
            tokens=tokens,
            tokens_used=_tokens_used,
            give_up=self._crashed,
        )
        return self._completion(raw, time.perf_counter() - started, settings)

    def _key(self) -> str:
        return self.spec.api_key.get_secret_value() if self.spec.api_key else "not-needed"

    def _crashed(self, exc: Exception) -> Exception | None:
        """A local model whose connection broke may have died: a crash, not a blip."""
        if self._local is None:
            return None
        broken = isinstance(exc, aiohttp.ClientConnectionError | asyncio.TimeoutError)
        return self._local.crash_error(settle_seconds=LOCAL_CRASH_SETTLE if broken else 0.0)

    @staticmethod
    def _classify_local(exc: Exception) -> FailureVerdict | None:
        """The embedded model's timeouts are not retried (see LOCAL_TIMEOUT_FACTOR)."""
        verdict = _classify(exc)
        if verdict is not None and isinstance(exc, asyncio.TimeoutError):
            return verdict.model_copy(update={"kind": "fatal", "fix": TIMEOUT_FIX})
        return verdict

    def _completion(
        self, raw: dict[str, Any], seconds: float, settings: ModelSettings
    ) -> Completion:
        choice = raw["choices"][0]  # checked by the try
        message = choice.get("message") or {}
        text = message.get("content") if "message" in choice else choice.get("text")
        calls = []
        for index, requested in enumerate(message.get("tool_calls") or []):
            function = requested.get("function") or {}
            try:
                arguments = json.loads(function.get("arguments") or "{}")
            except json.JSONDecodeError:
                arguments = {"_raw": function.get("arguments")}
            calls.append(
                ToolCall(
                    id=requested.get("id") or f"call_{index}",
                    name=function.get("name", ""),
                    arguments=arguments if isinstance(arguments, dict) else {"_raw": arguments},
                )
            )
        usage = raw.get("usage") or {}
        return Completion(
            text=text or "",
            tool_calls=tuple(calls),
            usage=Usage(
                prompt_tokens=int(usage.get("prompt_tokens") or 0),
                completion_tokens=int(usage.get("completion_tokens") or 0),
                calls=1,
                seconds=seconds,
                cost_usd=self._cost(usage),
            ),
            model=self.name,
            finish_reason=choice.get("finish_reason"),
            decoding=Decoding.of(settings),
        )


def _classify(exc: Exception) -> FailureVerdict | None:
    if isinstance(exc, EndpointError):
        return http_verdict(exc.status, exc.message, exc.headers)
    if isinstance(exc, MalformedReply):
        return malformed_verdict(str(exc))
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return network_verdict(exc)
    return None  # not the endpoint's failure: a bug, raised as it is


def _token_estimate(body: dict[str, Any]) -> float:
    """Tokens a request may use, for a tokens-per-minute budget, as providers count them
    before it runs: its text at about four characters a token, plus its reply cap."""
    if "prompt" in body:
        characters = len(str(body["prompt"]))
    else:
        characters = sum(len(str(m.get("content") or "")) for m in body["messages"])
    return characters / 4 + float(body.get("max_tokens") or 0)


def _tokens_used(raw: dict[str, Any]) -> float | None:
    usage = raw.get("usage") or {}
    total = usage.get("total_tokens")
    if total is None:
        return None
    return float(total)


def _plain_message(message: dict[str, Any]) -> dict[str, Any]:
    """GGUF chat templates know only role/content; fold tool turns into text. Messages
    rendered for the completion endpoint are folded the same way."""
    role = message.get("role", "user")
    content = message.get("content") or ""
    if role == "tool":
        return {"role": "user", "content": f"[tool output]\n{content}"}
    return {"role": role, "content": content}


def _server_message(text: str) -> str:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return _short(text)
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return _short(str(error.get("message") or error))
    return _short(str(error or data))


def _short(value: object, limit: int = 300) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit] + "…"
