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
