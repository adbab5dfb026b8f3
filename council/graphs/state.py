"""The typed shared state of a run.

Every agent turn is kept as a `Turn` in one append-only list (with a reducer, so parallel
agents such as debaters write at once without overwriting each other). Protocol views
(the plan, attempts, verdicts) are typed properties derived from it, so there is one
source of truth and nothing to keep in sync.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field

from council.agents.base import ToolTrace
from council.agents.critic import Critique
from council.agents.output import AgentOutput
from council.agents.planner import Plan
from council.agents.solver import Solution
from council.agents.verifier import Verdict
from council.messages import Message
from council.usage import CallRecord, UsageReport

StepKind = Literal[
    "plan", "solution", "verdict", "critique", "answer", "tool", "note", "round", "final"
]
RunStatus = Literal["running", "accepted", "exhausted", "agreed", "done"]
OutputT = TypeVar("OutputT", bound=AgentOutput)


class Step(BaseModel):
    """One thing an agent did, as shown in the live stream and in transcripts."""

    role: str
    kind: StepKind
    content: str
    round: int = 0
    sample: int = 0
    agent: str = ""
    tool: ToolTrace | None = None


class BlackboardNote(BaseModel):
    """A fact one agent shares with all the others during a run."""

    author: str
    round: int
    text: str


class Turn(BaseModel):
    """One agent turn: who, when, what it said, and its parsed output."""

    agent: str
    role: str
    round: int
    sample: int = 0
    output_type: str
    output: dict[str, Any]
    text: str = ""
    answer: str | None = None
    accepted: bool | None = None
    parse: Literal["ok", "repaired", "fallback"] = "ok"
    tool_traces: list[ToolTrace] = Field(default_factory=list)

    def output_as(self, cls: type[OutputT]) -> OutputT:
        return cls.model_validate(self.output)


class Attempt(BaseModel):
    round: int
    solution: Solution
    tool_traces: list[ToolTrace] = Field(default_factory=list)


class CouncilState(BaseModel):
    """The state every council graph shares; protocol states add typed views."""

    problem: str
    max_rounds: int = Field(default=3, ge=1)
    round: int = 0
    history: list[Message] = Field(default_factory=list)
    memory: str = ""
    turns: Annotated[list[Turn], operator.add] = Field(default_factory=list)
    steps: Annotated[list[Step], operator.add] = Field(default_factory=list)
    calls: Annotated[list[CallRecord], operator.add] = Field(default_factory=list)
    blackboard: Annotated[list[BlackboardNote], operator.add] = Field(default_factory=list)
    final_answer: str | None = None
    status: RunStatus = "running"
    stopped_round: int | None = None
    stopped_early: bool = False

    @property
    def usage(self) -> UsageReport:
        return UsageReport.from_records(self.calls)

    def outputs_of(self, cls: type[OutputT]) -> list[OutputT]:
        return [t.output_as(cls) for t in self.turns if t.output_type == cls.__name__]

    def last_turn(
        self,
        agent: str | None = None,
        *,
        with_answer: bool = False,
        with_verdict: bool = False,
    ) -> Turn | None:
        for turn in reversed(self.turns):
            if agent is not None and turn.agent != agent:
                continue
            if with_answer and turn.answer is None:
                continue
            if with_verdict and turn.accepted is None:
                continue
            return turn
        return None

    def round_answers(self, round_number: int) -> list[str]:
        return [t.answer for t in self.turns if t.round == round_number and t.answer is not None]

    def latest_answer_round(self) -> int:
        rounds = [t.round for t in self.turns if t.answer is not None]
        return max(rounds) if rounds else 0

    def blackboard_text(self) -> str:
        if not self.blackboard:
            return ""
        lines = "\n".join(f"- [{n.author}, round {n.round}] {n.text}" for n in self.blackboard)
        return f"Shared notes from the team:\n{lines}\n\n"


class SolveState(CouncilState):
    """State of the plan → solve → verify → critique graph, with typed views."""

    @property
    def plan(self) -> Plan | None:
        plans = self.outputs_of(Plan)
        return plans[-1] if plans else None

    @property
    def attempts(self) -> list[Attempt]:
        return [
            Attempt(round=t.round, solution=t.output_as(Solution), tool_traces=t.tool_traces)
            for t in self.turns
            if t.output_type == Solution.__name__
        ]

    @property
    def verdicts(self) -> list[Verdict]:
        return self.outputs_of(Verdict)

    @property
    def critiques(self) -> list[Critique]:
        return self.outputs_of(Critique)
