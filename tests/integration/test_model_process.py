"""The embedded model runs in a child process: it decodes on this CPU (AMX or not), uses
every usable core, and a crash in it is a clear error, never a silent death."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from council.errors import ModelCrashedError
from council.messages import Message
from council.models.local_server import LocalServers
from council.models.openai_http import OpenAICompatibleModel
from council.models.settings import ModelSettings, ModelSpec
from council.processes import usable_cpus
from tests.support.processes import children, cmdline

pytestmark = [pytest.mark.integration, pytest.mark.model]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FAST = ModelSettings(max_tokens=16, temperature=0.0, seed=0)
LONG = ModelSettings(max_tokens=400, temperature=0.0, seed=0, max_retries=0)


def _cpu_flags() -> str:
    text = Path("/proc/cpuinfo").read_text()
    return " ".join(sorted({f for f in text.split() if f.startswith(("amx", "avx512f"))}))


def test_child_server_decodes_on_this_cpu(embedded_gguf: Path) -> None:
    """The server the product starts, started by hand: handshake (with the model's chat
    template), then a few tokens."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "council.models.llama_server",
            "--model",
            str(embedded_gguf),
            "--alias",
            "smollm2",
            "--parent-pid",
            str(os.getpid()),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        assert "port" in ready, f"{ready} (CPU flags: {_cpu_flags()})"
        assert ready["threads"] == usable_cpus()
        published = json.loads(
            (FIXTURES / "chat_templates" / "smollm2-135m-instruct.json").read_text()
        )
        assert [ready["chat_template"], ready["bos_token"], ready["eos_token"]] == [
            published["text"],
            published["bos_token"],
            published["eos_token"],
        ]  # the GGUF's own template, handed to council for /completions prompts
        import urllib.request

        request = urllib.request.Request(
            f"http://127.0.0.1:{ready['port']}/v1/chat/completions",
            data=json.dumps(
                {"messages": [{"role": "user", "content": "Say hi."}], "max_tokens": 8}
            ).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            body = json.loads(response.read())
        assert body["usage"]["completion_tokens"] > 0
        assert body["choices"][0]["finish_reason"] in ("stop", "length")
        assert process.poll() is None, f"server died (CPU flags: {_cpu_flags()})"
    finally:
        process.kill()
        process.wait()


def test_models_load_without_extra_buffer_types() -> None:
    """The AMX/repack buffer types that crashed on AMX Xeons are off for our loads only."""
    import llama_cpp.llama_cpp as llama_cpp_module

    from council.models.llama_server import extra_buffer_types_disabled

    assert llama_cpp_module.llama_model_default_params().use_extra_bufts is True
    with extra_buffer_types_disabled(llama_cpp_module):
        assert llama_cpp_module.llama_model_default_params().use_extra_bufts is False
    assert llama_cpp_module.llama_model_default_params().use_extra_bufts is True


async def test_a_crash_in_the_model_is_a_clear_error_and_the_next_call_recovers() -> None:
    servers = LocalServers()
    model = OpenAICompatibleModel(ModelSpec(name="local/smollm2", settings=LONG), servers)
    try:
        await model.complete([Message.user("Hi.")], settings=FAST)  # started and warm
        server = servers.server_for("smollm2")
        pid = server.pid
        assert pid is not None

        import asyncio

        call = asyncio.create_task(
            model.complete([Message.user("Write a long story about a dragon.")])
        )
        await asyncio.sleep(1.0)  # generating 400 tokens takes several seconds
        os.kill(pid, signal.SIGSEGV)
        with pytest.raises(ModelCrashedError) as caught:
            await call
        message = str(caught.value)
        assert "local/smollm2" in message and "SIGSEGV" in message
        assert "llama.cpp" in message and "--api-base" in message  # what to try

        after = await model.complete([Message.user("Hi again.")], settings=FAST)
        assert after.text and server.pid != pid  # a new child answered
    finally:
        servers.close()


QUESTION = (
    "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips "
    "in May. How many clips did Natalia sell altogether in April and May? Think step by step."
)


async def test_a_reply_depends_only_on_its_request() -> None:
    """The same request gives the same text whatever came before it, sampled or greedy:
    sent twice in a row (where llama-cpp-python would reuse the first one's context and
    evaluate only the prompt's last token, which changed the text on 2026-12-03) and after
    another prompt. Pools, replays and re-runs rely on it."""
    servers = LocalServers()
    model = OpenAICompatibleModel(ModelSpec(name="local/smollm2"), servers)
    try:
        for settings in (
            ModelSettings(max_tokens=160, temperature=0.7, top_p=0.8, seed=2),
            ModelSettings(max_tokens=160, temperature=0.0, seed=0),
        ):
            first = await model.complete([Message.user(QUESTION)], settings=settings)
            repeated = await model.complete([Message.user(QUESTION)], settings=settings)
            await model.complete([Message.user("Write a poem about clips.")], settings=FAST)
            after_another = await model.complete([Message.user(QUESTION)], settings=settings)
            assert first.text and first.text == repeated.text == after_another.text, settings
    finally:
        servers.close()


def test_solve_reports_a_dead_model_in_one_line() -> None:
    """Kill the model child under `council solve`: non-zero exit, one line, no traceback."""
    solve = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "council.main",
            "solve",
            "Write the numbers from 1 to 300, one per line.",
            "--graph",
            "single",
            "--max-tokens",
            "400",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    killed = 0
    while solve.poll() is None and time.monotonic() < deadline:
        for pid in children(solve.pid):
            if "council.models.llama_server" in cmdline(pid):
                time.sleep(0.3)  # started: loading or decoding (a fast CPU answers in ~1 s)
                try:
                    os.kill(pid, signal.SIGSEGV)
                    killed += 1
                except ProcessLookupError:
                    pass
        time.sleep(0.2)
    _out, err = solve.communicate(timeout=60)
    assert killed
    assert solve.returncode != 0
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "local/smollm2" in lines[0] and "SIGSEGV" in lines[0]


def test_bench_stops_on_a_dead_model_keeps_what_finished_and_resumes(
    shared_datasets: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    command = [
        sys.executable,
        "-m",
        "council.main",
        "bench",
        "--dataset",
        str(shared_datasets / "gsm8k_train.jsonl"),
        "--limit",
        "4",
        "--protocol",
        "single",
        "--max-tokens",
        "96",
        "--concurrency",
        "1",
        "--out",
        str(out),
    ]
    bench = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = out / "results.jsonl"
    deadline = time.monotonic() + 300
    killed = False
    while bench.poll() is None and time.monotonic() < deadline:
        done = results.read_text().count("\n") if results.exists() else 0
        model = [p for p in children(bench.pid) if "council.models.llama_server" in cmdline(p)]
        if done >= 1 and model:  # one problem kept, the next one running
            time.sleep(0.5)
            os.kill(model[0], signal.SIGSEGV)
            killed = True
            break
        time.sleep(0.1)
    _out, err = bench.communicate(timeout=120)
    assert killed, err
    assert bench.returncode != 0
    assert "SIGSEGV" in err and "resume" in err
    kept = [json.loads(line) for line in results.read_text().splitlines()]
    assert 1 <= len(kept) < 4 and all(line["problem_id"] for line in kept)

    again = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    ids = [json.loads(line)["problem_id"] for line in results.read_text().splitlines()]
    assert len(ids) == len(set(ids)) == 4  # each problem exactly once


def test_a_prompt_beyond_the_context_set_by_flag_is_the_problems_outcome() -> None:
    """`--context 512` starts the embedded server with 512 tokens; a question longer than
    that is refused by the server itself, and `council solve` says so in one line and exits
    1 (a bench run would count it wrong with status `context_exceeded`)."""
    question = "Add these numbers: " + " + ".join(str(n) for n in range(1, 400)) + "."
    solve = subprocess.run(
        [
            *(sys.executable, "-m", "council.main", "solve", question),
            *("--graph", "single", "--context", "512", "--max-tokens", "16"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert solve.returncode == 1, solve.stderr
    assert "context_exceeded" in solve.stdout
    errors = [line for line in solve.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "maximum context length is 512 tokens" in errors[0], solve.stderr
