"""Shared fixtures. Scripted models keep unit tests deterministic and offline."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from council.bench.grading import Grader
from tests.support.cli import CliRun, NoBackoff

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATASETS = REPO_ROOT.parent / "shared" / "datasets"


@pytest.fixture
def shared_datasets() -> Path:
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"shared data sets not present at {SHARED_DATASETS}")
    return SHARED_DATASETS


@pytest.fixture(scope="module")
def grader() -> Iterator[Grader]:
    """One grader (and its worker process) for a test module's bench runs."""
    with Grader(workers=1) as shared:
        yield shared


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., CliRun]]:
    """`cli("bench", ...)` runs `council bench ...` through `council.main.main` in this
    process (no interpreter start per case) and returns its exit code and output. Retries
    back off without waiting, so a dead server costs no seconds of real backoff; what
    `council bench` changes in the process (it freezes the heap and raises the collector's
    threshold, `council.bench.heap`) is put back afterwards."""
    from council.main import main
    from council.models import retrying

    monkeypatch.setenv("COLUMNS", "200")  # rich tables unwrapped
    monkeypatch.setattr(retrying, "asyncio", NoBackoff())
    threshold = gc.get_threshold()

    def run(*args: str) -> CliRun:
        capsys.readouterr()  # what came before is not this command's
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse errors and --help
            code = exc.code if isinstance(exc.code, int) else 1
        out = capsys.readouterr()
        return CliRun(code, out.out, out.err)

    yield run
    gc.unfreeze()
    gc.set_threshold(*threshold)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tiers by directory: tests/unit is the `unit` tier; everything else uses real pieces
    (`integration`), and carries the marker of what it needs (docker, browser, model, ray,
    network) where it needs more than this machine's loopback and child processes."""
    for item in items:
        tier = "unit" if item.nodeid.startswith("tests/unit/") else "integration"
        item.add_marker(tier)
