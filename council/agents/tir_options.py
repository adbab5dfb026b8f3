"""How `tir` runs its tool loop: by default as Qwen2.5-Math's evaluation does
(QwenLM/Qwen2.5-Math `evaluation/math_eval.py` and `python_executor.py` at a45202b), with
council's own choices available by name. Recorded with the run's protocol options."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Continuation = Literal["continue_final_message", "prefill", "completion"]
Programs = Literal["cumulative", "session"]
AnswerFrom = Literal["script", "whole_turn"]


class TirOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    continuation: Continuation = Field(
        default="continue_final_message",
        description="how a continuation asks a server council does not run to extend the "
        "assistant turn (the script re-sends its raw prompt plus the turn so far, "
        "math_eval.py:298,322): continue_final_message sends the turn as the final "
        "assistant message with vLLM's and SGLang's continue_final_message=true, "
        "add_generation_prompt=false (recorded in each call's decoding; servers that do "
        "not know the fields refuse them); prefill sends the final assistant message alone, "
        "for servers that extend it by themselves (llama.cpp's server, Anthropic); "
        "completion sends every call of the turn to /completions as one raw prompt, the "
        "chat rendered with the model's own chat template (ModelSpec.chat_template), the "
        "first with the generation prompt and each continuation with the turn left open, "
        "as the script does. Either way the reply is appended to the turn",
    )
    embedded_continuation: Continuation = Field(
        default="completion",
        description="the same for the embedded model (local/...): its server, "
        "llama-cpp-python's, renders every chat with a generation prompt, so a final "
        "assistant message becomes a finished reply followed by a new turn; completion "
        "continues the turn itself, with the GGUF's chat template",
    )
    programs: Programs = Field(
        default="cumulative",
        description="what runs: cumulative (the script: every earlier block whose output "
        "shows no error, their print lines dropped, then the new block, in fresh globals; "
        "trajectory.py:69-106) or session (council: the new block alone, in the problem's "
        "sandbox session whose globals persist)",
    )
    answer_from: AnswerFrom = Field(
        default="script",
        description="which text the answer is read from: script (the turn cut at the first "
        "stop sequence in it, so before the first ```output block, math_eval.py:337-343) or "
        "whole_turn (council: the whole turn, so a \\boxed{} written after a run counts)",
    )
    timeout_seconds: float = Field(
        default=5.0, gt=0, le=600, description="per run (python_executor.py:82)"
    )
    output_chars: int = Field(
        default=400,
        ge=10,
        le=1_000_000,
        description="a longer result shows its first and last half around '...' "
        "(python_executor.py:143-148)",
    )


REFERENCE = TirOptions()
