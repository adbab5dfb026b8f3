"""A protocol's card in the terminal: what a run will use, every default shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from council.protocols.definition import ProtocolCard


def print_card(card: ProtocolCard) -> None:
    console = Console(highlight=False)
    console.print(f"[bold]{card.name}[/]: {card.summary}")
    if card.reference is not None:
        ref = card.reference
        where = f" ({ref.repository}: {', '.join(ref.files)})" if ref.repository else ""
        console.print(f"reference: {ref.paper}{where}")
    options = ", ".join(f"{k}={v}" for k, v in card.options.items()) or "none"
    console.print(f"options: {options}; round bound {card.rounds}")
    table = Table("role", "agent", "count", "temperature", "top_p", "max_tokens", "stop")
    for name, role in card.roles.items():
        d = role.decoding
        table.add_row(
            name,
            role.agent,
            role.count,
            f"{d.temperature:g}",
            "-" if d.top_p is None else f"{d.top_p:g}",
            "no cap" if d.max_tokens is None else str(d.max_tokens),
            "-" if not d.stop else ", ".join(repr(s) for s in d.stop),
        )
    console.print(table)
    console.print(f"answer: {card.answer_rule}")
    for deviation in card.deviations:
        console.print(f"deviation: {deviation}")
    console.print()
