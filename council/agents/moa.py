"""The proposers and aggregator of Mixture-of-Agents (Wang et al. 2024, "Mixture-of-Agents
Enhances Large Language Model Capabilities"), with the aggregate-and-synthesize prompt of
its reference code (togethercomputer/MoA, `utils.py::inject_references_to_messages`)
verbatim: a system message holding the prompt and the previous layer's responses, each on
a numbered line ("\\n1. ..."), before the user's query.

The first layer answers the query alone (`council.agents.answerer`). The query is the
problem with the chain-of-thought instruction, so answers can be read (the paper's queries
are open-ended instructions; this is the math adaptation).
"""

from __future__ import annotations

from council.agents.answerer import ANSWERER_PROMPTS
from council.agents.base import Agent
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.agents.solver import WorkedAnswer

AGGREGATE_AND_SYNTHESIZE = (
    "You have been provided with a set of responses from various open-source models to the "
    "latest user query. Your task is to synthesize these responses into a single, "
    "high-quality response. It is crucial to critically evaluate the information provided "
    "in these responses, recognizing that some of it may be biased or incorrect. Your "
    "response should not simply replicate the given answers but should offer a refined, "
    "accurate, and comprehensive reply to the instruction. Ensure your response is "
    "well-structured, coherent, and adheres to the highest standards of accuracy and "
    "reliability.\n\nResponses from models:"
)

SYNTHESIZER_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="moa.aggregate", text=AGGREGATE_AND_SYNTHESIZE + "{references}"),
    task=ANSWERER_PROMPTS.task,
)


class Synthesizer(Agent[WorkedAnswer]):
    """A proposer of layer 2 or later: the previous layer's responses, then the query."""

    role = "proposer"
    prompts = SYNTHESIZER_PROMPTS
    output_type = WorkedAnswer
    repair = False


class Aggregator(Synthesizer):
    """The last layer: one model synthesizes the final response."""

    role = "aggregator"
