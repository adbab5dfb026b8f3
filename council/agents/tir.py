"""Tool-integrated reasoning (TIR), as Qwen2.5-Math evaluates it (Yang et al. 2024,
"Qwen2.5-Math Technical Report"; QwenLM/Qwen2.5-Math `evaluation/math_eval.py`, in the
line of ToRA, Gou et al. 2024): the model reasons in prose and ```python blocks; whenever a
generation ends with a code block (and no `\\boxed{}` yet), the block runs and its output is
appended as "\\n```output\\n...\\n```\\n", and the model continues the same assistant turn.
At most `max_executions` generations (the script: 4); after the last run the script
appends "Reach max function call limit." and stops. The answer is read from the whole turn
(last `\\boxed{}`, ...).

Prompt: Qwen2.5-Math's TIR system message, then the problem as the user message (the
model card's `messages` for TIR).

Conversation mechanics with a chat API: the script continues one raw prompt. Here each
continuation sends the system and user messages and then the assistant turn so far
(prose, code, output blocks) as the final assistant message; servers that continue a final
assistant message (llama.cpp, vLLM with `continue_final_message`, Anthropic's prefill)
extend it, and the reply is appended to it verbatim, so the recorded turn is one assistant
message exactly as the script builds it. The script's stop sequence ```output is realised
by cutting the reply there. Deviation: blocks run in the run's sandbox session, so
variables persist across blocks (the script runs each block in a fresh interpreter).
"""

from __future__ import annotations

from council.agents.base import Agent, ToolTrace
from council.agents.programs import cut_at_output, last_program, run_program, shown_output
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.agents.solver import WorkedAnswer
from council.calls import CallPurpose, CallRecord
from council.messages import Message
from council.models.base import CallInfo, ChatModel, Completion
from council.models.settings import ModelSettings
from council.tools.base import ToolContext, ToolRegistry
from council.tools.python_tool import python_tool

TIR_INSTRUCTION = (
    "Please integrate natural language reasoning with programs to solve the problem above, "
    "and put your final answer within \\boxed{}."
)
LIMIT_NOTE = "\nReach max function call limit."
DEFAULT_EXECUTIONS = 4

TIR_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="tir.system", text=TIR_INSTRUCTION.replace("{}", "{{}}")),
    task=PromptTemplate(name="tir.task", text="{memory}{problem}"),
)


def output_block(output: str) -> str:
    return f"\n```output\n{output}\n```\n"


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
        turn = ""
        completion: Completion | None = None
        for generation in range(self.max_executions):
            sent = [*messages, Message.assistant(turn)] if turn else messages
            purpose: CallPurpose = "answer" if generation == 0 else "tool"
            completion = await self._complete(sent, None, calls, call, purpose)
            segment = cut_at_output(completion.text).rstrip()
            turn += segment
            if completion.finish_reason == "length":
                break
            program = last_program(segment)
            if "boxed" in segment or not segment.endswith("```") or program is None:
                break
            result = await run_program(program, context)
            shown = shown_output(result)
            traces.append(
                ToolTrace(tool="python", arguments={"code": program}, output=shown, via="fenced")
            )
            turn += output_block(shown)
            if generation == self.max_executions - 1:
                turn += LIMIT_NOTE
        assert completion is not None
        return completion.model_copy(update={"text": turn})
