"""The pieces every "What is n + n?" study and search test scripts its loopback model with:
reading the request the stub received, the reply for a right or a wrong value, the data file
of rows, and McNemar's exact p. Each test keeps its own scripted sets and computes its
expected values by hand; these are that hand arithmetic and scripting, shared so the tests
read and answer requests the same way."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class DoublingRequest:
    """What a scripted responder decides by: the problem's n, the sampling temperature and
    seed, and the conversation so far (a debate's later rounds hold assistant turns)."""

    messages: list[dict[str, object]]
    n: int
    temperature: float | None
    seed: int

    def has_role(self, role: str) -> bool:
        """Whether any message has this role: "assistant" marks a debate's later round,
        "system" the prompt of tool-integrated reasoning."""
        return any(m.get("role") == role for m in self.messages)


def read_request(body: dict[str, object]) -> DoublingRequest:
    """The stub's request body read back: n from "What is n +" anywhere in the messages."""
    messages = body["messages"]
    assert isinstance(messages, list)
    text = " ".join(str(m.get("content") or "") for m in messages)
    found = re.search(r"What is (\d+) \+", text)
    assert found is not None, f"no 'What is n +' in {text[:200]!r}"
    temperature, seed = body.get("temperature"), body.get("seed")
    return DoublingRequest(
        messages=messages,
        n=int(found.group(1)),
        temperature=None if temperature is None else float(str(temperature)),
        seed=int(str(seed or 0)),
    )


def reply(n: int, off_by: int = 0) -> str:
    """The model's answer 2n + off_by (0: right), boxed after a line of working whose own
    sum adds up, so only the boxed value decides a grade."""
    value = 2 * n + off_by
    return f"{value - n} + {n} = {value}.\nThe answer is \\boxed{{{value}}}."


def reply_right_or_wrong(n: int, right: bool) -> str:
    """The right answer 2n, or the one wrong answer 2n + 1 (two values only, so ballots
    either agree or split in two)."""
    return reply(n, 0 if right else 1)


def write_rows(
    path: Path, problems: Iterable[int], gold: Literal["gsm8k", "plain"], id_prefix: str = ""
) -> Path:
    """A JSONL file of "What is n + n?" rows, gold "#### 2n" (gsm8k) or "2n" (plain), with
    an id field id_prefix + n when id_prefix is given."""
    lines = []
    for n in problems:
        row = {"id": f"{id_prefix}{n}"} if id_prefix else {}
        answer = f"#### {2 * n}" if gold == "gsm8k" else str(2 * n)
        row |= {"question": f"What is {n} + {n}?", "answer": answer}
        lines.append(json.dumps(row) + "\n")
    path.write_text("".join(lines))
    return path


def bench_command(data: Path, run: Path, base: str, protocol: str) -> tuple[str, ...]:
    """`council bench` of `protocol` over `data` into `run` against the loopback server at
    `base`, one problem at a time (so a budget stops at a known problem)."""
    return (
        *("bench", "--dataset", str(data), "--protocol", protocol, "--concurrency", "1"),
        *("--model", "openai/stub", "--api-base", base, "--out", str(run)),
    )


def mcnemar(b: int, c: int) -> float:
    """McNemar's exact two-sided p by hand: the binomial(b + c, 1/2) tail at min(b, c),
    doubled and capped at 1 (1 when there are no discordant pairs)."""
    n = b + c
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2**n) if n else 1.0


def write_stub_study(
    folder: Path,
    base: str,
    arms: str,
    *,
    name: str,
    problems: Iterable[int],
    gold: Literal["gsm8k", "plain"],
    reference: str = "single",
    compute: str | None = "none",
    concurrency: int = 2,
) -> Path:
    """`folder/study.yaml` over `folder/data.jsonl` (the rows of `problems`) on the loopback
    server at `base`, seed 0; `arms` is the YAML list under `arms:` (each line "  - ...");
    `compute` is `compute: match:` (None: the study's default)."""
    write_rows(folder / "data.jsonl", problems, gold=gold)
    matching = f"compute: {{match: {compute}}}\n" if compute is not None else ""
    study = folder / "study.yaml"
    study.write_text(
        f"""
name: {name}
data: {{source: data.jsonl}}
model: {{name: openai/stub, api_base: "{base}"}}
settings: {{seed: 0}}
reference: {reference}
{matching}concurrency: {concurrency}
arms:{arms}"""
    )
    return study
