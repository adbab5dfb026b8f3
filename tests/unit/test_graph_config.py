"""Graph config files: built-ins round-trip to their Python versions; every validation
error names the file, the line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from council.errors import ConfigError
from council.graphs.config import load_graph
from council.graphs.export import dump_yaml, graph_config
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import PROTOCOLS, RunSpec
from council.runner import GraphRunner
from council.tools.sandbox.result import ExecutionResult
from tests.support.sandbox import ScriptedSandbox


def scripted() -> ScriptedModel:
    """Deterministic replies that depend only on what the agent was shown."""

    def respond(call: ScriptedCall) -> str:
        messages = call.messages
        system, task = messages[0].content, messages[-1].content
        if "planner" in system:
            return "STEPS:\n1. think\n2. answer"
        if "verifier" in system:
            accepted = "round 2" in task or "ANSWER_TWO" in task or "Proposed answer: 2" in task
            return "VERDICT: " + ("correct" if accepted else "incorrect") + "\nREASON: r"
        if "critic" in system:
            return "ISSUES:\n- off by one\nFIX: add one"
        if "judge" in system:
            decided = "round 2" in task
            return f"DECIDED: {'yes' if decided else 'no'}\nANSWER: 2\nREASON: r"
        answer = "2" if "rejected" in task or "other agents" in task else str(len(task) % 2 + 1)
        return f"REASONING: because\nANSWER: {answer}"

    return ScriptedModel(responder=respond)


def transcript(result: object) -> list[tuple[str, str, int, str]]:
    return [(s.agent, s.kind, s.round, s.content) for s in result.steps]  # type: ignore[attr-defined]


def exported(name: str, folder: Path) -> Path:
    """`council graph export NAME`'s file for a built-in protocol, with its defaults."""
    graph, rounds = RunSpec(graph=name).drawing()
    path = folder / f"{name}.yaml"
    path.write_text(dump_yaml(graph_config(graph, max_rounds=rounds)))
    return path


def requests(model: ScriptedModel) -> list[str]:
    """Every call's messages and decoding, order-free (parallel agents interleave)."""
    return sorted(
        repr((messages, settings.model_dump() if settings else None))
        for messages, settings in zip(model.calls, model.settings, strict=True)
    )


@pytest.mark.parametrize("name", list(PROTOCOLS))
async def test_an_exported_protocol_sends_the_same_requests(name: str, tmp_path: Path) -> None:
    python_model, config_model = scripted(), scripted()
    sandbox = ScriptedSandbox(lambda code: ExecutionResult(stdout="2"))  # for code protocols
    python_runner = RunSpec(graph=name).build(
        models=RoleModels(python_model), session_factory=sandbox.factory()
    )
    config_runner = RunSpec(graph=str(exported(name, tmp_path))).build(
        models=RoleModels(config_model), session_factory=sandbox.factory()
    )
    assert config_runner.max_rounds == python_runner.max_rounds
    python_result = await python_runner.arun("What is 1 + 1?")
    config_result = await config_runner.arun("What is 1 + 1?")
    assert transcript(config_result) == transcript(python_result)
    assert config_result.answer == python_result.answer
    assert python_model.calls, "the protocol made no call"
    assert requests(config_model) == requests(python_model)


VALID = """\
name: propose-check
max_rounds: 2
agents:
  proposer:
    system: You propose answers.
    task: "Problem: {problem}\\n{feedback}{format}"
    starts_round: true
  checker: {use: verifier, kind: verdict}
nodes:
  finish: finish_verified
edges:
  - [START, proposer]
  - [proposer, checker]
  - [finish, END]
branches:
  - from: checker
    routes:
      - {when: verdict.accepted, to: finish}
      - {when: "round < max_rounds", to: proposer}
    otherwise: finish
"""


def write(tmp_path: Path, text: str, name: str = "g.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


async def test_a_small_custom_config_runs(tmp_path: Path) -> None:
    loaded = load_graph(write(tmp_path, VALID), models=RoleModels(scripted()))
    result = await GraphRunner(loaded.graph, max_rounds=2).arun("q")
    assert result.answer is not None
    assert {s.agent for s in result.steps} >= {"proposer", "checker"}


@pytest.mark.parametrize(
    ("old", "new", "message", "line"),
    [
        ("[proposer, checker]", "[proposer, chekcer]", "unknown agent or node 'chekcer'", 13),
        (
            "{use: verifier, kind: verdict}",
            "{use: verifyer, kind: verdict}",
            "unknown agent 'verifyer'",
            8,
        ),
        (
            "    starts_round: true",
            "    starts_round: true\n    tools: [no_such_tool]",
            "unknown tool",
            8,
        ),
        ("{when: verdict.accepted", "{when: verdict.acepted", "unknown condition", 18),
        (
            "  - [finish, END]",
            "  - [finish, END]\n  - [START, finish]\n  - [START, lonely]",
            "unknown agent or node 'lonely'",
            16,
        ),
        ("max_rounds: 2", "max_rounds: 2\ncolour: blue", "colour: Extra inputs", 3),
        ("{problem}", "{problme}", "not a prompt variable", 6),
    ],
)
def test_validation_errors_name_file_line_and_fix(
    tmp_path: Path, old: str, new: str, message: str, line: int
) -> None:
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(ConfigError) as caught:
        load_graph(path, models=RoleModels(scripted()))
    text = str(caught.value)
    assert message in text
    assert text.startswith(f"{path}:{line}:"), text


def test_unreachable_node(tmp_path: Path) -> None:
    text = VALID.replace("  finish: finish_verified", "  finish: finish_verified\n  extra: vote")
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=r"extra can never run: no path from START") as caught:
        load_graph(path, models=RoleModels(scripted()))
    assert str(caught.value).startswith(f"{path}:11:")


def test_no_path_to_end(tmp_path: Path) -> None:
    text = VALID.replace("  - [finish, END]\n", "")
    with pytest.raises(ConfigError, match=r"finish, proposer have no path to END"):
        load_graph(write(tmp_path, text), models=RoleModels(scripted()))


def test_cycle_without_bound(tmp_path: Path) -> None:
    bounded = '{when: "round < max_rounds", to: proposer}'
    text = VALID.replace(bounded, "{when: always, to: proposer}")
    with pytest.raises(ConfigError, match=r"cycle .*proposer.* has no bound"):
        load_graph(write(tmp_path, text), models=RoleModels(scripted()))


def test_bounded_cycle_that_never_starts_a_round(tmp_path: Path) -> None:
    text = VALID.replace("    starts_round: true\n", "")
    with pytest.raises(ConfigError, match="never starts a new round"):
        load_graph(write(tmp_path, text), models=RoleModels(scripted()))


def test_json_config_and_json_syntax_error(tmp_path: Path) -> None:
    import json

    import yaml

    data = yaml.safe_load(VALID)
    loaded = load_graph(
        write(tmp_path, json.dumps(data, indent=2), "g.json"), models=RoleModels(scripted())
    )
    assert set(loaded.graph.nodes) == {"proposer", "checker", "finish"}
    with pytest.raises(ConfigError, match=r"g2.json:3: not valid JSON"):
        load_graph(write(tmp_path, '{\n "name": "x",\n oops\n}', "g2.json"))


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_graph(tmp_path / "nope.yaml")


def test_python_graphs_check_their_templates_when_built() -> None:
    from council import CouncilGraph, define_agent
    from council.errors import GraphShapeError

    model = ScriptedModel()
    typo = define_agent("a", system="", task="{problme}", model=model)
    graph = CouncilGraph("typo").add_agent("a", typo).add_edge("START", "a").add_edge("a", "END")
    with pytest.raises(GraphShapeError, match="problme"):
        graph.validate()
    ghost = define_agent("b", system="", task="{reply.nobody}", model=model)
    graph = CouncilGraph("ghost").add_agent("b", ghost).add_edge("START", "b").add_edge("b", "END")
    with pytest.raises(GraphShapeError, match="no agent 'nobody'"):
        graph.validate()


def test_config_samples_get_distinct_seeds_and_the_users_temperature(tmp_path: Path) -> None:
    from council.models.settings import ModelSettings

    settings = ModelSettings(seed=100, temperature=0.1)
    path = exported("self-consistency", tmp_path)
    loaded = load_graph(path, models=RoleModels(ScriptedModel()), settings=settings)
    agents = [n.agent for n in loaded.graph.nodes.values() if n.agent is not None]
    assert sorted(a.settings.seed for a in agents if a.settings) == [100, 101, 102, 103, 104]
    assert {a.settings.temperature for a in agents if a.settings} == {0.1}
    unset = load_graph(path, models=RoleModels(ScriptedModel()))
    assert {
        a.settings.temperature for n in unset.graph.nodes.values() if (a := n.agent) and a.settings
    } == {0.7}
