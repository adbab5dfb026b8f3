"""Who may reach `council serve`: a token on every request when one is set (always off
loopback), and on loopback without one, only requests naming a loopback Host."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from council.web.auth import is_loopback, token_for
from tests.support.web import council_serve

pytestmark = pytest.mark.integration
TOKEN = "s3cret-token"


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("auth")
    script = home / "script.json"
    script.write_text(json.dumps({"default": "ANSWER: 1"}))
    args = ["--scripted", str(script), "--db", str(home / "t.sqlite"), "--token", TOKEN]
    with council_serve(args, home / "serve.log", token=TOKEN) as url:
        yield url


def test_off_loopback_always_needs_a_token() -> None:
    assert token_for("127.0.0.1", None) is None and token_for("::1", None) is None
    generated = token_for("0.0.0.0", None)
    assert generated is not None and len(generated) >= 24
    assert token_for("0.0.0.0", None) != generated  # not a fixed secret
    assert token_for("192.168.1.5", "mine") == "mine"
    assert is_loopback("localhost") and not is_loopback("example.com")


def test_every_request_is_checked_for_the_token(served: str) -> None:
    for path in ("/", "/app.js", "/api/options", "/api/threads", "/api/graphs/view?name=single"):
        status, _, body = get(served + path)
        assert status == 401, path
        assert body.decode().startswith("unauthorized")
    status, _, _ = get(served + "/api/options", {"Authorization": "Bearer wrong"})
    assert status == 401
    status, _, body = get(served + "/api/options", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and json.loads(body)["default_graph"] == "solve"


def test_the_printed_url_sets_a_cookie_that_then_suffices(served: str) -> None:
    status, headers, _ = get(served + f"/?token={TOKEN}")
    assert status == 200
    cookie = headers["set-cookie"].split(";")[0]
    assert cookie == f"council_token={TOKEN}" and "HttpOnly" in headers["set-cookie"]
    status, _, _ = get(served + "/api/threads", {"Cookie": cookie})
    assert status == 200


def test_pages_forbid_inline_scripts(served: str) -> None:
    status, headers, _ = get(served + "/", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200
    assert "script-src 'self'" in headers["content-security-policy"]


def test_loopback_without_token_refuses_foreign_host_names(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"default": "ANSWER: 1"}))
    args = ["--scripted", str(script), "--db", str(tmp_path / "t.sqlite")]
    with council_serve(args, tmp_path / "serve.log") as url:
        assert get(url + "/api/options")[0] == 200
        status, _, body = get(url + "/api/options", {"Host": "attacker.example:8765"})
        assert status == 403 and b"loopback" in body
    assert (tmp_path / "serve.log").read_text().startswith(f"council serve: {url}/")
