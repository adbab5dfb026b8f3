"""What `make demo` prints and how long its solve takes: `council solve ARGS` in a fresh
process each run (model server start included, as a first run pays it).

    python benchmarks/demo.py [--runs 3] -- --graph pot --sandbox process "QUESTION"

Prints the first run's output verbatim, then every run's wall time with the load average
when it started (other work on the machine slows a run: the figures say how much there
was) and every run's answer (a demo that is right once by luck would show here). With
`COUNCIL_MEASUREMENTS=docs/measurements` it writes the page the README's demo section is
generated from (`make demo-record`).
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.provenance import REPO, announce


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("solve", nargs=argparse.REMAINDER, help="`council solve`'s arguments")
    args = parser.parse_args()
    solve = [a for a in args.solve if a != "--"]
    if not solve:
        parser.error("give `council solve`'s arguments after --, as `make demo-record` does")
    announce(__doc__.splitlines()[0])
    command = ["council", "solve", *solve]
    print(f"$ {shlex.join(command)}")
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    seconds: list[float] = []
    loads: list[float] = []
    answers: list[str] = []
    for run in range(args.runs):
        loads.append(os.getloadavg()[0])
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "council.main", "solve", *solve],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # merged, in the order a terminal shows them
            text=True,
            cwd=REPO,
            env=env,
        )
        seconds.append(time.perf_counter() - started)
        if done.returncode != 0:
            print(done.stdout, end="")
            print(f"error: the solve exited with {done.returncode}")
            return 1
        if run == 0:
            print(done.stdout, end="")
        said = [line for line in done.stdout.splitlines() if line.startswith("answer: ")]
        answers.append(said[-1].removeprefix("answer: ") if said else "(none printed)")
    shown = ", ".join(f"{s:.1f} s" for s in seconds)
    load = ", ".join(f"{value:.1f}" for value in loads)
    print(
        f"wall time per run (a fresh process, the model server's start included): {shown}; "
        f"1-minute load average as each run started: {load}; answer per run: {', '.join(answers)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
