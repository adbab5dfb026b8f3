"""Wall time of each test tier, as `make test` runs them (one `make test-<tier>` each).

    python benchmarks/test_tiers.py [--tiers unit,integration,model,docker,browser,ray]

Prints one markdown table row per tier: the make target, its wall time, and pytest's own
summary line. With `COUNCIL_MEASUREMENTS=docs/measurements` the table becomes the page the
README's "Tests" section is generated from (`scripts/docgen.py`).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.provenance import REPO, announce

TIERS = ("unit", "integration", "model", "docker", "browser", "ray")
SUMMARY = re.compile(
    r"^=*\s*(\d+ (?:passed|failed|errors?|skipped|deselected)\b.*?) in [\d.]+s", re.M
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiers", default="unit", help=f"comma-separated, of {','.join(TIERS)}")
    args = parser.parse_args()
    tiers = [t for t in args.tiers.split(",") if t]
    unknown = sorted(set(tiers) - set(TIERS))
    if unknown:
        print(f"error: unknown tier {', '.join(unknown)}; tiers: {', '.join(TIERS)}")
        return 1
    announce(__doc__.splitlines()[0])
    print("| tier | command | wall time | pytest says |")
    print("| --- | --- | --- | --- |")
    failed = False
    for tier in tiers:
        started = time.perf_counter()
        done = subprocess.run(
            ["make", "-s", f"test-{tier}"], cwd=REPO, capture_output=True, text=True
        )
        seconds = time.perf_counter() - started
        found = [m.group(1) for m in SUMMARY.finditer(done.stdout)]
        said = found[-1] if found else f"exit {done.returncode}"
        failed |= done.returncode != 0
        print(f"| {tier} | `make test-{tier}` | {seconds:.0f} s | {said} |", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
