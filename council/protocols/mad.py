"""`mad` (multi-agent debate, Liang et al. 2023): an affirmative and a negative debater
argue, and a judge who may end the debate early once one side is clearly right."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from council.agents.base import Agent
from council.agents.output import AgentOutput
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.agents.solver import Solution
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry

AFFIRMATIVE_PROMPTS = AgentPrompts(
    system=PromptTemplate(
        name="affirmative.system",
        text="You are the affirmative side of a debate. Solve the problem and defend your "
        "answer; if the negative side shows a real error, correct yourself.{tool_help}",
    ),
    task=PromptTemplate(
        name="affirmative.task",
        text="Problem:\n{problem}\n\n{memory}Debate so far:\n{transcript}\n\n"
        "Give your solution.\n{format}",
    ),
)
NEGATIVE_PROMPTS = AgentPrompts(
    system=PromptTemplate(
        name="negative.system",
        text="You are the negative side of a debate. Check the affirmative answer for "
        "errors and argue for the answer you believe is right, even if it is the same."
        "{tool_help}",
    ),
    task=PromptTemplate(
        name="negative.task",
        text="Problem:\n{problem}\n\nThe affirmative side said:\n{solution}\n\n"
        "Debate so far:\n{transcript}\n\nGive your solution.\n{format}",
    ),
)
JUDGE_PROMPTS = AgentPrompts(
    system=PromptTemplate(
        name="judge.system",
        text="You are the judge of a debate. Decide which answer is correct. Only declare a "
        "decision when one side is clearly right, unless this is the last round.",
    ),
    task=PromptTemplate(
        name="judge.task",
        text="Problem:\n{problem}\n\nDebate (round {round} of {max_rounds}):\n{transcript}"
        "\n\n{format}",
    ),
)


class JudgeDecision(AgentOutput):
    FORMAT: ClassVar[str] = (
        "DECIDED: yes or no\nANSWER: the correct final answer (if decided)\nREASON: one sentence"
    )

    decided: bool
    answer: str = ""
    reason: str = ""

    @classmethod
    def _normalise(cls, data: dict[str, Any]) -> dict[str, Any]:
        value = data.get("decided")
        if isinstance(value, str):
            data["decided"] = bool(re.match(r"\s*(yes|true|decided)", value, re.IGNORECASE))
        return data

    @classmethod
    def fallback(cls, text: str) -> JudgeDecision:
        return cls(decided=False, reason="judge reply could not be read")

    def summary(self) -> str:
        if self.decided:
            return f"decided: {self.answer} — {self.reason}".strip(" —")
        return f"not decided yet — {self.reason}".strip(" —")


class Affirmative(Agent[Solution]):
    role = "affirmative"
    prompts = AFFIRMATIVE_PROMPTS
    output_type = Solution


class Negative(Agent[Solution]):
    role = "negative"
    prompts = NEGATIVE_PROMPTS
    output_type = Solution


class Judge(Agent[JudgeDecision]):
    role = "judge"
    prompts = JUDGE_PROMPTS
    output_type = JudgeDecision
    default_max_tokens = 192


def mad_graph(
    models: RoleModels, options: ProtocolOptions, tools: ToolRegistry | None = None
) -> CouncilGraph:
    graph = CouncilGraph("mad")
    settings = options.settings
    graph.add_agent(
        "affirmative",
        Affirmative(models.for_role("affirmative"), tools=tools, settings=settings),
        starts_round=True,
    )
    graph.add_agent(
        "negative",
        Negative(models.for_role("negative"), tools=tools, settings=options.sample_settings(1)),
    )
    graph.add_agent("judge", Judge(models.for_role("judge"), settings=settings), kind="verdict")
    graph.add_node("finish", "finish_last_answer")
    graph.add_edge("START", "affirmative")
    graph.add_edge("affirmative", "negative")
    graph.add_edge("negative", "judge")
    routes: list[tuple[str, str]] = [("judge.decided", "finish")] if options.early_stop else []
    routes.append(("round < max_rounds", "affirmative"))
    graph.add_branch("judge", routes, otherwise="finish")
    graph.add_edge("finish", "END")
    return graph
