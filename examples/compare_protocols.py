"""Compare two protocols on the same problems: accuracy, tokens and a paired test.

Runs a single agent and a three-sample self-consistency vote over a small JSONL file with
strict answer checking, then compares them problem by problem (McNemar's exact test on the
problems only one of them got right). Runs offline with the embedded model; pass
`--dataset` for your own JSONL and `--model` for any litellm model string.

    python examples/compare_protocols.py --out runs/compare
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from council import ModelSettings, ModelSpec, ProtocolOptions, RunSpec, build_model
from council.bench.grading import Grader
from council.bench.problem_set import load_problems
from council.bench.report import paired
from council.bench.runner import run_benchmark
from council.models.roles import RoleModels
from council.run_log.config import DatasetSpec
from council.run_log.summary import Summary

HERE = Path(__file__).resolve().parent
PROTOCOLS = ("single", "self-consistency")


async def compare(dataset: Path, out: Path, model_name: str, concurrency: int) -> None:
    problems = load_problems(DatasetSpec(source=str(dataset)))
    settings = ModelSettings(max_tokens=96, temperature=0.2, seed=0)
    models = RoleModels(build_model(ModelSpec(name=model_name, settings=settings)))
    options = {  # each protocol gets only the options it uses (others are refused)
        "single": ProtocolOptions(settings=settings),
        "self-consistency": ProtocolOptions(samples=3, settings=settings),
    }
    summaries: dict[str, Summary] = {}
    with Grader(workers=1) as grader:
        for protocol in PROTOCOLS:
            runner = RunSpec(graph=protocol, options=options[protocol]).build(models=models)
            # Re-running with the same --out resumes: finished problems are not run again.
            summaries[protocol] = await run_benchmark(
                runner, problems, out / protocol, grader=grader, concurrency=concurrency
            )
    print(f"{'protocol':<18} {'accuracy':>8} {'95% CI':>15} {'tokens/problem':>15}")
    for protocol, summary in summaries.items():
        interval = f"{summary.ci95_low:.0%}-{summary.ci95_high:.0%}"
        print(
            f"{protocol:<18} {summary.accuracy:>8.0%} {interval:>15} "
            f"{summary.tokens_per_problem:>15.0f}"
        )
    comparison = paired(out / PROTOCOLS[0], out / PROTOCOLS[1])
    print(
        f"paired over {comparison.shared} problems: only {PROTOCOLS[0]} right "
        f"{comparison.only_first_correct}, only {PROTOCOLS[1]} right "
        f"{comparison.only_second_correct}, McNemar p = {comparison.mcnemar_p:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=HERE / "data" / "arithmetic.jsonl")
    parser.add_argument("--out", type=Path, default=Path("runs") / "compare")
    parser.add_argument("--model", default="local/smollm2")
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(compare(args.dataset, args.out, args.model, args.concurrency))


if __name__ == "__main__":
    main()
