"""The unit tier runs in this process with scripted models: no Docker engine, no browser,
no model weights, no network. A unit test that reaches for Docker or the embedded model
fails here with what to do, instead of quietly taking seconds (or a container)."""

from __future__ import annotations

from typing import Any, NoReturn

import pytest

NEEDS = ("docker", "browser", "model", "ray", "network")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marked = [name for name in NEEDS if item.get_closest_marker(name)]
        if marked and "tests/unit/" in item.nodeid:
            raise pytest.UsageError(
                f"{item.nodeid} is marked {', '.join(marked)}: move it to tests/integration"
            )


def _refuse(what: str) -> Any:
    def refused(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError(
            f"a unit test reached {what}: use a scripted model or sandbox "
            "(council.models.scripted, tests.support.sandbox), or move the test to "
            "tests/integration with the marker of what it needs"
        )

    return refused


@pytest.fixture(autouse=True)
def no_docker_or_model_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from council.models import local_server
    from council.tools.sandbox import docker_sandbox

    monkeypatch.setattr(docker_sandbox, "connect", _refuse("the Docker engine"))
    monkeypatch.setattr(local_server.LocalServer, "_start", _refuse("the embedded model"))
