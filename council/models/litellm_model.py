"""Any litellm model string as a `ChatModel`, with retries and clear errors."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from council.errors import (
    MissingCredentialsError,
    ModelError,
    ModelUnreachableError,
    UnknownModelError,
)
from council.messages import Message, ToolCall
from council.models.base import CallInfo, Completion
from council.models.environment import import_litellm
from council.models.retrying import with_retries
from council.models.settings import Decoding, ModelSettings, ModelSpec
from council.usage import Usage


class LiteLLMModel:
    """Calls `litellm.acompletion`, for its provider breadth (OpenAI, Anthropic, Gemini,
    Bedrock, ...); validates the model string before the first call. OpenAI-compatible
    endpoints and the embedded model take the direct path (`openai_http.py`)."""

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
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
        litellm = self._ensure_ready()
        settings = settings or self.spec.settings
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

        started = time.perf_counter()
        try:
            response = await with_retries(
                lambda: litellm.acompletion(**kwargs), settings, _retryable_in(litellm)
            )
        except ModelError:
            raise
        except Exception as exc:
            raise self._translate(litellm, exc, settings.max_retries) from exc
        seconds = time.perf_counter() - started
        return self._to_completion(litellm, response, seconds, settings)

    def _translate(self, litellm: Any, exc: Exception, retries: int) -> ModelError:
        where = f" at {self.spec.api_base}" if self.spec.api_base else ""
        if isinstance(exc, litellm.AuthenticationError):
            return MissingCredentialsError(
                f"model {self.name!r}{where} rejected the credentials: set its API key"
            )
        if isinstance(exc, litellm.NotFoundError):
            return UnknownModelError(f"model {self.name!r} not found{where}: {_short(exc)}")
        if isinstance(exc, litellm.APIConnectionError | litellm.Timeout) or _is_connection_failure(
            exc
        ):
            return ModelUnreachableError(
                f"cannot reach model {self.name!r}{where} after {retries}"
                f" retries: {_short(exc)}. Is the server running and the address right?"
            )
        if isinstance(exc, litellm.BadRequestError) and "provider" in str(exc).lower():
            return UnknownModelError(f"unknown model {self.name!r}: {_short(exc)}")
        return ModelError(f"model {self.name!r}{where} failed: {_short(exc)}")

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


def _retryable_in(litellm: Any) -> Any:
    kinds = (
        litellm.RateLimitError,
        litellm.Timeout,
        litellm.APIConnectionError,
        litellm.ServiceUnavailableError,
        litellm.InternalServerError,
    )
    return lambda exc: isinstance(exc, kinds)


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


def _short(exc: Exception, limit: int = 300) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[:limit] + "…"
