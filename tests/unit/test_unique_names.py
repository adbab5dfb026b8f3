"""No two public classes in council share a name (issue 25: "no two things share a name").

Two `Grade`s or two `Turn`s make a reader (and an import) guess which one is meant; a
private helper (`_Worker`) is local to its module and may repeat.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

COUNCIL = Path(__file__).resolve().parents[2] / "council"


def public_classes() -> dict[str, list[str]]:
    """Each public top-level class name, with the modules that define it."""
    homes: dict[str, list[str]] = defaultdict(list)
    for path in sorted(COUNCIL.rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                homes[node.name].append(str(path.relative_to(COUNCIL.parent)))
    return homes


def test_every_public_class_name_has_one_home() -> None:
    shared = {name: paths for name, paths in public_classes().items() if len(paths) > 1}
    assert shared == {}, f"rename one of each: {shared}"


def test_the_scan_sees_council_classes() -> None:
    homes = public_classes()
    assert homes["RunSpec"] and homes["RunLog"], "the scan found none of council's classes"
