"""The reference fixtures (tests/fixtures/references/*.json, rendered from each paper's own
code at a cited commit) read as typed data, and retold for a test's own inputs.

A message-flow test that checks a referenced protocol takes its expected text from here,
never from council's templates: the reference's request for the same agent and round,
with the fixture's problem and the fixture's replies replaced by the test's. So a change
of wording in council fails the test, and the test still checks its own flow (who is sent
what, in which order) on inputs the fixture never saw.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from council.messages import Message

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "references"


class ReferenceDecoding(BaseModel):
    temperature: float
    top_p: float | None
    max_tokens: int | None
    stop: list[str] | None


class ReferenceCall(BaseModel):
    agent: str
    round: int
    messages: list[Message]
    decoding: ReferenceDecoding
    reply: str


class ReferenceRun(BaseModel):
    """One fixture: the inputs the reference was run on and every request it made."""

    protocol: str
    case: str
    inputs: dict[str, Any]
    calls: list[ReferenceCall]

    @property
    def problem(self) -> str:
        return str(self.inputs["problem"])

    def call(self, agent: str, round: int) -> ReferenceCall:
        """The reference's only request as `agent` in `round` (a test asking for a call the
        reference made twice, or never, is asking the wrong question)."""
        found = [c for c in self.calls if (c.agent, c.round) == (agent, round)]
        assert len(found) == 1, (
            f"{self.protocol}.{self.case}: {len(found)} calls as {agent}@{round}"
        )
        return found[0]

    def reply(self, agent: str, round: int) -> str:
        return self.call(agent, round).reply

    def messages(
        self,
        agent: str,
        round: int,
        *,
        problem: str,
        replies: Mapping[tuple[str, int], str] | None = None,
    ) -> list[Message]:
        """What the reference sent `agent` in `round`, retold for a test's inputs: the
        fixture's problem becomes `problem` and the fixture's reply of each (agent, round)
        in `replies` becomes the test's, everywhere, in one pass. Each replaced text must
        occur in the messages, so a test names exactly the replies this agent is shown."""
        swaps = {self.problem: problem}
        for (who, when), text in (replies or {}).items():
            swaps[self.reply(who, when)] = text
        return retold(self.call(agent, round).messages, swaps)


def reference_run(name: str) -> ReferenceRun:
    """The fixture `tests/fixtures/references/<name>.json`."""
    path = FIXTURES / f"{name}.json"
    return ReferenceRun.model_validate(json.loads(path.read_text(encoding="utf-8")))


def retold(messages: list[Message], swaps: Mapping[str, str]) -> list[Message]:
    """`messages` with each key of `swaps` replaced by its value, longest key first and in
    one pass (a replacement is never replaced again); every key must occur."""
    everything = "\n".join(m.content for m in messages)
    missing = [old for old in swaps if old not in everything]
    assert not missing, f"not in the reference's messages: {missing}"
    pattern = re.compile("|".join(re.escape(old) for old in sorted(swaps, key=len, reverse=True)))
    return [
        m.model_copy(update={"content": pattern.sub(lambda hit: swaps[hit.group()], m.content)})
        for m in messages
    ]
