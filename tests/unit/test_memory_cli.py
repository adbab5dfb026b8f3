"""`council memory list|show|clear|export` on a real store, per namespace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from council.main import main
from council.memory import MemoryStore


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "memory.sqlite"
    chat = MemoryStore(path, namespace="chat")
    chat.add("strategy", "draw the triangle before computing angles", source_problem="p1")
    chat.add("code", "Verified code:\nprint(sum(range(10)))", source_problem="p2")
    MemoryStore(path, namespace="bench").add("pitfall", "do not round early", source_problem="b")
    return path


def test_list_show_export_clear(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["memory", "--db", str(db), "list"]) == 0
    listed = capsys.readouterr().out
    assert "draw the triangle" in listed and "Verified code:" in listed
    assert "round early" not in listed  # another namespace

    assert main(["memory", "--db", str(db), "show", "2"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["kind"] == "code" and "print(sum(range(10)))" in shown["text"]
    assert shown["source_problem"] == "p2"

    assert main(["memory", "--db", str(db), "export"]) == 0
    exported = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [entry["id"] for entry in exported] == [1, 2]

    assert main(["memory", "--db", str(db), "clear"]) == 0
    assert "removed 2 entries" in capsys.readouterr().out
    assert MemoryStore(db, namespace="chat").entries() == []
    assert len(MemoryStore(db, namespace="bench").entries()) == 1


def test_show_unknown_entry_says_so(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["memory", "--db", str(db), "show", "99"]) == 1
    assert "no memory entry #99 in namespace 'chat'" in capsys.readouterr().err
