"""Bench run directories made by the real bench runner with a scripted model: some
problems right, some wrong, one unreadable (an extraction failure), one cut at the token
limit and one whose model call fails (an error)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from council.bench.datasets import Problem
from council.bench.grading import Grader
from council.bench.runner import run_benchmark
from council.errors import ModelError
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel, ScriptedReply
from council.protocols import RunSpec

PROBLEMS = [
    Problem(id=f"p{i}", question=f"What is {i} + {i}?", gold=str(2 * i)) for i in range(1, 9)
]


def doubling(call: ScriptedCall) -> str:
    """Answers "What is N + N?" right."""
    number = int(call.messages[-1].content.split("What is ")[1].split(" ")[0])
    return f"ANSWER: {2 * number}"


def responder(wrong_every: int) -> object:
    def respond(call: ScriptedCall) -> str | ScriptedReply:
        number = int(call.messages[-1].content.split("What is ")[1].split(" ")[0])
        if number == 5:
            raise ModelError("model 'scripted' failed: the test's made-up outage")
        if number == 6:
            return "I am not sure <b>at all</b>."  # no number: extraction fails
        if number == 7:
            return ScriptedReply(text=f"Adding up: {2 * number} and then", finish_reason="length")
        answer = 2 * number if number % wrong_every else 0
        return f"REASONING: add\nANSWER: {answer}"

    return respond


def make_run(directory: Path, *, wrong_every: int, problems: list[Problem] = PROBLEMS) -> Path:
    runner = RunSpec(graph="single").build(
        models=RoleModels(ScriptedModel(responder=responder(wrong_every)))
    )
    with Grader(workers=1) as grader:
        asyncio.run(run_benchmark(runner, problems, directory, grader=grader, concurrency=2))
    return directory
