"""What model to call and how to decode: plain data, passed explicitly to whoever calls."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

DEFAULT_MAX_TOKENS = 512

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
        description="None: each role's own default (short for verdicts)",
    )
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    seed: int | None = Field(default=None, ge=0, le=2**32 - 1)
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
    max_tokens: int
    top_p: float | None = None
    seed: int | None = None

    @classmethod
    def of(cls, settings: ModelSettings) -> Decoding:
        return cls(
            temperature=settings.temperature,
            max_tokens=settings.max_tokens or DEFAULT_MAX_TOKENS,
            top_p=settings.top_p,
            seed=settings.seed,
        )


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
    settings: ModelSettings = Field(default_factory=ModelSettings)

    def with_settings(self, **changes: object) -> ModelSpec:
        return self.model_copy(update={"settings": self.settings.model_copy(update=changes)})
