"""Checkpointing council state with any LangGraph saver.

LangGraph refuses (and for now warns about) deserialising classes it was not told about, so
a saver that stores council state must allow council's pydantic models. `serializer()`
allows exactly the models reachable from the given state types (and every agent output
schema, since a turn holds its agent's own output class), nothing else;
`with_council_types()` gives any checkpointer that allowlist (`CouncilGraph.compile` calls
it), so `InMemorySaver()`, SQLite or Postgres savers pause and resume without a warning.
"""

from __future__ import annotations

import copy
import types
import typing
from collections.abc import Iterator
from typing import Any

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from pydantic import BaseModel

from council.agents.output import OUTPUT_TYPES


def reachable_models(*roots: type[BaseModel]) -> set[type[BaseModel]]:
    """Every pydantic model a value of the root types can contain."""
    found: set[type[BaseModel]] = set()
    pending = list(roots)
    while pending:
        model = pending.pop()
        if model in found:
            continue
        found.add(model)
        for field in model.model_fields.values():
            pending.extend(_models_in(field.annotation))
    return found


def _models_in(annotation: object) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)
    if isinstance(annotation, types.UnionType):
        for argument in annotation.__args__:
            yield from _models_in(argument)


def council_types(*state_types: type[BaseModel]) -> list[type[BaseModel]]:
    found = reachable_models(*state_types)
    for output in list(OUTPUT_TYPES.values()):
        found |= reachable_models(output)
    return sorted(found, key=lambda m: (m.__module__, m.__qualname__))


def serializer(*state_types: type[BaseModel]) -> JsonPlusSerializer:
    """A checkpoint serializer that can load the given state types and what they contain."""
    return JsonPlusSerializer(allowed_msgpack_modules=council_types(*state_types))


def with_council_types(checkpointer: Any, *state_types: type[BaseModel]) -> Any:
    """The checkpointer, able to load council state. LangGraph's default serializer allows
    every type with a warning (and will block them); it is replaced by one that allows
    council's types explicitly. A serializer the user configured keeps its settings and
    gains council's types (`with_allowlist`)."""
    if checkpointer is None or isinstance(checkpointer, bool):
        return checkpointer
    serde = getattr(checkpointer, "serde", None)
    if type(serde) is JsonPlusSerializer and serde._allowed_msgpack_modules is True:
        clone = copy.copy(checkpointer)
        clone.serde = serializer(*state_types)
        return clone
    if hasattr(checkpointer, "with_allowlist"):
        keys = [(m.__module__, m.__qualname__) for m in council_types(*state_types)]
        return checkpointer.with_allowlist(keys)
    return checkpointer
