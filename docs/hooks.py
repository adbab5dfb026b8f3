"""MkDocs hook: before each build, write the generated reference pages (protocols from
their definitions, the CLI from its parser) so the site never shows stale text. No
network: everything comes from the installed `council` and this checkout."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def on_pre_build(config: Any) -> None:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from scripts.docgen import write_reference_pages

    write_reference_pages(Path(config["docs_dir"]))


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """The measurements page lists every page the scripts have written (`make measurements`
    adds them; none is typed into the nav by hand)."""
    if page.file.src_uri != "measurements/index.md":
        return markdown
    written = sorted(
        f.src_uri.removeprefix("measurements/")
        for f in files
        if f.src_uri.startswith("measurements/")
        and f.src_uri.endswith(".md")
        and f.src_uri not in {"measurements/index.md", "measurements/archive.md"}
    )
    links = "\n".join(
        f"- [{name.removesuffix('.md').replace('_', ' ')}]({name})" for name in written
    )
    return markdown.rstrip() + "\n\n" + (links or "_None yet._") + "\n"
