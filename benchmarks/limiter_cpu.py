"""CPU per model call of the rate limiter, unthrottled: the endpoint limiter of a process of
its own (`--workers 1`) against a worker's stand-in asking the run's host in the driver
over a pipe (`--workers N`: `council.models.shared_limiter`, `...executors.limiter_pipe`).

    python benchmarks/limiter_cpu.py [--calls 20000] [--concurrency 64] [--repeats 3] [--ray]

`--concurrency` tasks each take a permit, yield once (a call's own await), and hand it
back, until `--calls` permits were taken. Printed: microseconds of CPU per call in this
process (the worker) and, for the shared limiter, in the host's process (the driver),
the median of `--repeats` runs; with `--ray`, also for a Ray actor asking the run's
`LimiterActor` on a local Ray instance (once, after a warm-up). Beside them, what a
`single` problem costs in all
(`benchmarks/workers_cpu.py` measures about 2.2 ms on the machine the figures below were
taken on) puts the difference in proportion. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import statistics
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from council.bench.executors.limiter_pipe import PipeLimiterClient, PipeLimiterServer
from council.models.limiter import EndpointLimiters, Limiter, ProviderLimits
from council.models.shared_limiter import Grant, LimiterHost
from council.processes import exit_when_parent_dies

TICKS = os.sysconf("SC_CLK_TCK")
ENDPOINT = "openai/x at http://provider.test/v1"


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def host_main(conn: Connection, parent_pid: int) -> None:
    """The driver's side: serve permits until the worker's end closes."""
    exit_when_parent_dies(parent_pid)

    async def serve() -> None:
        closed = asyncio.Event()
        server = PipeLimiterServer(LimiterHost(), conn, "worker-0")
        original = server.close

        def close() -> None:
            original()
            closed.set()

        server.close = close  # type: ignore[method-assign]
        await closed.wait()

    asyncio.run(serve())


async def calls(limiter: Limiter, count: int, concurrency: int) -> None:
    left = count

    async def one_task() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            started = await limiter.acquire(time.monotonic())
            await asyncio.sleep(0)
            limiter.finished(started)

    await asyncio.gather(*(one_task() for _ in range(concurrency)))


async def measure_local(count: int, concurrency: int) -> float:
    limiter = EndpointLimiters().get(ENDPOINT, ProviderLimits())
    await calls(limiter, concurrency, concurrency)  # warm
    before = own_cpu()
    await calls(limiter, count, concurrency)
    return (own_cpu() - before) / count * 1e6


async def measure_shared(count: int, concurrency: int) -> tuple[float, float]:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    host = context.Process(target=host_main, args=(theirs, os.getpid()), daemon=True)
    host.start()
    theirs.close()
    client = PipeLimiterClient(ours)
    registry = EndpointLimiters()
    registry.share(client)
    limiter = registry.get(ENDPOINT, ProviderLimits())
    try:
        await calls(limiter, concurrency * 4, concurrency)  # warm, and the host is up
        assert host.pid is not None
        before = own_cpu(), process_cpu(host.pid)
        await calls(limiter, count, concurrency)
        after = own_cpu(), process_cpu(host.pid)
    finally:
        client.close()
        await asyncio.to_thread(host.join, 10)
    return (
        (after[0] - before[0]) / count * 1e6,
        (after[1] - before[1]) / count * 1e6,
    )


def measure_ray(count: int, concurrency: int) -> tuple[float, float]:
    import ray

    from council.bench.executors.ray_limiter import LimiterActor, RayLimiterClient

    class Caller:
        """Stands where a `SolverActor` does: its calls ask the run's `LimiterActor`."""

        def __init__(self, host: Any) -> None:
            actor = ray.get_runtime_context().current_actor
            self.client = RayLimiterClient(host, actor)
            self.registry = EndpointLimiters()
            self.registry.share(self.client)

        async def limiter_grants(self, grants: list[Grant]) -> None:
            self.client.deliver(grants)

        async def run(self, count: int, concurrency: int) -> float:
            limiter = self.registry.get(ENDPOINT, ProviderLimits())
            before = own_cpu()
            await calls(limiter, count, concurrency)
            return (own_cpu() - before) / count * 1e6

    root = str(Path(__file__).resolve().parents[1])
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": root}},
    )
    try:
        host = ray.remote(LimiterActor).options(num_cpus=0, max_concurrency=1000).remote()
        caller = ray.remote(Caller).options(max_concurrency=1000).remote(host)
        ray.get(caller.run.remote(concurrency * 4, concurrency))  # warm
        host_pid = ray.get(host.__ray_call__.remote(lambda actor: os.getpid()))
        before = process_cpu(host_pid)
        solver = ray.get(caller.run.remote(count, concurrency))
        return solver, (process_cpu(host_pid) - before) / count * 1e6
    finally:
        ray.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ray", action="store_true", help="also through a Ray actor")
    args = parser.parse_args()
    local = [asyncio.run(measure_local(args.calls, args.concurrency)) for _ in range(args.repeats)]
    shared = [
        asyncio.run(measure_shared(args.calls, args.concurrency)) for _ in range(args.repeats)
    ]
    worker = statistics.median(s[0] for s in shared)
    driver = statistics.median(s[1] for s in shared)
    print(f"{args.calls} calls at concurrency {args.concurrency}, median of {args.repeats}:")
    print(f"  own limiter (one process)        {statistics.median(local):6.1f} us CPU per call")
    print(f"  the run's limiter, worker side   {worker:6.1f} us CPU per call")
    print(f"  the run's limiter, driver side   {driver:6.1f} us CPU per call")
    print(f"  the run's limiter, both          {worker + driver:6.1f} us CPU per call")
    if args.ray:
        solver, host = measure_ray(args.calls, args.concurrency)
        print(f"  on Ray, solver actor side        {solver:6.1f} us CPU per call")
        print(f"  on Ray, limiter actor side       {host:6.1f} us CPU per call")


if __name__ == "__main__":
    main()
