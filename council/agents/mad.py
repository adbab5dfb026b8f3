"""The roles of MAD, Liang et al. (2023), "Encouraging Divergent Thinking in Large Language
Models through Multi-Agent Debate", with the prompts of its reference code
(Skytliang/Multi-Agents-Debate: `interactive.py` and `code/utils/config4all.json`) verbatim.

- The affirmative and the negative side share a system prompt (`player_meta_prompt`); the
  affirmative is given the problem, the negative is given the affirmative's reply and told
  it disagrees (`negative_prompt`). In later rounds each is shown the other's latest reply
  and asked whether it agrees (`debate_prompt`). Each keeps its own conversation.
- The moderator reads both sides' full replies every round (`moderator_prompt`, in its own
  conversation) and answers in JSON; a non-empty `debate_answer` ends the debate.
- If the moderator never decides, the judge is asked twice in one conversation: the answer
  candidates in the two sides' *first* replies (the script reads `memory_lst[2]`), then a
  final answer in JSON. The judge's answer is final, whatever it is; an unreadable judge
  means no answer (the script would crash on `eval`).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from council.agents.base import Agent
from council.agents.output import AgentOutput
from council.agents.parsing import OutputParseError, find_json_object
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.agents.solver import WorkedAnswer

PLAYER_META = (
    "You are a debater. Hello and welcome to the debate. It's not necessary to fully agree "
    "with each other's perspectives, as our objective is to find the correct answer.\n"
    "The debate topic is stated as follows:\n{problem}{tool_help}"
)
MODERATOR_META = (
    "You are a moderator. There will be two debaters involved in a debate. They will "
    'present their answers and discuss their perspectives on the following topic: "{problem}"'
    "\nAt the end of each round, you will evaluate answers and decide which is correct."
)
NEGATIVE_FIRST = "{opponent}\n\nYou disagree with my answer. Provide your answer and reasons."
DEBATE_PROMPT = (
    "{opponent}\n\nDo you agree with my perspective? Please provide your reasons and answer."
)
MODERATOR_TASK = (
    "Now the {round_ordinal} round of debate for both sides has ended.\n\nAffirmative side "
    "arguing:\n{reply.affirmative}\n\nNegative side arguing: {reply.negative}\n\nYou, as the "
    "moderator, will evaluate both sides' answers and determine if there is a clear "
    "preference for an answer candidate. If so, please summarize your reasons for supporting "
    "affirmative/negative side and give the final answer that you think is correct, and the "
    "debate will conclude. If not, the debate will continue to the next round. Now please "
    'output your answer in json format, with the format as follows: {{"Whether there is a '
    'preference": "Yes or No", "Supported Side": "Affirmative or Negative", "Reason": "", '
    '"debate_answer": ""}}. Please strictly output in JSON format, do not output irrelevant '
    "content."
)
JUDGE_CANDIDATES = (
    "Affirmative side arguing: {first_reply.affirmative}\n\nNegative side arguing: "
    "{first_reply.negative}\n\nNow, what answer candidates do we have? Present them without "
    "reasons."
)
JUDGE_FINAL = (
    "Therefore, {problem}\nPlease summarize your reasons and give the final answer that you "
    "think is correct. Now please output your answer in json format, with the format as "
    'follows: {{"Reason": "", "debate_answer": ""}}. Please strictly output in JSON format, do '
    "not output irrelevant content."
)

AFFIRMATIVE_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="mad.player_meta", text=PLAYER_META),
    task=PromptTemplate(name="mad.affirmative", text="{memory}{problem}"),
    followup=PromptTemplate(name="mad.debate", text=DEBATE_PROMPT),
)
NEGATIVE_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="mad.player_meta", text=PLAYER_META),
    task=PromptTemplate(name="mad.negative", text=NEGATIVE_FIRST),
    followup=PromptTemplate(name="mad.debate", text=DEBATE_PROMPT),
)
MODERATOR_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="mad.moderator_meta", text=MODERATOR_META),
    task=PromptTemplate(name="mad.moderator", text=MODERATOR_TASK),
)
JUDGE_CANDIDATES_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="mad.moderator_meta", text=MODERATOR_META),
    task=PromptTemplate(name="mad.judge_candidates", text=JUDGE_CANDIDATES),
)
JUDGE_FINAL_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="mad.moderator_meta", text=MODERATOR_META),
    task=PromptTemplate(name="mad.judge_final", text=JUDGE_FINAL),
)


def _json_reply(text: str) -> dict[str, Any]:
    """The reply's JSON object (the script `eval`s the whole reply; models often wrap it)."""
    data = find_json_object(text)
    if data is None:
        raise OutputParseError("no JSON object in the reply")
    return data


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


class ModeratorDecision(AgentOutput):
    """The moderator's JSON; it decides when `debate_answer` is not empty (as the script
    checks), whatever the other fields say."""

    FORMAT: ClassVar[str] = ""

    preference: str = ""
    supported_side: str = ""
    reason: str = ""
    debate_answer: str = ""

    @classmethod
    def parse(cls, text: str, *, allow_prose: bool = True) -> ModeratorDecision:
        data = _json_reply(text)
        return cls(
            preference=_text(data.get("Whether there is a preference")),
            supported_side=_text(data.get("Supported Side")),
            reason=_text(data.get("Reason")),
            debate_answer=_text(data.get("debate_answer")),
        )

    @classmethod
    def fallback(cls, text: str) -> ModeratorDecision:
        return cls(reason="moderator reply could not be read")

    def decides(self) -> bool | None:
        return bool(self.debate_answer)

    def final_answer(self) -> str | None:
        return self.debate_answer or None

    def summary(self) -> str:
        if self.debate_answer:
            side = f" (supports {self.supported_side})" if self.supported_side else ""
            return f"decided{side}: {self.debate_answer} — {self.reason}".strip(" —")
        return f"no preference yet — {self.reason}".strip(" —")


class JudgeAnswer(AgentOutput):
    """The judge's final JSON: its answer ends the debate (an empty one is no answer)."""

    FORMAT: ClassVar[str] = ""

    reason: str = ""
    debate_answer: str = ""

    @classmethod
    def parse(cls, text: str, *, allow_prose: bool = True) -> JudgeAnswer:
        data = _json_reply(text)
        return cls(reason=_text(data.get("Reason")), debate_answer=_text(data.get("debate_answer")))

    @classmethod
    def fallback(cls, text: str) -> JudgeAnswer:
        return cls(reason="judge reply could not be read")

    def decides(self) -> bool | None:
        return True  # the last word, as in the script

    def final_answer(self) -> str | None:
        return self.debate_answer or None

    def summary(self) -> str:
        return f"final: {self.debate_answer or '(none)'} — {self.reason}".strip(" —")


class Candidates(AgentOutput):
    """Free text: the judge listing the answer candidates before it chooses."""

    FORMAT: ClassVar[str] = ""

    text: str = ""

    @classmethod
    def parse(cls, text: str, *, allow_prose: bool = True) -> Candidates:
        return cls(text=text.strip())

    @classmethod
    def fallback(cls, text: str) -> Candidates:
        return cls(text=text.strip())

    def summary(self) -> str:
        return "candidates: " + " ".join(self.text.split())[:200]


class Affirmative(Agent[WorkedAnswer]):
    role = "affirmative"
    prompts = AFFIRMATIVE_PROMPTS
    output_type = WorkedAnswer
    repair = False


class Negative(Agent[WorkedAnswer]):
    role = "negative"
    prompts = NEGATIVE_PROMPTS
    output_type = WorkedAnswer
    repair = False


class Moderator(Agent[ModeratorDecision]):
    role = "moderator"
    prompts = MODERATOR_PROMPTS
    output_type = ModeratorDecision
    repair = False  # an unreadable moderator has no preference: the debate goes on


class JudgeCandidates(Agent[Candidates]):
    role = "judge"
    prompts = JUDGE_CANDIDATES_PROMPTS
    output_type = Candidates
    repair = False


class Judge(Agent[JudgeAnswer]):
    role = "judge"
    prompts = JUDGE_FINAL_PROMPTS
    output_type = JudgeAnswer
    repair = False


def moderator_json(answer: str, reason: str = "", side: str = "Affirmative") -> str:
    """A well-formed moderator reply (for scripted models and tests)."""
    preference = "Yes" if answer else "No"
    return json.dumps(
        {
            "Whether there is a preference": preference,
            "Supported Side": side if answer else "",
            "Reason": reason,
            "debate_answer": answer,
        }
    )
