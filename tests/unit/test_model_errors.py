"""The real litellm path with bad input: errors must be clear, not tracebacks."""

from __future__ import annotations

import socket

import pytest

from council.errors import MissingCredentialsError, ModelUnreachableError, UnknownModelError
from council.messages import Message
from council.models.factory import build_model
from council.models.settings import ModelSettings, ModelSpec

HELLO = [Message.user("hello")]


async def test_unknown_model() -> None:
    with pytest.raises(UnknownModelError, match="provider prefix"):
        await build_model("totally-unknown-model-xyz").complete(HELLO)


async def test_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(MissingCredentialsError, match="ANTHROPIC_API_KEY"):
        await build_model("anthropic/claude-3-5-haiku-latest").complete(HELLO)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_unreachable_server_after_retries() -> None:
    spec = ModelSpec(
        name="openai/anything",
        api_base=f"http://127.0.0.1:{_free_port()}/v1",
        settings=ModelSettings(max_retries=1, retry_backoff_seconds=0.01, timeout_seconds=5),
    )
    with pytest.raises(ModelUnreachableError, match="Is the server running"):
        await build_model(spec).complete(HELLO)


async def test_bad_local_gguf_path() -> None:
    from council.errors import ConfigError

    with pytest.raises(ConfigError, match="neither"):
        await build_model("local/does/not/exist.gguf").complete(HELLO)
