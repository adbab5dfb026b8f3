"""The planner and modules of `tool-planner`, as MathSensei runs them (Das, Banerjee, Aditya
and Kulkarni 2024, "MathSensei: A Tool-Augmented Large Language Model for Mathematical
Reasoning", NAACL; official code rakutentech/MathSensei at c6ee84c, `src/model.py` and
`src/run.py` with `--dataset MATH --model planner`; Debrup-61/MathSensei only points there).
Line numbers below are that commit's.

The planner (`ModulePlanner`, `predict_modules`, model.py:807-877) is shown the few-shot
policy prompt and the problem with its MATH type and level, and answers with a Python list
of module names; each module then runs in the listed order and extends one context string,
MathSensei's `cache["response"]` (`module_context`), which starts with the problem's type
and level lines (run.py:249-256) and which the later modules' prompts show:

- `bing_search` (`KnowledgeRetriever`, model.py:1416-1550): a query-generation call (asked
  again, up to 3 calls, while its reply has no "Query:"), two searches (the question, then
  the generated query; 5 results each, `BING_API_COUNT` in src/.env), one extraction call
  per search; adds "Bing search response:" with both extractions. The searches go to the
  `search` tool's backend (the `--corpus` BM25 index, offline) where the reference calls
  Bing; snippets are cleaned as `parse_bing_result` cleans Bing's (utilities.py:566-582).
- `python_generator_refine_executor` (`ProgramModule`, model.py:1216-1303): one program
  from the few-shot prompt, run (utilities.py:65-114: `unicode_escape`-decoded, 10 s, its
  printed text is the output); a program that fails or prints nothing goes to the code
  fixer (a system and a user message, T 0.7, 500 tokens, model.py:1183-1212), up to 3
  programs in all; a program that printed adds "Python generator:" and "Python output:".
- `wolfram_alpha_search` (`SymbolicSolver`): council's sympy tools in the sandbox (no
  WolframAlpha here; council's own prompts), adding "Symbolic solver response:".
- `solution_generator` (`SolutionGenerator`, model.py:1343-1413, 1576-1618): the few-shot
  prompt with the context up to any earlier "Solution:", asked again with the same message
  while the reply has no "boxed" (4 calls at most, `--sg_patience`); adds "Solution:".

The prompts are the reference's, verbatim (`council.agents.mathsensei_prompts`), kept here as
named templates; notes from council's memory (`{memory}`, empty without memory) go before
the planner's, the python generator's and the solution generator's, and a chat's earlier
turns before each module's first message, as in every council protocol.

Plan rule (`ModulePlan`, `update_modules`): the reply from its first "[" on, lowercased,
read as a Python list literal; a list that does not end with
'solution_generator' (or no list) is the solution generator alone. Modules run in the
listed order, repeats included; a name that is not one of the four above is skipped and
kept in `ModulePlan.unknown` (the reference would fail calling it).
"""

from __future__ import annotations

import ast
import codecs
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal

from pydantic import Field

from council.agents.base import Agent, AgentResult, ToolTrace, _TurnRecord
from council.agents.mathsensei_prompts import (
    BING_EXTRACTOR_PROMPT,
    BING_QUERY_PROMPT,
    CODE_FIXER_PROMPT,
    CODE_FIXER_SYSTEM,
    POLICY_PROMPT,
    PYTHON_GENERATOR_PROMPT,
    SOLUTION_GENERATOR_PROMPT,
)
from council.agents.output import AgentOutput
from council.agents.parsing import OutputParseError, labeled_fields
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.agents.reference_programs import run_program
from council.answers import ExtractionMethod, extract_answer
from council.calls import CallPurpose, CallRecord
from council.messages import Message
from council.models.base import CallInfo, ChatModel, Completion
from council.models.settings import ModelSettings
from council.problem_info import ProblemInfo
from council.tools.base import ToolContext, ToolRegistry
from council.tools.builtin import default_tools
from council.tools.sandbox.result import ExecutionResult
from council.tools.sandbox.run_options import RunOptions
from council.tools.search import NoCorpus, SearchHit, SearchTool, search_tool

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
REFERENCE_NAMES: dict[str, ModuleName] = {
    # the planner's menu (src/custom_prompts/prompt_policy.py) and the council agent each runs
    "bing_search": "knowledge_retrieval",
    "python_generator_refine_executor": "python_generator",
    "wolfram_alpha_search": "symbolic_solver",
    "solution_generator": "solution_generator",
}
NAME_OF: dict[ModuleName, str] = {module: name for name, module in REFERENCE_NAMES.items()}

BING_RESULTS = 5
"""Results per search: `BING_API_COUNT = 5` (src/.env:45, read at model.py:1420)."""
QUERY_TRIES = 3
"""Query-generation calls at most while the reply has no "Query:" (model.py:1462-1472)."""
PROGRAM_ATTEMPTS = 3
"""Programs at most: the first, then up to two from the code fixer (model.py:1228-1243)."""
PROGRAM_SECONDS = 10.0
"""`signal.alarm(10)` in `safe_execute` (utilities.py:91-92)."""
TIMEOUT_MESSAGE = "TLE"
"""What `safe_execute` reports for a program past its time (utilities.py:84-86)."""
FIXER_DECODING = {"temperature": 0.7, "max_tokens": 500}
"""The code fixer's decoding, fixed in the reference (model.py:1197): the `code_fixer` role
of `tool-planner` declares it; a python generator built without fixer settings (from a
config file) decodes its fixer calls with its own settings and these two values."""
SOLUTION_PATIENCE = 4
"""Solution-generator calls at most while no "boxed" (`--sg_patience`, run.py:66)."""
PROGRAM_RUN = RunOptions(namespace="fresh")
"""Each program in fresh globals (the reference `exec`s in one module's globals, so names
could leak from an earlier program of the same process)."""


def _escaped(text: str) -> str:
    """A reference prompt as literal template text (its LaTeX braces are not fields)."""
    return text.replace("{", "{{").replace("}", "}}")


PLANNER_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="tool_planner.planner.system", text=""),
    # build_prompt_for_policy (model.py:807-826): the demo prompt stripped, "\n\n", then
    # f"Question: {question_text}\n\nMathematics Problem Type:{typ}\nLevel of Problem:{lvl}
    # \nThought:" with question_text = problem + "\n\n" (get_question_text, model.py:780-789)
    task=PromptTemplate(
        name="tool_planner.planner.task",
        text="{memory}"
        + _escaped(POLICY_PROMPT.strip())
        + "\n\nQuestion: {problem}\n\n\n\n{problem_type_level}Thought:",
    ),
)
BING_QUERY_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="tool_planner.bing_query.system", text=""),
    # bing_search (model.py:1447-1454): the demo prompt as is, then f"Question:
    # {question_text}\nThought:". The reference's other branch (with the modules used and the
    # context) is never taken: `self.modules.find` fails on a list, so `mods` is always ""
    # (model.py:1429-1438).
    task=PromptTemplate(
        name="tool_planner.bing_query.task",
        text=_escaped(BING_QUERY_PROMPT) + "Question: {problem}\n\n\nThought:",
    ),
)
BING_EXTRACTOR_TASK = PromptTemplate(
    # bing_search (model.py:1503-1509): the demo prompt as is, then f"Question:
    # {question_text}\nBing Search API result:{responses}\nUseful_information:\n"
    name="tool_planner.bing_extractor.task",
    text=_escaped(BING_EXTRACTOR_PROMPT)
    + "Question:{problem}\n\n\nBing Search API result:{results}\nUseful_information:\n",
)
PYTHON_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="tool_planner.python.system", text=""),
    # build_prompt_for_pg for MATH (model.py:1642-1679): the demo prompt stripped, "\n\n",
    # then the question, the modules planned before this one, the context, and the cue
    task=PromptTemplate(
        name="tool_planner.python.task",
        text="{memory}"
        + _escaped(PYTHON_GENERATOR_PROMPT.strip())
        + "\n\nQuestion:{problem}\nModules used till now:[{modules_used}]\n{module_context}"
        "\n\nPython generator:\n# Python Code, print answer. Also Output all the relevant "
        "objects in the intermediate steps of the python code. Make sure that the first "
        "line of the code is always 'from sympy import *'",
    ),
)
CODE_FIXER_PROMPTS = AgentPrompts(
    # code_fixer (model.py:1183-1197): the system message, then the demo prompt and
    # f"\nIncorrect Python code:\n{error_program}\nError message:{error_message}\n"
    system=PromptTemplate(name="tool_planner.code_fixer.system", text=CODE_FIXER_SYSTEM),
    task=PromptTemplate(
        name="tool_planner.code_fixer.task",
        text=_escaped(CODE_FIXER_PROMPT)
        + "\nIncorrect Python code:\n{program}\nError message:{error}\n",
    ),
)
SOLUTION_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="tool_planner.solution.system", text=""),
    # build_prompt_for_kr_walpha_sg (model.py:1576-1618): the demo prompt stripped, "\n\n",
    # then f"Question: {question_text}\n\n{response}\n\nSolution: " (without the response
    # and its blank line when the context is empty)
    task=PromptTemplate(
        name="tool_planner.solution.task",
        text="{memory}"
        + _escaped(SOLUTION_GENERATOR_PROMPT.strip())
        + "\n\nQuestion: {problem}\n\n\n\n{context_block}Solution: ",
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
        text=(
            "Problem:\n{problem}\n\nWhat the earlier modules found:\n{module_context}\n\n"
            "Use the tools, then report.\n{format}"
        ),
    ),
)


def problem_type_level(info: ProblemInfo) -> str:
    """The lines MathSensei's prompts give a MATH problem's type and level, each ending in a
    newline (model.py:823); a line whose value is not given is left out (the reference
    needs both: it reads them from every MATH row)."""
    lines = []
    if info.subject is not None:
        lines.append(f"Mathematics Problem Type:{info.subject}\n")
    if info.level is not None:
        lines.append(f"Level of Problem:{info.level}\n")
    return "".join(lines)


def initial_context(info: ProblemInfo) -> str:
    """`cache["response"]` before any module: "\\nMathematics Problem Type:{typ}\\nLevel of
    Problem:{lvl}" (run.py:256); empty without type and level."""
    lines = problem_type_level(info)
    return "\n" + lines.removesuffix("\n") if lines else ""


def extended(context: str, addition: str) -> str:
    """A module's addition to the context, then `.strip()`, as each module does."""
    return (context + addition).strip()


class ModulePlan(AgentOutput):
    """The planner's list (`names`, as the reference reads it) and the council modules it
    runs, in order, repeats included (`modules`); listed names that are none of the four
    modules are kept in `unknown` and skipped."""

    FORMAT: ClassVar[str] = ""

    names: list[str] = Field(default_factory=lambda: ["solution_generator"])
    modules: list[ModuleName] = Field(default_factory=lambda: [FINAL_MODULE])
    unknown: list[str] = Field(default_factory=list)

    @classmethod
    def parse(cls, text: str, *, allow_prose: bool = True) -> ModulePlan:
        """predict_modules and update_modules (model.py:841-877): the reply from its first
        "[" on, lowercased and stripped, as a list that must end with 'solution_generator';
        otherwise the solution generator alone. Never unreadable. The reference `eval`s the
        text; here it is read as a Python literal (`ast.literal_eval`), which reads every
        list of names the same way and runs nothing."""
        start = text.find("[")
        listed = text[start:] if start != -1 else "['solution_generator']"
        try:
            value = ast.literal_eval(listed.lower().strip())
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            value = None
        if not isinstance(value, list) or value[-1:] != ["solution_generator"]:
            value = ["solution_generator"]
        return cls.from_names([str(name) for name in value])

    @classmethod
    def from_names(cls, names: Sequence[str]) -> ModulePlan:
        modules = [REFERENCE_NAMES[name] for name in names if name in REFERENCE_NAMES]
        unknown = [name for name in names if name not in REFERENCE_NAMES]
        return cls(names=list(names), modules=modules, unknown=unknown)

    @classmethod
    def fallback(cls, text: str) -> ModulePlan:
        return cls()

    def module_at(self, step: int) -> ModuleName | None:
        """The module that runs as the plan's `step`-th (0-based), None after the last."""
        return self.modules[step] if step < len(self.modules) else None

    def used_before_python(self) -> str:
        """MathSensei's "Modules used till now" for the python generator: the listed names
        before the first 'program_generator', else the first
        'python_generator_refine_executor', space-separated (model.py:1646-1652)."""
        for name in ("program_generator", "python_generator_refine_executor"):
            if name in self.names:
                return " ".join(self.names[: self.names.index(name)])
        return ""

    def summary(self) -> str:
        shown = " → ".join(self.names)
        if not self.unknown:
            return shown
        return f"{shown} (not modules here, skipped: {', '.join(self.unknown)})"


class ModuleReport(AgentOutput):
    """What one module did: `module` (the reference's name), `text` (what it adds to the
    context), `context` (MathSensei's `cache["response"]` after it), and the answer it
    commits to, if any (the solution generator's; the python generator's last printed
    line)."""

    module: str
    text: str = ""
    context: str = ""
    answer: str | None = None
    extraction: ExtractionMethod = "none"

    @classmethod
    def parse(cls, text: str, *, allow_prose: bool = True) -> ModuleReport:
        raise OutputParseError("a module report is made by its module, not read from a reply")

    @classmethod
    def fallback(cls, text: str) -> ModuleReport:
        return cls(module="", text=text)

    def final_answer(self) -> str | None:
        return self.answer

    def summary(self) -> str:
        if self.answer is not None:
            return f"{self.module}: answer {self.answer}"
        line = " ".join(self.text.split())
        return f"{self.module}: {line if len(line) <= 200 else line[:199] + '…'}"


class ModuleNote(AgentOutput):
    """What the symbolic solver found: with `RESULT:` it is final; it keeps using its
    tools until it writes one."""

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
    repair = False


class _Module(Agent[ModuleReport]):
    """A module that makes its own calls (several, as its reference does) and reports what
    it added to the context."""

    output_type = ModuleReport
    repair = False
    reads = frozenset({"module_context"})

    def _report(
        self,
        report: ModuleReport,
        prompt: str,
        calls: list[CallRecord],
        traces: list[ToolTrace],
        last: Completion,
    ) -> AgentResult[ModuleReport]:
        done = _TurnRecord(
            prompt=prompt, truncated=last.finish_reason == "length", calls=calls, traces=traces
        )
        return self._result(report, report.text, "ok", done)

    def _task(self, template: PromptTemplate, values: Mapping[str, object]) -> list[Message]:
        return [Message.user(template.render(values))]


def clean_snippets(hits: Sequence[SearchHit]) -> list[str]:
    """`parse_bing_result` (utilities.py:566-582): each snippet without <b> and </b>,
    stripped, empty ones dropped."""
    cleaned = (hit.text.replace("<b>", "").replace("</b>", "").strip() for hit in hits)
    return [text for text in cleaned if text]


class KnowledgeRetriever(_Module):
    """`bing_search`: query generation, two searches, two extractions (see the module)."""

    role = "knowledge_retrieval"
    prompts = BING_QUERY_PROMPTS
    extra_templates = (BING_EXTRACTOR_TASK,)
    own_variables = frozenset({"results"})

    def default_tools(self) -> ToolRegistry:
        return ToolRegistry([search_tool(NoCorpus())])

    async def _search(
        self, query: str, traces: list[ToolTrace], context: ToolContext | None
    ) -> list[str]:
        found = self.tools.get("search")
        if not isinstance(found, SearchTool):
            raise TypeError("knowledge_retrieval needs council's `search` tool (a SearchTool)")
        hits = await found.backend.search(query, BING_RESULTS)
        snippets = clean_snippets(hits)
        traces.append(ToolTrace(tool="search", arguments={"query": query}, output=str(snippets)))
        return snippets

    async def run(
        self,
        variables: Mapping[str, object],
        *,
        history: Sequence[Message] = (),
        conversation: Sequence[Message] = (),
        context: ToolContext | None = None,
        call: CallInfo | None = None,
    ) -> AgentResult[ModuleReport]:
        call = call or CallInfo(agent=self.role, role=self.role)
        calls: list[CallRecord] = []
        traces: list[ToolTrace] = []
        messages = self.build_messages(variables, history)
        query_output = ""
        for attempt in range(QUERY_TRIES):
            purpose: CallPurpose = "answer" if attempt == 0 else "repair"
            completion = await self._complete(messages, None, calls, call, purpose)
            query_output = completion.text
            if "Query:" in query_output:
                break
        question_text = f"{variables['problem']}\n\n"
        at = query_output.find("Query:")  # -1 when absent: the reference then cuts at 5
        generated = query_output[at + len("Query:") :]
        first = await self._search(question_text, traces, context)
        second = await self._search(generated, traces, context) if generated else []
        extractions = []
        for snippets in (first, second):
            task = self._task(BING_EXTRACTOR_TASK, {**variables, "results": str(snippets)})
            completion = await self._complete(task, None, calls, call, "tool")
            extractions.append(completion.text)
        info = "\n".join(extractions)
        context_now = str(variables["module_context"])
        if info:
            context_now = extended(context_now, f"\n\nBing search response:\n{info}")
        report = ModuleReport(module="bing_search", text=info, context=context_now)
        return self._report(report, messages[-1].content, calls, traces, completion)


def fixed_program(reply: str, program: str) -> str:
    """The code fixer's program (model.py:1200-1212): the text between "Corrected Python
    Code:" and "Errors fixed:"; the failing program again when either is missing."""
    start, end = reply.find("Corrected Python Code:"), reply.find("Errors fixed:")
    if start == -1 or end == -1:
        return program
    return reply[start + len("Corrected Python Code:") : end]


def exception_text(error: str) -> str:
    """`str(e)` of the exception a program raised (utilities.py:104-105), read from the
    sandbox's traceback: its last line without the exception's name."""
    lines = [line for line in error.strip().splitlines() if line.strip()]
    last = lines[-1].strip() if lines else error
    name, colon, message = last.partition(": ")
    return message if colon and re.fullmatch(r"[\w.]+", name) else last


class ProgramModule(_Module):
    """`python_generator_refine_executor`: a program, run; the code fixer while it fails."""

    role = "python_generator"
    prompts = PYTHON_PROMPTS
    reads = frozenset({"module_context", "modules_used"})
    fixer_prompts = CODE_FIXER_PROMPTS
    extra_templates = (CODE_FIXER_PROMPTS.system, CODE_FIXER_PROMPTS.task)

    def __init__(
        self,
        model: ChatModel,
        *,
        role: str | None = None,
        prompts: AgentPrompts | None = None,
        output_type: type[ModuleReport] | None = None,
        tools: ToolRegistry | None = None,
        settings: ModelSettings | None = None,
        max_tool_turns: int | None = None,
        fixer_settings: ModelSettings | None = None,
    ) -> None:
        super().__init__(
            model,
            role=role,
            prompts=prompts,
            output_type=output_type,
            tools=tools,
            settings=settings,
            max_tool_turns=max_tool_turns,
        )
        self.fixer_settings = fixer_settings

    def _fixer_settings(self) -> ModelSettings:
        if self.fixer_settings is not None:
            return self.fixer_settings
        return (self.settings or ModelSettings()).model_copy(update=FIXER_DECODING)

    async def _execute(
        self, program: str, traces: list[ToolTrace], context: ToolContext | None
    ) -> tuple[str | None, str | None]:
        """`safe_execute` (utilities.py:65-114): (printed text, None), or (None, the
        exception's text). A program that cannot be `unicode_escape`-decoded fails here
        (the reference stops the run)."""
        try:
            code = codecs.decode(program, "unicode_escape")
        except UnicodeError as exc:
            traces.append(ToolTrace(tool="python", arguments={"code": program}, output=str(exc)))
            return None, str(exc)
        result = await run_program(code, context, PROGRAM_SECONDS, PROGRAM_RUN)
        if not isinstance(result, ExecutionResult):
            output, error = None, result.to_text()
        elif result.timed_out:
            output, error = None, TIMEOUT_MESSAGE
        elif result.error is not None:
            output, error = None, exception_text(result.error)
        else:
            output, error = result.stdout, None
        shown = output if error is None else f"error: {error}"
        traces.append(ToolTrace(tool="python", arguments={"code": code}, output=shown or ""))
        return output, error

    async def run(
        self,
        variables: Mapping[str, object],
        *,
        history: Sequence[Message] = (),
        conversation: Sequence[Message] = (),
        context: ToolContext | None = None,
        call: CallInfo | None = None,
    ) -> AgentResult[ModuleReport]:
        call = call or CallInfo(agent=self.role, role=self.role)
        calls: list[CallRecord] = []
        traces: list[ToolTrace] = []
        messages = self.build_messages(variables, history)
        context_now = str(variables["module_context"])
        completion = await self._complete(messages, None, calls, call, "answer")
        program = completion.text
        error: str | None = None
        output: str | None = None
        for attempt in range(1, PROGRAM_ATTEMPTS + 1):
            if attempt > 1:
                values = {"program": program, "error": str(error)}
                fixer = [
                    Message.system(self.fixer_prompts.system.render(values)),
                    Message.user(self.fixer_prompts.task.render(values)),
                ]
                completion = await self._complete(
                    fixer, None, calls, call, "repair", self._fixer_settings()
                )
                program = fixed_program(completion.text, program)
            program = program.strip('"')
            output, error = await self._execute(program, traces, context)
            if error is None and output:
                break
        added = ""
        answer = None
        if error is None and output:
            added = f"\nPython generator:\n{program}\nPython output:\n{output}"
            context_now = extended(context_now, added)
            printed = [line.strip() for line in output.splitlines() if line.strip()]
            answer = printed[-1] if printed else None
        report = ModuleReport(
            module="python_generator_refine_executor",
            text=added.strip() or program,
            context=context_now,
            answer=answer,
        )
        return self._report(report, messages[-1].content, calls, traces, completion)


class SymbolicSolver(Agent[ModuleNote]):
    """`wolfram_alpha_search`'s place: calls the sympy tools (in the sandbox) until it
    reports `RESULT:`, then adds "Symbolic solver response:" to the context."""

    role = "symbolic_solver"
    prompts = SYMBOLIC_PROMPTS
    output_type = ModuleNote

    def default_tools(self) -> ToolRegistry:
        return default_tools(["sympy"])

    async def run(
        self,
        variables: Mapping[str, object],
        *,
        history: Sequence[Message] = (),
        conversation: Sequence[Message] = (),
        context: ToolContext | None = None,
        call: CallInfo | None = None,
    ) -> AgentResult[ModuleNote]:
        result = await super().run(
            variables, history=history, conversation=conversation, context=context, call=call
        )
        note = result.output.text
        context_now = extended(
            str(variables["module_context"]), f"\n\nSymbolic solver response:\n{note}"
        )
        report: Any = ModuleReport(module="wolfram_alpha_search", text=note, context=context_now)
        return result.model_copy(update={"output": report})


class SolutionGenerator(_Module):
    """`solution_generator`: asked again with the same message while no "boxed"."""

    role = "solution_generator"
    prompts = SOLUTION_PROMPTS
    own_variables = frozenset({"context_block"})

    def _settings_for(self, count: int) -> ModelSettings | None:
        """A greedy solution generator is re-asked at T+0.1 (model.py:1363-1366)."""
        settings = self.settings
        if settings is None or settings.temperature is None or count == 0:
            return settings
        if settings.temperature < 0.1:
            return settings.model_copy(update={"temperature": min(settings.temperature + 0.1, 1.0)})
        return settings

    async def run(
        self,
        variables: Mapping[str, object],
        *,
        history: Sequence[Message] = (),
        conversation: Sequence[Message] = (),
        context: ToolContext | None = None,
        call: CallInfo | None = None,
    ) -> AgentResult[ModuleReport]:
        call = call or CallInfo(agent=self.role, role=self.role)
        calls: list[CallRecord] = []
        context_now = str(variables["module_context"])
        shown = context_now
        if "Solution:" in shown:  # model.py:1583-1585
            shown = shown[: shown.find("Solution:")]
        block = f"{shown}\n\n" if shown != "" else ""
        messages = self.build_messages({**variables, "context_block": block}, history)
        solution = ""
        for count in range(SOLUTION_PATIENCE):
            purpose: CallPurpose = "answer" if count == 0 else "repair"
            completion = await self._complete(
                messages, None, calls, call, purpose, self._settings_for(count)
            )
            solution = completion.text
            if "boxed" in solution:
                break
        found = extract_answer(solution)
        report = ModuleReport(
            module="solution_generator",
            text=solution,
            context=context_now + "\nSolution:\n" + solution,
            answer=found.value,
            extraction=found.method,
        )
        done = _TurnRecord(
            prompt=messages[-1].content,
            truncated=completion.finish_reason == "length",
            calls=calls,
            traces=[],
        )
        return self._result(report, solution, "ok" if found.value else "fallback", done)


__all__ = [
    "MODULES",
    "KnowledgeRetriever",
    "ModuleNote",
    "ModulePlan",
    "ModulePlanner",
    "ModuleReport",
    "ProgramModule",
    "SolutionGenerator",
    "SymbolicSolver",
    "initial_context",
    "problem_type_level",
]
