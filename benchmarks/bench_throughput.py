"""Problems per minute through the bench runner at several concurrency levels.

    python benchmarks/bench_throughput.py --fixed-delay 0.2
    python benchmarks/bench_throughput.py --llama-server /path/to/llama-server  # -np 4
    python benchmarks/bench_throughput.py --api-base http://127.0.0.1:8080/v1

Against a loopback OpenAI-compatible server that answers after a fixed delay, the runner
should scale almost linearly. Against a real server the ceiling is the server's own: so the
raw server is measured too, with the same requests sent directly, and the runner's gain is
reported as a share of the server's gain.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from council.bench.datasets import DatasetSpec, Problem, load_problems
from council.bench.grading import Grader
from council.bench.runner import run_benchmark
from council.models.factory import build_model
from council.models.roles import RoleModels
from council.models.settings import ModelSettings, ModelSpec
from council.protocols import ProtocolOptions, protocol_runner
from council.protocols.answerer import Answerer
from council.runner import GraphRunner

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "gsm8k_train.jsonl"


def problems(count: int) -> list[Problem]:
    if DATA.exists():
        spec = DatasetSpec(source=str(DATA), shuffle=True, seed=0, limit=count)
        return load_problems(spec)
    return [
        Problem(id=f"q{i}", question=f"What is {i} + {i}?", gold=str(2 * i)) for i in range(count)
    ]


def make_runner(api_base: str, settings: ModelSettings) -> GraphRunner:
    model = build_model(ModelSpec(name="openai/bench", api_base=api_base, settings=settings))
    return protocol_runner("single", RoleModels(model), ProtocolOptions(settings=settings))


async def runner_rate(
    api_base: str, items: list[Problem], concurrency: int, settings: ModelSettings, grader: Grader
) -> float:
    runner = make_runner(api_base, settings)
    with tempfile.TemporaryDirectory() as run_dir:
        started = time.perf_counter()
        summary = await run_benchmark(
            runner, items, Path(run_dir), grader=grader, concurrency=concurrency
        )
        elapsed = time.perf_counter() - started
    assert summary.errors == 0, f"{summary.errors} problems failed"
    return len(items) / elapsed * 60


async def raw_rate(
    api_base: str, items: list[Problem], concurrency: int, settings: ModelSettings
) -> float:
    """The same chat requests the runner sends, posted directly."""
    answerer = Answerer(build_model("openai/bench"))
    bodies = [
        {
            "model": "bench",
            "temperature": settings.temperature,
            "max_tokens": settings.max_tokens,
            "messages": [
                m.to_openai()
                for m in answerer.build_messages(
                    {"problem": p.question, "memory": "", "tool_help": ""}
                )
            ],
        }
        for p in items
    ]
    semaphore = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession() as http:

        async def post(body: dict[str, object]) -> None:
            async with semaphore, http.post(f"{api_base}/chat/completions", json=body) as reply:
                reply.raise_for_status()
                await reply.read()

        started = time.perf_counter()
        await asyncio.gather(*(post(body) for body in bodies))
        return len(bodies) / (time.perf_counter() - started) * 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def llama_server(binary: str, parallel: int) -> Iterator[str]:
    from council.models.local_provider import embedded_model_path

    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "-m",
            str(embedded_model_path()),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "-np",
            str(parallel),
            "-c",
            str(2048 * parallel),
            "--log-disable",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r,
            ):
                if json.loads(r.read()).get("status") == "ok":
                    break
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextlib.asynccontextmanager
async def fixed_delay_server(delay: float) -> AsyncIterator[str]:
    from tests.support.openai_stub import StubBehaviour, openai_stub

    async with openai_stub(StubBehaviour(delay_seconds=delay, reply="ANSWER: 4")) as base:
        yield base


async def measure(
    api_base: str, levels: list[int], per_level: int, settings: ModelSettings, include_raw: bool
) -> None:
    with Grader(workers=1) as grader:
        await runner_rate(api_base, problems(2), 1, settings, grader)  # warm-up
        base_runner = base_raw = 0.0
        for level in levels:
            items = problems(per_level * level)
            rate = await runner_rate(api_base, items, level, settings, grader)
            base_runner = base_runner or rate
            line = (
                f"concurrency {level}: runner {rate:7.1f} problems/min ({rate / base_runner:.2f}x)"
            )
            if include_raw:
                raw = await raw_rate(api_base, items, level, settings)
                base_raw = base_raw or raw
                kept = (rate / base_runner - 1) / (raw / base_raw - 1) if raw > base_raw else 1
                line += (
                    f"; raw server {raw:7.1f} requests/min ({raw / base_raw:.2f}x); "
                    f"runner keeps {kept:.0%} of the server's gain"
                )
            print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fixed-delay", type=float, default=None, help="seconds per answer")
    parser.add_argument("--llama-server", default=None, help="path to a llama-server binary")
    parser.add_argument("--api-base", default=None, help="an OpenAI-compatible server")
    parser.add_argument("--parallel", type=int, default=4, help="llama-server slots (-np)")
    parser.add_argument("--levels", default="1,4,8")
    parser.add_argument("--per-level", type=int, default=4, help="problems per concurrency unit")
    parser.add_argument("--max-tokens", type=int, default=64)
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    settings = ModelSettings(max_tokens=args.max_tokens, temperature=0.0, max_retries=0)
    if args.fixed_delay is not None:

        async def with_stub() -> None:
            async with fixed_delay_server(args.fixed_delay) as base:
                print(f"loopback server answering after {args.fixed_delay * 1000:.0f} ms")
                await measure(base, levels, args.per_level, settings, include_raw=False)

        asyncio.run(with_stub())
    elif args.llama_server:
        with llama_server(args.llama_server, args.parallel) as base:
            print(f"llama-server -np {args.parallel} serving SmolLM2, max_tokens {args.max_tokens}")
            asyncio.run(measure(base, levels, args.per_level, settings, include_raw=True))
    elif args.api_base:
        asyncio.run(measure(args.api_base, levels, args.per_level, settings, include_raw=True))
    else:
        parser.error("give --fixed-delay, --llama-server or --api-base")


if __name__ == "__main__":
    main()
