"""Every measurement says how to get it again: `announce` prints the command line that
reproduces the run, the date and the machine before a script prints its figures.

With `COUNCIL_MEASUREMENTS=DIR` set, everything the script prints is also written, when it
ends, to `DIR/<script>.md`: a page of the docs site (`docs/measurements/`), so no figure
there is typed by hand (`make measurements` runs the scripts this way).
"""

from __future__ import annotations

import atexit
import io
import os
import platform
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

REPO = Path(__file__).resolve().parents[1]
OUTPUT_DIR_ENV = "COUNCIL_MEASUREMENTS"


def command_line(argv: list[str] | None = None) -> str:
    """`python benchmarks/NAME.py ARGS` as typed from the repository's root."""
    argv = list(sys.argv if argv is None else argv)
    script = Path(argv[0]).resolve()
    try:
        shown = str(script.relative_to(REPO))
    except ValueError:
        shown = str(script)
    return shlex.join(["python", shown, *argv[1:]])


def machine() -> str:
    """CPU model, usable cores, memory, Python: what the figures depend on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = ""
    try:
        total_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {total_kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {cores} usable cores{memory}, Python {platform.python_version()}"


def revision() -> str:
    """The checkout's commit (with `+changes` when the tree is not clean), or `unknown`."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (commit + ("+changes" if dirty else "")) or "unknown"


class _Tee(io.TextIOBase):
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


def announce(what: str) -> None:
    """Print what the script measures, how to run it again, when and where; keep a page
    of the run when `COUNCIL_MEASUREMENTS` names a directory."""
    directory = os.environ.get(OUTPUT_DIR_ENV)
    if directory:  # the copy starts before the header, so the page carries it too
        tee = _Tee(sys.stdout)
        sys.stdout = tee
        page = Path(directory) / f"{Path(sys.argv[0]).stem}.md"
        atexit.register(_write_page, page, what, tee)
    command = command_line()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"# {what}")
    print(f"# command: {command}")
    print(f"# date: {when}; commit {revision()}")
    print(f"# machine: {machine()}", flush=True)


def _write_page(page: Path, what: str, tee: _Tee) -> None:
    title = page.stem.replace("_", " ")
    body = tee.copy.getvalue().rstrip("\n")
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(
        f"# {title}\n\n{what}\n\nWritten by the script itself (`{OUTPUT_DIR_ENV}` set); "
        f"its first lines give the command, date, commit and machine.\n\n"
        f"```text\n{body}\n```\n"
    )
