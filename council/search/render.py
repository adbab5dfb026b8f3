"""A search's report as Markdown (`search.md`), from its `SearchOutcome`."""

from __future__ import annotations

from pathlib import Path

from council.search.outcome import SearchOutcome

SEARCH_MD = "search.md"


def markdown(outcome: SearchOutcome) -> str:
    lines = [
        f"# Search {outcome.name}",
        "",
        f"Status: {outcome.status}" + (f" ({outcome.reason})" if outcome.reason else "") + ".",
        f"Split (seed {outcome.split_seed}): {outcome.search_problems} search problems, "
        f"{outcome.held_out_problems} held out, fixed before any call (`split.json`).",
        "",
        *[f"- {finding}" for finding in outcome.findings],
        "",
        "## Candidates on the search split",
        "",
        "| candidate | served | accuracy | tokens/problem | cost/problem | calls/problem "
        "| eligible |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in outcome.candidates:
        f = c.figures
        mark = "**winner**" if c.name == outcome.winner else ("yes" if c.eligible else c.why_not)
        cost = "–" if f.cost_per_problem is None else f"${f.cost_per_problem:.4g}"
        lines.append(
            f"| {c.name} | {c.served} | {f.accuracy:.1%} ({f.correct}/{f.problems}) | "
            f"{f.tokens_per_problem:.0f} | {cost} | {f.calls_per_problem:.1f} | {mark} |"
        )
    test = outcome.held_out
    if test is not None:
        lines += ["", "## Held-out test", "", test.words, ""]
        if test.comparison is not None and test.baseline is not None:
            t = test.comparison.table
            lines += [
                "| | winner right | winner wrong |",
                "|---|---|---|",
                f"| baseline right | {t.both} | {t.only_other} |",
                f"| baseline wrong | {t.only_arm} | {t.neither} |",
            ]
    if outcome.adaptive:
        lines += [
            "",
            "## Adaptive cascade: accuracy against tokens",
            "",
            "| threshold | search accuracy | search tokens | held-out accuracy | held-out tokens |",
            "|---|---|---|---|---|",
        ]
        for point in outcome.adaptive:
            held = point.held_out
            name = f"**{point.name}** (chosen on search)" if point.chosen else point.name
            lines.append(
                f"| {name} | {point.search.accuracy:.1%} | "
                f"{point.search.tokens_per_problem:.0f} | "
                + (f"{held.accuracy:.1%} | {held.tokens_per_problem:.0f} |" if held else "– | – |")
            )
    if outcome.winner_file:
        lines += [
            "",
            f"The winner as a graph file: `{outcome.winner_file}` "
            "(`council bench --graph FILE --model ...`, `council solve --graph FILE ...`).",
        ]
    return "\n".join(lines) + "\n"


def write_markdown(outcome: SearchOutcome, directory: Path) -> Path:
    path = directory / SEARCH_MD
    path.write_text(markdown(outcome))
    return path
