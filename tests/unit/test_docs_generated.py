"""The README's generated regions agree with the code: its protocol table with the
protocol definitions, its demo with the Makefile's demo command, its graph example with
the config loader. A definition changed without `make readme` fails here."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from scripts import docgen  # noqa: E402


def readme() -> str:
    return (REPO / "README.md").read_text()


def region(name: str) -> str:
    start, end = docgen.region(name)
    return readme().split(start, 1)[1].split(end, 1)[0].strip()


def test_the_readme_protocol_table_lists_every_definition_as_it_is() -> None:
    from council.protocols.registry import PROTOCOLS

    table = region("protocols")
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert [re.match(r"\| `([^`]+)`", row).group(1) for row in rows] == list(PROTOCOLS)  # type: ignore[union-attr]
    for row, definition in zip(rows, PROTOCOLS.values(), strict=True):
        assert definition.card().summary.replace("|", "\\|") in row
    assert table == docgen.protocol_table(), "README.md is stale: run `make readme`"


def test_every_generated_region_is_current() -> None:
    assert docgen.readme_text(readme()) == readme(), "README.md is stale: run `make readme`"


def test_the_readme_demo_is_the_makefiles_demo() -> None:
    shown = region("demo")
    if shown.startswith("_Not recorded yet"):
        pytest.skip("the demo has not been recorded (make demo-record)")
    assert f"$ {docgen.demo_command()}" in shown.splitlines()


def test_the_readme_graph_example_loads(tmp_path: Path) -> None:
    from council.protocols.run_spec import RunSpec

    [example] = re.findall(r"```yaml\n(.*?)```", readme(), re.S)
    path = tmp_path / "two-debaters.yaml"
    path.write_text(example)
    graph, rounds = RunSpec(graph=str(path)).drawing()
    assert rounds == 3 and {"alice", "bob", "vote"} <= set(graph.nodes)


def test_the_reference_pages_cover_every_protocol_and_command() -> None:
    from council.main import build_parser
    from council.protocols.registry import PROTOCOLS

    page = docgen.protocols_page()
    for name, definition in PROTOCOLS.items():
        assert f"\n## {name}\n" in page
        if definition.reference is not None and definition.reference.commit:
            assert definition.reference.commit in page
    cli = docgen.cli_page()
    for name in docgen.subcommands(build_parser()):
        assert f"## council {name}\n" in cli


def test_the_studies_pages_are_the_committed_reports_with_how_to_rerun_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    study = tmp_path / "studies" / "tiny" / "run"
    study.mkdir(parents=True)
    (study.parent / "study.yaml").write_text("name: tiny\n")
    (study / "report.md").write_text("# Study tiny\n\n![accuracy](accuracy_vs_compute.png)\n")
    (study / "accuracy_vs_compute.png").write_bytes(b"PNG")
    (tmp_path / "studies" / "unrun" / "run").mkdir(parents=True)  # no report yet: no page
    monkeypatch.setattr(docgen, "STUDIES", tmp_path / "studies")
    pages = docgen.study_pages()
    assert sorted(pages) == ["index.md", "tiny-accuracy_vs_compute.png", "tiny.md"]
    page = pages["tiny.md"]
    assert isinstance(page, str) and page.startswith("# Study tiny\n\n_Written by `council study")
    assert "rerun with `council study run studies/tiny/study.yaml`" in page
    assert "![accuracy](tiny-accuracy_vs_compute.png)" in page
    assert pages["tiny-accuracy_vs_compute.png"] == b"PNG"
    assert "- [Study tiny](tiny.md): a study" in str(pages["index.md"])
