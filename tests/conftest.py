"""Shared fixtures. Scripted models keep unit tests deterministic and offline."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from council.bench.grading import Grader

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
