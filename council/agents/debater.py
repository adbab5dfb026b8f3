"""The debater of Du et al. (2023), "Improving Factuality and Reasoning in Language Models
through Multiagent Debate", with the prompts of its reference script
(composable-models/llm_multiagent_debate, `gsm/gen_gsm.py`) verbatim.

Each debater keeps its own conversation: round 1 is one user message with the problem;
every later round appends its previous reply as an assistant turn and one user turn holding
the other agents' full previous replies (`construct_message`). With a single agent the
later rounds ask it to double-check, as the script does when there are no others.

Deviation: the script's prompts ask for "a single numerical number" (it was written for
GSM8K); they are kept verbatim, so for non-numeric answers give your own templates in a
graph file.
"""

from __future__ import annotations

from council.agents.base import Agent
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.agents.solver import WorkedAnswer

FIRST_TASK = (
    "{memory}Can you solve the following math problem? {problem} Explain your reasoning. Your "
    "final answer should be a single numerical number, in the form \\boxed{{answer}}, at the "
    "end of your response. "
)
READ_OTHERS = (
    "{others}\n\n Using the solutions from other agents as additional information, can you "
    "provide your answer to the math problem? \n The original math problem is {problem}. Your "
    "final answer should be a single numerical number, in the form \\boxed{{answer}}, at the "
    "end of your response."
)
DOUBLE_CHECK = (
    "Can you double check that your answer is correct. Please reiterate your answer, with your "
    "final answer a single numerical number, in the form \\boxed{{{{answer}}}}."
)
"""The script's string is never passed to `format` (gen_gsm.py:8), so the model is sent
`\\boxed{{answer}}` with doubled braces; the template doubles them again to keep both."""

DEBATER_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="debater.system", text="{tool_help}"),
    task=PromptTemplate(name="debater.task", text=FIRST_TASK),
    followup=PromptTemplate(name="debater.followup", text=READ_OTHERS),
)
LONE_DEBATER_PROMPTS = DEBATER_PROMPTS.model_copy(
    update={"followup": PromptTemplate(name="debater.double_check", text=DOUBLE_CHECK)}
)


class Debater(Agent[WorkedAnswer]):
    role = "debater"
    prompts = DEBATER_PROMPTS
    output_type = WorkedAnswer
    repair = False  # the script never re-asks: an answer-less reply is no answer
