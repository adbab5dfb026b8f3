"""How one program runs in a sandbox session, besides its time limit: which value it shows
and which globals it sees. The defaults are council's interactive interpreter; the other
values reproduce Qwen2.5-Math's evaluation executor (`council.agents.tir`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

ValueOf = Literal["last_statement", "last_line"]
"""last_statement: the program runs whole and a final expression statement's repr() is its
value (a REPL). last_line: QwenLM/Qwen2.5-Math `evaluation/python_executor.py` auto mode
(lines 105-115): a last line containing `print(` runs with the rest and the printed text
is the result; any other last line is evaluated after the rest ran, its str() the value."""

Namespace = Literal["session", "fresh"]
"""session: the globals persist from call to call. fresh: this call runs in empty globals
and leaves the session's untouched (the reference runs every program in a new runtime)."""


class RunOptions(BaseModel):
    model_config = ConfigDict(frozen=True)

    value_of: ValueOf = "last_statement"
    namespace: Namespace = "session"


INTERACTIVE = RunOptions()
