"""Which model plays which role: one default, optional per-role overrides."""

from __future__ import annotations

from collections.abc import Mapping

from council.models.base import ChatModel


class RoleModels:
    """Resolves a role to its model. Protocols ask by role name ('debater', 'judge', ...)."""

    def __init__(self, default: ChatModel, overrides: Mapping[str, ChatModel] | None = None):
        self.default = default
        self.overrides = dict(overrides or {})

    def for_role(self, role: str) -> ChatModel:
        return self.overrides.get(role, self.default)

    def first_of(self, *roles: str) -> ChatModel:
        """The model of the first of `roles` given one (e.g. `proposer_2`, then
        `proposer`), else the default."""
        return next((self.overrides[r] for r in roles if r in self.overrides), self.default)

    @classmethod
    def coerce(cls, models: ChatModel | Mapping[str, ChatModel] | RoleModels) -> RoleModels:
        if isinstance(models, RoleModels):
            return models
        if isinstance(models, Mapping):
            overrides = dict(models)
            default = overrides.pop("default", None) or next(iter(overrides.values()))
            return cls(default, overrides)
        return cls(models)
