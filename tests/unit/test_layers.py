"""The layers in pyproject.toml ([tool.importlinter]) hold: a module imports only from the
layers below it (function-level imports included), so no import circle can form across
them and the front ends (CLI, web, MCP) never import one another."""

from __future__ import annotations

from pathlib import Path

from importlinter.application.use_cases import lint_imports
from importlinter.configuration import configure

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_every_layer_contract_is_kept() -> None:
    configure()
    assert lint_imports(config_filename=str(PYPROJECT), cache_dir=None, no_logo=True)
