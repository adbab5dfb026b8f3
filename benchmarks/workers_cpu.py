"""CPU per problem, process by process, of a `--workers N` run: the driver (its event
loop, the writer, the threads talking to workers) and each worker process.

    python benchmarks/workers_cpu.py [--count 2048] [--concurrency 64] [--delay 0] [--workers 2]

`single` against the loopback stub (its own process, answering after `--delay` seconds),
through `run_on` with a `ProcessExecutor`, after a warm-up run. CPU time, unlike wall
time, is fair to compare on a machine that other work shares: it says whether the driver
or the workers would be the limit once cores are free. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_throughput import make_recipe, problems

from benchmarks.loopback import stub_process
from benchmarks.provenance import announce
from council.bench.executors.processes import ProcessExecutor
from council.bench.heap import settle_for_many_problems
from council.bench.runner import run_on
from council.models.settings import ModelSettings

TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of another process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(api_base: str, count: int, concurrency: int, workers: int) -> None:
    settings = ModelSettings(max_tokens=64, temperature=0.0, max_retries=0)
    items = problems(count + concurrency)
    executor = await ProcessExecutor(make_recipe(api_base, settings), workers=workers).start()
    settle_for_many_problems()  # as `council bench` does once its runner is built
    try:
        with tempfile.TemporaryDirectory() as folder:
            warm = items[:concurrency]  # also waits for the workers to build their runners
            await run_on(executor, warm, Path(folder) / "warm", concurrency=concurrency)
            pids = executor.pids
            before = [own_cpu(), *(process_cpu(pid) for pid in pids)]
            started = time.perf_counter()
            await run_on(
                executor, items[concurrency:], Path(folder) / "run", concurrency=concurrency
            )
            wall = time.perf_counter() - started
            after = [own_cpu(), *(process_cpu(pid) for pid in pids)]
    finally:
        await executor.close()
    per_problem = [(b - a) / count * 1000 for a, b in zip(before, after, strict=True)]
    print(f"{count} problems at concurrency {concurrency}: {count / wall:.1f} problems/s")
    print(f"  driver      {per_problem[0]:5.2f} ms CPU per problem")
    for index, ms in enumerate(per_problem[1:]):
        print(f"  worker {index}    {ms:5.2f} ms CPU per problem (its share)")
    print(f"  all         {sum(per_problem):5.2f} ms CPU per problem")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2048)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--delay", type=float, default=0.0, help="the stub's seconds per answer")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    announce(__doc__.splitlines()[0] if __doc__ else "workers_cpu")
    with stub_process(args.delay) as api_base:
        asyncio.run(measure(api_base, args.count, args.concurrency, args.workers))


if __name__ == "__main__":
    main()
