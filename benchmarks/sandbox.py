"""Sandbox speed: cold start, warm round trips, and pool throughput.

    python benchmarks/sandbox.py [--sandbox docker|process] [--calls 300]

All limits are on (no network, memory/CPU/pids limits, read-only root, non-root user).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from council.tools.sandbox import SandboxConfig, open_sandbox
from council.tools.sandbox.interpreter import SandboxSession

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.provenance import announce

SYMPY_SETUP = "import sympy\nx = sympy.Symbol('x')"
SYMPY_CALL = "sympy.solve(x**2 - 2, x)"


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def round_trips(
    session: SandboxSession, code: str, calls: int
) -> tuple[list[float], list[float]]:
    """Round-trip times, and the time the interpreter itself spent on each call."""
    for _ in range(10):
        await session.run(code)  # warm-up
    times, inside = [], []
    for _ in range(calls):
        started = time.perf_counter()
        result = await session.run(code)
        times.append((time.perf_counter() - started) * 1000)
        inside.append(result.duration_ms)
        assert result.error is None, result.error
    return times, inside


async def pool_throughput(kind: str, sessions: int, calls: int) -> float:
    from council.tools.sandbox.pool import SandboxPool

    if kind != "docker":
        return float("nan")
    async with SandboxPool(SandboxConfig(), size=sessions) as pool:
        await pool.warm(sessions)

        async def worker() -> None:
            async with pool.session() as session:
                for _ in range(calls):
                    await session.run("print(1+1)")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(sessions)))
        return sessions * calls / (time.perf_counter() - started)


async def main(kind: str, calls: int) -> None:
    started = time.perf_counter()
    async with open_sandbox(kind, SandboxConfig()) as session:  # type: ignore[arg-type]
        await session.run("1")
        cold = time.perf_counter() - started
        simple, _ = await round_trips(session, "print(1+1)", calls)
        await session.run(SYMPY_SETUP)
        sympy_times, sympy_inside = await round_trips(session, SYMPY_CALL, max(50, calls // 4))
    print(f"{kind} sandbox, all limits on")
    print(f"cold start (container + interpreter with sympy/numpy preloaded): {cold * 1000:.0f} ms")
    print(
        f"warm print(1+1): p50 {statistics.median(simple):.2f} ms, "
        f"p95 {percentile(simple, 0.95):.2f} ms ({calls} calls)"
    )
    print(
        f"warm sympy solve(x**2-2): p50 {statistics.median(sympy_times):.2f} ms, "
        f"p95 {percentile(sympy_times, 0.95):.2f} ms "
        f"(of which sympy itself, inside the sandbox: p50 {statistics.median(sympy_inside):.2f} ms)"
    )
    throughput = await pool_throughput(kind, 4, calls)
    if throughput == throughput:
        print(f"pool, 4 concurrent sessions: {throughput:.0f} calls/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sandbox", choices=["docker", "process"], default="docker")
    parser.add_argument("--calls", type=int, default=300)
    options = parser.parse_args()
    announce(__doc__.splitlines()[0] if __doc__ else "sandbox")
    asyncio.run(main(options.sandbox, options.calls))
