"""Program of thought: one program, run once; its result is the answer.

Gao et al. (2023), "PAL: Program-aided Language Models" (ICML), as its reference script for
chat models runs it (reasoning-machines/pal, `scripts/gsm_chatgpt.py` with
`pal/prompt/math_prompts.py` and `pal/core/interface.py::ProgramChatInterface`): the
system message `MATH_CHAT_BETA_SYSTEM_MESSAGE`, the user message `MATH_CHAT_BETA_PROMPT`
(three worked `def solution():` examples, then the question), greedy decoding, 512 tokens;
the program is the first ```python block (else the first ``` block, else the whole reply)
and the answer is the value of `solution()`. The method is also Chen et al. (2023),
"Program of Thoughts Prompting" (TMLR): the interpreter, not the model, computes.

Here the program runs once in the run's sandbox session with `print(solution())` appended
(when it defines `solution`), and the answer is the last printed line. Deviation: a program
without `solution()` that prints its result is read from what it printed (the script
would score it wrong).

The reply, cut before any ```output block the model wrote itself (an invented output must
never become the answer), then the run's output as an ```output block (or an ```error
block), is the turn's text. A program that fails or prints nothing gives no answer (it
never votes), as does a reply cut at the token limit.
"""

from __future__ import annotations

import re
from typing import ClassVar

from council.agents.base import Agent, ToolTrace
from council.agents.output import AgentOutput
from council.agents.pal_prompt import PAL_EXAMPLES, PAL_SYSTEM
from council.agents.parsing import OutputParseError
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.agents.reference_programs import cut_at_output, run_program
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
    system=PromptTemplate(name="pot.system", text=PAL_SYSTEM),
    task=PromptTemplate(
        name="pot.task",
        text="{memory}" + PAL_EXAMPLES.replace("{", "{{").replace("}", "}}") + "{problem}",
    ),
)
_DEFINES_SOLUTION = re.compile(r"^def solution\(\s*\):", re.MULTILINE)
_OUTPUT = re.compile(r"```output\n(.*?)\n```", re.DOTALL)


def first_program(reply: str) -> str:
    """PAL's `process_generation_to_code`: the first ```python block, else the first ```
    block, else the whole reply."""
    if "```python" in reply:
        code = reply.split("```python")[1].split("```")[0]
    elif "```" in reply:
        code = reply.split("```")[1].split("```")[0]
    else:
        code = reply
    return code.strip("\n") + "\n"


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
        return cls(program=first_program(text), printed=printed, answer=lines[-1])

    @classmethod
    def fallback(cls, text: str) -> ProgramAnswer:
        return cls(program=first_program(text), answer=None)

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

    max_tool_turns = 1

    def default_tools(self) -> ToolRegistry:
        return ToolRegistry([python_tool])

    def program_to_run(self, reply: str) -> str:
        """The reply's program, then `print(solution())` when it defines one."""
        code = first_program(reply)
        if _DEFINES_SOLUTION.search(code):
            code += "\nprint(solution())\n"
        return code

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
        reply = cut_at_output(completion.text).rstrip()
        code = self.program_to_run(reply)
        result = await run_program(code, context)
        shown, printed = run_report(result)
        traces.append(
            ToolTrace(tool="python", arguments={"code": code}, output=shown, via="fenced")
        )
        fence = "output" if printed else "error"
        return completion.model_copy(update={"text": f"{reply}\n```{fence}\n{shown}\n```\n"})
