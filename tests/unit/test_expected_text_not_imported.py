"""A test never takes the text it expects from the code it tests (issue 23).

A message-flow test that builds its expected prompt from council's own template passes
whatever the template says: wording drift can never fail it. Expected text comes from a
reference fixture (tests/fixtures/references/, via tests.support.references) or, for
council's own prompts, from a golden copy written in the test. This test parses every
module under tests/ (any of them may compare what a model was sent) and fails on:

- an import from council of a name ending in _TASK, _PROMPT(S), _INSTRUCTION(S), _EXAMPLES
  or _TEMPLATE(S), or of a `prompts`/`templates`/`*_prompt` module;
- an import or attribute of a council object that is prompt text: a `PromptTemplate`,
  an `AgentPrompts`, or a string of prose (e.g. `AGGREGATE_AND_SYNTHESIZE`,
  `JudgeGrade.FORMAT`), whatever its name;
- a call of `.render(...)`, which renders a template into the expected value.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import BaseModel

from council.agents.prompting import AgentPrompts, PromptTemplate

TESTS = Path(__file__).resolve().parents[1]
TEXT_NAME = re.compile(r"_(TASK|PROMPTS?|INSTRUCTIONS?|EXAMPLES|TEMPLATES?)$")
TEXT_MODULE = re.compile(r"(^|_)(prompts?|templates?)$")
ALLOWED: dict[str, str] = {}
"""'<path under tests/>:<line>' -> the written reason that test may use council's text.
Empty: no test may."""


class Finding(BaseModel):
    path: str
    line: int
    what: str

    def key(self) -> str:
        return f"{self.path}:{self.line}"


def is_text(value: object) -> bool:
    """Prompt text: a template, an agent's templates, or prose (a string with a space or a
    line break; file names, labels and prefixes have none)."""
    if isinstance(value, PromptTemplate | AgentPrompts):
        return True
    return isinstance(value, str) and any(c.isspace() for c in value)


def is_text_module(value: object) -> bool:
    return isinstance(value, ModuleType) and bool(
        TEXT_MODULE.search(value.__name__.rsplit(".", 1)[-1])
    )


def resolve(module: str, name: str | None = None) -> object:
    """The council object an import binds (None if it cannot be found)."""
    try:
        imported = importlib.import_module(module)
    except ImportError:
        return None
    if name is None:
        return imported
    if hasattr(imported, name):
        return getattr(imported, name)
    try:
        return importlib.import_module(f"{module}.{name}")
    except ImportError:
        return None


def from_council(module: str | None) -> bool:
    return module is not None and (module == "council" or module.startswith("council."))


def findings(source: str, path: str) -> list[Finding]:
    """Every place in `source` where a test reaches for council's prompt text."""
    tree = ast.parse(source)
    bound: dict[str, object] = {}
    found: dict[tuple[int, str], Finding] = {}

    def flag(node: ast.AST, what: str) -> None:
        line = getattr(node, "lineno", 0)
        found[(line, what)] = Finding(path=path, line=line, what=what)

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and from_council(node.module):
            assert node.module is not None
            for alias in node.names:
                value = resolve(node.module, alias.name)
                where = f"{node.module}.{alias.name}"
                if TEXT_NAME.search(alias.name):
                    flag(node, f"imports {where}, named as prompt text")
                elif is_text(value):
                    flag(node, f"imports {where}, which is prompt text")
                elif is_text_module(value) or is_text_module(resolve(node.module)):
                    flag(node, f"imports {where} from a prompt module")
                bound[alias.asname or alias.name] = value
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if not from_council(alias.name):
                    continue
                if any(TEXT_MODULE.search(part) for part in alias.name.split(".")):
                    flag(node, f"imports {alias.name}, a prompt module")
                if alias.asname:
                    bound[alias.asname] = resolve(alias.name)
                else:
                    bound[alias.name.split(".")[0]] = resolve(alias.name.split(".")[0])

    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "render"
        ):
            flag(node, "renders a template with .render(...)")
        if not isinstance(node, ast.Attribute):
            continue
        chain: list[str] = []
        root: ast.expr = node
        while isinstance(root, ast.Attribute):
            chain.insert(0, root.attr)
            root = root.value
        if not isinstance(root, ast.Name) or root.id not in bound:
            continue
        value = bound[root.id]
        for attr in chain:
            value = getattr(value, attr, None)
        dotted = ".".join([root.id, *chain])
        if TEXT_NAME.search(chain[-1]):
            flag(node, f"uses {dotted}, named as prompt text")
        elif is_text(value):
            flag(node, f"uses {dotted}, which is prompt text")
    return sorted(found.values(), key=lambda f: (f.line, f.what))


def test_no_test_takes_its_expected_text_from_council() -> None:
    every = [
        finding
        for path in sorted(TESTS.rglob("*.py"))
        for finding in findings(path.read_text(encoding="utf-8"), str(path.relative_to(TESTS)))
    ]
    unexplained = [f"{f.key()}: {f.what}" for f in every if f.key() not in ALLOWED]
    assert not unexplained, (
        "take expected text from a reference fixture (tests.support.references) or write a "
        "golden copy in the test:\n" + "\n".join(unexplained)
    )
    stale = sorted(set(ALLOWED) - {f.key() for f in every})
    assert not stale, f"allowed but no longer used, remove: {stale}"


@pytest.mark.parametrize(
    "source",
    [
        "from council.agents.mad import JUDGE_FINAL",
        "from council.agents.debater import READ_OTHERS",
        "from council.agents.moa import AGGREGATE_AND_SYNTHESIZE",
        "from council.agents.pal_prompt import PAL_SYSTEM",
        "from council.agents import pal_prompt",
        "import council.agents.pal_prompt",
        "from council.agents.texts import FEEDBACK",
        "from council.agents.refine import ASSESSOR_PROMPTS",
        "from council.agents.grader import JudgeGrade\nformat = JudgeGrade.FORMAT",
        "from council.agents import mad\nfinal = mad.JUDGE_FINAL",
        "import council.agents.refine as refine\ntext = refine.ASSESSOR_SYSTEM",
        "import council.agents.refine\ntext = council.agents.refine.REFINER_TASK",
        "from council.agents.grader import CandidateGrader\n"
        "task = CandidateGrader.prompts.task.render({})",
        "from council.some_module import NEW_TASK",
    ],
)
def test_each_way_of_taking_council_text_is_caught(source: str) -> None:
    assert findings(source, "example.py"), source


@pytest.mark.parametrize(
    "source",
    [
        "from council.messages import Message",
        "from council.run_log.results import RESULTS_FILE",
        "from council.tools.sandbox.docker_sandbox import SESSION_PREFIX",
        "from council.agents.refine import Assessment\nscore = Assessment.model_fields",
        "from tests.support.references import reference_run",
        'TASK_TEXT = "Problem:\\n{problem}"',
    ],
)
def test_other_imports_are_not_flagged(source: str) -> None:
    assert findings(source, "example.py") == []
