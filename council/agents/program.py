"""Program of thought: one program, run once, its printed result is the answer.

Chen et al. (2023), "Program of Thoughts Prompting: Disentangling Computation from
Reasoning for Numerical Reasoning Tasks" (TMLR), and Gao et al. (2023), "PAL:
Program-aided Language Models" (ICML): the model writes a program instead of prose and the
interpreter, not the model, computes the answer. As Qwen2.5-Math's evaluation runs its
`pal` prompt type (one generation, one execution, the program is the last ```python block
or, without one, the whole reply), with a zero-shot instruction in place of the papers'
few-shot prompts and `print` in place of PAL's `solution()` return value.

The reply, then the run's output as an ```output block (or an ```error block), is the
turn's text; the answer is the last printed line. A program that fails or prints nothing
gives no answer (it never votes), as does a reply cut at the token limit.
"""

from __future__ import annotations

import re
from typing import ClassVar

from council.agents.base import Agent, ToolTrace
from council.agents.output import AgentOutput
from council.agents.parsing import OutputParseError
from council.agents.programs import last_program, run_program
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.calls import CallRecord
from council.messages import Message
from council.models.base import CallInfo, Completion
from council.tools.base import ToolContext, ToolRegistry
from council.tools.python_tool import python_tool
from council.tools.sandbox.result import ExecutionResult

POT_INSTRUCTION = (
    "Write a Python program that solves the problem above and prints the final answer with "
    "print(). Put the whole program in one ```python code block."
)
POT_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="pot.system", text=""),
    task=PromptTemplate(name="pot.task", text="{memory}{problem}\n" + POT_INSTRUCTION),
)
_OUTPUT = re.compile(r"```output\n(.*?)\n```", re.DOTALL)


class ProgramAnswer(AgentOutput):
    """A program and what it printed; the answer is the last printed line."""

    FORMAT: ClassVar[str] = ""

    program: str = ""
    printed: str = ""
    answer: str | None = None

    @classmethod
    def parse(cls, text: str, *, allow_prose: bool = True) -> ProgramAnswer:
        outputs = _OUTPUT.findall(text)
        if not outputs:
            raise OutputParseError("the program printed nothing or failed")
        printed = outputs[-1].strip()
        lines = [line.strip() for line in printed.splitlines() if line.strip()]
        if not lines:
            raise OutputParseError("the program printed nothing")
        return cls(program=last_program(text) or "", printed=printed, answer=lines[-1])

    @classmethod
    def fallback(cls, text: str) -> ProgramAnswer:
        return cls(program=last_program(text) or "", answer=None)

    def final_answer(self) -> str | None:
        return self.answer

    def summary(self) -> str:
        return f"answer: {self.answer}" if self.answer is not None else "no answer"


def run_report(result: object) -> tuple[str, bool]:
    """(what the model's turn records of a run, whether it printed a result)."""
    if isinstance(result, ExecutionResult):
        if result.error:
            lines = [line for line in result.error.strip().splitlines() if line.strip()]
            return (lines[-1].strip() if lines else "error"), False
        if result.stdout.strip():
            return result.stdout.strip(), True
        return "(printed nothing)", False
    return str(getattr(result, "text", result)), False


class ProgramOfThought(Agent[ProgramAnswer]):
    role = "solver"
    prompts = POT_PROMPTS
    output_type = ProgramAnswer
    repair = False
    default_max_tokens = 1024

    max_tool_turns = 1

    def default_tools(self) -> ToolRegistry:
        return ToolRegistry([python_tool])

    async def _complete_with_tools(
        self,
        messages: list[Message],
        calls: list[CallRecord],
        traces: list[ToolTrace],
        context: ToolContext | None,
        call: CallInfo,
    ) -> Completion:
        completion = await self._complete(messages, None, calls, call, "answer")
        if completion.finish_reason == "length":
            return completion
        reply = completion.text.rstrip()
        program = last_program(reply)
        code = program if program is not None else reply
        result = await run_program(code, context)
        shown, printed = run_report(result)
        traces.append(
            ToolTrace(tool="python", arguments={"code": code}, output=shown, via="fenced")
        )
        fence = "output" if printed else "error"
        return completion.model_copy(update={"text": f"{reply}\n```{fence}\n{shown}\n```\n"})
