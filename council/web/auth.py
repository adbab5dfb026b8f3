"""Who may use the web server. On loopback with no token, anyone on this machine (as for
any local dev server), but only through a loopback Host name, so a web page elsewhere
cannot reach it by DNS rebinding. With a token (required off loopback), every request must
carry it: `Authorization: Bearer TOKEN`, the `council_token` cookie, or `?token=TOKEN`
(which sets the cookie, so the printed URL opens the app in a browser)."""

from __future__ import annotations

import ipaddress
import secrets

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp

COOKIE = "council_token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_for(host: str, given: str | None) -> str | None:
    """The token a server bound to `host` requires: the one given, else a new one when
    the address is not loopback (so binding elsewhere is never open), else none."""
    if given is not None:
        return given
    return None if is_loopback(host) else new_token()


def _host_name(header: str) -> str:
    if header.startswith("["):
        return header.split("]", 1)[0] + "]"
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class TokenMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, token: str | None) -> None:
        super().__init__(app)
        self.token = token

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if self.token is None:
            if not is_loopback(_host_name(request.headers.get("host", ""))):
                return PlainTextResponse("forbidden: not a loopback Host", status_code=403)
            return await call_next(request)
        given = _given_token(request)
        if given is None or not secrets.compare_digest(given, self.token):
            return PlainTextResponse(
                "unauthorized: pass the token printed by `council serve`", status_code=401
            )
        response = await call_next(request)
        if request.query_params.get("token"):
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
        return response


def _given_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.query_params.get("token") or request.cookies.get(COOKIE)
