"""Printing steps as they happen, for solve and chat."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape

if TYPE_CHECKING:
    from rich.console import Console

    from council.graphs.state import Step

ROLE_STYLES = {
    "planner": "cyan",
    "solver": "green",
    "verifier": "magenta",
    "critic": "yellow",
    "council": "bold white",
}


def shorten(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def print_step(console: Console, step: Step, *, limit: int = 300) -> None:
    style = ROLE_STYLES.get(step.role, "blue")
    name = step.agent if step.agent.startswith(step.role) and step.agent else step.role
    label = name + (f" r{step.round}" if step.round else "")
    if step.kind == "tool" and step.tool is not None:
        code = str(step.tool.arguments.get("code", step.tool.arguments))
        console.print(
            f"[{style}]{escape(label)}[/] [dim]tool {escape(step.tool.tool)}[/] "
            f"{escape(shorten(code, limit))}"
        )
        console.print(f"  [dim]→ {escape(shorten(step.content, limit))}[/]")
        return
    if step.kind == "final":
        console.print(f"[bold]answer:[/] {escape(step.content)}")
        return
    kind = (
        ""
        if step.kind in ("plan", "solution", "verdict", "critique", "answer")
        else f"[dim]{step.kind}[/] "
    )
    console.print(f"[{style}]{escape(label)}[/] {kind}{escape(shorten(step.content, limit))}")
