"""`council chat` driven through a real pseudo-terminal, as a user types it.

The model is scripted (a hidden `--scripted FILE` option) so replies are deterministic; the
terminal, the REPL, the thread database and the memory store are all real. Rules reply
differently depending on what the solver was shown, so each test proves what reached
the model (e.g. the earlier turn of the conversation), not just what was printed.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.openai_stub import StubBehaviour
from tests.support.servers import stub_thread

pexpect = pytest.importorskip("pexpect")

SCRIPT = {
    "rules": [
        {"contains": ["You are the planner"], "reply": "STEPS:\n1. work it out"},
        {"contains": ["You are the verifier"], "reply": "VERDICT: correct\nCONFIDENCE: 0.9"},
        {
            "contains": ["notebook"],
            "reply": "STRATEGY: double a number by adding it to itself\nPITFALL: none",
        },
        {"contains": ["slow question"], "reply": "ANSWER: 1", "delay_seconds": 120},
        {"contains": ["double 10", "for 12 instead"], "reply": "ANSWER: 24"},
        {"contains": ["for 12 instead"], "reply": "ANSWER: no context"},
        {
            "contains": ["double 10"],
            "reply": "REASONING: 10 + 10\nANSWER: 20\nNOTE: doubling is adding a number to itself",
        },
    ],
    "default": "ANSWER: 0",
}
PROMPT = "you> "
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def chat_files(tmp_path: Path) -> Path:
    (tmp_path / "script.json").write_text(json.dumps(SCRIPT))
    return tmp_path


def council_command() -> list[str]:
    executable = shutil.which("council")
    return [executable] if executable else [sys.executable, "-m", "council.main"]


def spawn_chat(files: Path, *extra: str) -> pexpect.spawn:
    """Start `council chat`; the banner line is left in `child.banner`."""
    command = [
        *council_command(),
        "chat",
        "--scripted",
        str(files / "script.json"),
        "--db",
        str(files / "threads.db"),
        "--memory-db",
        str(files / "memory.db"),
        *extra,
    ]
    child = pexpect.spawn(
        command[0], command[1:], encoding="utf-8", timeout=60, dimensions=(50, 200)
    )
    child.expect("council chat: (.*)/help")
    child.banner = ANSI.sub("", child.match.group(1))
    child.expect_exact(PROMPT)
    return child


def run_council(*args: str) -> str:
    return str(pexpect.run(" ".join([*council_command(), *args]), encoding="utf-8", timeout=60))


def ask(child: pexpect.spawn, question: str) -> str:
    """Type a question; return everything shown up to the next prompt."""
    child.sendline(question)
    child.expect_exact(PROMPT)
    return ANSI.sub("", str(child.before))


def quit_chat(child: pexpect.spawn) -> None:
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before


StartChat = Callable[..., "pexpect.spawn"]


@pytest.fixture
def start_chat(chat_files: Path) -> Iterator[StartChat]:
    """Start `council chat` sessions that are killed at the end if a test left them open."""
    children: list[pexpect.spawn] = []

    def start(*extra: str) -> pexpect.spawn:
        child = spawn_chat(chat_files, *extra)
        children.append(child)
        return child

    yield start
    for child in children:
        if child.isalive():
            child.terminate(force=True)


def test_follow_up_sees_the_conversation_and_new_starts_fresh(
    chat_files: Path, start_chat: StartChat
) -> None:
    child = start_chat("--no-memory")
    first = ask(child, "double 10")
    assert "planner" in first and "solver" in first and "verifier" in first  # steps streamed
    assert "doubling is adding a number to itself" in first  # a blackboard note, shown
    assert "answer: 20" in first
    assert "answer: 24" in ask(child, "now do it for 12 instead of 10")
    child.sendline("/new")
    child.expect("new thread (\\w+)")
    child.expect_exact(PROMPT)
    assert "answer: no context" in ask(child, "now do it for 12 instead of 10")
    assert "error: unknown protocol 'nosuch'" in ask(child, "/graph nosuch")
    assert "graph: debate" in ask(child, "/graph debate")
    assert "debater_1" in ask(child, "double 10")
    ask(child, f"/graph {EXAMPLES / 'debate.yaml'}")  # a graph config file
    assert ask(child, "double 10").count("debater r1 answer") == 2  # its two debaters
    quit_chat(child)


def test_thread_resumes_after_a_restart(chat_files: Path, start_chat: StartChat) -> None:
    first = start_chat("--no-memory", "--thread", "t1", "--graph", "single")
    shown = ask(first, "double 10")
    assert "answer: 20" in shown and "planner" not in shown  # the single-agent graph
    quit_chat(first)

    second = start_chat("--no-memory", "--thread", "t1")
    assert "thread t1 (1 earlier turns), graph single" in second.banner
    assert "answer: 24" in ask(second, "now do it for 12 instead of 10")
    quit_chat(second)

    listing = run_council("threads", "--db", str(chat_files / "threads.db"))
    assert "t1" in listing and "2 turns" in listing


def test_ctrl_c_stops_the_turn_not_the_session(chat_files: Path, start_chat: StartChat) -> None:
    child = start_chat("--no-memory")
    child.sendline("a slow question")
    child.expect("planner")  # the turn is running: the planner answered, the solver waits
    child.sendintr()  # Ctrl-C, through the terminal
    child.expect_exact("(turn stopped)", timeout=10)
    child.expect_exact(PROMPT)
    assert "answer: 20" in ask(child, "double 10")  # the session is still alive
    quit_chat(child)


def test_verified_solve_is_remembered_and_shown(chat_files: Path, start_chat: StartChat) -> None:
    child = start_chat()
    assert "answer: 20" in ask(child, "double 10")
    shown = ask(child, "/memory")
    assert "double a number by adding it to itself" in shown
    quit_chat(child)
    listing = run_council(
        "memory", "--db", str(chat_files / "memory.db"), "--namespace", "chat", "list"
    )
    assert "strategy" in listing and "double a number" in listing


def test_steps_off_shows_only_the_answer(chat_files: Path, start_chat: StartChat) -> None:
    child = start_chat("--no-memory")
    ask(child, "/steps off")
    shown = ask(child, "double 10")
    assert "answer: 20" in shown and "verifier" not in shown
    quit_chat(child)


def test_a_question_beyond_the_models_context_is_an_error_and_the_chat_goes_on(
    chat_files: Path,
) -> None:
    """The server refuses the prompt as too long (llama-cpp-python's wording): the turn
    ends with the model's message as an `error:` line and the next prompt comes back."""
    too_long = (
        "This model's maximum context length is 512 tokens. However, you requested 900 "
        "tokens (900 in the messages, None in the completion)."
    )
    behaviour = StubBehaviour(refuser=lambda _body: (400, too_long))
    with stub_thread(behaviour) as base:
        command = [
            *council_command(),
            *("chat", "--db", str(chat_files / "threads.db"), "--no-memory"),
            *("--graph", "single", "--model", "openai/stub", "--api-base", base),
        ]
        child = pexpect.spawn(
            command[0], command[1:], encoding="utf-8", timeout=60, dimensions=(50, 200)
        )
        try:
            child.expect_exact(PROMPT)
            shown = ask(child, "a very long question")
            assert "error: " in shown and "maximum context length is 512 tokens" in shown
            quit_chat(child)
        finally:
            if child.isalive():
                child.terminate(force=True)
