"""What a result line keeps of a run besides its grade: every call (messages by hash) and
every turn (what each agent answered, and how it was read), so a run can be audited,
re-graded and re-voted offline with nothing else."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from council.calls import CallFacts, CallRecord
from council.graphs.state import StepKind, Turn
from council.messages import Message


class RecordedCall(CallFacts):
    """A `CallRecord` whose messages are hashes into the run's `messages.jsonl`."""

    message_hashes: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, call: CallRecord, hashes: list[str]) -> RecordedCall:
        return cls(
            **call.model_dump(exclude={"messages"}, mode="python"),
            message_hashes=hashes,
        )

    def restore(self, messages: dict[str, Message]) -> CallRecord:
        """The whole call again, given the run's stored messages."""
        missing = [h for h in self.message_hashes if h not in messages]
        if missing:
            raise KeyError(f"message {missing[0]} is not in the run's messages file")
        fields: dict[str, Any] = self.model_dump(exclude={"message_hashes"}, mode="python")
        return CallRecord(**fields, messages=[messages[h] for h in self.message_hashes])


class RecordedTurn(BaseModel):
    """One agent turn as votes and rules read it. `answer` is None for an untrusted turn
    (cut at the token limit or unreadable), as in the run itself."""

    agent: str
    role: str
    round: int
    sample: int = 0
    kind: StepKind = "answer"
    answer: str | None = None
    extraction: str | None = None
    """How the answer was read from free text (`boxed`, `marker`, `last_number`, `none`),
    where the agent's output says."""
    truncated: bool = False
    parse: str = "ok"
    decided: bool | None = None
    accepted: bool | None = None

    @classmethod
    def of(cls, turn: Turn) -> RecordedTurn:
        extraction = getattr(turn.output, "extraction", None)
        return cls(
            agent=turn.agent,
            role=turn.role,
            round=turn.round,
            sample=turn.sample,
            kind=turn.kind,
            answer=turn.answer,
            extraction=str(extraction) if extraction is not None else None,
            truncated=turn.truncated,
            parse=turn.parse,
            decided=turn.decided,
            accepted=turn.accepted,
        )
