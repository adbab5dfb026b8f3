"""What a built-in protocol is, in one place: its roles with their prompt templates and
decoding, its counts (agents, rounds, samples) and rules, the reference it follows and where
it deviates. Everything else is derived from a `ProtocolDefinition`: the graph (`build`),
the config file (`council graph export`), the card (`council graph show`), a run's
`config.json`, and the defaults of every way in, so no way in can run other numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from council.errors import ConfigError
from council.models.settings import ModelSettings
from council.protocols.options import ProtocolOptions

if TYPE_CHECKING:
    from council.agents.base import Agent
    from council.agents.prompting import AgentPrompts
    from council.graphs.builder import CouncilGraph
    from council.models.roles import RoleModels
    from council.tools.base import ToolRegistry

OPTION_NAMES = tuple(name for name in ProtocolOptions.model_fields if name != "settings")
DECODING_FIELDS = ("temperature", "top_p", "max_tokens", "stop")


class Reference(BaseModel):
    """The paper a protocol follows and, where there is one, the script that runs it."""

    model_config = ConfigDict(frozen=True)

    paper: str
    repository: str | None = None
    files: tuple[str, ...] = ()
    commit: str | None = None
    """The snapshot the prompts and flow were checked against (fixtures cite it too)."""


class RoleDecoding(BaseModel):
    """How one role samples, as its reference does. `max_tokens=None`: no cap is sent (the
    reference sends none, or sends the rest of the context); `stop`: sequences that end a
    reply."""

    model_config = ConfigDict(frozen=True)

    temperature: float = Field(ge=0.0, le=2.0)
    top_p: float | None = None
    max_tokens: int | None = None
    stop: tuple[str, ...] | None = None
    source: str = ""
    """Where these values come from (reference file:line, or "council's choice")."""


class RoleDefinition(BaseModel):
    """A role of a protocol: which agent plays it, its prompt templates (by name, beside
    the agent), how it decodes, and how many of it run."""

    model_config = ConfigDict(frozen=True)

    agent: str
    """The agent class (`council.agents`), e.g. `Debater`."""
    templates: tuple[str, ...]
    decoding: RoleDecoding
    count: str = "1"
    """How many run: a number, or the option that sets it (`agents`, `samples`)."""


GraphFactory = Callable[
    ["ProtocolDefinition", "RoleModels", ProtocolOptions, "ToolRegistry | None"],
    "CouncilGraph",
]


@dataclass(frozen=True)
class ProtocolDefinition:
    """One built-in protocol, whole. `defaults` holds a value for every option in `uses`;
    an option the user sets that the protocol does not use is refused, not recorded."""

    name: str
    summary: str
    roles: Mapping[str, RoleDefinition]
    uses: frozenset[str]
    defaults: Mapping[str, Any]
    shape: GraphFactory
    """Builds the graph from this definition and resolved options."""
    reference: Reference | None = None
    deviations: tuple[str, ...] = ()
    rounds_rule: Callable[[ProtocolOptions], int] | None = None
    """The round bound of a protocol that does not use `rounds` (tool-planner: one round
    per module; cascade: by its final stage). None: `rounds`, or 1."""
    answer_rule: str = ""
    """How the final answer is chosen, and what happens when there is none."""
    aliases: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        missing = sorted(self.uses - set(self.defaults) - {"corpus", "reward"})
        if missing:
            raise ValueError(f"protocol {self.name!r} has no default for {missing}")

    # -- options --------------------------------------------------------------------------
    def check_options(self, given: set[str]) -> None:
        """`given`: option names the user set explicitly."""
        refuse_unused(f"protocol {self.name!r}", self.uses, given)

    def resolve(self, options: ProtocolOptions | None = None) -> ProtocolOptions:
        """The options a run uses: the user's, then this protocol's defaults for the rest.
        The same values reach the graph, the card and the run's record."""
        options = options or ProtocolOptions()
        self.check_options(options.given())
        unset = {k: v for k, v in self.defaults.items() if k not in options.model_fields_set}
        return options.model_copy(update=unset) if unset else options

    def rounds(self, options: ProtocolOptions) -> int:
        if self.rounds_rule is not None:
            return self.rounds_rule(options)
        return options.rounds if "rounds" in self.uses else 1

    # -- decoding -------------------------------------------------------------------------
    def settings(self, role: str, options: ProtocolOptions, sample: int = 0) -> ModelSettings:
        """What `role` decodes with: each decoding field the user set (`--temperature`,
        `--max-tokens`, ...) overrides the role's declared one; a seed the user gives is
        offset by the sample index, so samples differ."""
        declared = self.roles[role].decoding
        user = options.settings
        changes: dict[str, object] = {
            name: getattr(declared, name)
            for name in DECODING_FIELDS
            if name not in user.model_fields_set
        }
        if user.seed is not None:
            changes["seed"] = user.seed + sample
        return user.model_copy(update=changes)

    # -- building -------------------------------------------------------------------------
    def build(
        self,
        models: RoleModels,
        options: ProtocolOptions | None = None,
        tools: ToolRegistry | None = None,
    ) -> CouncilGraph:
        return self.shape(self, models, self.resolve(options), tools)

    def card(self, options: ProtocolOptions | None = None) -> ProtocolCard:
        """What a run with `options` will use, every default filled in."""
        resolved = self.resolve(options)
        roles = {
            name: RoleCard(
                agent=role.agent,
                templates=role.templates,
                count=role.count,
                decoding=RoleDecoding(
                    **self.settings(name, resolved).model_dump(include=set(DECODING_FIELDS)),
                    source=role.decoding.source,
                ),
            )
            for name, role in self.roles.items()
        }
        return ProtocolCard(
            name=self.name,
            summary=self.summary,
            reference=self.reference,
            deviations=self.deviations,
            options={name: getattr(resolved, name) for name in sorted(self.uses)},
            rounds=self.rounds(resolved),
            roles=roles,
            answer_rule=self.answer_rule,
        )


class RoleCard(BaseModel):
    agent: str
    templates: tuple[str, ...]
    count: str
    decoding: RoleDecoding


class ProtocolCard(BaseModel):
    """A protocol as a run uses it: shown by `council graph show`, recorded in a run's
    `config.json`."""

    name: str
    summary: str
    reference: Reference | None
    deviations: tuple[str, ...]
    options: dict[str, Any]
    rounds: int
    roles: dict[str, RoleCard]
    answer_rule: str


def refuse_unused(what: str, uses: frozenset[str], given: set[str]) -> None:
    """One line naming the options `what` ignores, as the flags the user typed."""
    unused = sorted(given - uses)
    if unused:
        flags = ", ".join("--" + name.replace("_", "-") for name in unused)
        allowed = ", ".join("--" + name.replace("_", "-") for name in sorted(uses)) or "none"
        raise ConfigError(f"{what} does not use {flags}; its options: {allowed}")


def role(
    agent_class: type[Agent[Any]],
    decoding: RoleDecoding,
    *,
    count: str = "1",
    prompts: AgentPrompts | None = None,
    also: tuple[type[Agent[Any]], ...] = (),
) -> RoleDefinition:
    """A role played by `agent_class` (then by each of `also` in turn, as MAD's judge
    first lists candidates, then decides) with their own templates (or `prompts`), so the
    definition names the very templates the agents render (their `extra_templates` too)."""
    templates: list[str] = []
    for index, played_by in enumerate((agent_class, *also)):
        used = prompts if prompts is not None and index == 0 else played_by.prompts
        for template in used.templates():
            if template is used.repair and not played_by.repair:
                continue
            if template.name not in templates:
                templates.append(template.name)
        templates += [t.name for t in played_by.extra_templates if t.name not in templates]
    return RoleDefinition(
        agent=", ".join(c.__name__ for c in (agent_class, *also)),
        templates=tuple(templates),
        decoding=decoding,
        count=count,
    )
