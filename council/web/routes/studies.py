"""Studies: a `council study` directory's report, as written by `council study report`
(`report.json`), listed under the roots given to `council serve --runs` and shown as a page
(`/studies/view?path=DIR`: the report's tables, findings and plot)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from council.errors import ConfigError
from council.studies.render import PLOT_FILE, html_page
from council.studies.report import REPORT_JSON, StudyReport
from council.studies.state import STATE_FILE, StudyState
from council.web.routes import context_of

router = APIRouter()


def find_studies(root: Path) -> list[Path]:
    """The study directory itself, or those one level inside `root`."""
    base = root.expanduser().resolve()
    if (base / STATE_FILE).is_file():
        return [base]
    return sorted(p.parent for p in base.glob(f"*/{STATE_FILE}")) if base.is_dir() else []


def read_report(path: str) -> tuple[Path, StudyReport]:
    directory = Path(path).expanduser().resolve()
    report = directory / REPORT_JSON
    if not report.is_file():
        raise ConfigError(f"{directory} has no {REPORT_JSON}; run `council study report {path}`")
    return directory, StudyReport.model_validate_json(report.read_text())


@router.get("/api/studies")
def list_studies(request: Request) -> list[dict[str, Any]]:
    found = []
    for root in context_of(request).runs:
        for directory in find_studies(root):
            state = StudyState.load(directory)
            found.append(
                {
                    "path": str(directory),
                    "name": state.study.name if state else directory.name,
                    "status": state.status if state else "",
                    "report": (directory / REPORT_JSON).is_file(),
                }
            )
    return found


@router.get("/api/studies/report")
def report_json(path: str) -> dict[str, Any]:
    return read_report(path)[1].model_dump(mode="json")


@router.get("/studies/view", response_class=HTMLResponse)
def report_page(path: str) -> str:
    directory, report = read_report(path)
    return html_page(report, directory / PLOT_FILE, stylesheet="/style.css")
