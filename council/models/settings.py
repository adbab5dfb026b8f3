"""What model to call and how to decode: plain data, passed explicitly to whoever calls."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from council.models.chat_format import ChatTemplate

Endpoint = Literal["chat", "completion"]

DEFAULT_MODEL = "local/smollm2"
"""The embedded default: SmolLM2-135M-Instruct, run by llama.cpp in a child process, no key."""


class ModelSettings(BaseModel):
    """Decoding parameters and call policy. Recorded in run manifests for reproducibility."""

    model_config = ConfigDict(frozen=True)

    temperature: float = Field(default=0.2, ge=0.0, le=2.0)
    max_tokens: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="None: no cap is sent (the model stops by itself or at its context end)",
    )
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    seed: int | None = Field(default=None, ge=0, le=2**32 - 1)
    stop: tuple[str, ...] | None = Field(
        default=None, description="sequences that end generation (not included in the reply)"
    )
    continue_final_message: bool = Field(
        default=False,
        description="the conversation ends with a partial assistant message that the model "
        "extends (sent as vLLM's and SGLang's continue_final_message=true with "
        "add_generation_prompt=false); a server that does not know the fields refuses them "
        "or starts a new turn",
    )
    endpoint: Endpoint = Field(
        default="chat",
        description="chat: the messages go to /chat/completions; completion: they are "
        "rendered with the model's own chat template (the final assistant message left "
        "open when continue_final_message) and go to /completions as one raw prompt, for "
        "servers that do not extend a final assistant message (llama-cpp-python's)",
    )
    timeout_seconds: float = Field(
        default=120.0, gt=0.0, le=86_400.0, json_schema_extra={"flag": "--timeout"}
    )
    max_retries: int = Field(
        default=4,
        ge=0,
        le=100,
        description="tries again after a failure that is not a rate limit: a timeout, a reset "
        "connection, a 5xx, a reply that is not JSON (rate limits are waited out instead)",
    )
    retry_backoff_seconds: float = Field(
        default=0.5, gt=0.0, le=60.0, description="the first backoff, doubling to 8 s"
    )
    max_retry_wait_seconds: float = Field(
        default=300.0,
        gt=0.0,
        le=86_400.0,
        description="the most one call waits between its tries, all together",
        json_schema_extra={"flag": "--max-retry-wait"},
    )
    requests_per_minute: float | None = Field(
        default=None,
        gt=0.0,
        description="the provider's published request limit for this model (None: learned)",
        json_schema_extra={"flag": "--rpm"},
    )
    tokens_per_minute: float | None = Field(
        default=None,
        gt=0.0,
        description="the provider's published token limit for this model (None: learned)",
        json_schema_extra={"flag": "--tpm"},
    )


class Decoding(BaseModel):
    """What a call was actually sent: recorded with every call, so a result says how it
    was sampled even when settings came from several places (agent, protocol, CLI)."""

    model_config = ConfigDict(frozen=True)

    temperature: float
    max_tokens: int | None = None
    """None: no cap was sent."""
    top_p: float | None = None
    seed: int | None = None
    stop: tuple[str, ...] | None = None
    continue_final_message: bool = False
    """True: the request asked the server to extend the final assistant message (on the
    completion endpoint: the prompt left that message open)."""
    endpoint: Endpoint = "chat"
    """completion: the messages were sent as one raw prompt, rendered with the model's
    chat template."""

    @classmethod
    def of(cls, settings: ModelSettings) -> Decoding:
        return cls(
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
            top_p=settings.top_p,
            seed=settings.seed,
            stop=settings.stop,
            continue_final_message=settings.continue_final_message,
            endpoint=settings.endpoint,
        )

    def request_fields(self) -> dict[str, object]:
        """The decoding fields of an OpenAI-style request: only what is set is sent, so a
        protocol whose reference sends no cap sends none. The completion endpoint's cap
        defaults to 16 tokens (OpenAI's legacy API, llama-cpp-python, vLLM), so there no
        cap is sent as an explicit null, which those servers read as none."""
        fields: dict[str, object] = {"temperature": self.temperature}
        for name in ("max_tokens", "top_p", "seed"):
            value = getattr(self, name)
            if value is not None:
                fields[name] = value
        if self.endpoint == "completion" and self.max_tokens is None:
            fields["max_tokens"] = None
        if self.stop:
            fields["stop"] = list(self.stop)
        if self.continue_final_message and self.endpoint == "chat":
            fields["continue_final_message"] = True
            fields["add_generation_prompt"] = False
        return fields


class TokenPrice(BaseModel):
    """What a model's tokens cost you, in USD per million: for a self-hosted server (litellm
    has no price for it, and a call through an OpenAI-compatible endpoint is not priced) or
    a rate other than the list price. When given it prices every call; else hosted models
    take litellm's price list and a server at `api_base` has no cost."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    input_per_million: float = Field(ge=0, description="USD per million prompt tokens")
    output_per_million: float = Field(ge=0, description="USD per million completion tokens")

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (
            prompt_tokens * self.input_per_million + completion_tokens * self.output_per_million
        ) / 1_000_000

    @classmethod
    def parse(cls, text: str) -> TokenPrice:
        """`IN,OUT` (USD per million prompt and completion tokens), as `--price` takes it."""
        parts = text.split(",")
        try:
            values = [float(part) for part in parts]
        except ValueError:
            values = []
        if len(values) != 2:
            raise ValueError(
                f"--price {text!r}: give USD per million prompt and completion tokens as "
                "IN,OUT, e.g. 0.15,0.60"
            )
        return cls(input_per_million=values[0], output_per_million=values[1])


LOCAL_CONTEXT_TOKENS = 8192
"""The context an embedded (`local/`) model's server is started with unless `context_tokens`
says otherwise: SmolLM2-135M's trained context; larger models may take more (Qwen2.5 was
trained on 32,768), at more memory for the KV cache."""


class ModelSpec(BaseModel):
    """A litellm model string plus where to reach it.

    `name` is any litellm model string (`openai/gpt-4o-mini`, `anthropic/...`, `ollama/...`,
    `hosted_vllm/...`, `openai/<name>` with `api_base`), or `local/smollm2`, or
    `local/<path to a .gguf>` for llama.cpp in a child process.
    """

    model_config = ConfigDict(frozen=True)

    name: str = DEFAULT_MODEL
    api_base: str | None = None
    api_key: SecretStr | None = None
    chat_template: ChatTemplate | None = Field(
        default=None,
        description="the model's own chat template, for the completion endpoint on a "
        "server council does not run (local/ models read theirs from their GGUF)",
    )
    settings: ModelSettings = Field(default_factory=ModelSettings)
    price: TokenPrice | None = Field(
        default=None, description="USD per million tokens (else litellm's list, if any)"
    )
    context_tokens: int | None = Field(
        default=None,
        ge=256,
        description=f"a local/ model's context, prompt and reply (default {LOCAL_CONTEXT_TOKENS})",
        json_schema_extra={"flag": "--context"},
    )

    @model_validator(mode="after")
    def _context_is_for_local_models(self) -> ModelSpec:
        if self.context_tokens is not None and not self.name.startswith("local/"):
            raise ValueError(
                f"--context sets the embedded server's context; {self.name} is not a local/ "
                "model (its server decides its context)"
            )
        return self

    @property
    def local_context_tokens(self) -> int | None:
        """The context its embedded server runs with (None: not a local/ model)."""
        if not self.name.startswith("local/"):
            return None
        return self.context_tokens or LOCAL_CONTEXT_TOKENS

    def with_settings(self, **changes: object) -> ModelSpec:
        return self.model_copy(update={"settings": self.settings.model_copy(update=changes)})
