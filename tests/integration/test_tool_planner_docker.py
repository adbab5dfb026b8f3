"""`tool-planner` through the real Docker sandbox against MathSensei's own code
(tests/fixtures/references/tool-planner.*.json, rendered by running rakutentech/MathSensei's
run.py): with the reference's replies scripted, the programs run in the sandbox print what
they printed in the reference's `safe_execute`, so council sends the reference's requests
byte for byte, decoding included, and ends with the same answer."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from council.config import CouncilConfig
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import RunSpec
from council.tools.base import ToolRegistry
from council.tools.search import search_tool
from tests.integration.test_sandbox import docker_ready
from tests.support.reference_inputs import FixtureSearch, problem_info

pytestmark = [
    pytest.mark.integration,
    pytest.mark.docker,
    pytest.mark.skipif(not docker_ready(), reason="needs the Docker engine and sandbox image"),
]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "references"


@pytest.mark.parametrize("case", ["python-solution", "search-python-solution"])
async def test_tool_planner_in_the_sandbox_matches_the_reference(case: str) -> None:
    fixture: dict[str, Any] = json.loads(
        (FIXTURES / f"tool-planner.{case}.json").read_text("utf-8")
    )
    replies: dict[tuple[str, int], list[str]] = defaultdict(list)
    for call in fixture["calls"]:
        replies[(call["agent"], call["round"])].append(call["reply"])
    served: dict[tuple[str, int], int] = defaultdict(int)

    def respond(call: ScriptedCall) -> str:
        key = (call.agent, call.round)
        served[key] += 1
        return replies[key][served[key] - 1]

    model = ScriptedModel(responder=respond)
    inputs = fixture["inputs"]
    search = FixtureSearch(inputs.get("web_search", []))
    runner = RunSpec(graph="tool-planner", config=CouncilConfig()).build(
        models=RoleModels(model), tools=ToolRegistry([search_tool(search)])
    )
    result = await runner.arun(inputs["problem"], info=problem_info(inputs))
    sent = [
        (
            info.agent if info else "",
            [{"role": m.role, "content": m.content} for m in messages],
            {
                "temperature": settings.temperature if settings else None,
                "top_p": settings.top_p if settings else None,
                "max_tokens": settings.max_tokens if settings else None,
                "stop": list(settings.stop) if settings and settings.stop else None,
            },
        )
        for messages, settings, info in zip(
            model.calls, model.settings, model.call_infos, strict=True
        )
    ]
    expected = [(c["agent"], c["messages"], c["decoding"]) for c in fixture["calls"]]
    assert sent == expected
    assert search.queries == [s["query"] for s in inputs.get("web_search", [])]
    assert result.answer == str(fixture["answer"])
