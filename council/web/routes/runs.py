"""Runs: any `council bench` run directory (or a folder of them), found by `council.run_log`
and shown by `council.bench.run_view`.

The handlers are plain functions, which FastAPI runs in its thread pool: reading a large
run's files takes a while, and on the event loop it would hold up every chat stream."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from council.bench import run_view as reader
from council.run_log.log import find_runs
from council.web.routes import context_of

router = APIRouter(prefix="/api/runs")


@router.get("")
def list_runs(request: Request, root: str | None = None) -> list[dict[str, Any]]:
    roots = [root] if root else [str(path) for path in context_of(request).runs]
    found: dict[str, dict[str, Any]] = {}
    for one in roots:
        for info in find_runs(one):
            found[info.path] = info.model_dump(mode="json")
    return list(found.values())


@router.get("/view")
def view(path: str) -> dict[str, Any]:
    return reader.view_run(path).model_dump(mode="json")


@router.get("/problems")
def problems(
    path: str,
    outcome: reader.Outcome | None = None,
    offset: int = Query(0, ge=0),
    limit: int = Query(reader.PAGE_ROWS, ge=1, le=10 * reader.PAGE_ROWS),
) -> dict[str, Any]:
    page = reader.problem_rows(path, outcome, offset=offset, limit=limit)
    return page.model_dump(mode="json")


@router.get("/transcript")
def transcript(path: str, problem: str) -> dict[str, Any]:
    found = reader.transcript(path, problem)
    return {
        **found.line.model_dump(mode="json"),
        "calls": [call.model_dump(mode="json") for call in found.calls],
    }


@router.get("/compare")
def compare(first: str, second: str) -> dict[str, Any]:
    return reader.compare(first, second).model_dump(mode="json")
