"""`create_app`: the web UI's FastAPI application (chat, runs, graphs).

Everything a request needs (the threads database, the running turns, how to build a
runner, the run folders) is in one `WebContext` made here and handed to the routes
through `app.state`, so two apps in one process (tests) share nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from council.chat.threads import ThreadStore
from council.errors import CouncilError
from council.runner import RunnerFactory
from council.web.auth import TokenMiddleware
from council.web.streaming import TurnHub

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
"""No inline script anywhere: even text that slipped past escaping could not run."""


@dataclass
class WebContext:
    make_runner: RunnerFactory
    threads_db: Path
    runs: list[Path] = field(default_factory=list)
    default_graph: str = "solve"
    default_model: str | None = None
    models: list[str] = field(default_factory=list)
    hub: TurnHub = field(default_factory=TurnHub)
    threads: ThreadStore | None = None
    graph_cache: dict[str, Any] = field(default_factory=dict)


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response


def static_dir() -> Path:
    return Path(str(resources.files("council.web") / "static"))


def create_app(context: WebContext, *, token: str | None = None) -> FastAPI:
    from council.web.routes import chat, graphs, runs, studies

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with ThreadStore(context.threads_db) as threads:
            context.threads = threads
            try:
                yield
            finally:
                await context.hub.close()
                context.threads = None

    app = FastAPI(title="council", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.context = context

    @app.exception_handler(CouncilError)
    async def council_error(request: Request, exc: CouncilError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    app.include_router(chat.router)
    app.include_router(runs.router)
    app.include_router(graphs.router)
    app.include_router(studies.router)
    app.mount("/", StaticFiles(directory=static_dir(), html=True), name="static")
    app.add_middleware(SecurityHeaders)
    app.add_middleware(TokenMiddleware, token=token)
    return app
