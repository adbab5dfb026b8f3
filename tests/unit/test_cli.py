from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("langgraph", "litellm", "docker", "llama_cpp", "sympy")


def test_help_lists_commands_without_importing_heavy_libraries() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from council.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(__import__('json').dumps({'help': out.getvalue(), 'heavy': heavy}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    assert report["heavy"] == []
    assert "solve" in report["help"]


def test_unknown_model_is_a_clear_one_line_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "council.cli.main", "solve", "1+1", "--model", "nosuchprovider-xyz"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "error: unknown model 'nosuchprovider-xyz'" in done.stderr
    assert "Traceback" not in done.stderr
