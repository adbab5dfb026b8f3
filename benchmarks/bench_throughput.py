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
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.loopback import free_port, stub_process, wait_for_http
from benchmarks.provenance import announce
from council.agents.answerer import Answerer
from council.bench.datasets import Problem
from council.bench.executors.base import Executor, Placement
from council.bench.executors.select import open_executor
from council.bench.grading import Grader
from council.bench.heap import settle_for_many_problems
from council.bench.problem_set import load_problems
from council.bench.runner import run_benchmark, run_on
from council.models.factory import build_model
from council.models.roles import RoleModels
from council.models.settings import ModelSettings, ModelSpec
from council.protocols import ProtocolOptions, RunSpec
from council.run_log.config import DatasetSpec
from council.run_log.results import ResultsFile
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
    return RunSpec(graph="single", options=ProtocolOptions(settings=settings)).build(
        models=RoleModels(model)
    )


@dataclass
class Rate:
    """Throughput of one measurement. With a real model, batched generation is not exactly
    reproducible, so lengths differ run to run: generated tokens per minute is the fairer
    measure of work, items (problems or requests) per minute the one users feel."""

    items: float
    calls: float
    tokens: float

    def gain(self, base: Rate) -> tuple[float, float]:
        return self.items / base.items, self.tokens / base.tokens if base.tokens else 0.0


def make_recipe(api_base: str, settings: ModelSettings) -> RunSpec:
    """What worker processes or Ray actors build the same runner from."""
    model = ModelSpec(name="openai/bench", api_base=api_base, settings=settings)
    return RunSpec.on("single", model)


async def runner_rate(
    api_base: str,
    items: list[Problem],
    concurrency: int,
    settings: ModelSettings,
    grader: Grader,
    executor: Executor | None = None,
) -> Rate:
    """Problems, model calls and generated tokens per minute through the bench runner (in
    this process, or on `executor`: started beforehand, so its start-up is not timed)."""
    runner = make_runner(api_base, settings)
    with tempfile.TemporaryDirectory() as run_dir:
        started = time.perf_counter()
        if executor is None:
            summary = await run_benchmark(
                runner, items, Path(run_dir), grader=grader, concurrency=concurrency
            )
        else:
            summary = await run_on(executor, items, Path(run_dir), concurrency=concurrency)
        elapsed = time.perf_counter() - started
        lines = ResultsFile(Path(run_dir) / "results.jsonl").read()
    assert summary.errors == 0, f"{summary.errors} problems failed"
    per_minute = 60 / elapsed
    return Rate(
        items=len(items) * per_minute,
        calls=sum(len(line.calls) for line in lines) * per_minute,
        tokens=sum(line.completion_tokens for line in lines) * per_minute,
    )


async def raw_rate(
    api_base: str, items: list[Problem], concurrency: int, settings: ModelSettings
) -> Rate:
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
    generated = 0
    async with aiohttp.ClientSession() as http:

        async def post(body: dict[str, Any]) -> None:
            nonlocal generated
            async with semaphore, http.post(f"{api_base}/chat/completions", json=body) as reply:
                reply.raise_for_status()
                generated += (await reply.json())["usage"]["completion_tokens"]

        started = time.perf_counter()
        await asyncio.gather(*(post(body) for body in bodies))
        per_minute = 60 / (time.perf_counter() - started)
    return Rate(
        items=len(bodies) * per_minute,
        calls=len(bodies) * per_minute,
        tokens=generated * per_minute,
    )


@contextlib.contextmanager
def llama_server(binary: str, parallel: int) -> Iterator[str]:
    from council.models.local_server import embedded_model_path

    port = free_port()
    threads = len(os.sched_getaffinity(0))
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
            # as many threads as this process may use: llama.cpp's own guess can exceed a
            # container's CPU allowance, and oversubscribed threads erase the batching gain
            "-t",
            str(threads),
            "-tb",
            str(threads),
            "--log-disable",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health", process, seconds=120)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=30)


Serve = Callable[[], contextlib.AbstractContextManager[str]]
"""Yields a server's /v1 base URL; a fresh server each time where the cache would leak."""


def always(base: str) -> Serve:
    """One long-lived server for every measurement (it has no prompt cache to leak)."""

    @contextlib.contextmanager
    def serve() -> Iterator[str]:
        yield base

    return serve


async def measure(
    serve: Serve,
    levels: list[int],
    per_level: int,
    settings: ModelSettings,
    include_raw: bool,
    repeats: int = 1,
    placement: Placement | None = None,
    scale_count: bool = False,
) -> None:
    """Every level runs the same problems, so a real model does the same work at each.

    A real server caches prompts it has just seen: measured on one server, whichever of the
    runner and the raw client went second would look faster. So `serve` may hand each
    measurement its own fresh server. On a noisy (virtual) machine, `repeats` interleaves
    runner and raw measurements and reports the median of each.
    """
    everything = problems(per_level * max(levels))
    runner_rates: dict[int, list[Rate]] = {level: [] for level in levels}
    raw_rates: dict[int, list[Rate]] = {level: [] for level in levels}
    with Grader(workers=1) as grader:
        settle_for_many_problems()  # as `council bench` does once its runner is built
        for _ in range(repeats):
            for level in levels:
                # against the fixed-delay stub the work per problem is the same, so each
                # level runs per_level x level problems (level 1 need not wait 256 x)
                items = everything[: per_level * level] if scale_count else everything
                with serve() as api_base:
                    executor = None
                    if placement is not None:
                        started = time.perf_counter()
                        executor = await open_executor(placement, make_recipe(api_base, settings))
                        print(f"  workers started in {time.perf_counter() - started:.1f}s")
                    try:
                        await runner_rate(api_base, items[:4], 4, settings, grader, executor)
                        runner_rates[level].append(
                            await runner_rate(api_base, items, level, settings, grader, executor)
                        )
                    finally:
                        if executor is not None:
                            await executor.close()
                if include_raw:
                    with serve() as api_base:
                        await raw_rate(api_base, items[:4], 4, settings)  # warm-up
                        raw_rates[level].append(await raw_rate(api_base, items, level, settings))
    report(levels, runner_rates, raw_rates if include_raw else None)


def median_rate(rates: list[Rate]) -> Rate:
    return Rate(
        items=statistics.median(r.items for r in rates),
        calls=statistics.median(r.calls for r in rates),
        tokens=statistics.median(r.tokens for r in rates),
    )


def report(
    levels: list[int], runner_rates: dict[int, list[Rate]], raw_rates: dict[int, list[Rate]] | None
) -> None:
    base_runner = median_rate(runner_rates[levels[0]])
    base_raw = median_rate(raw_rates[levels[0]]) if raw_rates else None
    for level in levels:
        rate = median_rate(runner_rates[level])
        gain, token_gain = rate.gain(base_runner)
        line = (
            f"concurrency {level}: runner {rate.items:7.1f} problems/min ({gain:.2f}x), "
            f"{rate.calls:6.1f} calls/min, {rate.tokens:7.0f} tokens/min ({token_gain:.2f}x)"
        )
        if raw_rates and base_raw:
            raw = median_rate(raw_rates[level])
            raw_gain, raw_token_gain = raw.gain(base_raw)
            line += (
                f"\n               raw    {raw.items:7.1f} requests/min ({raw_gain:.2f}x), "
                f"{raw.tokens:7.0f} tokens/min ({raw_token_gain:.2f}x)"
            )
            if level != levels[0]:
                line += (
                    f"\n               runner keeps {kept(gain, raw_gain):.0%} of the "
                    f"server's gain in requests, {kept(token_gain, raw_token_gain):.0%} in tokens"
                )
        print(line, flush=True)


def kept(runner_gain: float, server_gain: float) -> float:
    return (runner_gain - 1) / (server_gain - 1) if server_gain > 1 else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fixed-delay", type=float, default=None, help="seconds per answer")
    parser.add_argument("--llama-server", default=None, help="path to a llama-server binary")
    parser.add_argument("--api-base", default=None, help="an OpenAI-compatible server")
    parser.add_argument("--parallel", type=int, default=4, help="llama-server slots (-np)")
    parser.add_argument("--levels", default="1,4,8")
    parser.add_argument(
        "--per-level", type=int, default=4, help="problems = per-level x the highest level"
    )
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=1, help="interleaved; medians reported")
    parser.add_argument(
        "--workers", type=int, default=1, help="bench worker processes (1: in this process)"
    )
    parser.add_argument("--executor", choices=["local", "ray"], default="local")
    args = parser.parse_args()
    announce(__doc__.splitlines()[0] if __doc__ else "bench_throughput")
    placement = None
    if args.workers > 1 or args.executor == "ray":
        placement = Placement(executor=args.executor, workers=args.workers)
    levels = [int(x) for x in args.levels.split(",")]
    settings = ModelSettings(max_tokens=args.max_tokens, temperature=0.0, max_retries=0)
    if args.fixed_delay is not None:
        with stub_process(args.fixed_delay) as base:  # no cache: one server serves all
            print(f"loopback server answering after {args.fixed_delay * 1000:.0f} ms")
            serve_stub = always(base)
            asyncio.run(
                measure(
                    serve_stub,
                    levels,
                    args.per_level,
                    settings,
                    include_raw=True,
                    repeats=args.repeats,
                    placement=placement,
                    scale_count=True,
                )
            )
    elif args.llama_server:
        print(
            f"llama-server -np {args.parallel} serving SmolLM2, max_tokens {args.max_tokens}, "
            "a fresh server per measurement"
        )
        serve_llama = functools.partial(llama_server, args.llama_server, args.parallel)
        asyncio.run(
            measure(
                serve_llama,
                levels,
                args.per_level,
                settings,
                include_raw=True,
                repeats=args.repeats,
                placement=placement,
            )
        )
    elif args.api_base:
        print("note: a server that caches prompts favours whichever client goes second")
        serve_given = always(args.api_base)
        asyncio.run(
            measure(
                serve_given,
                levels,
                args.per_level,
                settings,
                include_raw=True,
                repeats=args.repeats,
                placement=placement,
            )
        )
    else:
        parser.error("give --fixed-delay, --llama-server or --api-base")


if __name__ == "__main__":
    main()
