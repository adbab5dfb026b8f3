"""`tool-planner` and the `search` tool: BM25 ranks the right document first; the planner's
list decides which modules run, in its order, repeats included (MathSensei's plan rule); each
module extends MathSensei's context and the later prompts show it; a failing program goes to
the code fixer; the solution generator is asked again while it writes no "boxed"; the Bing
query is asked again while it has no "Query:"; without a MATH type and level the prompts
leave those lines out; the config file runs the same as the Python graph. Expected text is
written out here or read from the reference fixtures (rendered from MathSensei's own code),
never imported from council."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from council.agents.tool_modules import ModulePlan
from council.bench.datasets import problem_from_row
from council.errors import ConfigError
from council.graphs.config import load_graph
from council.graphs.export import dump_yaml, graph_config
from council.graphs.state import CouncilState
from council.messages import Message
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel
from council.models.settings import ModelSettings
from council.problem_info import ProblemInfo
from council.protocols import ProtocolOptions, RunSpec
from council.run_log.config import DatasetSpec
from council.runner import GraphRunner
from council.tools.base import ToolRegistry
from council.tools.sandbox.result import ExecutionResult
from council.tools.search import Bm25Index, SearchHit, load_corpus, search_tool
from tests.support.sandbox import ScriptedSandbox, no_code_runs

PROBLEM = "A triangle has base 6 and height 4. What is the area of the triangle?"
GEOMETRY = ProblemInfo(subject="Geometry", level="Level 1")
TYPE_LEVEL = "Mathematics Problem Type:Geometry\nLevel of Problem:Level 1"
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


def fixture(case: str) -> dict[str, Any]:
    return dict(json.loads((REFERENCES / f"tool-planner.{case}.json").read_text("utf-8")))


def reference_message(case: str, agent: str, number: int = 0) -> str:
    calls = [c for c in fixture(case)["calls"] if c["agent"] == agent]
    return str(calls[number]["messages"][-1]["content"])


def scripted(replies: dict[str, list[str]]) -> ScriptedModel:
    """Each agent's replies in turn; the last one repeats."""
    served: dict[str, int] = {}

    def reply(call: ScriptedCall) -> str:
        index = served.get(call.agent, 0)
        served[call.agent] = index + 1
        answers = replies[call.agent]
        return answers[min(index, len(answers) - 1)]

    return ScriptedModel(responder=reply)


def module_replies(plan: str) -> ScriptedModel:
    def reply(call: ScriptedCall) -> str:
        if call.agent == "planner":
            return plan
        if call.agent == "knowledge_retrieval":
            if call.last.endswith("Thought:"):
                return "Thought: the area formula.\nQuery: area of a triangle"
            return "Half of base times height."
        if call.agent == "python_generator":
            return "from sympy import *\nprint(6 * 4 / 2)"
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


def decodings(model: ScriptedModel, agent: str) -> list[tuple[float | None, int | None]]:
    return [
        (s.temperature, s.max_tokens) if s is not None else (None, None)
        for s, info in zip(model.settings, model.call_infos, strict=True)
        if info is not None and info.agent == agent
    ]


async def test_the_plan_runs_in_order_and_each_module_extends_the_context(
    tmp_path: Path,
) -> None:
    plan = (
        "Thought: search, then compute.\nModules: ['bing_search', 'wolfram_alpha_search', "
        "'python_generator_refine_executor', 'solution_generator']"
    )
    model = module_replies(plan)
    box = sandbox()
    options = ProtocolOptions(corpus=write_corpus(tmp_path))
    runner = RunSpec(graph="tool-planner", options=options).build(
        models=model, session_factory=box.factory()
    )
    result = await runner.arun(PROBLEM, info=GEOMETRY)
    assert [info.agent for info in model.call_infos if info] == [
        "planner",
        "knowledge_retrieval",  # the query
        "knowledge_retrieval",  # what the question's search found
        "knowledge_retrieval",  # what the generated query's search found
        "symbolic_solver",
        "symbolic_solver",  # after the tool's output
        "python_generator",
        "solution_generator",
    ]
    state = state_of(result)
    retrieval = next(t for t in state.turns if t.agent == "knowledge_retrieval")
    assert [t.arguments for t in retrieval.tool_traces] == [
        {"query": PROBLEM + "\n\n"},
        {"query": " area of a triangle"},
    ]
    extraction = sent(model, "knowledge_retrieval")[1][-1].content
    assert extraction.endswith(
        f"Question:{PROBLEM}\n\n\nBing Search API result:"
        "['The area of a triangle is half of base times height.', 'A prime has exactly two "
        "divisors, 1 and itself.', 'The circumference of a circle with radius r is 2 pi r.']"
        "\nUseful_information:\n"
    )
    assert box.programs[-1] == "from sympy import *\nprint(6 * 4 / 2)"
    python_task = sent(model, "python_generator")[0][-1].content
    assert python_task.endswith(
        f"Question:{PROBLEM}\nModules used till now:[bing_search wolfram_alpha_search]\n"
        f"{TYPE_LEVEL}\n\nBing search response:\nHalf of base times height.\n"
        "Half of base times height.\n\nSymbolic solver response:\n12\n\nPython generator:\n"
        "# Python Code, print answer. Also Output all the relevant objects in the "
        "intermediate steps of the python code. Make sure that the first line of the code is "
        "always 'from sympy import *'"
    )
    solution_task = sent(model, "solution_generator")[0][-1].content
    assert solution_task.endswith(
        f"Question: {PROBLEM}\n\n\n\n{TYPE_LEVEL}\n\nBing search response:\n"
        "Half of base times height.\nHalf of base times height.\n\nSymbolic solver response:"
        "\n12\nPython generator:\nfrom sympy import *\nprint(6 * 4 / 2)\nPython output:\n12.0"
        "\n\nSolution: "
    )
    assert result.answer == "12"
    assert [(t.agent, t.round) for t in state.turns] == [
        ("planner", 0),
        ("knowledge_retrieval", 1),
        ("symbolic_solver", 2),
        ("python_generator", 3),
        ("solution_generator", 4),
    ]
    assert decodings(model, "planner") == [(0.0, 128)]
    assert decodings(model, "knowledge_retrieval") == [(0.5, 500)] * 3
    assert decodings(model, "python_generator") == [(0.5, 256)]
    assert decodings(model, "solution_generator") == [(0.5, 600)]


@pytest.mark.parametrize(
    ("reply", "names", "modules"),
    [
        (
            "Thought: x\nModules: ['Bing_Search','solution_generator']",
            ["bing_search", "solution_generator"],
            ["knowledge_retrieval", "solution_generator"],
        ),
        (  # repeats run again, in order
            "['python_generator_refine_executor', 'python_generator_refine_executor', "
            "'solution_generator']",
            ["python_generator_refine_executor"] * 2 + ["solution_generator"],
            ["python_generator", "python_generator", "solution_generator"],
        ),
        (  # a name none of the four modules is listed, skipped
            "['knowledge_retrieval', 'solution_generator']",
            ["knowledge_retrieval", "solution_generator"],
            ["solution_generator"],
        ),
        ("Modules: ['bing_search']", ["solution_generator"], ["solution_generator"]),
        (
            "Modules: bing_search, solution_generator",
            ["solution_generator"],
            ["solution_generator"],
        ),
        (  # text after the list: not a list literal
            "Modules: ['bing_search','solution_generator']\nDone.",
            ["solution_generator"],
            ["solution_generator"],
        ),
        (  # the policy prompt's own first example lacks a quote
            "Modules: ['bing_search','wolfram_alpha_search','python_generator_refine_executor, "
            "'solution_generator']",
            ["solution_generator"],
            ["solution_generator"],
        ),
    ],
)
def test_the_plan_is_the_list_after_the_first_bracket_ending_with_the_solution_generator(
    reply: str, names: list[str], modules: list[str]
) -> None:
    plan = ModulePlan.parse(reply)
    assert plan.names == names and plan.modules == modules
    assert plan.unknown == [n for n in names if n == "knowledge_retrieval"]


async def test_a_repeated_module_runs_again_and_sees_the_first_runs_context() -> None:
    plan = (
        "Modules: ['python_generator_refine_executor', 'python_generator_refine_executor', "
        "'solution_generator']"
    )
    model = module_replies(plan)
    box = sandbox()
    runner = RunSpec(graph="tool-planner").build(models=model, session_factory=box.factory())
    result = await runner.arun(PROBLEM, info=GEOMETRY)
    first, second = (m[-1].content for m in sent(model, "python_generator"))
    program = "Python generator:\nfrom sympy import *\nprint(6 * 4 / 2)\nPython output:\n12.0"
    assert first.endswith(
        f"Modules used till now:[]\n\n{TYPE_LEVEL}\n\nPython generator:\n"
        + (
            "# Python Code, print answer. Also Output all the relevant objects in the intermediate "
            "steps of the python code. Make sure that the first line of the code is always "
            "'from sympy import *'"
        )
    )
    assert f"Modules used till now:[]\n{TYPE_LEVEL}\n{program}\n\nPython generator:\n" in second
    assert len(box.programs) == 2 and result.answer == "12"


async def test_a_failing_program_goes_to_the_code_fixer_up_to_three_programs() -> None:
    plan = "['python_generator_refine_executor', 'solution_generator']"
    fixes = [
        "I could not fix it.",  # no markers: the same program runs again
        "Corrected Python Code:\nprint(12)\nErrors fixed: x is now defined",
    ]
    model = scripted(
        {
            "planner": [plan],
            "python_generator": ["print(x)", *fixes],
            "solution_generator": ["So \\boxed{12}"],
        }
    )

    def run(code: str) -> ExecutionResult:
        if "x" in code:
            return ExecutionResult(
                error='Traceback (most recent call last):\n  File "<cell>", line 1\n'
                "NameError: name 'x' is not defined\n"
            )
        return ExecutionResult(stdout="12\n")

    box = ScriptedSandbox(run)
    runner = RunSpec(graph="tool-planner").build(models=model, session_factory=box.factory())
    result = await runner.arun(PROBLEM, info=GEOMETRY)
    calls = sent(model, "python_generator")
    assert len(calls) == 3 and box.programs == ["print(x)", "print(x)", "\nprint(12)\n"]
    for fixer in calls[1:]:
        system, user = fixer
        assert system.role == "system" and system.content.startswith(
            "\n        You are an AI assistant skilled in Python programming and debugging."
        )
        assert user.content.endswith(
            "\nIncorrect Python code:\nprint(x)\nError message:name 'x' is not defined\n"
        )
    assert decodings(model, "python_generator") == [(0.5, 256), (0.7, 500), (0.7, 500)]
    solution = sent(model, "solution_generator")[0][-1].content
    assert solution.endswith(
        f"{TYPE_LEVEL}\nPython generator:\n\nprint(12)\n\nPython output:\n12\n\nSolution: "
    )
    assert result.answer == "12"


async def test_a_program_that_never_runs_adds_nothing_to_the_context() -> None:
    plan = "['python_generator_refine_executor', 'solution_generator']"
    model = scripted(
        {
            "planner": [plan],
            "python_generator": ["print(x)", "no fix"],
            "solution_generator": ["So \\boxed{12}"],
        }
    )
    box = ScriptedSandbox(lambda code: ExecutionResult(error="NameError: name 'x' is not defined"))
    runner = RunSpec(graph="tool-planner").build(models=model, session_factory=box.factory())
    await runner.arun(PROBLEM, info=GEOMETRY)
    assert len(sent(model, "python_generator")) == 3 and len(box.programs) == 3
    solution = sent(model, "solution_generator")[0][-1].content
    assert solution.endswith(f"Question: {PROBLEM}\n\n\n\n\n{TYPE_LEVEL}\n\nSolution: ")


async def test_the_solution_generator_is_asked_again_while_it_writes_no_boxed() -> None:
    plan = "['solution_generator']"
    model = scripted({"planner": [plan], "solution_generator": ["The area is 12."]})
    runner = RunSpec(graph="tool-planner").build(
        models=model, session_factory=no_code_runs().factory()
    )
    result = await runner.arun(PROBLEM, info=GEOMETRY)
    calls = sent(model, "solution_generator")
    assert len(calls) == 4 and all(c == calls[0] for c in calls)
    assert calls[0][-1].content.endswith(f"Question: {PROBLEM}\n\n\n\n\n{TYPE_LEVEL}\n\nSolution: ")
    assert result.answer == "12"  # read from the last reply all the same
    model = scripted(
        {"planner": [plan], "solution_generator": ["The area is 12.", "So \\boxed{12}"]}
    )
    greedy = ProtocolOptions(settings=ModelSettings(temperature=0.0))
    await (
        RunSpec(graph="tool-planner", options=greedy)
        .build(models=model, session_factory=no_code_runs().factory())
        .arun(PROBLEM)
    )
    assert decodings(model, "solution_generator") == [(0.0, 600), (0.1, 600)]


async def test_the_bing_query_is_asked_again_while_it_has_no_query() -> None:
    plan = "['bing_search', 'solution_generator']"
    model = scripted(
        {
            "planner": [plan],
            "knowledge_retrieval": ["Thought: the area formula.", "Useful."],
            "solution_generator": ["\\boxed{12}"],
        }
    )
    searched: list[str] = []

    class Recorder:
        name = "recorder"

        async def search(self, query: str, k: int) -> list[SearchHit]:
            searched.append(query)
            return [
                SearchHit(id="1", text="The <b>area</b> of a triangle."),
                SearchHit(id="2", text=" "),
            ]

    runner = RunSpec(graph="tool-planner").build(
        models=model,
        tools=ToolRegistry([search_tool(Recorder())]),
        session_factory=no_code_runs().factory(),
    )
    await runner.arun(PROBLEM, info=GEOMETRY)
    calls = sent(model, "knowledge_retrieval")
    assert len(calls) == 5 and calls[0] == calls[1] == calls[2]
    # no "Query:" in the last reply either: the reference takes the reply from its 6th
    # character on (find() is -1)
    assert searched == [PROBLEM + "\n\n", "Useful."[5:]]
    assert calls[3][-1].content.endswith(
        "Bing Search API result:['The area of a triangle.']\nUseful_information:\n"
    )


async def test_without_type_and_level_the_prompts_leave_those_lines_out() -> None:
    case = "python-solution"
    replies: dict[str, list[str]] = {}
    for call in fixture(case)["calls"]:
        replies.setdefault(call["agent"], []).append(call["reply"])
    model = scripted(replies)
    box = ScriptedSandbox(lambda code: ExecutionResult(stdout="Area: 12\n"))
    runner = RunSpec(graph="tool-planner").build(models=model, session_factory=box.factory())
    result = await runner.arun(PROBLEM)
    lines = f"{TYPE_LEVEL}\n"
    assert sent(model, "planner")[0][-1].content == reference_message(case, "planner").replace(
        lines, ""
    )
    assert sent(model, "python_generator")[0][-1].content == reference_message(
        case, "python_generator"
    ).replace("\n" + TYPE_LEVEL, "")
    assert sent(model, "solution_generator")[0][-1].content == reference_message(
        case, "solution_generator"
    ).replace(lines, "")
    assert result.answer == "12"


def test_a_math_rows_type_and_level_come_with_its_problem() -> None:
    spec = DatasetSpec(source="rows.jsonl")
    row = {"problem": "1+1?", "answer": "2", "type": "Algebra", "level": "Level 2"}
    assert problem_from_row(row, 0, spec, "math", "rows").info == ProblemInfo(
        subject="Algebra", level="Level 2"
    )
    math500 = {"problem": "1+1?", "answer": "2", "subject": "Algebra", "level": 2}
    assert problem_from_row(math500, 0, spec, "math", "rows").info == ProblemInfo(
        subject="Algebra", level="2"
    )
    gsm = {"question": "1+1?", "answer": "so #### 2"}
    assert problem_from_row(gsm, 0, spec, "gsm8k", "rows").info == ProblemInfo()


async def test_the_config_file_with_a_corpus_runs_like_the_python_graph(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path)
    plan = (
        "Modules: ['bing_search', 'wolfram_alpha_search', 'python_generator_refine_executor', "
        "'solution_generator']"
    )
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
    assert config_runner.max_rounds == python_runner.max_rounds == 33
    python_result = await python_runner.arun(PROBLEM, info=GEOMETRY)
    config_result = await config_runner.arun(PROBLEM, info=GEOMETRY)
    assert len(python_model.calls) == 8  # planner, bing x3, symbolic x2, python, solution
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
