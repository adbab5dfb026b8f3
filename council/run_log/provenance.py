"""What a session ran on, beyond package versions: council's own source revision (a run
made from a checkout has no released version to name), the sha256 of each local GGUF file
(a path names a file, not its weights), and the CPU. A paper's numbers can then be traced
to the exact code and weights; none of it changes a result, so sessions may differ and each
is recorded in `sessions.jsonl`."""

from __future__ import annotations

import hashlib
import platform
import subprocess
from functools import cache
from pathlib import Path

from council.errors import ConfigError
from council.models.local_server import resolve_gguf_path

COUNCIL_SOURCE = Path(__file__).resolve().parents[2]
CHUNK = 1 << 20


@cache
def council_revision() -> str | None:
    """The git commit council's source is at, `+modified` when its code (the `council`
    package, `pyproject.toml`) differs from it; a run directory written inside the
    checkout does not count (None: not a git checkout, e.g. an installed wheel)."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(COUNCIL_SOURCE), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            [
                *("git", "-C", str(COUNCIL_SOURCE), "status", "--porcelain"),
                *("--untracked-files=no", "--", "council", "pyproject.toml"),
            ],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}+modified" if dirty else commit


@cache
def _file_sha256(path: Path, size: int, mtime_ns: int) -> str:
    """Keyed by size and mtime too: a file replaced under the same path is hashed again."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def model_file_hashes(names: list[str]) -> dict[str, str]:
    """The sha256 of each `local/` model's GGUF file, by model name."""
    hashes = {}
    for name in sorted(set(names)):
        if not name.startswith("local/"):
            continue
        try:
            path = resolve_gguf_path(name.split("/", 1)[1])
        except ConfigError:
            continue  # the run itself says the file is missing
        stat = path.stat()
        hashes[name] = _file_sha256(path, stat.st_size, stat.st_mtime_ns)
    return hashes


@cache
def cpu_model() -> str:
    """The CPU's model name (`/proc/cpuinfo`), or the platform's machine type."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()
