"""`council bench` against a rate-limited provider: are problems lost, requests wasted, and
how much of what the provider allows does the run get?

    python benchmarks/rate_limit.py                      # issue 24's scenario
    python benchmarks/rate_limit.py --problems 60 --concurrency 16
    python benchmarks/rate_limit.py --fault-share 0.32   # random 429/500/resets/non-JSON

A loopback server (`tests/support/limited_server.py`) accepts 20 requests in any sliding
second, refuses more with 429 and `Retry-After: 1`, and answers what it accepts after
0.2 s. The real command line runs against it in a child process:
`council bench --protocol single --limit N --concurrency C`. Printed, from one run: the
exit code and errored problems (from the run's summary), requests per answer (1.00: none
wasted) and the share of the allowed rate the run reached (answers per second, between the
server's first accepted request and its last answer, over 20/s). With more than one worker
process (`--workers`, by default council's: the usable CPUs), the workers ask the driver's
limiter (`council.models.shared_limiter`), so they learn the provider's rate as one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.limited_server import ALL_FAULTS, Counts, Limits, limited_server  # noqa: E402
from benchmarks.provenance import announce  # noqa: E402


def write_dataset(path: Path, count: int) -> None:
    with path.open("w") as handle:
        for index in range(count):
            row = {"id": f"p{index}", "question": f"What is 2 + 2? ({index})", "answer": "4"}
            handle.write(json.dumps(row) + "\n")


async def one_run(args: argparse.Namespace) -> dict[str, object]:
    limits = Limits(
        per_window=args.per_window or None,
        window_seconds=args.window,
        answer_seconds=args.answer_seconds,
        fault_share=args.fault_share,
        faults=ALL_FAULTS,
    )
    counts = Counts()
    with tempfile.TemporaryDirectory() as folder:
        data, out = Path(folder) / "data.jsonl", Path(folder) / "run"
        write_dataset(data, args.problems)
        async with limited_server(limits, counts) as base:
            command = [
                sys.executable,
                "-m",
                "council.main",
                "bench",
                "--dataset",
                str(data),
                "--out",
                str(out),
                "--protocol",
                "single",
                "--limit",
                str(args.problems),
                "--concurrency",
                str(args.concurrency),
                "--model",
                "openai/limited",
                "--api-base",
                base,
                *(["--workers", str(args.workers)] if args.workers else []),
                *args.extra,
            ]
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            started = time.perf_counter()
            child = await asyncio.create_subprocess_exec(
                *command,
                cwd=ROOT,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            stdout, stderr = await child.communicate()
            wall = time.perf_counter() - started
        summary_text = stdout.decode()
        errors: int | None = None
        if summary_text.strip():
            errors = int(json.loads(summary_text)["errors"])
        tail = stderr.decode().strip().splitlines()[-3:]
    allowed = (args.per_window / args.window) if args.per_window else None
    return {
        "exit_code": child.returncode,
        "errors": errors,
        **counts.report(),
        "requests_per_answer": round(counts.requests / max(counts.answered, 1), 3),
        "allowed_per_second": allowed,
        "share_of_allowed_rate": (
            round(counts.answered_per_second / allowed, 3) if allowed else None
        ),
        "wall_seconds": round(wall, 1),
        "stderr_tail": tail,
        "per_second_answered_refused": counts.timeline() if args.timeline else "(--timeline)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--problems", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=None, help="default: council's")
    parser.add_argument("--per-window", type=int, default=20, help="0: no limiter")
    parser.add_argument("--window", type=float, default=1.0)
    parser.add_argument("--answer-seconds", type=float, default=0.2)
    parser.add_argument("--fault-share", type=float, default=0.0)
    parser.add_argument("--timeline", action="store_true", help="answers and refusals a second")
    parser.add_argument("extra", nargs="*", help="more `council bench` options, after --")
    args = parser.parse_args()
    announce(__doc__.splitlines()[0] if __doc__ else "rate limits")
    figures = asyncio.run(one_run(args))
    for key, value in figures.items():
        print(f"{key:>24}: {value}")


if __name__ == "__main__":
    main()
