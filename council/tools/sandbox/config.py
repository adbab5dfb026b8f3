"""Sandbox limits and identity: explicit, so every session states what it allows."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from council.tools.sandbox.network import NetworkAllow

SANDBOX_LABEL = "council.sandbox"
OWNER_LABEL = "council.owner_pid"
SESSION_LABEL = "council.session"
IDLE_TIMEOUT_LABEL = "council.idle_timeout"
DEFAULT_IMAGE = "council-sandbox:latest"


class SandboxConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    image: str = DEFAULT_IMAGE
    memory: str = Field(default="512m", description="hard memory limit, no swap")
    cpus: float = Field(default=1.0, gt=0)
    pids: int = Field(
        default=64,
        ge=8,
        description="process limit of this sandbox alone (stops fork bombs; never shared "
        "with other sandboxes or users)",
    )
    timeout_seconds: float = Field(default=10.0, gt=0, description="per call")
    output_limit: int = Field(default=64_000, ge=1_000, description="characters kept per stream")
    workdir_size: str = "64m"
    user: str = "65534:65534"
    preload: tuple[str, ...] = ("sympy", "numpy")
    start_timeout_seconds: float = 60.0
    session_idle_timeout_seconds: float = Field(
        default=600.0,
        gt=0,
        description="a named session (`sandbox run --session`) ends after this long unused",
    )
    allow_net: tuple[NetworkAllow, ...] = Field(
        default=(),
        description="what the sandbox may reach (HOST[:PORT], HOST a name, IPv4 address or "
        "CIDR); empty: no network at all",
    )
    docker_host: str | None = Field(default=None, description="default: the environment's")
