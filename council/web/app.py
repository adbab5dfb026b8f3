"""`create_app`: the web UI's FastAPI application (chat, runs, graphs).

Everything a request needs is in one `WebContext` (`council.web.context`), handed to the
routes through `app.state`, so two apps in one process (tests) share nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from council.chat.threads import ThreadStore
from council.errors import CouncilError
from council.web.auth import TokenMiddleware
from council.web.context import WebContext
from council.web.routes import chat, graphs, runs, studies

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
"""No inline script anywhere: even text that slipped past escaping could not run."""


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
