"""Accuracy and tokens per protocol on the first 50 GSM8K train rows after shuffling with
seed 0, with the embedded model (or --model). Each run is a resumable `council bench`
directory; re-running continues where it stopped.

    python benchmarks/accuracy.py [--limit 50] [--model local/smollm2] [--out runs/accuracy]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "gsm8k_train.jsonl"
PROTOCOLS: dict[str, list[str]] = {
    "single": ["--protocol", "single"],
    "self-consistency": ["--protocol", "self-consistency", "--samples", "5"],
    "debate": ["--protocol", "debate", "--agents", "3", "--rounds", "2"],
    "solve-tools": ["--protocol", "solve", "--rounds", "2", "--tools", "python"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--model", default="local/smollm2")
    parser.add_argument("--max-tokens", type=int, default=160)
    parser.add_argument("--out", type=Path, default=Path("runs/accuracy"))
    parser.add_argument("--only", nargs="*", default=list(PROTOCOLS))
    args = parser.parse_args()
    runs = []
    for name in args.only:
        out = args.out / name
        command = [
            sys.executable,
            "-m",
            "council.cli.main",
            "bench",
            "--dataset",
            str(DATA),
            "--shuffle",
            "--seed",
            "0",
            "--limit",
            str(args.limit),
            "--model",
            args.model,
            "--max-tokens",
            str(args.max_tokens),
            "--concurrency",
            "4",
            "--out",
            str(out),
            *PROTOCOLS[name],
        ]
        print("$", " ".join(command[2:]), flush=True)
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        summary = json.loads((out / "summary.json").read_text())
        print(
            f"{name}: accuracy {summary['accuracy']:.1%} "
            f"[{summary['ci95_low']:.1%}, {summary['ci95_high']:.1%}] on {summary['problems']} "
            f"problems, {summary['tokens_per_problem']:.0f} tokens/problem, "
            f"{summary['seconds_per_problem']:.1f} s/problem",
            flush=True,
        )
        runs.append(str(out))
    subprocess.run([sys.executable, "-m", "council.cli.main", "bench", "report", *runs], check=True)


if __name__ == "__main__":
    main()
