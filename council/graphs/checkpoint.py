"""Checkpointing council state with LangGraph's savers.

LangGraph refuses (and for now warns about) deserialising classes it was not told about, so
a saver that stores council state must allow council's pydantic models. `serializer()`
allows exactly the models reachable from the given state types, nothing else.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from pydantic import BaseModel


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


def serializer(*state_types: type[BaseModel]) -> JsonPlusSerializer:
    """A checkpoint serializer that can load the given state types and what they contain."""
    allowed = sorted(reachable_models(*state_types), key=lambda m: (m.__module__, m.__name__))
    return JsonPlusSerializer(allowed_msgpack_modules=allowed)
