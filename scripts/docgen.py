"""Documentation written from the code, never by hand: the protocol reference (from each
built-in `ProtocolDefinition`'s card), the CLI reference (from the argparse parser), and
the README's generated regions (its protocol table; the measured time of each test tier,
read from `docs/measurements/test_tiers.md`).

    python scripts/docgen.py            # rewrite the README's generated regions
    python scripts/docgen.py --check    # exit 1 if the README is out of date (CI)

The docs site's reference pages are written by `docs/hooks.py` at every `mkdocs build`, so
they cannot go stale; the README is committed, so a unit test
(tests/unit/test_docs_generated.py) fails when it and the definitions disagree.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
TIERS_PAGE = REPO / "docs" / "measurements" / "test_tiers.md"
DEMO_PAGE = REPO / "docs" / "measurements" / "demo.md"
CLI_WIDTH = "100"


# -- README regions ------------------------------------------------------------------------
def region(name: str) -> tuple[str, str]:
    return f"<!-- generated:{name} (scripts/docgen.py) -->", f"<!-- /generated:{name} -->"


def replace_region(text: str, name: str, body: str) -> str:
    start, end = region(name)
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no {start} ... {end} region")
    return pattern.sub(lambda _: f"{start}\n{body.rstrip()}\n{end}", text)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def protocol_table() -> str:
    """One row per built-in protocol: name (aliases), what it does, what it follows."""
    from council.protocols.registry import PROTOCOLS

    rows = [
        "| protocol | what it does | follows |",
        "| --- | --- | --- |",
    ]
    for name, definition in PROTOCOLS.items():
        card = definition.card()
        aliases = f" ({', '.join(f'`{a}`' for a in definition.aliases)})"
        ref = card.reference
        # the authors and year only (the protocol reference page has the titles)
        follows = "council's own" if ref is None else ref.paper.split(",")[0].split(" (")[0]
        if ref is not None and ref.repository:
            follows += f" ([{ref.repository}](https://github.com/{ref.repository}))"
        rows.append(
            f"| `{name}`{aliases if definition.aliases else ''} | {_cell(card.summary)} "
            f"| {_cell(follows)} |"
        )
    return "\n".join(rows)


def tier_table() -> str:
    """The last table `benchmarks/test_tiers.py` wrote into its measurements page."""
    if not TIERS_PAGE.exists():
        return "_Not measured yet: `make measure-tiers` writes docs/measurements/test_tiers.md._"
    text = TIERS_PAGE.read_text()
    lines = [line for line in text.splitlines() if line.startswith("|")]
    measured = {line.split("|")[1].strip() for line in lines[2:]}
    tiers = ("unit", "integration", "model", "docker", "browser", "ray")
    lines += [f"| {t} | `make test-{t}` | not measured yet | |" for t in tiers if t not in measured]
    return "\n".join(lines) + f"\n\nMeasured by `python benchmarks/test_tiers.py` ({_meta(text)})."


def _meta(text: str) -> str:
    lines = [line[2:] for line in text.splitlines() if line.startswith("# ")]
    return "; ".join(line for line in lines if line.startswith(("date", "machine")))


def demo_block() -> str:
    """The first run's output and every run's time, as `benchmarks/demo.py` printed them."""
    if not DEMO_PAGE.exists():
        return "_Not recorded yet: `make demo-record` runs the demo and writes its output here._"
    text = DEMO_PAGE.read_text()
    lines = text.split("```text\n", 1)[1].split("\n```", 1)[0].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("$ council solve"))
    timed = next(i for i, line in enumerate(lines) if line.startswith("wall time per run"))
    shown = "\n".join(lines[start:timed])
    return (
        f"```console\n{shown}\n```\n\n{lines[timed][0].upper()}{lines[timed][1:]} "
        f"(`python benchmarks/demo.py`; {_meta(text)})."
    )


def demo_command() -> str:
    """`make demo`'s solve, as the Makefile spells it."""
    makefile = (REPO / "Makefile").read_text()
    question = re.search(r"^QUESTION \?= (.*)$", makefile, re.M)
    options = re.search(r"^DEMO_OPTIONS \?= (.*)$", makefile, re.M)
    assert question and options, "the Makefile sets QUESTION and DEMO_OPTIONS"
    words = ["council", "solve", *shlex.split(options.group(1)), question.group(1).strip()]
    return shlex.join(words)


def readme_text(current: str) -> str:
    text = replace_region(current, "protocols", protocol_table())
    text = replace_region(text, "demo", demo_block())
    return replace_region(text, "test-tiers", tier_table())


# -- the docs site's reference pages --------------------------------------------------------
def _templates() -> dict[str, str]:
    """Every built-in protocol's prompt templates by name, read from the agents its graph
    builds (with the options that bring in optional stages), so the text shown is the text
    sent."""
    from council.protocols.options import ProtocolOptions
    from council.protocols.registry import PROTOCOLS
    from council.protocols.run_spec import RunSpec

    variants = {
        "best-of-n": [ProtocolOptions(scorer="execution")],
        "cascade": [ProtocolOptions(final_stage="tir"), ProtocolOptions(final_stage="debate")],
    }
    texts: dict[str, str] = {}
    for name in PROTOCOLS:
        for options in [ProtocolOptions(), *variants.get(name, [])]:
            graph, _ = RunSpec(graph=name, options=options).drawing()
            for spec in graph.nodes.values():
                if spec.agent is None:
                    continue
                for template in spec.agent.prompts.templates():
                    seen = texts.setdefault(template.name, template.text)
                    if seen != template.text:
                        raise ValueError(f"two templates named {template.name!r} differ")
    return texts


def _fence(text: str, language: str = "text") -> str:
    ticks = "````" if "```" in text else "```"
    return f"{ticks}{language}\n{text}\n{ticks}"


def protocols_page() -> str:
    from council.protocols.registry import PROTOCOLS
    from council.protocols.run_spec import RunSpec

    texts = _templates()
    out = [
        "# Protocols",
        "",
        "Generated from each built-in protocol's definition "
        "(`council/protocols/*.py`, `ProtocolDefinition.card()`) when the site is built: what "
        "`council graph show NAME` prints, with every prompt template's text. "
        "`council graph export NAME` writes the same protocol as a graph config file.",
        "",
        protocol_table(),
        "",
    ]
    for name, definition in PROTOCOLS.items():
        card = definition.card()
        out += [f"## {name}", "", f"{card.summary}.", ""]
        if definition.aliases:
            out += [f"Also named: {', '.join(f'`{a}`' for a in definition.aliases)}.", ""]
        ref = card.reference
        if ref is None:
            out += ["**Reference**: none (council's own protocol).", ""]
        else:
            out += [f"**Reference**: {ref.paper}.", ""]
            if ref.repository:
                commit = ref.commit or "HEAD"
                files = ", ".join(
                    f"[`{f}`](https://github.com/{ref.repository}/blob/{commit}/{f})"
                    for f in ref.files
                )
                out += [
                    f"Repository [{ref.repository}](https://github.com/{ref.repository}) "
                    f"at commit `{commit}`: {files}.",
                    "",
                ]
        options = ", ".join(f"`{k}={v}`" for k, v in card.options.items()) or "none"
        out += [f"**Options** (defaults): {options}. **Round bound**: {card.rounds}.", ""]
        out += [
            "| role | agent | count | temperature | top_p | max_tokens | stop | from |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for role_name, role in card.roles.items():
            d = role.decoding
            stop = "–" if not d.stop else ", ".join(f"`{s!r}`" for s in d.stop)
            out.append(
                f"| {role_name} | {_cell(role.agent)} | {_cell(role.count)} | {d.temperature:g} "
                f"| {'–' if d.top_p is None else f'{d.top_p:g}'} "
                f"| {'no cap' if d.max_tokens is None else d.max_tokens} | {_cell(stop)} "
                f"| {_cell(d.source)} |"
            )
        out += ["", f"**Answer**: {card.answer_rule}.", ""]
        if card.deviations:
            out += ["**Deviations from the reference**:", ""]
            out += [f"- {deviation}" for deviation in card.deviations]
            out.append("")
        graph, _ = RunSpec(graph=name).drawing()
        out += ["**Graph** (default options):", "", _fence(graph.to_mermaid().rstrip(), "mermaid")]
        out += ["", "**Prompt templates**:", ""]
        shown: set[str] = set()
        for role_name, role in card.roles.items():
            for template in role.templates:
                if template in shown:
                    continue
                shown.add(template)
                text = texts.get(template)
                body = _fence(text) if text is not None else "_(built at run time)_"
                out += [f"`{template}` ({role_name}):", "", body, ""]
    return "\n".join(out).rstrip() + "\n"


def _subparsers(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def subcommands(parser: argparse.ArgumentParser) -> list[str]:
    """The names of `council`'s commands."""
    return [name for name, _ in _subparsers(parser)]


def cli_page() -> str:
    from council.main import build_parser

    os.environ["COLUMNS"] = CLI_WIDTH  # argparse wraps help at the terminal's width
    parser = build_parser()
    out = [
        "# Command line",
        "",
        "Generated from the `council` argument parser (`council.main.build_parser`) when "
        "the site is built: each section is that command's `--help`.",
        "",
        "## council",
        "",
        _fence(parser.format_help().rstrip()),
        "",
    ]

    def walk(prefix: str, node: argparse.ArgumentParser, depth: int) -> None:
        for name, sub in _subparsers(node):
            command = f"{prefix} {name}"
            out.extend([f"{'#' * depth} {command}", "", _fence(sub.format_help().rstrip()), ""])
            walk(command, sub, min(depth + 1, 4))

    walk("council", parser, 2)
    return "\n".join(out).rstrip() + "\n"


STUDIES = REPO / "studies"
STUDY_REPORTS = ("report.md", "search.md")
"""What `council study report` and `council search report` write into a run directory."""


def study_pages() -> dict[str, str | bytes]:
    """The committed studies' and searches' reports (`studies/NAME/run/report.md` or
    `search.md`), each as written by council from its recorded calls, under a header saying
    how to reproduce it; their figures beside them. An index lists them."""
    pages: dict[str, str | bytes] = {}
    listed = []
    for run in sorted(STUDIES.glob("*/run")):
        name = run.parent.name
        report = next((run / r for r in STUDY_REPORTS if (run / r).exists()), None)
        if report is None:
            continue
        kind = "study" if report.name == "report.md" else "search"
        source = next(run.parent.glob(f"{kind}.yaml"))
        text = report.read_text()
        for figure in sorted(run.glob("*.png")):
            pages[f"{name}-{figure.name}"] = figure.read_bytes()
            text = text.replace(f"]({figure.name})", f"]({name}-{figure.name})")
        header = (
            f"_Written by `council {kind} report studies/{name}/run` from the run directory "
            f"committed in this repository (every model call recorded); rerun with `council "
            f"{kind} run studies/{name}/{source.name}`, which resumes where it stopped._\n\n"
        )
        first, _, rest = text.partition("\n")
        pages[f"{name}.md"] = f"{first}\n\n{header}{rest.lstrip()}"
        listed.append(f"- [{first.lstrip('# ')}]({name}.md): a {kind}")
    pages["index.md"] = (
        "# Studies run with council\n\n"
        "Each page is a report council wrote from a study or search committed under "
        "`studies/` with its run directory, so every figure can be audited, re-graded and "
        "re-voted offline. They show the machinery on a small model and a few problems; "
        "they are not findings about the methods.\n\n" + ("\n".join(listed) or "_None yet._") + "\n"
    )
    return pages


def _write_if_changed(path: Path, content: str | bytes) -> Path:
    data = content.encode() if isinstance(content, str) else content
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    return path


def write_reference_pages(docs_dir: Path) -> list[Path]:
    """Write the generated pages under `docs_dir/reference/` and `docs_dir/studies/`
    (gitignored); returns them."""
    target = docs_dir / "reference"
    target.mkdir(parents=True, exist_ok=True)
    pages = {"protocols.md": protocols_page(), "cli.md": cli_page()}
    written = [_write_if_changed(target / name, text) for name, text in pages.items()]
    studies = docs_dir / "studies"
    studies.mkdir(parents=True, exist_ok=True)
    written += [_write_if_changed(studies / name, c) for name, c in study_pages().items()]
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if README.md is stale")
    args = parser.parse_args()
    current = README.read_text()
    wanted = readme_text(current)
    if args.check:
        if wanted != current:
            print("README.md is out of date: run `python scripts/docgen.py`", file=sys.stderr)
            return 1
        return 0
    if wanted != current:
        README.write_text(wanted)
        print("README.md updated")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
