"""`council sandbox build|run|ps|stop|doctor`: get the code sandbox ready and use it.

Start-up: the handlers import what they need when they run, so `council --help` stays fast
(measured in `council.main`'s docstring)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from council.command_line import validated
from council.errors import ConfigError
from council.tools.sandbox import SandboxSession, open_sandbox
from council.tools.sandbox.config import SandboxConfig


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("sandbox", help="build, check and use the code sandbox")
    commands = parser.add_subparsers(dest="sandbox_command", metavar="SUBCOMMAND", required=True)

    build = commands.add_parser("build", help="build the sandbox image (python3, sympy, numpy)")
    build.add_argument(
        "--method",
        choices=["auto", "dockerfile", "debootstrap"],
        default="auto",
        help="auto: the Dockerfile when a registry is reachable, else debootstrap",
    )
    build.add_argument("--force", action="store_true", help="rebuild even if the image exists")
    build.add_argument("--image", default=None, help="image tag (default council-sandbox:latest)")
    build.set_defaults(handler=build_image)

    run = commands.add_parser("run", help="run Python from a file or stdin in a sandbox")
    run.add_argument("file", nargs="?", default="-", help="a .py file, or - for stdin")
    run.add_argument(
        "--session",
        default=None,
        help="keep a named sandbox alive across calls (stop it with `stop NAME`)",
    )
    run.add_argument(
        "--idle-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="a new --session ends after this long without a call (default 600)",
    )
    run.add_argument(
        "--sandbox",
        choices=["docker", "process"],
        default="docker",
        help="'process' is NOT a security boundary",
    )
    run.add_argument("--timeout", type=float, default=None, help="seconds (default 10)")
    add_allow_net_option(run)
    run.set_defaults(handler=run_code)

    ps = commands.add_parser("ps", help="list running sandboxes: session, id, age, idle, owner")
    ps.set_defaults(handler=list_sessions)

    stop = commands.add_parser("stop", help="remove a named sandbox session")
    stop.add_argument("name")
    stop.set_defaults(handler=stop_session)

    doctor = commands.add_parser("doctor", help="say what is missing and how to fix it")
    doctor.set_defaults(handler=doctor_report)


def add_allow_net_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-net",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="let sandboxed code reach this host, IPv4 address or CIDR (on this port only, "
        "when given); repeatable; default: no network at all",
    )


def _config(args: argparse.Namespace) -> SandboxConfig:
    settings: dict[str, Any] = {}
    if getattr(args, "image", None):
        settings["image"] = args.image
    if getattr(args, "idle_timeout", None) is not None:
        settings["session_idle_timeout_seconds"] = args.idle_timeout
    if getattr(args, "allow_net", None):
        settings["allow_net"] = tuple(args.allow_net)
    return validated(SandboxConfig, **settings)


def build_image(args: argparse.Namespace) -> int:
    from council.tools.sandbox.docker_sandbox import docker_client
    from council.tools.sandbox.image import build_image as build

    config = _config(args)
    message = build(
        docker_client(config),
        config.image,
        method=args.method,
        force=args.force,
        log=lambda line: print(line, file=sys.stderr),
    )
    print(message)
    return 0


def run_code(args: argparse.Namespace) -> int:
    code = sys.stdin.read() if args.file == "-" else Path(args.file).read_text()
    return asyncio.run(_run(args, code))


async def _run(args: argparse.Namespace, code: str) -> int:
    config = _config(args)
    if args.session:
        if args.sandbox != "docker":
            raise ConfigError("--session keeps a Docker container; it needs --sandbox docker")
        from council.tools.sandbox.docker_sandbox import NamedDockerSession

        named = await NamedDockerSession(args.session, config).start()
        try:
            result = await named.run(code, timeout=args.timeout)
        finally:
            await named.close()
    else:
        session: SandboxSession
        async with open_sandbox(args.sandbox, config) as session:
            result = await session.run(code, timeout=args.timeout)
    if result.stdout:
        sys.stdout.write(result.stdout)
    if result.value is not None:
        print(result.value)
    if result.stderr:
        sys.stderr.write(result.stderr)
    if result.error:
        sys.stderr.write(result.error if result.error.endswith("\n") else result.error + "\n")
    if result.warning:
        print(f"warning: {result.warning}", file=sys.stderr)
    return 1 if result.error else 0


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"


def list_sessions(args: argparse.Namespace) -> int:
    from council.tools.sandbox.docker_sandbox import docker_client
    from council.tools.sandbox.listing import list_sandboxes

    infos = list_sandboxes(docker_client(_config(args)))
    if not infos:
        print("no sandboxes running")
        return 0
    rows = [("SESSION", "CONTAINER", "AGE", "IDLE", "OWNER")]
    for info in infos:
        rows.append(
            (
                info.session or "-",
                info.container_id,
                _duration(info.age_seconds),
                _duration(info.idle_seconds),
                info.owner,
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    for row in rows:
        cells = [row[column].ljust(widths[column]) for column in range(4)]
        print("  ".join([*cells, row[4]]))
    return 0


def stop_session(args: argparse.Namespace) -> int:
    from council.tools.sandbox.docker_sandbox import stop_named_session

    removed = asyncio.run(stop_named_session(args.name, _config(args)))
    print(f"stopped {args.name}" if removed else f"no session named {args.name}")
    return 0


def doctor_report(args: argparse.Namespace) -> int:
    from council.tools.sandbox.doctor import run_checks

    checks = run_checks(_config(args))
    for check in checks:
        mark = "ok " if check.ok else ("no " if check.optional else "MISSING")
        print(f"[{mark}] {check.name}: {check.detail}")
        if check.fix:
            print(f"        fix: {check.fix}")
    ready = all(check.ok for check in checks if not check.optional)
    print("sandbox ready" if ready else "sandbox not ready: run the fixes above in order")
    return 0 if ready else 1
