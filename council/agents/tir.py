"""Tool-integrated reasoning (TIR), as Qwen2.5-Math evaluates it (Yang et al. 2024,
"Qwen2.5-Math Technical Report"; QwenLM/Qwen2.5-Math at a45202b, in the line of ToRA,
Gou et al. 2024). The published `evaluation/math_eval.py` has no prompt type for
Qwen2.5-Math-Instruct's TIR: the messages are the model card's (README.md:83-87, the TIR
system message, then the problem), and the tool loop is `math_eval.py`'s
(`tool-integrated`, lines 232-347):

- every call decodes greedily with top_p 1, at most 2048 new tokens, and stops at
  "</s>", "<|im_end|>", "<|endoftext|>", "\\n\\n---" and "```output" (lines 33-36, 55-57,
  234-239, 261-274); the reply is right-stripped and appended to the assistant turn;
- a reply that ends with ``` and has no "boxed" in it ends at a program: the program runs
  (see `council.agents.reference_programs.cumulative_program`: the script re-runs every clean
  earlier block in fresh globals) and its result is appended as
  "\\n```output\\n{result}\\n```\\n" (lines 306-322): the printed text, or the last line's
  value when that line does not print, else "Done" or the error's last line, cut to 400
  characters, with 5 s per run (python_executor.py);
- the next call continues the same assistant turn (the script re-queries its raw prompt
  plus the turn); at most 4 calls, and after the 4th run the turn gets
  "\\nReach max function call limit." (lines 232, 252, 323-325);
- the answer is read from the turn cut at the first stop sequence in it (lines 334-347),
  so from the text before the first ```output block; `TirOptions.answer_from="whole_turn"`
  reads the whole turn instead.

How a continuation reaches the server is `TirOptions.continuation`, or
`TirOptions.embedded_continuation` for the embedded model (see there): by default a chat
request with continue_final_message, and for the embedded model the script's own way, a
raw prompt plus the turn sent to `/completions`. Every call records it in its decoding.
Where council differs: `TIR_DEVIATIONS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from council.agents.base import Agent, AgentResult, ToolTrace
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.agents.reference_programs import (
    cumulative_program,
    cut_at_stop,
    executor_output,
    last_program,
    run_program,
)
from council.agents.solver import WorkedAnswer
from council.agents.tir_options import REFERENCE, Continuation, TirOptions
from council.answers import extract_answer
from council.calls import CallPurpose, CallRecord
from council.messages import Message
from council.models.base import CallInfo, ChatModel, Completion
from council.models.local_server import PROVIDER as EMBEDDED_PROVIDER
from council.models.settings import ModelSettings
from council.tools.base import ToolContext, ToolRegistry
from council.tools.python_tool import python_tool
from council.tools.sandbox.run_options import RunOptions

TIR_INSTRUCTION = (
    "Please integrate natural language reasoning with programs to solve the problem above, "
    "and put your final answer within \\boxed{}."
)
LIMIT_NOTE = "\nReach max function call limit."
DEFAULT_EXECUTIONS = 4
MAX_TOKENS_PER_CALL = 2048
TOP_P = 1.0
STOP_WORDS = ("</s>", "<|im_end|>", "<|endoftext|>", "\n\n---", "```output")

TIR_DEVIATIONS = (
    "on a server council does not run, a continuation is by default a chat request whose "
    "final assistant message is the turn so far, not the raw prompt plus the turn "
    "(math_eval.py:219-229, 298, 322): continue_final_message (vLLM, SGLang) renders it "
    "to the same text; continuation='completion' sends the raw prompt itself, as the "
    "embedded model's calls do",
    "vLLM's stop_token_ids [151645, 151643] for Qwen2 models (math_eval.py:269-273) are not "
    "sent: the server stops at the model's end-of-turn token by itself",
    "programs are read from the assistant turn only; the script reads them from prompt plus "
    "turn (math_eval.py:307), which differs only when the problem has a line that is "
    "exactly ```python",
    "a run shows at most the sandbox's output_limit (64,000) characters before the 400-"
    "character cut, so a longer output's tail is the sandbox's truncation note",
    "the answer is read with council's reader (last \\boxed{}, else an answer marker, else "
    "the last number) and graded by council, not parser.py's extract_answer/strip_string",
)

TIR_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="tir.system", text=TIR_INSTRUCTION.replace("{}", "{{}}")),
    task=PromptTemplate(name="tir.task", text="{memory}{problem}"),
)


def output_block(output: str) -> str:
    return f"\n```output\n{output}\n```\n"


def answer_text(turn: str, stops: Sequence[str]) -> str:
    """The text the script reads the answer from: the turn stripped, then cut at each stop
    sequence in turn (math_eval.py:339-343)."""
    text = turn.strip()
    for stop in stops:
        if stop in text:
            text = text.split(stop)[0].strip()
    return text


class ToolIntegratedReasoner(Agent[WorkedAnswer]):
    """Reasoning interleaved with code runs, in one assistant turn (see the module)."""

    role = "solver"
    prompts = TIR_PROMPTS
    output_type = WorkedAnswer
    repair = False

    def __init__(
        self,
        model: ChatModel,
        *,
        role: str | None = None,
        prompts: AgentPrompts | None = None,
        output_type: type[WorkedAnswer] | None = None,
        tools: ToolRegistry | None = None,
        settings: ModelSettings | None = None,
        max_executions: int = DEFAULT_EXECUTIONS,
        tir: TirOptions = REFERENCE,
    ) -> None:
        super().__init__(
            model,
            role=role,
            prompts=prompts,
            output_type=output_type,
            tools=tools,
            settings=settings,
        )
        self.max_executions = max_executions
        self.tir = tir

    def default_tools(self) -> ToolRegistry:
        return ToolRegistry([python_tool])

    @property
    def stops(self) -> tuple[str, ...]:
        return (self.settings.stop if self.settings else None) or ()

    @property
    def continuation(self) -> Continuation:
        """How this agent's model continues a turn: the embedded model's way or the
        server's (see `TirOptions`)."""
        if self.model.name.startswith(f"{EMBEDDED_PROVIDER}/"):
            return self.tir.embedded_continuation
        return self.tir.continuation

    def _call_settings(self, continuing: bool) -> ModelSettings | None:
        """This call's settings where they differ from the agent's: on the completion
        endpoint every call (the first renders the generation prompt, a continuation leaves
        the turn open); with continue_final_message the continuations."""
        if self.settings is None:
            return None
        if self.continuation == "completion":
            update = {"endpoint": "completion", "continue_final_message": continuing}
            return self.settings.model_copy(update=update)
        if self.continuation == "continue_final_message" and continuing:
            return self.settings.model_copy(update={"continue_final_message": True})
        return None

    def _run_options(self) -> RunOptions:
        if self.tir.programs == "cumulative":
            return RunOptions(value_of="last_line", namespace="fresh")
        return RunOptions(value_of="last_line", namespace="session")

    async def _complete_with_tools(
        self,
        messages: list[Message],
        calls: list[CallRecord],
        traces: list[ToolTrace],
        context: ToolContext | None,
        call: CallInfo,
    ) -> Completion:
        turn = ""
        completion: Completion | None = None
        for generation in range(self.max_executions):
            purpose: CallPurpose = "answer" if generation == 0 else "tool"
            sent = [*messages, Message.assistant(turn)] if turn else messages
            settings = self._call_settings(continuing=bool(turn))
            completion = await self._complete(sent, None, calls, call, purpose, settings)
            reply = cut_at_stop(completion.text, self.stops).rstrip()
            turn += reply
            if "boxed" in reply or not reply.endswith("```"):
                break
            if self.tir.programs == "cumulative":
                program = cumulative_program(turn)
            else:
                program = last_program(reply) or ""
            result = await run_program(
                program, context, self.tir.timeout_seconds, self._run_options()
            )
            shown = executor_output(result, self.tir.output_chars)
            traces.append(
                ToolTrace(tool="python", arguments={"code": program}, output=shown, via="fenced")
            )
            turn += output_block(shown)
            if generation == self.max_executions - 1:
                turn += LIMIT_NOTE
        assert completion is not None
        return completion.model_copy(update={"text": turn})

    async def run(
        self,
        variables: Mapping[str, object],
        *,
        history: Sequence[Message] = (),
        conversation: Sequence[Message] = (),
        context: ToolContext | None = None,
        call: CallInfo | None = None,
    ) -> AgentResult[WorkedAnswer]:
        """The turn, with its answer read as `TirOptions.answer_from` says."""
        result = await super().run(
            variables, history=history, conversation=conversation, context=context, call=call
        )
        if self.tir.answer_from == "whole_turn":
            return result
        found = extract_answer(answer_text(result.text, self.stops))
        output = WorkedAnswer(
            reasoning=result.text.strip(), answer=found.value, extraction=found.method
        )
        parse = "ok" if found.value is not None else "fallback"
        return result.model_copy(update={"output": output, "parse": parse})
