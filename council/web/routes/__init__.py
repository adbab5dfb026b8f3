"""The web API, one module per view: chat, runs, graphs."""

from __future__ import annotations

from fastapi import Request

from council.web.context import WebContext


def context_of(request: Request) -> WebContext:
    context: WebContext = request.app.state.context
    return context
