"""Accuracy per protocol beside the plain chain-of-thought reference, on one stated dev
sample: the first `--limit` rows (default 50) of /work/shared/datasets/gsm8k_train.jsonl
after shuffling with seed 0, with the embedded model or `--model` (e.g.
`local//work/models/qwen/qwen2.5-coder-0.5b-instruct.gguf`).

For each: accuracy with its Wilson 95% interval, tokens per problem, truncated replies (per
call and per problem) and the extraction-failure rate. `cot-reference` is
`benchmarks/cot_reference.py`: the same prompt as `single`, sent by a bare script through
litellm, graded by the same grader, so `single` should match it on the same rows and model.
Every run is resumable; re-running continues where it stopped.

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
    parser.add_argument("--only", nargs="*", default=[*PROTOCOLS, "cot-reference"])
    args = parser.parse_args()
    print(
        f"dev sample: the first {args.limit} rows of {DATA} after shuffling with seed 0; "
        f"model {args.model}, max tokens {args.max_tokens}",
        flush=True,
    )
    runs = []
    for name in args.only:
        if name == "cot-reference":
            reference(args)
            continue
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
            f"problems, {summary['tokens_per_problem']:.0f} tokens/problem, truncated "
            f"{summary['truncated_call_rate']:.1%} of calls / "
            f"{summary['truncated_problem_rate']:.1%} of problems, extraction failed "
            f"{summary['extraction_failure_rate']:.1%}, {summary['seconds_per_problem']:.1f} "
            "s/problem",
            flush=True,
        )
        runs.append(str(out))
    if runs:
        report = [sys.executable, "-m", "council.cli.main", "bench", "report", *runs]
        subprocess.run(report, check=True)


def reference(args: argparse.Namespace) -> None:
    """The bare chain-of-thought script on the same rows, model and token limit."""
    command = [
        sys.executable,
        str(Path(__file__).with_name("cot_reference.py")),
        "--dataset",
        str(DATA),
        "--limit",
        str(args.limit),
        "--model",
        args.model,
        "--max-tokens",
        str(args.max_tokens),
        "--out",
        str(args.out / "cot-reference"),
    ]
    print("$", " ".join(command[1:]), flush=True)
    subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
