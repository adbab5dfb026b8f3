"""The `tir` reference fixtures (tests/fixtures/references/tir.*.json, rendered from
QwenLM/Qwen2.5-Math's own math_eval.py and PythonExecutor), read as typed data, and the
check that a council run made exactly the calls the reference makes."""

from __future__ import annotations

import json

from pydantic import BaseModel

from council.calls import CallRecord
from council.models.scripted import ScriptedCall, ScriptedModel
from council.tools.sandbox.result import ExecutionResult
from tests.support.references import FIXTURES, ReferenceCall
from tests.support.sandbox import ScriptedSandbox


class Execution(BaseModel):
    program: str
    output: str
    """The text the reference put in the ```output block."""


class TirReference(BaseModel):
    case: str
    inputs: dict[str, str]
    calls: list[ReferenceCall]
    executions: list[Execution]
    turn: str
    answer: str | None

    @property
    def problem(self) -> str:
        return self.inputs["problem"]

    def scripted_model(self) -> ScriptedModel:
        """Answers the n-th call of an agent with the reference's n-th reply for it."""
        seen: dict[str, int] = {}

        def reply(call: ScriptedCall) -> str:
            index = seen.get(call.agent, 0)
            seen[call.agent] = index + 1
            mine = [c for c in self.calls if c.agent == call.agent]
            return mine[index].reply

        return ScriptedModel(responder=reply)


def reference_sandbox(reference: TirReference) -> ScriptedSandbox:
    """Answers each program the reference ran with a result that shows its output: a
    printed line, or a traceback whose last line is the output."""
    outputs = {e.program: e.output for e in reference.executions}

    def respond(code: str) -> ExecutionResult:
        output = outputs[code]  # a program the reference did not run fails the test here
        if "Error:" in output:
            trace = 'Traceback (most recent call last):\n  File "<sandbox>", line 3\n'
            return ExecutionResult(error=f"{trace}{output}\n")
        return ExecutionResult(stdout=output + "\n")

    return ScriptedSandbox(respond)


def tir_case(name: str) -> TirReference:
    path = FIXTURES / f"tir.{name}.json"
    return TirReference.model_validate(json.loads(path.read_text(encoding="utf-8")))


TIR_CASES = sorted(p.name.split(".")[1] for p in FIXTURES.glob("tir.*.json"))


def assert_same_calls(recorded: list[CallRecord], reference: TirReference) -> None:
    """Council's calls equal the reference's: count, agent, round, every message byte for
    byte, and the decoding the reference sends."""
    assert len(recorded) == len(reference.calls)
    for index, (mine, theirs) in enumerate(zip(recorded, reference.calls, strict=True)):
        where = f"{reference.case} call {index + 1}"
        assert (mine.agent, mine.round) == (theirs.agent, theirs.round), where
        assert [(m.role, m.content) for m in mine.messages] == [
            (m.role, m.content) for m in theirs.messages
        ], where
        assert mine.reply == theirs.reply, where
        assert mine.decoding is not None, where
        sent = mine.decoding
        assert (sent.temperature, sent.top_p, sent.max_tokens) == (
            theirs.decoding.temperature,
            theirs.decoding.top_p,
            theirs.decoding.max_tokens,
        ), where
        assert list(sent.stop or ()) == list(theirs.decoding.stop or ()), where
