"""What one call into a sandbox returns."""

from __future__ import annotations

from pydantic import Field

from council.tools.base import ToolOutput


class ExecutionResult(ToolOutput):
    stdout: str = ""
    stderr: str = ""
    value: str | None = None
    error: str | None = None
    truncated: bool = False
    timed_out: bool = False
    restarted: bool = False
    duration_ms: float = 0.0
    warning: str | None = None
    note: str | None = Field(
        default=None, description="what the sandbox did after the call, e.g. a restart"
    )

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_text(self) -> str:
        """What a model reads back: output first, then the value or the error."""
        parts = []
        if self.warning:
            parts.append(f"[warning: {self.warning}]")
        if self.stdout:
            parts.append(self.stdout.rstrip("\n"))
        if self.stderr:
            parts.append(f"[stderr]\n{self.stderr.rstrip()}")
        if self.value is not None:
            parts.append(self.value)
        if self.error:
            parts.append(f"[error]\n{self.error.rstrip()}")
        if self.note:
            parts.append(f"[note: {self.note}]")
        return "\n".join(parts) if parts else "(no output)"
