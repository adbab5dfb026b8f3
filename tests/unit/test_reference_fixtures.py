"""Each protocol that names a reference script sends what that script sends.

The fixtures in tests/fixtures/references/ were rendered from the references' own code
(repository, commit and lines in each file; the rendering scripts are not committed): for
fixed inputs and scripted replies, every request the reference makes, its messages and its
decoding. Here council runs the same protocol on the same replies and each of its calls
must equal the reference's, byte for byte. Nothing expected is taken from council's code.
Where the reference ran a program, the program runs here with this interpreter (the
sandbox's place); where it searched the web (`inputs.web_search`), the search backend answers
each of the reference's queries with the snippets its rendering got, and any other query
fails; a problem's MATH type and level (`inputs.math_type`, `math_level`) come with it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import ProtocolOptions, RunSpec
from council.tools.base import ToolRegistry
from council.tools.sandbox.result import ExecutionResult
from council.tools.search import search_tool
from tests.support.reference_inputs import FixtureSearch, problem_info
from tests.support.sandbox import ScriptedSandbox

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "references"
DIVERGENT: dict[str, str] = {}
"""Protocols whose card says council does not reproduce the reference's messages: their
fixtures must still fail (strict), so the day they match, this list has to shrink."""


def fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("*.json"))


def load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


def decoding(settings: Any) -> dict[str, Any]:
    stop = settings.stop
    return {
        "temperature": settings.temperature,
        "top_p": settings.top_p,
        "max_tokens": settings.max_tokens,
        "stop": list(stop) if stop is not None else None,
    }


def expected_decoding(fixture: dict[str, Any], call: dict[str, Any]) -> dict[str, Any]:
    """The reference's decoding, with the equivalences the fixture declares (e.g. MAD sends
    'the rest of a 4k context', which is no cap)."""
    expected = dict(call["decoding"])
    for name, value in fixture.get("equivalent_decoding", {}).get("values", {}).items():
        expected[name] = value
    return expected


def run_locally(code: str) -> ExecutionResult:
    """The program run by this interpreter, as the reference ran it (its own `exec`): what
    it printed, or its error."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        return ExecutionResult(stdout=done.stdout, error=done.stderr or "failed")
    return ExecutionResult(stdout=done.stdout)


def params() -> list[Any]:
    """Every fixture but tir's: its calls depend on what each program printed, so
    tests/unit/test_tir.py (scripted sandbox) and tests/integration/
    test_tir_reference_docker.py (the real one) check them against the same files."""
    out = []
    for path in fixture_files():
        fixture = load(path)
        if "executions" in fixture:
            continue
        protocol = fixture["council"]["protocol"]
        marks = []
        if protocol in DIVERGENT:
            marks.append(pytest.mark.xfail(reason=DIVERGENT[protocol], strict=True))
        out.append(pytest.param(path, id=path.stem, marks=marks))
    return out


def test_every_reference_protocol_has_a_fixture() -> None:
    named = {load(p)["council"]["protocol"] for p in fixture_files()}
    assert {
        "debate",
        "mad",
        "pot",
        "moa",
        "single",
        "self-consistency",
        "best-of-n",
        "tir",
        "tool-planner",
    } <= named


@pytest.mark.parametrize("path", params())
async def test_council_sends_what_the_reference_sends(path: Path) -> None:
    fixture = load(path)
    replies: dict[tuple[str, int], list[str]] = defaultdict(list)
    for call in fixture["calls"]:
        replies[(call["agent"], call["round"])].append(call["reply"])
    served: dict[tuple[str, int], int] = defaultdict(int)

    def respond(call: ScriptedCall) -> str:
        key = (call.agent, call.round)
        index = served[key]
        served[key] += 1
        assert index < len(replies[key]), f"council made an extra call as {key}"
        return replies[key][index]

    model = ScriptedModel(responder=respond)
    options = dict(fixture["council"]["options"])
    inputs = fixture["inputs"]
    search = FixtureSearch(inputs.get("web_search", []))
    tools = ToolRegistry([search_tool(search)]) if "web_search" in inputs else None
    answer = str(fixture["answer"])
    sandbox = ScriptedSandbox(run_locally)
    runner = RunSpec(graph=fixture["council"]["protocol"], options=ProtocolOptions(**options))
    result = await runner.build(
        models=RoleModels(model), tools=tools, session_factory=sandbox.factory()
    ).arun(inputs["problem"], info=problem_info(inputs))
    assert search.queries == [s["query"] for s in inputs.get("web_search", [])]

    sent: dict[tuple[str, int], list[tuple[list[dict[str, str]], dict[str, Any]]]] = defaultdict(
        list
    )
    for messages, settings, info in zip(model.calls, model.settings, model.call_infos, strict=True):
        assert info is not None
        wire = [{"role": m.role, "content": m.content} for m in messages]
        sent[(info.agent, info.round)].append((wire, decoding(settings)))
    expected: dict[tuple[str, int], list[tuple[list[dict[str, str]], dict[str, Any]]]] = (
        defaultdict(list)
    )
    for call in fixture["calls"]:
        wire = [{"role": m["role"], "content": m["content"]} for m in call["messages"]]
        expected[(call["agent"], call["round"])].append((wire, expected_decoding(fixture, call)))
    assert sorted(sent) == sorted(expected), "council's calls are not the reference's calls"
    for key, calls in expected.items():
        for number, (want, got) in enumerate(zip(calls, sent[key], strict=True)):
            assert got[0] == want[0], f"{key} call {number}: messages differ"
            assert got[1] == want[1], f"{key} call {number}: decoding differs"
    assert result.answer == answer


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.stem)
def test_the_card_cites_the_snapshot_the_fixture_was_rendered_from(path: Path) -> None:
    fixture = load(path)
    card = RunSpec(graph=fixture["council"]["protocol"]).card()
    assert card is not None and card.reference is not None
    assert card.reference.repository == fixture["reference"]["repository"]
    assert card.reference.commit == fixture["reference"]["commit"]
