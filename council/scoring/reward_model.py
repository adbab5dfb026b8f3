"""Scoring candidates with a served reward model, as Qwen2.5-Math's RM@N does with
Qwen2.5-Math-RM-72B (the model card: the conversation is a system message with the CoT
instruction, the problem as the user turn, the candidate as the assistant turn; the score
is the reward the model gives the whole conversation).

The server is any OpenAI-compatible one with vLLM's pooling API (`vllm serve <RM>`):

- `api="pooling"`: POST `{api_base}/pooling` with `{"model", "messages"}`; the reply is
  `{"data": [{"data": <reward per token, or one reward>}]}`, and the score is the last
  value (the reward at the final token).
- `api="classify"`: POST `{api_base}/classify` with `{"model", "input": "problem\\n\\n
  solution"}`; the reply is `{"data": [{"probs": [...]}]}`, and the score is the last
  class's probability (the "correct" class of a binary classifier).

A server that cannot be reached or answers an error stops the run with one line naming the
address (`ModelUnreachableError`), as a chat model does; an unusable reply scores None.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from council.errors import ModelUnreachableError
from council.scoring.base import Candidate, CandidateScore
from council.scoring.endpoint import RewardEndpoint
from council.tools.base import ToolContext

RM_SYSTEM = "Please reason step by step, and put your final answer within \\boxed{}."


def _last_number(value: Any) -> float | None:
    """The last number in a (possibly nested) list of numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list):
        for item in reversed(value):
            found = _last_number(item)
            if found is not None:
                return found
    return None


def read_score(api: str, body: Any) -> float | None:
    try:
        item = body["data"][0]
        return _last_number(item["probs"] if api == "classify" else item["data"])
    except (KeyError, IndexError, TypeError):
        return None


class RewardModelScorer:
    """Scores each candidate with one request to the reward server."""

    name = "reward-model"

    def __init__(self, endpoint: RewardEndpoint) -> None:
        self.endpoint = endpoint

    def request(self, problem: str, candidate: Candidate) -> tuple[str, dict[str, Any]]:
        base = self.endpoint.api_base.rstrip("/")
        if self.endpoint.api == "classify":
            return f"{base}/classify", {
                "model": self.endpoint.model,
                "input": f"{problem}\n\n{candidate.text}",
            }
        messages = [
            {"role": "system", "content": RM_SYSTEM},
            {"role": "user", "content": problem},
            {"role": "assistant", "content": candidate.text},
        ]
        return f"{base}/pooling", {"model": self.endpoint.model, "messages": messages}

    async def score(
        self, problem: str, candidates: Sequence[Candidate], context: ToolContext
    ) -> list[CandidateScore]:
        scores = []
        async with httpx.AsyncClient(timeout=self.endpoint.timeout_seconds) as client:
            for candidate in candidates:
                if candidate.answer is None:
                    scores.append(
                        CandidateScore(agent=candidate.agent, score=None, detail="no answer")
                    )
                    continue
                url, payload = self.request(problem, candidate)
                try:
                    response = await client.post(url, json=payload)
                except httpx.HTTPError as exc:
                    raise ModelUnreachableError(
                        f"cannot reach the reward model at {url}: {type(exc).__name__}; "
                        "start the server or fix --reward-api-base"
                    ) from exc
                if response.status_code != 200:
                    raise ModelUnreachableError(
                        f"the reward model at {url} answered HTTP {response.status_code}: "
                        f"{response.text[:200]}"
                    )
                value = read_score(self.endpoint.api, response.json())
                scores.append(
                    CandidateScore(
                        agent=candidate.agent,
                        answer=candidate.answer,
                        score=value,
                        detail="" if value is not None else "unreadable reward reply",
                    )
                )
        return scores
