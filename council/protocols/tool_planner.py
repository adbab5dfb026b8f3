"""`tool-planner`: a planner picks a sequence of tool modules for each problem and the graph
runs it, after MathSensei (Das, Banerjee, Aditya and Kulkarni 2024, "MathSensei: A
Tool-Augmented Large Language Model for Mathematical Reasoning", NAACL; official code
github.com/rakutentech/MathSensei at c6ee84c, `src/run.py` and `src/model.py`, built on
Chameleon's planner; Debrup-61/MathSensei only points there). Reported: its best
configuration (python generator, WolframAlpha, solution generator) is 13.5% more accurate
than gpt-3.5-turbo with chain of thought on MATH; tools help less on GSM8K.

The graph: the planner (`council.agents.tool_modules.ModulePlanner`) writes a plan from the fixed
menu; `dispatch` (a `next_round` node: one round per module) routes by `next_module ==
NAME` to the plan's next module that has not run; each module reads the earlier modules'
outputs (`{findings}`) and returns to `dispatch`; the solution generator always runs last
and its boxed answer is final (if it gives none, the latest module answer stands, e.g. the
program's printed result: `finish_last_answer`). Modules:

- `knowledge_retrieval`: the `search` tool (`council.tools.search`) with the problem as
  the query over `--corpus` (BM25, offline; without a corpus it finds nothing and says
  so), then the model states the knowledge the problem needs;
- `python_generator`: one program, run once in the sandbox (program of thought);
- `symbolic_solver`: the sympy tools (`solve_equation`, `simplify`, `check_equal`);
- `solution_generator`: the chain-of-thought prompt with every finding.

Plan rules (unknown names, repeats, order) are `ModulePlan`'s: a name not on the menu is
skipped and recorded in the plan (`unknown`), the rest still runs. Each module runs at most
once, so a run makes at most 5 model calls plus tool turns; the round bound is the menu's
size (`MODULE_ROUNDS`). The reference's own messages for fixed inputs are pinned in
`tests/fixtures/references/tool-planner.*.json`. Deviations from it: council's zero-shot
prompts (the reference's are few-shot, MATH-only: its planner and every module's context
carry the problem's MATH type and level); one knowledge-retrieval call over local BM25
search where the reference's `bing_search` makes three calls around two Bing searches;
sympy tools instead of a WolframAlpha query and a call that reads its result; one program
with no code-fixer retries (the reference asks a fixer up to twice when the program fails);
one solution call (the reference asks again, up to 4 calls, while no `boxed` appears).
Each module decodes as the reference's (`TOOL_PLANNER.roles`). A web search plugs in as a
`SearchBackend` (`tool_planner_graph(..., search=backend)`).
"""

from __future__ import annotations

from council.agents.tool_modules import (
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
from council.tools.search import SearchBackend, corpus_backend, search_tool


def _as_reference(temperature: float, max_tokens: int, where: str) -> RoleDecoding:
    return RoleDecoding(
        temperature=temperature,
        max_tokens=max_tokens,
        source=f"rakutentech/MathSensei {where}",
    )


MODULE_ROUNDS = len(MODULES)
TOOL_MODULES = ("knowledge_retrieval", "python_generator", "symbolic_solver")


def tool_planner_graph(
    definition: ProtocolDefinition,
    models: RoleModels,
    options: ProtocolOptions,
    tools: ToolRegistry | None = None,
    *,
    search: SearchBackend | None = None,
) -> CouncilGraph:
    """`search`: where knowledge retrieval looks (default: `options.corpus`'s BM25 index)."""
    backend = search if search is not None else corpus_backend(options.corpus)
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
        [(f"next_module == {name} and round < max_rounds", name) for name in TOOL_MODULES],
        otherwise="solution_generator",
    )
    for name in TOOL_MODULES:
        graph.add_edge(name, "dispatch")
    graph.add_edge("solution_generator", "finish")
    graph.add_edge("finish", "END")
    return graph


TOOL_PLANNER = ProtocolDefinition(
    name="tool-planner",
    aliases=("tool_planner", "mathsensei"),
    summary="a planner picks tool modules (retrieval, program, sympy) and a solution "
    "generator answers from their findings",
    roles={
        "planner": role(ModulePlanner, _as_reference(0.0, 128, "src/run.py:43-44")),
        "knowledge_retrieval": role(
            KnowledgeRetriever, _as_reference(0.5, 500, "src/model.py:1469 (Bing query)")
        ),
        "python_generator": role(ProgramModule, _as_reference(0.5, 256, "src/run.py:48-49")),
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
        files=("src/run.py", "src/model.py", "src/utilities.py"),
        commit="c6ee84c30474148a3a0b4c8262716baf95d071ce",
    ),
    deviations=(
        "council's own zero-shot module prompts, not the reference's few-shot ones (which "
        "need the MATH type and level of each problem); the reference's messages are not "
        "reproduced (tests/fixtures/references/tool-planner.*.json show how far)",
        "no code fixer after a failing program and no re-ask of the solution generator",
        "local BM25 search over --corpus instead of Bing; sympy instead of WolframAlpha",
    ),
    answer_rule="the solution generator's boxed answer, else the latest module answer",
)
