"""Base class for what agents return: a pydantic schema that knows how to read itself."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError

from council.agents.parsing import OutputParseError, find_json_object, labeled_fields

_PLACEHOLDER = re.compile(r"<(?:what|the|your|first|second|one)\b[^<>\n]{0,60}>")

SHARED_LABELS = ("note",)
"""Labels any agent may write besides its schema's fields (`NOTE:` posts to the blackboard)."""


OUTPUT_TYPES: dict[str, type[AgentOutput]] = {}
"""Every output schema by `qualified_name()`, so a stored turn comes back as its own class
(from a checkpoint, or a results file); filled as schemas are defined."""


class AgentOutput(BaseModel):
    """A typed agent result.

    `FORMAT` is shown to the model (in the task prompt and when re-asking), so the format
    the parser accepts and the format the model is told about live in one place.

    Routing and voting ask outputs what they mean through three methods, never by field
    names: `final_answer()` (an answer this output commits to), `accepts()` (a verdict on
    the latest answer) and `decides()` (a judge ending the run). None means "says nothing
    of that kind".
    """

    FORMAT: ClassVar[str] = ""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        OUTPUT_TYPES[cls.qualified_name()] = cls

    @classmethod
    def qualified_name(cls) -> str:
        return f"{cls.__module__}.{cls.__qualname__}"

    def final_answer(self) -> str | None:
        return None

    def accepts(self) -> bool | None:
        return None

    def decides(self) -> bool | None:
        return None

    @classmethod
    def parse(cls, text: str, *, allow_prose: bool = True) -> AgentOutput:
        """Strict-content, lenient-layout parse; raises `OutputParseError`.

        `allow_prose=False` accepts only an explicit structure (JSON or labels): used to
        tell whether a model has committed to a final answer yet."""
        errors: list[str] = []
        if _PLACEHOLDER.search(text):
            raise OutputParseError("the reply repeats the format's <placeholders>; fill them in")
        data = find_json_object(text)
        if data is not None:
            try:
                return cls.model_validate(cls._normalise({k.lower(): v for k, v in data.items()}))
            except ValidationError as exc:
                errors.append(f"JSON did not match: {_first_error(exc)}")
        fields = labeled_fields(text, [*cls.model_fields, *SHARED_LABELS])
        for label in SHARED_LABELS:
            fields.pop(label, None)
        if fields:
            try:
                return cls.model_validate(cls._normalise(dict(fields)))
            except ValidationError as exc:
                errors.append(f"fields did not match: {_first_error(exc)}")
        recovered = cls.from_prose(text) if allow_prose else None
        if recovered is not None:
            return recovered
        raise OutputParseError("; ".join(errors) or "no recognisable fields")

    @classmethod
    def _normalise(cls, data: dict[str, Any]) -> dict[str, Any]:
        """Hook to coerce loose values (e.g. 'yes' for a bool) before validation."""
        return data

    @classmethod
    def from_prose(cls, text: str) -> AgentOutput | None:
        """Last-chance recovery from unformatted text; None when nothing is recoverable."""
        return None

    @classmethod
    def fallback(cls, text: str) -> AgentOutput:
        """A safe value when the model's reply cannot be read even after a re-ask."""
        raise NotImplementedError

    def summary(self) -> str:
        """One short line for the step stream."""
        return self.model_dump_json()


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    location = ".".join(str(part) for part in error["loc"])
    return f"{location}: {error['msg']}"
