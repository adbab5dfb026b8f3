"""Cost and memory of large runs: problems/s, peak RSS and resume start-up at growing sizes.

    python benchmarks/bench_scale.py [--sizes 1000,10000,100000] [--workers 1]

`single` against the loopback stub answering at once (its own process). Each size runs in
a fresh child process, so its peak RSS (ru_maxrss) is that run's alone; problems are
generated in memory. Resume start-up is the time a second session needs before its first
problem: reading which problems are done, on the finished run (nothing left to do).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from council.bench.datasets import Problem
from council.bench.executors.base import Placement
from council.bench.executors.select import open_executor
from council.bench.grading import Grader
from council.bench.results import RESULTS_FILE, ResultsFile
from council.bench.runner import run_benchmark, run_on
from tests.support.servers import stub_process


def generated(count: int) -> list[Problem]:
    return [
        Problem(id=f"q{i}", question=f"What is {i} + {i}?", gold=str(2 * i)) for i in range(count)
    ]


async def one_size(api_base: str, size: int, workers: int, concurrency: int) -> dict[str, float]:
    from bench_throughput import make_recipe, make_runner

    from council.models.settings import ModelSettings

    settings = ModelSettings(max_tokens=64, temperature=0.0, max_retries=0)
    items = generated(size)
    with tempfile.TemporaryDirectory() as folder, Grader(workers=1) as grader:
        run_dir = Path(folder)
        executor = await open_executor(Placement(workers=workers), make_recipe(api_base, settings))
        started = time.perf_counter()
        try:
            if executor is None:
                runner = make_runner(api_base, settings)
                summary = await run_benchmark(
                    runner, items, run_dir, grader=grader, concurrency=concurrency
                )
            else:
                summary = await run_on(executor, items, run_dir, concurrency=concurrency)
        finally:
            if executor is not None:
                await executor.close()
        elapsed = time.perf_counter() - started
        assert summary.graded == size, summary
        peak_run = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        resumed = time.perf_counter()
        done = ResultsFile(run_dir / RESULTS_FILE).done_ids()
        resume_seconds = time.perf_counter() - resumed
        assert len(done) == size
        size_mb = (run_dir / RESULTS_FILE).stat().st_size / 1e6
    return {
        "problems": size,
        "problems_per_second": size / elapsed,
        "peak_rss_mb": peak_run,
        "resume_seconds": resume_seconds,
        "results_mb": size_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--size", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--api-base", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.size is not None:  # the child: one size, one JSON line
        figures = asyncio.run(one_size(args.api_base, args.size, args.workers, args.concurrency))
        print(json.dumps(figures), flush=True)
        return
    with stub_process(delay=0.0) as api_base:
        for size in (int(s) for s in args.sizes.split(",")):
            child = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--size",
                    str(size),
                    "--api-base",
                    api_base,
                    "--workers",
                    str(args.workers),
                    "--concurrency",
                    str(args.concurrency),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            f = json.loads(child.stdout.strip().splitlines()[-1])
            print(
                f"{size:>7} problems: {f['problems_per_second']:6.1f} problems/s, "
                f"peak RSS {f['peak_rss_mb']:5.0f} MB, results.jsonl {f['results_mb']:6.1f} MB, "
                f"resume start-up {f['resume_seconds']:.2f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
