"""CPU per model call, layer by layer, against a loopback server that answers at once.

    python benchmarks/call_cpu.py [--calls 50]

With no latency to hide behind, CPU per call is what limits how many concurrent problems
two cores can keep in flight: a bare HTTP post, the OpenAI SDK, `litellm.acompletion`
(the path every council model call takes), one `single`-protocol problem through
`GraphRunner.arun`, one problem through the bench runner (grading and the fsynced
results line included), and a 3-debater 2-round debate through `GraphRunner.arun`, per
problem and per debate step (one debater's call: the issue's "a debate step
proportionally" is that per-step figure beside `single`'s per-problem one). Each figure is
process CPU time per call, after a warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from bench_throughput import make_runner, problems

from council.bench.grading import Grader
from council.bench.runner import run_benchmark
from council.models.factory import build_model
from council.models.roles import RoleModels
from council.models.settings import ModelSettings, ModelSpec
from council.protocols import ProtocolOptions, build_runner
from tests.support.servers import stub_process

MESSAGES = [{"role": "user", "content": "What is 2 + 2?"}]


async def cpu_per_call(label: str, call: Callable[[], Awaitable[object]], calls: int) -> None:
    for _ in range(3):
        await call()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(calls):
        await call()
    cpu_ms = (time.process_time() - cpu) / calls * 1000
    wall_ms = (time.perf_counter() - wall) / calls * 1000
    print(f"{label:<34} {cpu_ms:6.2f} ms CPU, {wall_ms:6.2f} ms wall per call", flush=True)


async def measure(base: str, calls: int) -> None:
    import openai

    settings = ModelSettings(max_tokens=64, temperature=0.0, max_retries=0)
    async with aiohttp.ClientSession() as http:

        async def bare_post() -> None:
            body = {"model": "bench", "messages": MESSAGES}
            async with http.post(f"{base}/chat/completions", json=body) as reply:
                await reply.read()

        await cpu_per_call("bare aiohttp post", bare_post, calls)

    runner = make_runner(base, settings)
    question = problems(1)[0].question
    await cpu_per_call("council GraphRunner.arun (single)", lambda: runner.arun(question), calls)

    with Grader(workers=1) as grader, tempfile.TemporaryDirectory() as folder:
        items = problems(calls + 3)
        await run_benchmark(runner, items[:3], Path(folder) / "warm", grader=grader)
        cpu, wall = time.process_time(), time.perf_counter()
        await run_benchmark(runner, items[3:], Path(folder) / "run", grader=grader, concurrency=1)
        cpu_ms = (time.process_time() - cpu) / calls * 1000
        wall_ms = (time.perf_counter() - wall) / calls * 1000
        print(f"{'bench runner, per problem':<34} {cpu_ms:6.2f} ms CPU, {wall_ms:6.2f} ms wall")

    await debate_step(base, settings, question, calls)

    # litellm last: importing it installs process-wide hooks (logging workers, callbacks)
    # that slow every later await in this process, so council is measured before it
    client = openai.AsyncOpenAI(base_url=base, api_key="not-needed")
    await cpu_per_call(
        "OpenAI SDK",
        lambda: client.chat.completions.create(model="bench", messages=MESSAGES),  # type: ignore[arg-type]
        calls,
    )
    import litellm

    await cpu_per_call(
        "litellm.acompletion",
        lambda: litellm.acompletion(  # with the arguments council passes
            model="openai/bench",
            api_base=base,
            api_key="not-needed",
            messages=MESSAGES,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
            timeout=settings.timeout_seconds,
            max_retries=0,
            num_retries=0,
        ),
        calls,
    )


async def debate_step(base: str, settings: ModelSettings, question: str, calls: int) -> None:
    """Du et al.'s debate, 3 debaters x 2 rounds (6 calls a problem, the second round's
    prompts carrying the others' replies): CPU per problem, and per debater call."""
    model = build_model(ModelSpec(name="openai/bench", api_base=base, settings=settings))
    options = ProtocolOptions(settings=settings, agents=3, rounds=2)
    runner = build_runner("debate", models=RoleModels(model), options=options)
    problems_run = max(calls // 6, 5)
    for _ in range(2):
        await runner.arun(question)
    cpu, wall = time.process_time(), time.perf_counter()
    steps = 0
    for _ in range(problems_run):
        steps += len((await runner.arun(question)).calls)
    cpu_ms, wall_ms = time.process_time() - cpu, time.perf_counter() - wall
    per_problem = cpu_ms / problems_run * 1000
    print(
        f"{'debate 3x2, per problem':<34} {per_problem:6.2f} ms CPU, "
        f"{wall_ms / problems_run * 1000:6.2f} ms wall ({steps / problems_run:.0f} calls)"
    )
    print(f"{'debate, per step (one call)':<34} {cpu_ms / steps * 1000:6.2f} ms CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    with stub_process(0.0) as base:
        asyncio.run(measure(base, args.calls))


if __name__ == "__main__":
    main()
