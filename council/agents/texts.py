"""The text a model sees that is not one agent's own prompt: the pieces the framework
inserts into prompts (feedback after a rejection, the other debaters' replies, memory
notes, the blackboard, how to use tools, tool output). Named and hashed like every agent
template, so a run's manifest names every word a model was shown."""

from __future__ import annotations

from council.agents.prompting import PromptTemplate

FEEDBACK = PromptTemplate(
    name="texts.feedback", text="Your previous answer '{answer}' was rejected: {reason}\n"
)
CRITIC_NOTE = PromptTemplate(name="texts.critic_note", text="Critic: {critique}\n")
OTHERS = PromptTemplate(
    name="texts.others",
    text="These are the solutions to the problem from other agents: {solutions}",
)
"""Du et al.'s `construct_message` prefix, verbatim (gsm/gen_gsm.py)."""
OTHER_SOLUTION = PromptTemplate(
    name="texts.other_solution", text="\n\n One agent solution: ```{reply}```"
)
MEMORY = PromptTemplate(
    name="texts.memory", text="Useful notes from earlier problems:\n{notes}\n\n"
)
BLACKBOARD = PromptTemplate(
    name="texts.blackboard", text="Shared notes from the team:\n{notes}\n\n"
)
TOOL_OUTPUT = PromptTemplate(name="texts.tool_output", text="```output\n{outputs}\n```\nContinue.")
NATIVE_TOOLS_HELP = PromptTemplate(
    name="texts.native_tools_help",
    text="\nYou can call tools to compute exact results; use them for arithmetic.",
)
PYTHON_HELP = PromptTemplate(
    name="texts.python_help",
    text="You can run Python: write a ```python code block and its output will be shown to "
    "you. Use print() to see values.",
)
TOOL_BLOCK_HELP = PromptTemplate(
    name="texts.tool_block_help",
    text='To use a tool, write a block ```tool\n{{"name": "<tool>", "arguments": {{...}}}}\n``` '
    "and its result will be shown to you. Tools:",
)
AFTER_TOOLS = PromptTemplate(
    name="texts.after_tools", text="After the tool output, continue and give the final answer."
)

FINDING = PromptTemplate(name="texts.finding", text="Output of {agent}:\n{text}\n\n")
"""One earlier module's output in `{findings}` (tool-planner)."""
TOOL_RESULT = PromptTemplate(name="texts.tool_result", text="{tool} returned: {output}")

SHARED_TEMPLATES: tuple[PromptTemplate, ...] = (
    FEEDBACK,
    CRITIC_NOTE,
    OTHERS,
    OTHER_SOLUTION,
    MEMORY,
    BLACKBOARD,
    TOOL_OUTPUT,
    NATIVE_TOOLS_HELP,
    PYTHON_HELP,
    TOOL_BLOCK_HELP,
    AFTER_TOOLS,
    FINDING,
    TOOL_RESULT,
)


def shared_hashes() -> dict[str, str]:
    return {t.name: t.sha256 for t in SHARED_TEMPLATES}
