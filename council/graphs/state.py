"""The typed shared state of a run.

Every agent turn is kept as a `Turn` in one append-only list (with a reducer, so parallel
agents such as debaters write at once without overwriting each other). Protocol views
(the plan, attempts, verdicts) are typed properties derived from it, so there is one
source of truth and nothing to keep in sync.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field, SerializeAsAny, model_validator

from council.agents import texts
from council.agents.base import ToolTrace
from council.agents.critic import Critique
from council.agents.output import OUTPUT_TYPES, AgentOutput
from council.agents.planner import Plan
from council.agents.solver import Solution
from council.agents.verifier import Verdict
from council.calls import CallRecord, usage_of
from council.graphs.stages import StageOutcome
from council.messages import Message
from council.problem_info import ProblemInfo
from council.scoring.base import Selection
from council.usage import UsageReport
from council.voting import Ballot, VoteTable

StepKind = Literal[
    "plan", "solution", "verdict", "critique", "answer", "tool", "note", "round", "final"
]
RunStatus = Literal[
    "running", "accepted", "exhausted", "agreed", "decided", "done", "no_answer", "context_exceeded"
]
"""`no_answer`: the rule that decides (a vote of the last round) found no readable answer;
nothing from an earlier round is put in its place. `context_exceeded`: a call's prompt did
not fit the model's context (a debater reading three long replies): the run ends there with
no answer, like a reply cut at the token limit, and keeps the calls it made."""
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
    """One agent turn: who, when, what it was asked, what it said, and its typed output.

    `answer`, `accepted` and `decided` are what routing and voting read; they come from the
    output's own methods and are withheld when the reply cannot be trusted: cut at the
    token limit (`truncated`) or unreadable (`parse == "fallback"`). An untrusted turn has
    no answer, does not vote, and never accepts or decides.
    """

    agent: str
    role: str
    round: int
    sample: int = 0
    kind: StepKind = "answer"
    conversation: str = ""
    """The conversation this turn belongs to (its agent's name unless a graph lets two
    nodes continue one conversation, e.g. a judge asked twice)."""
    output_type: str
    output: SerializeAsAny[AgentOutput]
    prompt: str = ""
    text: str = ""
    parse: Literal["ok", "repaired", "fallback"] = "ok"
    truncated: bool = False
    tool_traces: list[ToolTrace] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _typed_output(cls, data: Any) -> Any:
        """A stored turn (checkpoint, results file) comes back with its own output class."""
        if isinstance(data, dict) and isinstance(data.get("output"), dict):
            output_cls = OUTPUT_TYPES.get(str(data.get("output_type")))
            if output_cls is None:
                raise ValueError(f"unknown output type {data.get('output_type')!r}")
            data = {**data, "output": output_cls.model_validate(data["output"])}
        return data

    @property
    def trusted(self) -> bool:
        return not self.truncated and self.parse != "fallback"

    @property
    def answer(self) -> str | None:
        return self.output.final_answer() if self.trusted else None

    @property
    def accepted(self) -> bool | None:
        says = self.output.accepts()
        return None if says is None else (says and self.trusted)

    @property
    def decided(self) -> bool | None:
        says = self.output.decides()
        return None if says is None else (says and self.trusted)

    def output_as(self, cls: type[OutputT]) -> OutputT:
        if not isinstance(self.output, cls):
            raise TypeError(f"turn of {self.agent} holds {self.output_type}, not {cls.__name__}")
        return self.output


class Attempt(BaseModel):
    round: int
    solution: Solution
    tool_traces: list[ToolTrace] = Field(default_factory=list)


class CouncilState(BaseModel):
    """The state every council graph shares; protocol states add typed views."""

    problem: str
    info: ProblemInfo = Field(default_factory=ProblemInfo)
    """What the problem's data set says besides its text (MATH's type and level), for the
    protocols whose prompts show it (tool-planner); empty when not given."""
    max_rounds: int = Field(default=3, ge=1)
    round: int = 0
    history: list[Message] = Field(default_factory=list)
    memory: str = ""
    turns: Annotated[list[Turn], operator.add] = Field(default_factory=list)
    steps: Annotated[list[Step], operator.add] = Field(default_factory=list)
    calls: Annotated[list[CallRecord], operator.add] = Field(default_factory=list)
    blackboard: Annotated[list[BlackboardNote], operator.add] = Field(default_factory=list)
    votes: Annotated[list[VoteTable], operator.add] = Field(default_factory=list)
    selections: Annotated[list[Selection], operator.add] = Field(default_factory=list)
    """Each choice among scored candidates (best-of-n, refine): every score and why the
    winner won."""
    stages: Annotated[list[StageOutcome], operator.add] = Field(default_factory=list)
    """Each stage of an adaptive cascade that ran: the signal it read, and whether it
    answered or escalated, and why (`cascade`)."""
    final_answer: str | None = None
    status: RunStatus = "running"
    stopped_round: int | None = None
    stopped_early: bool = False

    @property
    def usage(self) -> UsageReport:
        return usage_of(self.calls)

    def outputs_of(self, cls: type[OutputT]) -> list[OutputT]:
        return [t.output for t in self.turns if isinstance(t.output, cls)]

    def conversation(self, name: str) -> list[Message]:
        """The earlier exchanges of one conversation in this run, as its agent would have
        kept them (the papers' scripts append each prompt and reply to the agent's own
        message list): the prompt, then the reply, per earlier turn."""
        exchanges: list[Message] = []
        for turn in self.turns:
            if (turn.conversation or turn.agent) == name:
                exchanges += [Message.user(turn.prompt), Message.assistant(turn.text)]
        return exchanges

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

    def ballots(self, round_number: int) -> list[Ballot]:
        """Each answering agent's latest turn in the round, in sample then name order (a
        stable agent order for tie-breaks); an untrusted turn is a ballot with no answer."""
        latest: dict[str, Turn] = {}
        for turn in self.turns:
            if turn.round == round_number and turn.kind == "answer":
                latest[turn.agent] = turn
        ordered = sorted(latest.values(), key=lambda t: (t.sample, t.agent))
        return [Ballot(agent=t.agent, answer=t.answer) for t in ordered]

    def vote_for_round(self, round_number: int) -> VoteTable | None:
        return next((v for v in reversed(self.votes) if v.round == round_number), None)

    def latest_answer_round(self) -> int:
        rounds = [t.round for t in self.turns if t.answer is not None]
        return max(rounds) if rounds else 0

    def blackboard_text(self) -> str:
        if not self.blackboard:
            return ""
        lines = "\n".join(f"- [{n.author}, round {n.round}] {n.text}" for n in self.blackboard)
        return texts.BLACKBOARD.render({"notes": lines})


class SolveState(CouncilState):
    """State of the plan → solve → verify → critique graph, with typed views."""

    @property
    def plan(self) -> Plan | None:
        plans = self.outputs_of(Plan)
        return plans[-1] if plans else None

    @property
    def attempts(self) -> list[Attempt]:
        return [
            Attempt(round=t.round, solution=t.output, tool_traces=t.tool_traces)
            for t in self.turns
            if isinstance(t.output, Solution)
        ]

    @property
    def verdicts(self) -> list[Verdict]:
        return self.outputs_of(Verdict)

    @property
    def critiques(self) -> list[Critique]:
        return self.outputs_of(Critique)


Reducer = Callable[[Any, Any], Any]


def reducers_of(schema: type[BaseModel]) -> dict[str, Reducer]:
    """Fields whose updates combine (e.g. `operator.add`) rather than overwrite."""
    found = {}
    for name, info in schema.model_fields.items():
        for meta in info.metadata:
            if callable(meta):
                found[name] = meta
    return found


def apply_update(
    values: dict[str, Any], update: Mapping[str, Any], reducers: Mapping[str, Reducer]
) -> None:
    """Apply a node's update to `values` in place, as LangGraph applies it to the state: a
    field with a reducer combines, any other is replaced."""
    for key, value in update.items():
        reducer = reducers.get(key)
        values[key] = reducer(values[key], value) if reducer and key in values else value
