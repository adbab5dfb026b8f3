"""`tool-planner` and the `search` tool: BM25 ranks the right document first; the planner's
module sequence decides which modules run, in order, and what each is shown (the earlier
modules' findings); a plan naming a module not on the menu skips it; the reference
planner's replies (MathSensei's module names) run the modules they name; the config file
runs the same as the Python graph. Expected prompt text is written out here (council's own
zero-shot prompts) or read from the reference fixtures, never imported from council."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from council.agents.tool_modules import ModulePlan
from council.errors import ConfigError
from council.graphs.config import load_graph
from council.graphs.export import dump_yaml, graph_config
from council.graphs.state import CouncilState
from council.messages import Message
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import ProtocolOptions, RunSpec
from council.runner import GraphRunner
from council.tools.sandbox.result import ExecutionResult
from council.tools.search import Bm25Index, load_corpus
from tests.support.sandbox import ScriptedSandbox, no_code_runs

PROBLEM = "A triangle has base 6 and height 4. What is the area of the triangle?"
COT = "Please reason step by step, and put your final answer within \\boxed{}."
POT = (
    "Write a Python program that solves the problem above and prints the final answer with "
    "print(). Put the whole program in one ```python code block."
)
PLANNER_SYSTEM = (
    "You are the planner of a team of modules that solve math problems. Choose which "
    "modules run for this problem, in order; each module reads what the earlier ones found. "
    "Modules:\n"
    "- knowledge_retrieval: looks up definitions, formulas and facts the problem needs\n"
    "- python_generator: writes a Python program for the problem, runs it, shows its output\n"
    "- symbolic_solver: solves equations and simplifies expressions exactly (sympy)\n"
    "- solution_generator: writes the final step-by-step solution (always last)"
)
PLANNER_TASK = (
    f"Problem:\n{PROBLEM}\n\nWhich modules should run, in order?\n"
    "MODULES: module names from the list, comma-separated, e.g. "
    "knowledge_retrieval, python_generator, solution_generator"
)
KNOWLEDGE_SYSTEM = (
    "You are the knowledge retrieval module of a team solving a math problem. Using the "
    "passages found for it (and what you know), state the definitions, formulas and facts "
    "the problem needs. Do not solve the problem."
)
REFERENCES = Path(__file__).parents[1] / "fixtures" / "references"
DOCUMENTS = [
    {"title": "Circle", "text": "The circumference of a circle with radius r is 2 pi r."},
    {"title": "Triangle area", "text": "The area of a triangle is half of base times height."},
    {"title": "Prime numbers", "text": "A prime has exactly two divisors, 1 and itself."},
]


def write_corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in DOCUMENTS) + "\n")
    return path


def sent(model: ScriptedModel, agent: str) -> list[list[Message]]:
    return [m for m, info in zip(model.calls, model.call_infos, strict=True) if info.agent == agent]


def finding(agent: str, text: str) -> str:
    return f"Output of {agent}:\n{text}\n\n"


def state_of(result: object) -> CouncilState:
    return CouncilState.model_validate(result.state)  # type: ignore[attr-defined]


def test_search_ranks_the_matching_document_first_in_jsonl_and_folder_corpora(
    tmp_path: Path,
) -> None:
    index = Bm25Index.from_path(write_corpus(tmp_path))
    hits = index.search_sync("triangle area from base and height")
    assert hits[0].title == "Triangle area" and hits[0].score > hits[-1].score
    assert index.search_sync("divisors of a prime")[0].title == "Prime numbers"
    assert index.search_sync('"; OR NEAR(') == []  # model text is never FTS syntax
    folder = tmp_path / "notes"
    folder.mkdir()
    for document in DOCUMENTS:
        (folder / f"{document['title']}.md").write_text(document["text"])
    (folder / "skip.pdf").write_text("triangle triangle triangle")
    found = Bm25Index.from_path(folder).search_sync("circumference of a circle")
    assert found[0].title == "Circle" and len(load_corpus(folder)) == 3


def test_a_bad_corpus_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{"title": "no text"}\n')
    with pytest.raises(ConfigError, match=r"bad.jsonl:2: a corpus line is a JSON object"):
        load_corpus(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_corpus(tmp_path / "missing.jsonl")


def module_replies(plan: str) -> ScriptedModel:
    def reply(call: ScriptedCall) -> str:
        if call.agent == "planner":
            return plan
        if call.agent == "knowledge_retrieval":
            return "- area = base * height / 2"
        if call.agent == "python_generator":
            return "```python\nprint(6 * 4 / 2)\n```"
        if call.agent == "symbolic_solver":
            if len(call.messages) == 2:
                return '```tool\n{"name": "simplify", "arguments": {"expression": "6*4/2"}}\n```'
            return "RESULT: 12"
        return "Half of 6 times 4 is \\boxed{12}"

    return ScriptedModel(responder=reply)


def sandbox() -> ScriptedSandbox:
    return ScriptedSandbox(
        lambda code: ExecutionResult(stdout="12.0\n" if "print" in code else "[12]\n")
    )


async def test_the_plan_decides_which_modules_run_and_each_reads_the_earlier_findings(
    tmp_path: Path,
) -> None:
    model = module_replies("MODULES: knowledge_retrieval, python_generator, solution_generator")
    box = sandbox()
    options = ProtocolOptions(corpus=write_corpus(tmp_path))
    runner = RunSpec(graph="tool-planner", options=options).build(
        models=model, session_factory=box.factory()
    )
    result = await runner.arun(PROBLEM)
    assert [info.agent for info in model.call_infos] == [
        "planner",
        "knowledge_retrieval",
        "python_generator",
        "solution_generator",
    ]
    assert sent(model, "planner") == [[Message.system(PLANNER_SYSTEM), Message.user(PLANNER_TASK)]]
    state = state_of(result)
    retrieval = next(t for t in state.turns if t.agent == "knowledge_retrieval")
    (search,) = retrieval.tool_traces
    assert search.tool == "search" and search.arguments == {"query": PROBLEM}
    assert search.output.startswith("[1] Triangle area\nThe area of a triangle is half")
    knowledge_task = (
        f"Problem:\n{PROBLEM}\n\nPassages:\n{search.output}\n\n"
        "Write the knowledge needed to solve the problem as short bullet points."
    )
    assert sent(model, "knowledge_retrieval") == [
        [Message.system(KNOWLEDGE_SYSTEM), Message.user(knowledge_task)]
    ]
    knowledge = finding(
        "knowledge_retrieval", f"- area = base * height / 2\nsearch returned: {search.output}"
    )
    assert sent(model, "python_generator") == [[Message.user(f"{PROBLEM}\n\n{knowledge}{POT}")]]
    program = finding("python_generator", "```python\nprint(6 * 4 / 2)\n```\n```output\n12.0\n```")
    assert sent(model, "solution_generator") == [
        [Message.user(f"{PROBLEM}\n\n{knowledge}{program}{COT}")]
    ]
    assert box.programs == ["print(6 * 4 / 2)\n"]
    assert result.answer == "12"
    assert [(t.agent, t.round) for t in state.turns] == [
        ("planner", 0),
        ("knowledge_retrieval", 1),
        ("python_generator", 2),
        ("solution_generator", 3),
    ]


async def test_a_module_not_on_the_menu_is_skipped_and_recorded() -> None:
    model = module_replies("MODULES: wolfram_alpha, Symbolic Solver, symbolic_solver")
    box = sandbox()
    runner = RunSpec(graph="tool-planner").build(models=model, session_factory=box.factory())
    result = await runner.arun(PROBLEM)
    assert [info.agent for info in model.call_infos] == [
        "planner",
        "symbolic_solver",
        "symbolic_solver",  # after the tool's output
        "solution_generator",
    ]
    plan = state_of(result).turns[0].output
    assert isinstance(plan, ModulePlan)
    assert plan.modules == ["symbolic_solver", "solution_generator"]
    assert plan.unknown == ["wolfram_alpha"]
    assert "simplify" in box.programs[0]
    symbolic = finding("symbolic_solver", "RESULT: 12\nsimplify returned: [12]")
    assert sent(model, "solution_generator") == [[Message.user(f"{PROBLEM}\n\n{symbolic}{COT}")]]
    assert result.answer == "12"


@pytest.mark.parametrize(
    ("case", "modules"),
    [
        ("python-solution", ["python_generator", "solution_generator"]),
        (
            "search-python-solution",
            ["knowledge_retrieval", "python_generator", "solution_generator"],
        ),
    ],
)
def test_the_reference_planners_reply_names_the_modules_council_runs(
    case: str, modules: list[str]
) -> None:
    """MathSensei's planner answers with its own module names (`bing_search`,
    `python_generator_refine_executor`, ...); read as council's, not skipped as unknown."""
    fixture = json.loads((REFERENCES / f"tool-planner.{case}.json").read_text(encoding="utf-8"))
    (planner,) = [call for call in fixture["calls"] if call["agent"] == "planner"]
    plan = ModulePlan.parse(planner["reply"])
    assert plan.modules == modules and plan.unknown == []
    assert plan.modules == list(dict.fromkeys(c["agent"] for c in fixture["calls"][1:]))


async def test_a_plan_with_no_known_module_is_re_asked_then_only_the_solution_runs() -> None:
    model = module_replies("MODULES: wolfram_alpha, bing")
    runner = RunSpec(graph="tool-planner").build(
        models=model,
        session_factory=no_code_runs().factory(),  # no module that runs code
    )
    result = await runner.arun(PROBLEM)
    assert [info.agent for info in model.call_infos] == ["planner", "planner", "solution_generator"]
    assert sent(model, "solution_generator") == [[Message.user(f"{PROBLEM}\n\n{COT}")]]
    assert state_of(result).turns[0].parse == "fallback" and result.answer == "12"


async def test_the_config_file_with_a_corpus_runs_like_the_python_graph(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path)
    plan = "MODULES: knowledge_retrieval, symbolic_solver, python_generator"
    python_model, config_model = module_replies(plan), module_replies(plan)
    python_runner = RunSpec(graph="tool-planner", options=ProtocolOptions(corpus=corpus)).build(
        models=python_model, session_factory=sandbox().factory()
    )
    graph, rounds = RunSpec(graph="tool-planner").drawing()
    exported = tmp_path / "tool-planner.yaml"
    exported.write_text(dump_yaml(graph_config(graph, max_rounds=rounds)))
    loaded = load_graph(exported, models=RoleModels(config_model), corpus=corpus)
    config_runner = GraphRunner(
        loaded.graph, max_rounds=loaded.config.max_rounds, session_factory=sandbox().factory()
    )
    assert config_runner.max_rounds == python_runner.max_rounds == 4
    python_result = await python_runner.arun(PROBLEM)
    config_result = await config_runner.arun(PROBLEM)
    assert len(python_model.calls) == 6  # planner, KR, symbolic x2, python, solution
    assert list(map(str, config_model.calls)) == list(map(str, python_model.calls))
    assert config_result.answer == python_result.answer == "12"


def test_only_tool_planner_takes_a_corpus(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path)
    with pytest.raises(ConfigError, match="'single' does not use --corpus"):
        RunSpec(graph="single", options=ProtocolOptions(corpus=corpus)).build(
            models=ScriptedModel()
        )
    with pytest.raises(ConfigError, match="'debate' does not use --corpus"):
        RunSpec(graph="debate", options=ProtocolOptions(corpus=corpus)).build(
            models=ScriptedModel()
        )
    with pytest.raises(ConfigError, match="not found"):
        RunSpec(
            graph="tool-planner", options=ProtocolOptions(corpus=tmp_path / "none.jsonl")
        ).build(models=ScriptedModel())
