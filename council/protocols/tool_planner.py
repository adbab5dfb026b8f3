"""`tool-planner`: a planner picks a sequence of tool modules for each problem and the graph
runs it, as MathSensei does (Das, Banerjee, Aditya and Kulkarni 2024, "MathSensei: A
Tool-Augmented Large Language Model for Mathematical Reasoning", NAACL; official code
github.com/rakutentech/MathSensei at c6ee84c, `src/run.py --dataset MATH --model planner`
with `src/model.py`, `src/utilities.py` and `src/custom_prompts/`; Debrup-61/MathSensei only
points there). Reported: its best configuration (python generator, WolframAlpha, solution
generator) is 13.5% more accurate than gpt-3.5-turbo with chain of thought on MATH; tools
help less on GSM8K.

The graph: the planner (`council.agents.tool_modules.ModulePlanner`) answers with a list of
module names; `dispatch` (a `next_round` node: one round per module) routes by
`next_module == NAME` to the plan's next entry, in the listed order, repeats included; each
module reads and extends MathSensei's context (`module_context`, its `cache["response"]`,
which starts with the problem's MATH type and level) and returns to `dispatch`; when the
plan is done the run finishes with the latest answer (the solution generator's boxed answer;
if it gives none, the python generator's last printed line: `finish_last_answer`). What
each module sends, and the plan rule, are in `council.agents.tool_modules`; the prompts are
the reference's, verbatim, and its messages and decoding for fixed inputs are pinned in
`tests/fixtures/references/tool-planner.*.json` (`tests/unit/test_reference_fixtures.py`).

A problem's MATH type and level come with the run (`GraphRunner.arun(problem,
info=ProblemInfo(...))`; `council bench` reads them from each row's `type`/`subject` and
`level`); without them the prompts leave those lines out (`TOOL_PLANNER.deviations`). The
knowledge-retrieval module's two searches go to the `search` tool's backend: the BM25 index
of `--corpus` (offline; without a corpus nothing is found), a backend given as
`tool_planner_graph(..., search=backend)`, or a `search` tool (`council.tools.search.
search_tool(backend)`) given to `RunSpec.build(tools=...)`. Each module decodes as the
reference's (`TOOL_PLANNER.roles`).
"""

from __future__ import annotations

from council.agents.tool_modules import (
    CODE_FIXER_PROMPTS,
    MODULES,
    KnowledgeRetriever,
    ModulePlanner,
    ProgramModule,
    SolutionGenerator,
    SymbolicSolver,
)
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.definition import ProtocolDefinition, Reference, RoleDecoding, role
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry
from council.tools.search import SearchBackend, SearchTool, corpus_backend, search_tool

DEVIATIONS = (
    "every problem gets the reference's MATH prompts and its MATH check for a solution "
    "('boxed'), as its --dataset MATH run does; its GSM, AQUA and MMLU prompt variants and "
    "answer checks are not reproduced",
    "a problem given without its MATH type and level (a question typed in, a data set "
    "without `type`/`subject` and `level` fields) gets prompts without the lines that carry "
    "them: the planner's ends 'Question: <problem>\\n\\n\\n\\nThought:' and the modules' "
    "context starts empty; the reference reads both from every MATH row",
    "the knowledge-retrieval module's two searches (the question, then the generated query; "
    "5 results each) go to council's search backend, the BM25 index of --corpus (offline), "
    "where the reference calls the Bing Web Search API",
    "wolfram_alpha_search runs council's symbolic solver (sympy tools in the sandbox, "
    "council's own prompts, adding 'Symbolic solver response:' to the context) where the "
    "reference asks for a WolframAlpha query, calls the API and has a second call read its "
    "result",
    "programs run in council's sandbox, each in fresh globals, 10 s, after the reference's "
    "unicode_escape decoding; the error the code fixer is shown is the last line of the "
    "sandbox's traceback without the exception's name (the reference shows str(e))",
    "the plan is read with ast.literal_eval where the reference evals it, and a listed "
    "name that is none of its planner's four modules is skipped (the reference fails); a "
    "plan runs at most 32 modules",
    "the answer is read from the last solution with council's reader (last \\boxed{}, "
    "else an answer marker, else the last number), and without a solution the python "
    "generator's last printed line stands; a reply cut at the token limit is not trusted",
)


def _as_reference(temperature: float, max_tokens: int, where: str) -> RoleDecoding:
    return RoleDecoding(
        temperature=temperature,
        max_tokens=max_tokens,
        source=f"rakutentech/MathSensei {where}",
    )


MAX_PLAN_STEPS = 32
"""Modules a plan runs at most: more than a planner reply of 128 tokens (`--policy_max_tokens`)
can list, since each name takes at least 4 tokens; the reference has no bound."""
MODULE_ROUNDS = MAX_PLAN_STEPS + 1
"""The round bound: `dispatch` counts a round before it routes, so a plan of
`MAX_PLAN_STEPS` modules runs whole under `round < max_rounds`."""


def _search_backend(
    options: ProtocolOptions, tools: ToolRegistry | None, search: SearchBackend | None
) -> SearchBackend:
    if search is not None:
        return search
    if tools is not None and "search" in tools:
        given = tools.get("search")
        if isinstance(given, SearchTool):
            return given.backend
    return corpus_backend(options.corpus)


def tool_planner_graph(
    definition: ProtocolDefinition,
    models: RoleModels,
    options: ProtocolOptions,
    tools: ToolRegistry | None = None,
    *,
    search: SearchBackend | None = None,
) -> CouncilGraph:
    """`search`: where knowledge retrieval looks (else a `search` tool in `tools`, else
    `options.corpus`'s BM25 index)."""
    backend = _search_backend(options, tools, search)
    graph = CouncilGraph("tool-planner")
    graph.add_agent(
        "planner",
        ModulePlanner(models.for_role("planner"), settings=definition.settings("planner", options)),
        kind="plan",
    )
    graph.add_agent(
        "knowledge_retrieval",
        KnowledgeRetriever(
            models.first_of("knowledge_retrieval", "solver"),
            tools=ToolRegistry([search_tool(backend)]),
            settings=definition.settings("knowledge_retrieval", options),
        ),
        kind="solution",
    )
    graph.add_agent(
        "python_generator",
        ProgramModule(
            models.first_of("python_generator", "solver"),
            settings=definition.settings("python_generator", options),
            fixer_settings=definition.settings("code_fixer", options),
        ),
        kind="answer",
    )
    graph.add_agent(
        "symbolic_solver",
        SymbolicSolver(
            models.first_of("symbolic_solver", "solver"),
            settings=definition.settings("symbolic_solver", options),
        ),
        kind="solution",
    )
    graph.add_agent(
        "solution_generator",
        SolutionGenerator(
            models.first_of("solution_generator", "solver"),
            settings=definition.settings("solution_generator", options),
        ),
        kind="answer",
    )
    graph.add_node("dispatch", "next_round")
    graph.add_node("finish", "finish_last_answer")
    graph.add_edge("START", "planner")
    graph.add_edge("planner", "dispatch")
    graph.add_branch(
        "dispatch",
        [(f"next_module == {name} and round < max_rounds", name) for name in MODULES],
        otherwise="finish",
    )
    for name in MODULES:
        graph.add_edge(name, "dispatch")
    graph.add_edge("finish", "END")
    return graph


TOOL_PLANNER = ProtocolDefinition(
    name="tool-planner",
    aliases=("tool_planner", "mathsensei"),
    summary="a planner picks tool modules (search, program, sympy) and a solution "
    "generator answers from what they found (MathSensei's prompts and flow)",
    roles={
        "planner": role(ModulePlanner, _as_reference(0.0, 128, "src/run.py:43-44")),
        "knowledge_retrieval": role(
            KnowledgeRetriever,
            _as_reference(0.5, 500, "src/model.py:1469, 1520, 1531 (query, 2 extractions)"),
        ),
        "python_generator": role(ProgramModule, _as_reference(0.5, 256, "src/run.py:48-49")),
        "code_fixer": role(
            ProgramModule,
            _as_reference(0.7, 500, "src/model.py:1197 (fixed in code_fixer)"),
            prompts=CODE_FIXER_PROMPTS,
        ),
        "symbolic_solver": role(
            SymbolicSolver, _as_reference(0.5, 600, "src/model.py:964 (Wolfram query)")
        ),
        "solution_generator": role(SolutionGenerator, _as_reference(0.5, 600, "src/run.py:64-65")),
    },
    uses=frozenset({"corpus"}),
    defaults={},
    shape=tool_planner_graph,
    rounds_rule=lambda options: MODULE_ROUNDS,
    reference=Reference(
        paper="Das et al. 2024, MathSensei: A Tool-Augmented Large Language Model for "
        "Mathematical Reasoning",
        repository="rakutentech/MathSensei",
        files=(
            "src/run.py",
            "src/model.py",
            "src/utilities.py",
            "src/custom_prompts/prompt_policy.py",
            "src/custom_prompts/prompt_pg.py",
            "src/custom_prompts/prompt_walpha_kr_sg.py",
            "src/custom_prompts/prompt_bing_query.py",
            "src/custom_prompts/prompt_bing_answer_extractor.py",
            "src/custom_prompts/prompt_codefixer.py",
        ),
        commit="c6ee84c30474148a3a0b4c8262716baf95d071ce",
    ),
    deviations=DEVIATIONS,
    answer_rule="the solution generator's boxed answer (else the last answer it can read), "
    "else the python generator's last printed line",
)
