"""The embedded model's own process: llama.cpp behind llama-cpp-python's OpenAI-compatible
server, on loopback, started and owned by `council.models.local_server`.

Why a child process: a native crash in llama.cpp (a segfault, an illegal instruction, an
out-of-memory kill) must not take a council run down silently. Out of process, the parent
sees the child's exit status and says what happened and what to try; a bench run stops
with everything that finished kept. The model is reached through litellm's OpenAI path, the
same code every hosted model takes.

Two load choices, made here because they are about this process's hardware:
- `use_extra_bufts = False`: llama.cpp's "extra buffer types" repack weights at load for
  AMX or AVX-512 kernels (`load_tensors: AMX model buffer size = ...`); on Xeons with AMX
  that path crashed in `llama_decode` (SIGSEGV) with SmolLM2 and Qwen2.5 GGUFs, while the
  same models answer normally from plain CPU buffers. llama-cpp-python's `Llama` does not
  expose the field, so the default model params are amended while the model loads.
- threads = the CPUs this process may use (llama-cpp-python's default is half of them).

One serving choice: every request is decoded from an empty context (`fresh_context_per_
request`). llama-cpp-python keeps the previous request's tokens and, when the next prompt
shares a prefix, evaluates only the rest; the rest is then computed in other batch shapes
than a fresh evaluation would use, the logits differ in the last bits, and the reply can
change: the same request (same seed, at T 0.7 and even greedy) sent twice in a row gave a
different text the second time, and equal to a fresh server's when the context was
emptied first (SmolLM2-135M, 2026-12-03). A run's replies must be a function of its
requests, so that a pooled or replayed figure equals a live run's and a re-run reproduces
a result; the price is re-evaluating each prompt (a few seconds on a long debate prompt).

Protocol with the parent: one JSON line on stdout, `{"port": ...}` once listening, or
`{"error": ...}` before exiting non-zero. The ready line also carries the loaded model's
chat template (the GGUF's `tokenizer.chat_template`, with its BOS and EOS token texts, as
llama-cpp-python reads them for its chat endpoint), so the parent can render the raw
prompts of the completion endpoint (`council.models.chat_format`) without loading the
model itself. The process exits when its parent dies.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import sys
from collections.abc import Iterator
from typing import Any

from council.models.cpu_features import REBUILD_HINT, cpu_flags, missing_features
from council.models.settings import LOCAL_CONTEXT_TOKENS
from council.processes import exit_when_parent_dies, usable_cpus

EXIT_UNSUPPORTED_CPU = 3
EXIT_LOAD_FAILED = 4


def fresh_context_per_request(llama_class: Any) -> None:
    """Every `Llama.generate` starts from an empty context (see module doc): with no tokens
    kept, llama-cpp-python finds no prefix to reuse and evaluates the whole prompt."""
    original = llama_class.generate

    def generate(self: Any, tokens: Any, *args: Any, **kwargs: Any) -> Any:
        self.reset()
        return original(self, tokens, *args, **kwargs)

    llama_class.generate = generate


@contextlib.contextmanager
def extra_buffer_types_disabled(llama_cpp_module: Any) -> Iterator[None]:
    """Models loaded inside this block get `use_extra_bufts = False` (see module doc)."""
    original = llama_cpp_module.llama_model_default_params

    def default_params() -> Any:
        params = original()
        params.use_extra_bufts = False
        return params

    llama_cpp_module.llama_model_default_params = default_params
    try:
        yield
    finally:
        llama_cpp_module.llama_model_default_params = original


def _chat_template_fields() -> dict[str, str]:
    """The served model's chat template and special-token texts, read as llama-cpp-python
    reads them for its chat handler (`Llama.__init__`); empty when the GGUF has none."""
    # child process: read from the server module create_app loaded, in the model server
    from llama_cpp.server import app as server_app

    proxy = getattr(server_app, "_llama_proxy", None)  # create_app's loaded model
    if proxy is None:
        return {}
    llama = proxy()
    template = llama.metadata.get("tokenizer.chat_template")
    if not template:
        return {}

    def text(token: int) -> str:
        if token < 0:
            return ""
        return bytes(llama.detokenize([token], special=True)).decode(errors="replace")

    return {
        "chat_template": template,
        "bos_token": text(llama.token_bos()),
        "eos_token": text(llama.token_eos()),
    }


def _report(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m council.models.llama_server")
    parser.add_argument("--model", required=True, help="path to a .gguf file")
    parser.add_argument("--alias", required=True, help="the model name clients send")
    parser.add_argument("--parent-pid", type=int, required=True)
    parser.add_argument("--n-ctx", type=int, default=LOCAL_CONTEXT_TOKENS)
    parser.add_argument("--n-batch", type=int, default=512)
    parser.add_argument("--threads", type=int, default=0, help="0: the usable CPUs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    exit_when_parent_dies(args.parent_pid)

    # child process: the model server loads llama.cpp's native library only once it watches
    # its parent, and checks the CPU before importing the server stack
    import llama_cpp.llama_cpp as llama_cpp_module

    system_info = llama_cpp_module.llama_print_system_info().decode(errors="replace")
    missing = missing_features(system_info, cpu_flags())
    if missing:
        _report(
            error=f"this llama-cpp-python was compiled for instructions this CPU lacks "
            f"({', '.join(missing)}); {REBUILD_HINT}",
            system_info=system_info,
        )
        return EXIT_UNSUPPORTED_CPU

    # child process: the server stack, once the CPU check passed
    import uvicorn
    from llama_cpp import Llama
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    fresh_context_per_request(Llama)
    threads = args.threads or usable_cpus()
    model_settings = ModelSettings(
        model=args.model,
        model_alias=args.alias,
        n_ctx=args.n_ctx,
        n_batch=args.n_batch,
        n_threads=threads,
        n_threads_batch=threads,
        verbose=False,
    )
    server_settings = ServerSettings(host="127.0.0.1", port=0, interrupt_requests=False)
    try:
        with extra_buffer_types_disabled(llama_cpp_module):
            app = create_app(server_settings=server_settings, model_settings=[model_settings])
    except Exception as exc:  # a bad file, too little memory: say so, not a traceback
        _report(error=f"could not load {args.model}: {exc}")
        return EXIT_LOAD_FAILED

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    _report(
        port=listener.getsockname()[1],
        threads=threads,
        system_info=system_info,
        **_chat_template_fields(),
    )
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # the handshake pipe is done: log only
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[listener])
    return 0


if __name__ == "__main__":
    sys.exit(main())
