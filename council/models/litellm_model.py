"""Any litellm model string as a `ChatModel`, with retries and clear errors."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from council.errors import ConfigError, MissingCredentialsError, UnknownModelError
from council.messages import Message, ToolCall
from council.models.base import CallInfo, Completion
from council.models.environment import import_litellm
from council.models.failures import (
    FailureVerdict,
    context_verdict,
    http_verdict,
    malformed_verdict,
    network_verdict,
    short,
)
from council.models.limiter import ENDPOINT_LIMITERS, EndpointLimiters, ProviderLimits
from council.models.retrying import with_retries
from council.models.settings import Decoding, ModelSettings, ModelSpec
from council.usage import Usage


class LiteLLMModel:
    """Calls `litellm.acompletion`, for its provider breadth (OpenAI, Anthropic, Gemini,
    Bedrock, ...); validates the model string before the first call. OpenAI-compatible
    endpoints and the embedded model take the direct path (`openai_http.py`)."""

    def __init__(self, spec: ModelSpec, limiters: EndpointLimiters = ENDPOINT_LIMITERS) -> None:
        self.spec = spec
        self._limiters = limiters
        self.name = spec.name
        self._litellm: Any = None
        self._native_tools: bool | None = None

    @property
    def supports_native_tools(self) -> bool:
        if self._native_tools is None:
            litellm = self._ensure_ready()
            try:
                self._native_tools = bool(litellm.supports_function_calling(model=self.name))
            except Exception:
                self._native_tools = False
        return self._native_tools

    def _ensure_ready(self) -> Any:
        if self._litellm is None:
            litellm = import_litellm()
            self._validate(litellm)
            self._litellm = litellm
        return self._litellm

    def _validate(self, litellm: Any) -> None:
        try:
            _, provider, _, _ = litellm.get_llm_provider(
                model=self.name, api_base=self.spec.api_base
            )
        except Exception as exc:
            raise UnknownModelError(
                f"unknown model {self.name!r}: litellm cannot tell its provider. Use a "
                "provider prefix such as openai/, anthropic/, ollama/, hosted_vllm/, or "
                "openai/<name> with --api-base for an OpenAI-compatible server, or "
                "local/smollm2 for the embedded model"
            ) from exc
        if self.spec.api_key is None and self.spec.api_base is None:
            check = litellm.validate_environment(model=self.name)
            missing = check.get("missing_keys") or []
            if missing:
                raise MissingCredentialsError(
                    f"model {self.name!r} ({provider}) needs {', '.join(missing)} in the "
                    "environment (or pass an API key / --api-base for a local server)"
                )

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[dict[str, Any]] | None = None,
        settings: ModelSettings | None = None,
        call: CallInfo | None = None,
    ) -> Completion:
        settings = settings or self.spec.settings
        if settings.endpoint == "completion":
            raise ConfigError(
                f"model {self.name!r}: the completion endpoint (a raw prompt rendered with "
                "the model's chat template) is for OpenAI-compatible servers: local/<model>, "
                "or openai/<name> with --api-base"
            )
        litellm = self._ensure_ready()
        kwargs: dict[str, Any] = {
            "model": self.name,
            "messages": [m.to_openai() for m in messages],
            **Decoding.of(settings).request_fields(),
            "timeout": settings.timeout_seconds,
            # retries are ours (with backoff and clear errors); the SDK's would multiply them
            "max_retries": 0,
            "num_retries": 0,
        }
        if tools:
            kwargs["tools"] = list(tools)
        if self.spec.api_base:
            kwargs["api_base"] = self.spec.api_base
        if self.spec.api_key is not None:
            kwargs["api_key"] = self.spec.api_key.get_secret_value()
        elif self.spec.api_base and self.name.startswith("openai/"):
            kwargs["api_key"] = "not-needed"  # local OpenAI-compatible servers take any key

        where = f" at {self.spec.api_base}" if self.spec.api_base else ""
        limits = ProviderLimits(
            requests_per_minute=settings.requests_per_minute,
            tokens_per_minute=settings.tokens_per_minute,
        )
        limiter = self._limiters.get(f"{self.name}{where}", limits)
        tokens = 0.0
        if settings.tokens_per_minute is not None:
            characters = sum(len(str(m.get("content") or "")) for m in kwargs["messages"])
            tokens = characters / 4 + float(kwargs.get("max_tokens") or 0)
        started = time.perf_counter()
        response = await with_retries(
            lambda: litellm.acompletion(**kwargs),
            settings,
            _classifier(litellm),
            who=f"model {self.name!r}{where}",
            limiter=limiter,
            tokens=tokens,
            tokens_used=_tokens_used,
        )
        seconds = time.perf_counter() - started
        return self._to_completion(litellm, response, seconds, settings)

    def _to_completion(
        self, litellm: Any, response: Any, seconds: float, settings: ModelSettings
    ) -> Completion:
        choice = response.choices[0]
        message = choice.message
        calls: list[ToolCall] = []
        for index, raw in enumerate(getattr(message, "tool_calls", None) or []):
            try:
                arguments = json.loads(raw.function.arguments or "{}")
            except json.JSONDecodeError:
                arguments = {"_raw": raw.function.arguments}
            calls.append(
                ToolCall(id=raw.id or f"call_{index}", name=raw.function.name, arguments=arguments)
            )
        usage = getattr(response, "usage", None)
        if self.spec.price is not None:
            cost: float | None = self.spec.price.cost(
                getattr(usage, "prompt_tokens", 0) or 0, getattr(usage, "completion_tokens", 0) or 0
            )
        else:
            cost = _response_cost(litellm, response)
        return Completion(
            text=message.content or "",
            tool_calls=tuple(calls),
            usage=Usage(
                prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
                completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
                calls=1,
                seconds=seconds,
                cost_usd=cost,
            ),
            model=self.name,
            finish_reason=choice.finish_reason,
            decoding=Decoding.of(settings),
        )


def _classifier(litellm: Any) -> Callable[[Exception], FailureVerdict | None]:
    """litellm's exceptions as verdicts: its status errors by their HTTP status and
    headers (as the direct path reads them), the rest by kind."""

    def classify(exc: Exception) -> FailureVerdict | None:
        if isinstance(exc, litellm.ContextWindowExceededError):
            return context_verdict(short(exc))
        if isinstance(exc, litellm.Timeout):
            return network_verdict(TimeoutError(short(exc)))
        if isinstance(exc, litellm.APIConnectionError) or _is_connection_failure(exc):
            return network_verdict(exc)
        if isinstance(exc, litellm.APIResponseValidationError | json.JSONDecodeError):
            return malformed_verdict(short(exc))
        if isinstance(exc, litellm.BadRequestError) and "provider" in str(exc).lower():
            return FailureVerdict(
                kind="fatal",
                reason=short(exc),
                fix="litellm cannot tell the model's provider: use a provider prefix",
                error=UnknownModelError,
            )
        status = getattr(exc, "status_code", None)
        if isinstance(status, int) and status >= 400:
            return http_verdict(status, str(exc), _headers(exc))
        if isinstance(exc, litellm.APIError):
            return FailureVerdict(kind="transient", reason=short(exc))
        return None

    return classify


def _headers(exc: Exception) -> Mapping[str, str] | None:
    """The error answer's headers, looked up case-insensitively (for Retry-After)."""
    headers = getattr(exc, "litellm_response_headers", None)
    if headers is None:
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", None)
    if headers is None:
        return None
    return headers if isinstance(headers, httpx.Headers) else httpx.Headers(dict(headers))


def _tokens_used(response: Any) -> float | None:
    usage = getattr(response, "usage", None)
    total = getattr(usage, "total_tokens", None)
    return None if total is None else float(total)


def _is_connection_failure(exc: BaseException) -> bool:
    """litellm reports a refused connection as a server error; look down the cause chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionError | TimeoutError):
            return True
        if type(current).__name__ in ("APIConnectionError", "ConnectError", "ConnectTimeout"):
            return True
        current = current.__cause__ or current.__context__
    return "connection error" in str(exc).lower()


def _response_cost(litellm: Any, response: Any) -> float | None:
    """litellm prices every response it knows the model of as it returns it; computing it
    again costs a millisecond or two per call, and raises for models it cannot price."""
    hidden = getattr(response, "_hidden_params", None) or {}
    if "response_cost" in hidden:  # None: litellm has no price for this model
        cost = hidden["response_cost"]
        return None if cost is None else float(cost)
    try:
        return float(litellm.completion_cost(completion_response=response))
    except Exception:
        return None
