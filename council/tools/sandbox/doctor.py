"""`council sandbox doctor`: what is missing for code tools, and the command that fixes it."""

from __future__ import annotations

import shutil

import docker
from pydantic import BaseModel, Field

from council.tools.sandbox import docker_sandbox
from council.tools.sandbox.config import SandboxConfig
from council.tools.sandbox.image import image_exists
from council.tools.sandbox.network import enforcement_problem
from council.tools.sandbox.process_limits import plan_isolation


class Check(BaseModel):
    name: str
    ok: bool
    detail: str
    fix: str | None = None
    optional: bool = Field(
        default=False,
        description="about the process sandbox or --allow-net: shown, but the default "
        "(Docker) sandbox is ready without it",
    )


def process_checks() -> list[Check]:
    """How a process sandbox gets a process limit of its own here, and whether a network
    allow-list can be enforced."""
    plan = plan_isolation()
    allow_list = enforcement_problem()
    return [
        Check(
            name="process sandbox: process limit",
            ok=plan.own_limit,
            detail=plan.describe(),
            fix=None
            if plan.own_limit
            else "run as root, make /sys/fs/cgroup writable, or allow user namespaces "
            "(sysctl user.max_user_namespaces=10000)",
            optional=True,
        ),
        Check(
            name="process sandbox: network",
            ok=plan.isolated_network,
            detail="a network namespace of its own, no interfaces up"
            if plan.isolated_network
            else "the host's network (no root, no user namespaces)",
            optional=True,
        ),
        Check(
            name="network allow-list (--allow-net)",
            ok=allow_list is None,
            detail="docker sandbox: nftables rules in its own network namespace"
            if allow_list is None
            else allow_list,
            optional=True,
        ),
    ]


def run_checks(config: SandboxConfig) -> list[Check]:
    checks: list[Check] = process_checks()
    checks.append(Check(name="docker SDK", ok=True, detail=f"docker {docker.__version__}"))
    has_engine = shutil.which("dockerd") is not None or shutil.which("docker") is not None
    checks.append(
        Check(
            name="docker engine installed",
            ok=has_engine,
            detail="found" if has_engine else "no dockerd or docker on PATH",
            fix=None if has_engine else "apt-get install -y docker.io",
        )
    )
    try:
        client = docker_sandbox.connect(config)  # looked up here: the unit tier patches it
    except Exception as exc:
        checks.append(
            Check(
                name="docker engine running",
                ok=False,
                detail=type(exc).__name__,
                fix="systemctl start docker (or, as root: nohup dockerd >/var/log/dockerd.log "
                "2>&1 &)",
            )
        )
        return checks
    checks.append(
        Check(
            name="docker engine running",
            ok=True,
            detail=f"server {client.version().get('Version', '?')}",
        )
    )
    present = image_exists(client, config.image)
    checks.append(
        Check(
            name="sandbox image",
            ok=present,
            detail=config.image if present else f"{config.image} not found",
            fix=None if present else "council sandbox build",
        )
    )
    if not present:
        has_debootstrap = shutil.which("debootstrap") is not None
        checks.append(
            Check(
                name="debootstrap (offline image build)",
                ok=has_debootstrap,
                detail="found" if has_debootstrap else "missing",
                fix=None if has_debootstrap else "apt-get install -y debootstrap",
            )
        )
    return checks
