"""Build a `ChatModel` from a spec; the one place model strings are interpreted."""

from __future__ import annotations

from council.models.base import ChatModel
from council.models.settings import DEFAULT_MODEL, ModelSpec


def resolve_model_name(name: str | None) -> str:
    """Empty means the embedded default; a bare `.gguf` path means a local file."""
    if not name:
        return DEFAULT_MODEL
    if name.endswith(".gguf") and not name.startswith("local/"):
        return f"local/{name}"
    return name


def build_model(spec: ModelSpec | str | None = None) -> ChatModel:
    """OpenAI-compatible endpoints and the embedded model are called directly
    (`openai_http.py`); every other provider through litellm."""
    if spec is None or isinstance(spec, str):
        spec = ModelSpec(name=resolve_model_name(spec))
    # start-up: aiohttp and the client, 0.8 s under load; `council --help` imports this module
    # (through `council.models`) and must not pay for them (council.main)
    from council.models.openai_http import OpenAICompatibleModel, is_openai_endpoint

    if is_openai_endpoint(spec):
        return OpenAICompatibleModel(spec)
    from council.models.litellm_model import LiteLLMModel  # start-up: as above

    return LiteLLMModel(spec)
