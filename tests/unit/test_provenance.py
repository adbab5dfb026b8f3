"""Each session of a run records what it ran on: council's own version and source
revision, the sha256 of each local model's GGUF file, and the CPU; sessions recorded
before these were kept still read."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from council.run_log.manifest import package_versions
from council.run_log.provenance import COUNCIL_SOURCE, council_revision, model_file_hashes
from council.run_log.sessions import read_sessions
from tests.support.cli import CliRun
from tests.support.doubling_stub import read_request, reply, write_rows
from tests.support.openai_stub import StubBehaviour
from tests.support.servers import stub_thread


def test_a_local_models_file_is_named_by_its_sha256_and_hashed_again_when_replaced(
    tmp_path: Path,
) -> None:
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"weights, version 1")
    name = f"local/{gguf}"
    first = model_file_hashes([name, "openai/x"])
    assert first == {name: hashlib.sha256(b"weights, version 1").hexdigest()}
    gguf.write_bytes(b"weights, version 2!")  # another file under the same path
    os.utime(gguf, ns=(1, 1))
    assert model_file_hashes([name]) == {name: hashlib.sha256(b"weights, version 2!").hexdigest()}
    assert model_file_hashes([f"local/{tmp_path / 'missing.gguf'}"]) == {}


def test_councils_version_and_source_revision_are_recorded(
    cli: Callable[..., CliRun], tmp_path: Path
) -> None:
    assert package_versions()["council"] == importlib.metadata.version("council-reasoning")
    head = subprocess.run(
        ["git", "-C", str(COUNCIL_SOURCE), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    revision = council_revision()
    if head:  # a checkout (CI's clean clone is one); an installed wheel records none
        assert revision is not None and revision.removesuffix("+modified") == head
    data = write_rows(tmp_path / "rows.jsonl", [1], gold="plain")
    with stub_thread(StubBehaviour(responder=lambda body: reply(read_request(body).n))) as base:
        done = cli(
            *("bench", "--dataset", str(data), "--protocol", "single", "--model"),
            *("openai/stub", "--api-base", base, "--out", str(tmp_path / "run")),
        )
    assert done.returncode == 0, done.stderr
    (session,) = read_sessions(tmp_path / "run")
    assert session.council_revision == revision
    assert session.packages["council"] != "not installed"
    assert session.model_files == {}  # no local model in this run
    assert session.cpu


def test_a_session_recorded_before_provenance_reads(tmp_path: Path) -> None:
    old = {"started_at": "2026-12-01T00:00:00+00:00", "problems": 1, "limit": None}
    old |= {"packages": {"council": "not installed"}, "python": "3.11.7"}
    (tmp_path / "sessions.jsonl").write_text(json.dumps(old) + "\n")
    (session,) = read_sessions(tmp_path)
    assert (session.council_revision, session.model_files, session.cpu) == (None, {}, "")
