"""Auditable runs: every call recorded (messages stored once by hash), turns and votes in
the result line, transcripts read back, truncations counted."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from council.bench.datasets import Problem
from council.bench.grading import Grader
from council.bench.runner import run_benchmark
from council.messages import Message
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel, ScriptedReply
from council.protocols import ProtocolOptions, RunSpec
from council.run_log.message_store import MessageStore, message_hash
from council.run_log.results import ResultsFile
from council.run_log.transcript import load_transcript
from tests.support.cli import CliRun

PROBLEMS = [Problem(id=f"p{i}", question=f"What is {i} + {i}?", gold=str(2 * i)) for i in (1, 2)]


def debater(call: ScriptedCall) -> str | ScriptedReply:
    """debater_1 is cut at the token limit in round 1; the others answer 5 then 4."""
    if call.agent == "debater_1" and call.round == 1:
        return ScriptedReply(text="Let me think about this at great", finish_reason="length")
    return "\\boxed{5}" if call.round == 1 else "The answer is 4."


async def test_every_call_is_recorded_with_messages_stored_once(
    tmp_path: Path, grader: Grader
) -> None:
    model = ScriptedModel(responder=debater)
    runner = RunSpec(graph="debate", options=ProtocolOptions(agents=3, rounds=2)).build(
        models=RoleModels(model)
    )
    summary = await run_benchmark(runner, PROBLEMS[:1], tmp_path, grader=grader)
    [line] = ResultsFile(tmp_path / "results.jsonl").read()
    assert len(line.calls) == 6 and line.call_count == 6
    first = line.calls[0]
    assert first.message_hashes and first.usage.seconds >= 0 and first.decoding is not None
    assert {(c.agent, c.round) for c in line.calls} >= {("debater_1", 1), ("debater_3", 2)}
    # each distinct message once; round 2 re-sends round 1's conversation by hash only
    stored = [json.loads(raw) for raw in (tmp_path / "messages.jsonl").read_text().splitlines()]
    hashes = [item["sha256"] for item in stored]
    assert len(hashes) == len(set(hashes))
    sent = [m for conversation in model.calls for m in conversation]
    assert set(hashes) == {message_hash(m) for m in sent} and len(hashes) < len(sent)
    assert "messages" not in json.loads((tmp_path / "results.jsonl").read_text())["calls"][0]
    # the transcript comes back whole, in call order
    transcript = load_transcript(tmp_path, "p1").calls

    def keys(conversations: list[list[Message]]) -> list[list[str]]:
        return sorted([message_hash(m) for m in messages] for messages in conversations)

    assert keys([c.messages for c in transcript]) == keys(model.calls)
    assert [c.reply for c in transcript] == [c.reply for c in line.calls]
    # turns and votes are in the line; the truncated turn has no answer
    assert [(t.agent, t.round) for t in line.turns if t.truncated] == [("debater_1", 1)]
    round_one = [t for t in line.turns if t.round == 1]
    assert {t.answer for t in round_one} == {"5", None}
    assert {t.extraction for t in round_one if t.answer} == {"boxed"}
    assert [v.round for v in line.votes] == [1, 2] and line.votes[-1].winner == "4"
    assert line.truncated_calls == 1
    assert summary.truncated_calls == 1 and summary.truncated_problems == 1
    assert summary.truncated_call_rate == pytest.approx(1 / 6)
    assert summary.extraction_methods == {"boxed": 2, "marker": 3, "none": 1}


def test_message_store_drops_a_torn_line_and_stores_again(tmp_path: Path) -> None:
    store = MessageStore(tmp_path)
    first, second = Message.user("a"), Message.user("b")
    store.add([first])
    with store.path.open("a") as handle:
        handle.write('{"sha256": "torn", "mess')
    again = MessageStore(tmp_path)
    assert again.add([first, second]) == [message_hash(first), message_hash(second)]
    assert set(MessageStore(tmp_path).read()) == {message_hash(first), message_hash(second)}
    assert len(store.path.read_text().splitlines()) == 2


async def test_the_curators_calls_are_metered_in_the_line(tmp_path: Path, grader: Grader) -> None:
    """With memory, a verified solve is curated; the curator's call is in the line too."""
    from council.bench.memory_hook import MemoryHook

    def solve(call: ScriptedCall) -> str:
        if call.role == "curator":
            return "STRATEGY: add the numbers\nPITFALL: none"
        if call.role == "verifier":
            return "VERDICT: correct"
        if call.role == "planner":
            return "1. add"
        return "REASONING: add\nANSWER: 2"

    model = ScriptedModel(responder=solve)
    runner = RunSpec(graph="solve", options=ProtocolOptions(rounds=1)).build(
        models=RoleModels(model)
    )
    hook = MemoryHook(tmp_path / "memory.sqlite", model=model)
    await run_benchmark(runner, PROBLEMS[:1], tmp_path, grader=grader, hook=hook)
    [line] = ResultsFile(tmp_path / "results.jsonl").read()
    assert "curator" in {c.role for c in line.calls}
    assert line.prompt_tokens == sum(c.usage.prompt_tokens for c in line.calls)
    assert line.call_count == len(model.calls)


class Forbidden:
    """A responder that fails the test if a model is called after the run."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.closed = False

    def __call__(self, call: ScriptedCall) -> str | ScriptedReply:
        if self.closed:
            raise AssertionError("a model was called while re-scoring")
        assert callable(self.inner)
        return self.inner(call)


def changes_its_mind(call: ScriptedCall) -> str:
    """Right in round 1 (2i), talked into a wrong answer in round 2 (2i + 1)."""
    number = int(call.messages[0].content.split("What is ")[1].split(" ")[0])
    return f"\\boxed{{{2 * number + (call.round - 1)}}}"


async def debate_run(tmp_path: Path, grader: Grader) -> Forbidden:
    responder = Forbidden(changes_its_mind)
    runner = RunSpec(graph="debate", options=ProtocolOptions(agents=3, rounds=2)).build(
        models=RoleModels(ScriptedModel(responder=responder))
    )
    summary = await run_benchmark(runner, PROBLEMS, tmp_path, grader=grader)
    assert summary.accuracy == 0.0
    responder.closed = True
    return responder


async def test_revote_first_round_and_by_round_without_model_calls(
    tmp_path: Path, grader: Grader
) -> None:
    from council.bench.revote import VoteRule, revote

    await debate_run(tmp_path, grader)
    original = (tmp_path / "summary.json").read_text()
    first = await revote(tmp_path, VoteRule.FIRST_ROUND, grader)
    assert first.before.accuracy == 0.0 and first.after.accuracy == 1.0 and first.changed == 2
    assert first.summary_path == tmp_path / "summary.revote-first-round.json"
    assert json.loads(first.summary_path.read_text())["accuracy"] == 1.0
    by_round = await revote(tmp_path, VoteRule.MAJORITY, grader, round_number=1)
    assert by_round.summary_path.name == "summary.revote-majority-r1.json"
    assert by_round.after.correct == 2
    last = await revote(tmp_path, VoteRule.MAJORITY, grader)  # the run's own vote again
    assert last.after.accuracy == 0.0 and last.changed == 0
    assert (tmp_path / "summary.json").read_text() == original
    from council.errors import ConfigError

    with pytest.raises(ConfigError, match="no judge or moderator turns"):
        await revote(tmp_path, VoteRule.JUDGE, grader)
    with pytest.raises(ConfigError, match="no answers in round 7; rounds: 1, 2"):
        await revote(tmp_path, VoteRule.MAJORITY, grader, round_number=7)


async def test_revote_judge_takes_the_moderators_decision(tmp_path: Path, grader: Grader) -> None:
    from council.bench.revote import VoteRule, revote

    def mad(call: ScriptedCall) -> str:
        if call.role == "moderator":
            return json.dumps(
                {
                    "Whether there is a preference": "Yes",
                    "Supported Side": "Affirmative",
                    "Reason": "sound",
                    "debate_answer": "2",
                }
            )
        return "The answer is 3."

    responder = Forbidden(mad)
    runner = RunSpec(graph="mad", options=ProtocolOptions(rounds=1)).build(
        models=RoleModels(ScriptedModel(responder=responder))
    )
    summary = await run_benchmark(runner, PROBLEMS[:1], tmp_path, grader=grader)
    responder.closed = True
    judged = await revote(tmp_path, VoteRule.JUDGE, grader)
    assert judged.after.accuracy == summary.accuracy == 1.0
    majority = await revote(tmp_path, VoteRule.MAJORITY, grader)
    assert majority.after.accuracy == 0.0  # the sides said 3


async def test_regrade_uses_the_current_grader_and_keeps_the_original(
    tmp_path: Path, grader: Grader
) -> None:
    from council.bench.rescore import regrade

    await debate_run(tmp_path, grader)
    results = tmp_path / "results.jsonl"
    lines = [json.loads(raw) for raw in results.read_text().splitlines()]
    for line in lines:  # p1 (gold 2) as graded by an older grader that missed fractions
        if line["problem_id"] == "p1":
            line.update(answer="\\frac{4}{2}", correct=False)
    results.write_text("".join(json.dumps(line) + "\n" for line in lines))
    redone = await regrade(tmp_path, grader)
    assert redone.before.correct == 0 and redone.after.correct == 1 and redone.changed == 1
    assert "0.0% → 50.0%" in redone.describe()
    assert (tmp_path / "summary.regrade.json").exists()
    assert json.loads((tmp_path / "summary.json").read_text())["correct"] == 0


async def test_cli_regrade_and_revote_print_old_and_new_accuracy(
    tmp_path: Path, grader: Grader, cli: Callable[..., CliRun]
) -> None:
    await debate_run(tmp_path, grader)

    async def council(*args: str) -> CliRun:
        """`council bench ARGS` in this process, off this test's event loop (the command
        runs its own)."""
        return await asyncio.to_thread(cli, "bench", *args)

    revoted = await council("revote", str(tmp_path), "--rule", "first-round")
    assert revoted.returncode == 0, revoted.stderr[-2000:]
    assert json.loads(revoted.stdout)["accuracy"] == 1.0
    assert "revote-first-round: accuracy 0.0% → 100.0% over 2 attempted" in revoted.stderr
    regraded = await council("regrade", str(tmp_path))
    assert regraded.returncode == 0 and "regrade: accuracy 0.0% → 0.0%" in regraded.stderr
    refused = await council("revote", str(tmp_path), "--rule", "judge", "--round", "1")
    assert refused.returncode != 0
    assert "--round applies to --rule majority only" in refused.stderr


async def test_a_transcript_holds_its_own_problem_only(tmp_path: Path, grader: Grader) -> None:
    """One problem's transcript keeps its latest line and the messages its calls name, not
    the run's; a viewer leaves a line still being written alone."""
    model = ScriptedModel(responder=debater)
    runner = RunSpec(graph="debate", options=ProtocolOptions(agents=3, rounds=2)).build(
        models=RoleModels(model)
    )
    await run_benchmark(runner, PROBLEMS, tmp_path, grader=grader)
    results = tmp_path / "results.jsonl"
    with results.open("a") as handle:
        handle.write('{"problem_id": "p9", "quest')  # a line being written
    size = results.stat().st_size

    transcript = load_transcript(tmp_path, "p2", repair=False)

    assert results.stat().st_size == size
    assert transcript.line.problem_id == "p2" and len(transcript.calls) == 6
    wanted = {h for call in transcript.line.calls for h in call.message_hashes}
    every = MessageStore(tmp_path).read(repair=False)
    assert MessageStore(tmp_path).read(repair=False, only=wanted) == {
        digest: every[digest] for digest in wanted
    }
    assert wanted < set(every)  # p1's own messages were left out
    assert "What is 2 + 2?" in transcript.calls[0].messages[-1].content
