"""Cost and memory of large runs: problems/s, peak RSS and resume time at growing sizes.

    python benchmarks/bench_scale.py [--sizes 1000,10000,100000] [--workers 2]

`single` against the loopback stub answering at once (its own process), through what
`council bench` does: a JSONL data set written to a temporary directory and read as the
run goes (`ProblemSet`), the run's config and manifest, and `BenchSession.run`. Each size
runs in a fresh child process, so its peak RSS (ru_maxrss) is that run's alone; the
largest worker process's peak is beside it. Resume is a second session on the finished
run (nothing left to do, in this process): its start-up is the time until it knows what
is done (reading the results file's heads); its total adds reopening the data set and
reading it past every done problem, and the summary.
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

from benchmarks.loopback import stub_process
from benchmarks.provenance import announce
from council.bench.executors.base import Placement
from council.bench.grading import Grader
from council.bench.heap import settle_for_many_problems
from council.bench.problem_set import ProblemSet
from council.bench.session import BenchSession
from council.run_log.config import DatasetSpec, check_or_save_config
from council.run_log.manifest import record_session
from council.run_log.results import RESULTS_FILE
from council.run_log.summary import Summary


def write_dataset(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            handle.write(json.dumps({"question": f"What is {i} + {i}?", "answer": str(2 * i)}))
            handle.write("\n")


async def session_run(
    session: BenchSession, spec: DatasetSpec, out: Path, grader: Grader, concurrency: int
) -> tuple[Summary, float]:
    """One `council bench` session; returns its summary and the seconds until it knew
    what earlier sessions had done."""
    began = time.perf_counter()
    problems = ProblemSet(spec)
    runner = session.runner("single")
    config = session.run_config("single", spec, runner, memory=False)
    check_or_save_config(out, config)
    record_session(out, config, runner, problems)
    known: list[float] = []

    class Watch:
        def start(self, label: str, total: int, completed: int, text: str) -> None:
            known.append(time.perf_counter() - began)

        def update(self, completed: int, text: str) -> None:
            return None

        def stop(self) -> None:
            return None

    summary = await session.run(
        runner,
        problems,
        out,
        grader=grader,
        concurrency=concurrency,
        progress=Watch(),
        spec=session.remote_spec("single"),
    )
    return summary, known[0]


async def one_size(api_base: str, size: int, workers: int, concurrency: int) -> dict[str, float]:
    from benchmarks.bench_throughput import make_recipe
    from council.models.settings import ModelSettings

    settings = ModelSettings(max_tokens=64, temperature=0.0, max_retries=0)
    recipe = make_recipe(api_base, settings)
    with tempfile.TemporaryDirectory() as folder, Grader(workers=1) as grader:
        data, out = Path(folder) / "data.jsonl", Path(folder) / "run"
        write_dataset(data, size)
        settle_for_many_problems()  # as `council bench` does once its runner is built
        spec = DatasetSpec(source=str(data))

        def session(placement: Placement) -> BenchSession:
            return BenchSession(
                recipe.config, recipe.options, model_given=True, placement=placement
            )

        started = time.perf_counter()
        summary, _ = await session_run(
            session(Placement(workers=workers)), spec, out, grader, concurrency
        )
        elapsed = time.perf_counter() - started
        assert summary.graded == size, summary
        peak_run = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        peak_worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        resumed = time.perf_counter()
        again, start_up = await session_run(
            session(Placement(workers=1)), spec, out, grader, concurrency
        )
        resume_seconds = time.perf_counter() - resumed
        assert again.graded == size and again.problems == size
        size_mb = (out / RESULTS_FILE).stat().st_size / 1e6
    return {
        "problems": size,
        "problems_per_second": size / elapsed,
        "peak_rss_mb": peak_run,
        "peak_worker_rss_mb": peak_worker,
        "resume_start_seconds": start_up,
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
    announce(__doc__.splitlines()[0] if __doc__ else "bench_scale")
    with stub_process(delay=0.0) as api_base:
        print(
            f"{'problems':>9} {'problems/s':>10} {'peak RSS':>9} {'worker RSS':>10} "
            f"{'results':>9} {'resume start-up':>15} {'resume total':>12}",
            flush=True,
        )
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
                f"{size:>9} {f['problems_per_second']:>10.1f} {f['peak_rss_mb']:>6.0f} MB "
                f"{f['peak_worker_rss_mb']:>7.0f} MB {f['results_mb']:>6.1f} MB "
                f"{f['resume_start_seconds']:>13.2f} s {f['resume_seconds']:>10.2f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
