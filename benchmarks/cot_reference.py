"""The plain chain-of-thought reference: what `single` must match on the same rows and model.

No council agents, graphs or runners: each problem goes to the model as one user message,
"{question}\\nPlease reason step by step, and put your final answer within \\boxed{}.",
greedy (temperature 0), through litellm directly. A `local/<name or .gguf path>` model is
served by the same local server child council uses (an OpenAI-compatible endpoint), so the
two see the same weights and server. The answer is read the same way (last `\\boxed{}`, else
an answer marker, else the last number) and graded by the same grader; a reply cut at the
token limit has no answer, as in council.

    python benchmarks/cot_reference.py [--limit 50] [--model local/smollm2] \\
        [--max-tokens 160] [--out runs/accuracy/cot-reference]

The dev sample is the first `--limit` rows of gsm8k_train.jsonl after shuffling with seed 0
(as `benchmarks/accuracy.py`). Resumable: done problems in `<out>/results.jsonl` are kept.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from council.agents.answerer import COT_INSTRUCTION
from council.answers import extract_answer
from council.bench.datasets import Problem
from council.bench.grading import Grader
from council.bench.problem_set import load_problems
from council.run_log.config import DatasetSpec
from council.stats import wilson_interval

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.provenance import announce

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "gsm8k_train.jsonl"


class ReferenceLine(BaseModel):
    problem_id: str
    gold: str
    reply: str
    finish_reason: str | None
    answer: str | None
    extraction: str
    predicted: str | None
    correct: bool
    extraction_failed: bool
    prompt_tokens: int
    completion_tokens: int
    seconds: float


class ReferenceSummary(BaseModel):
    model: str
    problems: int
    correct: int
    accuracy: float
    ci95_low: float
    ci95_high: float
    tokens_per_problem: float
    truncation_rate: float
    extraction_failure_rate: float
    extraction_methods: dict[str, int]


def endpoint(model: str, api_base: str | None) -> dict[str, Any]:
    """litellm arguments for `model`; a local model is started (or reused) first."""
    if model.startswith("local/") or model.endswith(".gguf"):
        from council.models.local_server import LOCAL_SERVERS

        server = LOCAL_SERVERS.server_for(model.removeprefix("local/"))
        return {
            "model": f"openai/{server.alias}",
            "api_base": server.api_base(),
            "api_key": "not-needed",
        }
    found: dict[str, Any] = {"model": model}
    if api_base:
        found.update(api_base=api_base, api_key=os.environ.get("OPENAI_API_KEY", "not-needed"))
    return found


def quiet_litellm() -> None:
    """Offline: litellm's bundled cost map, not a download at import (as council does)."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


def ask(target: dict[str, Any], problem: Problem, max_tokens: int) -> tuple[Any, float]:
    import litellm

    started = time.perf_counter()
    response = litellm.completion(
        **target,
        messages=[{"role": "user", "content": f"{problem.question}\n{COT_INSTRUCTION}"}],
        temperature=0.0,
        max_tokens=max_tokens,
    )
    return response, time.perf_counter() - started


def solve(
    target: dict[str, Any], problem: Problem, grader: Grader, max_tokens: int
) -> ReferenceLine:
    response, seconds = ask(target, problem, max_tokens)
    choice = response.choices[0]
    reply = choice.message.content or ""
    truncated = choice.finish_reason == "length"
    found = extract_answer(reply)
    answer = None if truncated else found.value
    grade = grader.grade(answer, problem.gold)
    usage = response.usage
    return ReferenceLine(
        problem_id=problem.id,
        gold=problem.gold,
        reply=reply,
        finish_reason=choice.finish_reason,
        answer=answer,
        extraction=found.method,
        predicted=grade.predicted,
        correct=grade.correct,
        extraction_failed=grade.extraction_failed,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        seconds=seconds,
    )


def summarise(model: str, lines: list[ReferenceLine]) -> ReferenceSummary:
    n = len(lines)
    correct = sum(line.correct for line in lines)
    low, high = wilson_interval(correct, n)
    methods: dict[str, int] = {}
    for line in lines:
        methods[line.extraction] = methods.get(line.extraction, 0) + 1
    tokens = sum(line.prompt_tokens + line.completion_tokens for line in lines)
    return ReferenceSummary(
        model=model,
        problems=n,
        correct=correct,
        accuracy=correct / n if n else 0.0,
        ci95_low=low,
        ci95_high=high,
        tokens_per_problem=tokens / n if n else 0.0,
        truncation_rate=sum(line.finish_reason == "length" for line in lines) / n if n else 0.0,
        extraction_failure_rate=sum(line.extraction_failed for line in lines) / n if n else 0.0,
        extraction_methods=dict(sorted(methods.items())),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", type=Path, default=DATA)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--model", default="local/smollm2")
    parser.add_argument("--api-base", default=None)
    parser.add_argument("--max-tokens", type=int, default=160)
    parser.add_argument("--out", type=Path, default=Path("runs/accuracy/cot-reference"))
    args = parser.parse_args()
    announce(__doc__.splitlines()[0] if __doc__ else "cot_reference")
    problems = load_problems(
        DatasetSpec(source=str(args.dataset), shuffle=True, seed=0, limit=args.limit)
    )
    args.out.mkdir(parents=True, exist_ok=True)
    results = args.out / "results.jsonl"
    done = (
        {line.problem_id: line for line in map(ReferenceLine.model_validate_json, results.open())}
        if results.exists()
        else {}
    )
    quiet_litellm()
    target = endpoint(args.model, args.api_base)
    with Grader(workers=1) as grader, results.open("a", encoding="utf-8") as handle:
        for problem in problems:
            if problem.id in done:
                continue
            line = solve(target, problem, grader, args.max_tokens)
            handle.write(line.model_dump_json() + "\n")
            handle.flush()
            done[line.problem_id] = line
    summary = summarise(args.model, [done[p.id] for p in problems])
    (args.out / "summary.json").write_text(summary.model_dump_json(indent=2))
    print(
        f"cot-reference: accuracy {summary.accuracy:.1%} "
        f"[{summary.ci95_low:.1%}, {summary.ci95_high:.1%}] on {summary.problems} problems, "
        f"{summary.tokens_per_problem:.0f} tokens/problem, truncated "
        f"{summary.truncation_rate:.1%}, extraction failed {summary.extraction_failure_rate:.1%}",
        flush=True,
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
