"""The planner and modules of `tool-planner`, after MathSensei (Das, Banerjee, Aditya and
Kulkarni 2024, "MathSensei: A Tool-Augmented Large Language Model for Mathematical
Reasoning", NAACL; official code github.com/rakutentech/MathSensei, `src/model.py`; the
Debrup-61/MathSensei repository only points there): a planner picks a sequence of modules
from a fixed menu, each module's output feeds the next (`{findings}`), and the solution
generator writes the final answer.

The menu (`MODULES`) and the reference's planner names (`prompt_policy.py`) it stands for:
knowledge retrieval (`bing_search`: here BM25 search over a local corpus, then one call that
states the knowledge the problem needs, where the reference makes a query-generation call
and one extraction call per Bing search), python generator + executor
(`python_generator_refine_executor`), symbolic solver (`wolfram_alpha_search`: here the
sympy tools in the sandbox), solution generator (`solution_generator`). Prompts are
council's own and zero-shot, not the reference's few-shot MATH prompts (which also carry the
problem's MATH type and level, which council does not have); the reference's messages for
fixed inputs are in `tests/fixtures/references/tool-planner.*.json`.

Plan rule (`ModulePlan.parse`): the plan is read from `MODULES: a, b, c` (or the reply's
lines); names are matched case- and spacing-insensitively, with the paper's short names
(KR, PG, SS, SG, ...) and the reference planner's names as aliases. A name not on the menu
is dropped and kept in `ModulePlan.unknown` (the rest of the plan still runs); a module
named twice runs once; modules after the solution generator are dropped and the solution
generator is added at the end if missing. A reply naming no module at all is re-asked once;
if still unreadable, the plan is the solution generator alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field

from council.agents.answerer import COT_INSTRUCTION
from council.agents.base import Agent, AgentResult, ToolTrace
from council.agents.output import AgentOutput
from council.agents.parsing import OutputParseError, labeled_fields
from council.agents.program import POT_INSTRUCTION, ProgramOfThought
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.agents.solver import WorkedAnswer
from council.messages import Message
from council.models.base import CallInfo
from council.tools.base import ToolContext, ToolRegistry
from council.tools.builtin import default_tools
from council.tools.search import NoCorpus, search_tool

ModuleName = Literal[
    "knowledge_retrieval", "python_generator", "symbolic_solver", "solution_generator"
]
MODULES: tuple[ModuleName, ...] = (
    "knowledge_retrieval",
    "python_generator",
    "symbolic_solver",
    "solution_generator",
)
FINAL_MODULE: ModuleName = "solution_generator"
ALIASES: dict[str, ModuleName] = {
    # the paper's short names, plain words, and the reference planner's module names
    # (rakutentech/MathSensei src/custom_prompts/prompt_policy.py), so its replies map here
    "kr": "knowledge_retrieval",
    "knowledge": "knowledge_retrieval",
    "knowledge_retrieval": "knowledge_retrieval",
    "bs": "knowledge_retrieval",
    "search": "knowledge_retrieval",
    "bing_search": "knowledge_retrieval",
    "pg": "python_generator",
    "python": "python_generator",
    "python_generator": "python_generator",
    "program_generator": "python_generator",
    "python_generator_refine_executor": "python_generator",
    "ss": "symbolic_solver",
    "sympy": "symbolic_solver",
    "symbolic": "symbolic_solver",
    "symbolic_solver": "symbolic_solver",
    "wolfram_alpha_search": "symbolic_solver",
    "sg": "solution_generator",
    "solution": "solution_generator",
    "solution_generator": "solution_generator",
}

PLANNER_SYSTEM = (
    "You are the planner of a team of modules that solve math problems. Choose which "
    "modules run for this problem, in order; each module reads what the earlier ones found. "
    "Modules:\n"
    "- knowledge_retrieval: looks up definitions, formulas and facts the problem needs\n"
    "- python_generator: writes a Python program for the problem, runs it, shows its output\n"
    "- symbolic_solver: solves equations and simplifies expressions exactly (sympy)\n"
    "- solution_generator: writes the final step-by-step solution (always last)"
)
PLANNER_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="tool_planner.planner.system", text=PLANNER_SYSTEM),
    task=PromptTemplate(
        name="tool_planner.planner.task",
        text="Problem:\n{problem}\n\nWhich modules should run, in order?\n{format}",
    ),
)
KNOWLEDGE_PROMPTS = AgentPrompts(
    system=PromptTemplate(
        name="tool_planner.knowledge.system",
        text=(
            "You are the knowledge retrieval module of a team solving a math problem. Using "
            "the passages found for it (and what you know), state the definitions, formulas "
            "and facts the problem needs. Do not solve the problem."
        ),
    ),
    task=PromptTemplate(
        name="tool_planner.knowledge.task",
        text=(
            "Problem:\n{problem}\n\nPassages:\n{passages}\n\n{findings}"
            "Write the knowledge needed to solve the problem as short bullet points."
        ),
    ),
)
PROGRAM_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="tool_planner.python.system", text=""),
    task=PromptTemplate(
        name="tool_planner.python.task", text="{problem}\n\n{findings}" + POT_INSTRUCTION
    ),
)
SYMBOLIC_PROMPTS = AgentPrompts(
    system=PromptTemplate(
        name="tool_planner.symbolic.system",
        text=(
            "You are the symbolic solver module of a team solving a math problem. Use the "
            "tools to solve the problem's equations and simplify its expressions exactly, "
            "then report the exact results. Do not write the full solution.{tool_help}"
        ),
    ),
    task=PromptTemplate(
        name="tool_planner.symbolic.task",
        text="Problem:\n{problem}\n\n{findings}Use the tools, then report.\n{format}",
    ),
)
SOLUTION_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="tool_planner.solution.system", text=""),
    task=PromptTemplate(
        name="tool_planner.solution.task",
        text="{memory}{problem}\n\n{findings}" + COT_INSTRUCTION.replace("{}", "{{}}"),
    ),
)
_SPLIT = re.compile(r"[,;\n|]|->|→|=>|\bthen\b", re.IGNORECASE)


def module_name(token: str) -> str:
    """`Python Generator`, `"PG"`, `2. python-generator` → `python_generator`."""
    cleaned = re.sub(r"^[\s\-*\d.)\[\]\"'`]+|[\s\"'`\[\].]+$", "", token)
    return re.sub(r"[\s\-]+", "_", cleaned.strip()).lower()


class ModulePlan(AgentOutput):
    """The modules to run, in order, ending with the solution generator; names the planner
    gave that are not on the menu are kept in `unknown` (and not run)."""

    FORMAT: ClassVar[str] = (
        "MODULES: module names from the list, comma-separated, e.g. "
        "knowledge_retrieval, python_generator, solution_generator"
    )

    modules: list[ModuleName] = Field(min_length=1)
    unknown: list[str] = Field(default_factory=list)

    @classmethod
    def parse(cls, text: str, *, allow_prose: bool = True) -> ModulePlan:
        labeled = labeled_fields(text, ["modules"]).get("modules")
        if labeled is None and not allow_prose:
            raise OutputParseError("no MODULES: line")
        return cls.from_names(_SPLIT.split(labeled if labeled is not None else text))

    @classmethod
    def from_names(cls, names: Sequence[str]) -> ModulePlan:
        modules: list[ModuleName] = []
        unknown: list[str] = []
        for raw in names:
            name = module_name(raw)
            if not name:
                continue
            known = ALIASES.get(name)
            if known is None:
                unknown.append(name)
            elif known not in modules and FINAL_MODULE not in modules:
                modules.append(known)
        if not modules:
            raise OutputParseError(f"the plan names no module from the list: {', '.join(MODULES)}")
        if FINAL_MODULE not in modules:
            modules.append(FINAL_MODULE)
        return cls(modules=modules, unknown=unknown)

    @classmethod
    def fallback(cls, text: str) -> ModulePlan:
        return cls(modules=[FINAL_MODULE])

    def next_after(self, done: set[str]) -> ModuleName | None:
        return next((m for m in self.modules if m not in done), None)

    def summary(self) -> str:
        shown = " → ".join(self.modules)
        return (
            f"{shown} (not on the menu, skipped: {', '.join(self.unknown)})"
            if self.unknown
            else shown
        )


class ModuleNote(AgentOutput):
    """What a module found (knowledge, exact results): text for the next modules, never an
    answer. With `RESULT:` it is final; tool agents keep working until they write one."""

    FORMAT: ClassVar[str] = "RESULT: the exact results, one per line"

    text: str = Field(min_length=1)

    @classmethod
    def parse(cls, text: str, *, allow_prose: bool = True) -> ModuleNote:
        labeled = labeled_fields(text, ["result"]).get("result")
        if labeled is None and not allow_prose:
            raise OutputParseError("no RESULT: line")
        body = (labeled if labeled is not None else text).strip()
        if not body:
            raise OutputParseError("the module wrote nothing")
        return cls(text=body)

    @classmethod
    def fallback(cls, text: str) -> ModuleNote:
        return cls(text=text.strip() or "(nothing)")

    def summary(self) -> str:
        line = " ".join(self.text.split())
        return line if len(line) <= 200 else line[:199] + "…"


class ModulePlanner(Agent[ModulePlan]):
    role = "planner"
    prompts = PLANNER_PROMPTS
    output_type = ModulePlan


class KnowledgeRetriever(Agent[ModuleNote]):
    """Searches with the problem as the query (its `search` tool: the corpus's BM25 index,
    or `NoCorpus`), then states the knowledge the problem needs from the passages. The
    search is recorded as a tool trace; the model is not offered tools."""

    role = "knowledge_retrieval"
    prompts = KNOWLEDGE_PROMPTS
    output_type = ModuleNote
    repair = False
    own_variables = frozenset({"passages"})

    def default_tools(self) -> ToolRegistry:
        return ToolRegistry([search_tool(NoCorpus())])

    async def run(
        self,
        variables: Mapping[str, object],
        *,
        history: Sequence[Message] = (),
        conversation: Sequence[Message] = (),
        context: ToolContext | None = None,
        call: CallInfo | None = None,
    ) -> AgentResult[ModuleNote]:
        query = str(variables.get("problem", ""))
        found = await self.tools.get("search").run({"query": query}, context or ToolContext())
        passages = found.to_text()
        trace = ToolTrace(tool="search", arguments={"query": query}, output=passages)
        result = await super().run(
            {**variables, "passages": passages},
            history=history,
            conversation=conversation,
            context=context,
            call=call,
        )
        return result.model_copy(update={"tool_traces": [trace, *result.tool_traces]})

    async def _complete_with_tools(
        self, messages: Any, calls: Any, traces: Any, context: Any, call: Any
    ) -> Any:
        return await self._complete(messages, None, calls, call, "answer")


class ProgramModule(ProgramOfThought):
    """The python generator + executor: one program, run once in the sandbox (PoT), given
    what earlier modules found."""

    role = "python_generator"
    prompts = PROGRAM_PROMPTS


class SymbolicSolver(Agent[ModuleNote]):
    """Calls the sympy tools (in the sandbox) until it reports `RESULT:`."""

    role = "symbolic_solver"
    prompts = SYMBOLIC_PROMPTS
    output_type = ModuleNote

    def default_tools(self) -> ToolRegistry:

        return default_tools(["sympy"])


class SolutionGenerator(Agent[WorkedAnswer]):
    """The last module: the plain chain-of-thought prompt with the modules' findings."""

    role = "solution_generator"
    prompts = SOLUTION_PROMPTS
    output_type = WorkedAnswer
    repair = False
