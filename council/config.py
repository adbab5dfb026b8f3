"""Run configuration: which models play which roles, how many rounds, which tools.

Passed explicitly to `Council`; nothing reads settings from globals behind the user's back.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from council.models.settings import ModelSpec
from council.tools.sandbox.network import NetworkAllow

ROLES = ("planner", "solver", "verifier", "critic")

MAX_ROUNDS = 20
"""Solve attempts and debate rounds: far past what helps, low enough that a typo
(`--rounds 500`) is refused rather than spending hours of model calls."""
SandboxKind = Literal["docker", "process"]


class CouncilConfig(BaseModel):
    model: ModelSpec = Field(default_factory=ModelSpec, description="default for every role")
    role_models: dict[str, ModelSpec] = Field(
        default_factory=dict, description="per-role overrides, e.g. a stronger verifier"
    )
    tools: list[str] = Field(default_factory=list, description="tool sets: python, sympy, ...")
    mcp: list[str] = Field(
        default_factory=list,
        description="MCP servers whose tools agents get: a command (stdio) or an http(s) URL",
    )
    sandbox: SandboxKind = "docker"
    allow_net: tuple[NetworkAllow, ...] = Field(
        default=(),
        description="what sandboxed code may reach (--allow-net HOST[:PORT]); empty: nothing",
    )

    def model_for(self, role: str) -> ModelSpec:
        return self.role_models.get(role, self.model)
