"""The chain-of-thought answerer behind `single` and `self-consistency`.

Its prompt is the plain chain-of-thought prompt, nothing more: the problem, then the
instruction Qwen2.5-Math's evaluation uses for chain of thought ("Please reason step by
step, and put your final answer within \\boxed{}."), as one user message with no system
message. A framework must not cost accuracy: `benchmarks/accuracy.py` compares `single`
with exactly this prompt sent by a bare script. Memory notes (when a run has them) come
before the problem, and tool instructions (when tools are on) are the system message.
"""

from __future__ import annotations

from council.agents.base import Agent
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.agents.solver import WorkedAnswer

COT_INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}."

ANSWERER_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="answerer.system", text="{tool_help}"),
    task=PromptTemplate(
        name="answerer.task",
        text="{memory}{problem}\n" + COT_INSTRUCTION.replace("{}", "{{}}"),
    ),
)

QWEN_COT_PROMPTS = AgentPrompts(
    system=PromptTemplate(
        name="answerer.qwen25_math_cot.system", text=COT_INSTRUCTION.replace("{}", "{{}}")
    ),
    task=PromptTemplate(name="answerer.qwen25_math_cot.task", text="{memory}{problem}"),
)
"""Qwen2.5-Math's `qwen25-math-cot` prompt type (evaluation/utils.py): the instruction as
the system message, the problem alone as the user's. Its RM@N and maj@N candidates
(best-of-n) are sampled with it."""


class Answerer(Agent[WorkedAnswer]):
    role = "solver"
    prompts = ANSWERER_PROMPTS
    output_type = WorkedAnswer
    repair = False  # an answer-less reply is no answer, as in the plain script
