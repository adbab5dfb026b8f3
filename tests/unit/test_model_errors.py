"""The real litellm path with bad input: errors must be clear, not tracebacks."""

from __future__ import annotations

import pytest

from council.errors import MissingCredentialsError, ModelUnreachableError, UnknownModelError
from council.messages import Message
from council.models.factory import build_model
from council.models.settings import ModelSettings, ModelSpec
from tests.support.servers import free_port

HELLO = [Message.user("hello")]


async def test_unknown_model() -> None:
    with pytest.raises(UnknownModelError, match="provider prefix"):
        await build_model("totally-unknown-model-xyz").complete(HELLO)


async def test_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(MissingCredentialsError, match="ANTHROPIC_API_KEY"):
        await build_model("anthropic/claude-3-5-haiku-latest").complete(HELLO)


async def test_unreachable_server_after_retries() -> None:
    spec = ModelSpec(
        name="openai/anything",
        api_base=f"http://127.0.0.1:{free_port()}/v1",
        settings=ModelSettings(max_retries=1, retry_backoff_seconds=0.01, timeout_seconds=5),
    )
    with pytest.raises(ModelUnreachableError, match="Is the server running"):
        await build_model(spec).complete(HELLO)


async def test_bad_local_gguf_path() -> None:
    from council.errors import ConfigError

    with pytest.raises(ConfigError, match="neither"):
        await build_model("local/does/not/exist.gguf").complete(HELLO)


async def test_rate_limit_is_retried_with_backoff_then_succeeds() -> None:
    from tests.support.openai_stub import StubBehaviour, openai_stub

    behaviour = StubBehaviour(fail_first=2, fail_status=429)
    async with openai_stub(behaviour) as base:
        spec = ModelSpec(
            name="openai/stub",
            api_base=base,
            settings=ModelSettings(max_retries=3, retry_backoff_seconds=0.01),
        )
        completion = await build_model(spec).complete(HELLO)
    assert completion.text == "ANSWER: 4"
    assert len(behaviour.requests) == 3
    assert completion.usage.prompt_tokens == 7


async def test_rate_limit_is_waited_out_until_the_call_s_wait_bound() -> None:
    """Throttling does not count against max_retries (it is waited out), only against
    max_retry_wait_seconds; the error says how many tries and how long."""
    from council.errors import ModelError
    from tests.support.openai_stub import StubBehaviour, openai_stub

    behaviour = StubBehaviour(fail_first=10_000, fail_status=429)
    async with openai_stub(behaviour) as base:
        spec = ModelSpec(
            name="openai/stub",
            api_base=base,
            settings=ModelSettings(
                max_retries=1, retry_backoff_seconds=0.01, max_retry_wait_seconds=0.2
            ),
        )
        with pytest.raises(ModelError, match=r"rate limited \d+ tries in .*--max-retry-wait"):
            await build_model(spec).complete(HELLO)
    assert len(behaviour.requests) > 2  # more than max_retries + 1: throttles do not count
