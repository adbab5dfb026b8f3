"""Accuracy per protocol at stated compute, beside the plain chain-of-thought reference.

The dev sample is the first `--limit` rows (default 50) of `--dataset` (default
/work/shared/datasets/gsm8k_train.jsonl) after shuffling with seed 0; the model is
`--model` (the embedded default, or e.g. `local//work/models/qwen/qwen2.5-coder-0.5b-
instruct.gguf`, or any served model with `--api-base`). Every protocol runs through
`council bench` with its defaults and the options below, greedy where its paper is.

For each: accuracy with its Wilson 95% interval, tokens per problem (prompt + completion,
every call), its ratio to `single`'s, seconds per problem (wall time of this script's
bench invocations over the problems they finished, so resumes add up, a stopped one's
included: only kill -9 loses its session's figure), calls per problem
and truncated replies. `best-of-n-verifier` also yields `best-of-n` with the `vote` scorer
on the very same candidates (maj@N of its pool, `council bench report --at-k`), at zero
extra calls: a `--scorer vote` run draws exactly those candidates. `cot-reference` is
`benchmarks/cot_reference.py` (a bare litellm script with `single`'s prompt). Every run is
resumable; re-running continues where it stopped.

    python benchmarks/accuracy.py [--limit 50] [--model M] [--api-base URL] \\
        [--dataset PATH] [--only single pot ...] [--out runs/accuracy] [--table]

`--table` prints the table of the runs already in `--out` without running anything.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.provenance import announce
from council.bench.at_k import at_k
from council.bench.grading import Grader
from council.run_log.results import RESULTS_FILE, ResultHead, ResultsFile
from council.stats import wilson_interval

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "gsm8k_train.jsonl"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PROTOCOLS: dict[str, list[str]] = {
    "single": ["--protocol", "single"],
    "pot": ["--protocol", "pot"],
    "tir": ["--protocol", "tir"],
    "self-consistency": ["--protocol", "self-consistency", "--samples", "5"],
    "cascade": ["--protocol", "cascade"],
    "best-of-n-verifier": ["--protocol", "best-of-n", "--samples", "5", "--scorer", "verifier"],
    "best-of-n-execution": ["--protocol", "best-of-n", "--samples", "5", "--scorer", "execution"],
    "refine": ["--protocol", "refine"],
    "debate": ["--protocol", "debate", "--agents", "3", "--rounds", "2"],
    "solve-tools": ["--protocol", "solve", "--rounds", "2", "--tools", "python"],
    "pot-self-consistency": ["--protocol", str(EXAMPLES / "pot-self-consistency.yaml")],
}
DEFAULT = [name for name in PROTOCOLS if name != "solve-tools"]
WALL_FILE = "accuracy_wall.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--dataset", type=Path, default=DATA)
    parser.add_argument("--model", default="local/smollm2")
    parser.add_argument("--api-base", default=None)
    parser.add_argument("--max-tokens", type=int, default=512)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per model call")
    parser.add_argument("--out", type=Path, default=Path("runs/accuracy"))
    parser.add_argument("--only", nargs="*", default=[*DEFAULT, "cot-reference"])
    parser.add_argument(
        "--table", action="store_true", help="only print the table of the runs in --out"
    )
    args = parser.parse_args()
    announce(__doc__.splitlines()[0] if __doc__ else "accuracy")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run `finally` blocks on kill
    if args.table:
        print(recorded_setup(args.out, args.only), flush=True)
    else:
        print(
            f"dev sample: the first {args.limit} rows of {args.dataset} after shuffling with "
            f"seed 0; model {args.model}, max tokens {args.max_tokens}",
            flush=True,
        )
    rows: list[dict[str, str]] = []
    for name in args.only:
        if name == "cot-reference":
            if not args.table:
                reference(args)
            continue
        out = args.out / name
        if not args.table:
            run_protocol(name, out, args)
        elif not (out / "summary.json").exists():
            continue
        rows.append(row(name, out))
        if name == "best-of-n-verifier":
            rows.append(vote_row(out))
    print_table(rows)


def recorded_setup(out: Path, names: list[str]) -> str:
    """What the runs in `out` were run with, read from their recorded configs (not from this
    command's flags, which `--table` does not use)."""
    setups: set[str] = set()
    for name in names:
        path = out / name / "config.json"
        if not path.exists():
            continue
        config = json.loads(path.read_text())
        dataset = config["dataset"]
        models = ", ".join(sorted({model["name"] for model in config["models"]}))
        setups.add(
            f"dev sample: the first {dataset['limit']} rows of {dataset['source']} after "
            f"shuffling with seed {dataset['seed']}; model {models}, max tokens "
            f"{config['options']['settings']['max_tokens']}"
        )
    if len(setups) > 1:
        return "runs differ in set-up:\n" + "\n".join(sorted(setups))
    return next(iter(setups), f"no runs in {out}")


def shared_options(args: argparse.Namespace) -> list[str]:
    """The rows, model and token limit every protocol and the reference run with."""
    return [
        "--dataset",
        str(args.dataset),
        "--limit",
        str(args.limit),
        "--model",
        args.model,
        *(["--api-base", args.api_base] if args.api_base else []),
        "--max-tokens",
        str(args.max_tokens),
    ]


def run_protocol(name: str, out: Path, args: argparse.Namespace) -> None:
    command = [
        sys.executable,
        "-m",
        "council.main",
        "bench",
        *shared_options(args),
        "--shuffle",
        "--seed",
        "0",
        "--concurrency",
        str(args.concurrency),
        "--timeout",
        str(args.timeout),
        "--out",
        str(out),
        *PROTOCOLS[name],
    ]
    print("$", " ".join(command[2:]), flush=True)
    before = finished(out)
    started = time.monotonic()
    bench = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        code = bench.wait()
    finally:  # stopped too (Ctrl-C, SIGTERM): the wall time of what did finish is kept
        if bench.poll() is None:
            bench.terminate()  # what finished is on disk already (fsynced per batch)
            bench.wait()
        seconds = time.monotonic() - started
        done = finished(out) - before
        with (out / WALL_FILE).open("a") as wall:
            wall.write(json.dumps({"problems": done, "seconds": seconds}) + "\n")
    if code != 0:
        raise subprocess.CalledProcessError(code, command)


def finished(out: Path) -> int:
    path = out / RESULTS_FILE
    if not path.exists():
        return 0
    return sum(head.done for head in ResultsFile(path).latest(ResultHead).values())


def seconds_per_problem(out: Path) -> float | None:
    path = out / WALL_FILE
    if not path.exists():
        return None
    entries = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    problems = sum(entry["problems"] for entry in entries)
    return sum(entry["seconds"] for entry in entries) / problems if problems else None


def row(name: str, out: Path) -> dict[str, str]:
    summary = json.loads((out / "summary.json").read_text())
    seconds = seconds_per_problem(out)
    return {
        "protocol": name,
        "accuracy": f"{summary['correct']}/{summary['problems']} = {summary['accuracy']:.0%}",
        "ci95": f"{summary['ci95_low']:.0%}–{summary['ci95_high']:.0%}",
        "tokens": f"{summary['tokens_per_problem']:.0f}",
        "calls": f"{summary['calls_per_problem']:.1f}",
        "seconds": "" if seconds is None else f"{seconds:.1f}",
        "truncated": f"{summary['truncated_call_rate']:.0%}",
    }


def vote_row(out: Path) -> dict[str, str]:
    """`best-of-n --scorer vote` on the verifier run's candidates: maj@N of its pool, with
    the tokens of the candidates' calls alone (a vote makes no judge calls)."""
    report = asyncio.run(at_k(out, Grader()))
    last = report.rows[-1]
    correct = round(last.maj * report.problems)
    low, high = wilson_interval(correct, report.problems)
    return {
        "protocol": f"best-of-n-vote (maj@{last.k} of the verifier run's pool)",
        "accuracy": f"{correct}/{report.problems} = {last.maj:.0%}",
        "ci95": f"{low:.0%}–{high:.0%}",
        "tokens": f"{last.tokens_per_problem:.0f}",  # the candidates' calls: maj@k's cost
        "calls": f"{last.k:.1f}",
        "seconds": "",
        "truncated": "",
    }


def print_table(rows: list[dict[str, str]]) -> None:
    if not rows:
        return
    base = next((float(r["tokens"]) for r in rows if r["protocol"] == "single"), None)
    columns = ["protocol", "accuracy", "95% CI", "tokens/problem", "× single", "s/problem"]
    columns += ["calls", "truncated"]
    print("\n| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for r in rows:
        ratio = f"{float(r['tokens']) / base:.1f}×" if base else ""
        print(
            f"| {r['protocol']} | {r['accuracy']} | {r['ci95']} | {r['tokens']} | {ratio} | "
            f"{r['seconds']} | {r['calls']} | {r['truncated']} |"
        )


def reference(args: argparse.Namespace) -> None:
    """The bare chain-of-thought script on the same rows, model and token limit."""
    command = [
        sys.executable,
        str(Path(__file__).with_name("cot_reference.py")),
        *shared_options(args),
        "--out",
        str(args.out / "cot-reference"),
    ]
    print("$", " ".join(command[1:]), flush=True)
    subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
