"""Why `make demo` runs `pot`: the embedded SmolLM2-135M asked for arithmetic with `single`
(one chain-of-thought answer, as the demo ran before) and with `pot` (it writes a program,
council runs it in the sandbox), each expression also as a word problem.

    python benchmarks/demo_choice.py

Runs `council bench` (greedy decoding, one model server per protocol and question form)
over a few expressions, and prints each problem's gold answer and what each protocol
answered. The demo's claim is that with `pot` the answer is right because the sandbox
computes it, not because the 135M model happened to: that holds only if `pot` is right on
every expression asked for as a program while `single` is not. The word problems show why
the demo's question asks for the program (the model answers them in prose, even under
PAL's three worked programs, so `pot` has nothing to run).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from pydantic import BaseModel, Field

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.provenance import REPO, announce

EXPRESSIONS = (
    ("6 * 7", "42"),
    ("23 * 19", "437"),
    ("144 / 12", "12"),
    ("3 * 4 + 5", "17"),
    ("1000 - 387", "613"),
)
WORD_PROBLEMS = (
    (
        "Tom has 12 apples. He gives 5 apples to his sister. How many apples does Tom have left?",
        "7",
    ),
    ("Olivia has 6 bags with 7 marbles in each bag. How many marbles does she have?", "42"),
)
SINGLE_OPTIONS = ("--graph", "single", "--max-tokens", "160")
POT_OPTIONS = ("--graph", "pot", "--sandbox", "process")


class Problem(BaseModel):
    id: str
    question: str
    answer: str
    shown: str = Field(exclude=True, description="the table's name for it")


class Outcome(BaseModel):
    """One problem's bench record: what the protocol answered and whether it was right."""

    predicted: str | None
    correct: bool
    reply: str = Field(description="the model's reply, on one line")


def problems(form: str) -> list[Problem]:
    """The expressions as `form` ({e} is the expression), then the word problems."""
    asked = [
        Problem(id=f"e{i}", question=form.format(e=e), answer=gold, shown=e)
        for i, (e, gold) in enumerate(EXPRESSIONS, 1)
    ]
    words = [
        Problem(id=f"w{i}", question=q, answer=a, shown=f"{q[:24]}...")
        for i, (q, a) in enumerate(WORD_PROBLEMS, 1)
    ]
    return asked + words


def bench(options: tuple[str, ...], asked: list[Problem], workdir: Path) -> list[Outcome]:
    """`council bench` over `asked` in one process; the outcomes in the data set's order."""
    name = options[1]
    data = workdir / f"{name}.jsonl"
    data.write_text("".join(problem.model_dump_json() + "\n" for problem in asked))
    out = workdir / f"{name}-run"
    command = [
        sys.executable, "-m", "council.main", "bench", "--dataset", str(data), "--format", "jsonl",
        "--id-field", "id", "--workers", "1", "--concurrency", "1", "--out", str(out), *options,
    ]  # fmt: skip
    subprocess.run(command, check=True, cwd=REPO, capture_output=True, text=True)
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    by_question = {record["question"]: record for record in records}
    return [
        Outcome(
            predicted=by_question[p.question]["predicted"],
            correct=by_question[p.question]["correct"],
            reply=" ".join(by_question[p.question]["calls"][-1]["reply"].split()),
        )
        for p in asked
    ]


def main() -> int:
    announce(__doc__.splitlines()[0])
    single_asked = problems("What is {e}?")
    pot_asked = problems("Write a Python function solution() that returns {e}.")
    with tempfile.TemporaryDirectory() as scratch:
        single = bench(SINGLE_OPTIONS, single_asked, Path(scratch))
        pot = bench(POT_OPTIONS, pot_asked, Path(scratch))
    print(f"single: council bench {' '.join(SINGLE_OPTIONS)}, question 'What is E?'")
    print(f"pot: council bench {' '.join(POT_OPTIONS)}, question 'Write a Python function")
    print("     solution() that returns E.' (word problems: the same text for both)")
    print(f"{'problem (E)':<28} {'gold':>6} {'single':>12} {'pot':>12}")
    for problem, one, program in zip(pot_asked, single, pot, strict=True):
        row = f"{problem.shown:<28} {problem.answer:>6}"
        print(f"{row} {_shown(one):>12} {_shown(program):>12}")
    for name, outcomes in (("single", single), ("pot", pot)):
        right = sum(outcome.correct for outcome in outcomes[: len(EXPRESSIONS)])
        words = sum(outcome.correct for outcome in outcomes[len(EXPRESSIONS) :])
        print(
            f"{name}: {right}/{len(EXPRESSIONS)} expressions right, "
            f"{words}/{len(WORD_PROBLEMS)} word problems right"
        )
    print("pot's replies (the program council ran, when there is one):")
    for problem, program in zip(pot_asked, pot, strict=True):
        print(f"  {problem.shown}: {program.reply[:150]}")
    return 0


def _shown(outcome: Outcome) -> str:
    answer = "(none)" if outcome.predicted is None else outcome.predicted[:8]
    return f"{answer} {'ok' if outcome.correct else 'x'}"


if __name__ == "__main__":
    sys.exit(main())
