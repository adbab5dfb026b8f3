"""Fixtures for the web UI: one `council serve` (scripted model, its own threads database,
two bench runs made by the real bench runner) and one headless Chromium for the module."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.runs import make_run
from tests.support.web import REPO, browser_missing, chromium, council_serve

ARTIFACTS = REPO / "tests" / "artifacts"
DOCS = REPO / "docs"

XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
SCRIPT = {
    "rules": [
        {"contains": "slow question", "reply": "ANSWER: 1", "delay_seconds": 60},
        {"contains": "endless question", "beyond_context": True},
        {"contains": "You are the planner", "reply": "1. Multiply 6 by 7 | 2. Check " + XSS},
        {"contains": "VERDICT", "reply": "VERDICT: correct\nCONFIDENCE: 0.9\nchecked"},
        {"contains": ["What is 6 * 7?", "now double it"], "reply": "84 it is. ANSWER: 84"},
    ],
    "default": "6 * 7 = 42 " + XSS + "\nANSWER: 42",
}


@pytest.fixture(scope="session")
def runs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runs")
    make_run(root / "single-a", wrong_every=4)
    make_run(root / "single-b", wrong_every=3)
    return root


@pytest.fixture(scope="session")
def web_url(tmp_path_factory: pytest.TempPathFactory, runs_dir: Path) -> Iterator[str]:
    why = browser_missing()
    if why is not None:
        pytest.fail(why)  # a machine set up by `make test` has all of it
    home = tmp_path_factory.mktemp("serve")
    script = home / "script.json"
    script.write_text(json.dumps(SCRIPT))
    args = [
        "--scripted",
        str(script),
        "--db",
        str(home / "threads.sqlite"),
        "--runs",
        str(runs_dir),
        "--models",
        "local/smollm2,openai/gpt-4o-mini",
    ]
    with council_serve(args, home / "serve.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def keep_for_docs(path: Path) -> None:
    """`COUNCIL_UPDATE_DOCS=1` copies a view's screenshot into docs/ for the README."""
    if os.environ.get("COUNCIL_UPDATE_DOCS") == "1":
        DOCS.mkdir(exist_ok=True)
        shutil.copy(path, DOCS / path.name)
