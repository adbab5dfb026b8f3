"""The built-in protocols by name: how each is built, which roles it has, which options it
uses (any other option given for it is an error, not silently recorded), and the paper or
script it follows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from council.errors import ConfigError
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.best_of_n import best_of_n_graph
from council.protocols.cascade import CASCADE_DEFAULTS, cascade_graph, cascade_rounds
from council.protocols.debate import debate_graph
from council.protocols.mad import mad_graph
from council.protocols.moa import moa_graph
from council.protocols.options import ProtocolOptions
from council.protocols.pot import pot_graph
from council.protocols.refine import refine_graph
from council.protocols.self_consistency import self_consistency_graph
from council.protocols.single import single_graph
from council.protocols.solve import solve_graph
from council.protocols.tir import tir_graph
from council.protocols.tool_planner import MODULE_ROUNDS, tool_planner_graph
from council.tools.base import ToolRegistry

GraphFactory = Callable[[RoleModels, ProtocolOptions, ToolRegistry | None], CouncilGraph]
OPTION_NAMES = tuple(name for name in ProtocolOptions.model_fields if name != "settings")


@dataclass(frozen=True)
class ProtocolSpec:
    name: str
    build: GraphFactory
    roles: tuple[str, ...]
    uses: frozenset[str]
    """Which of `OPTION_NAMES` change this protocol; the rest are refused."""
    follows: str
    fixed_rounds: int | Callable[[ProtocolOptions], int] = 1
    """The round bound of a protocol that does not use `rounds` (tool-planner: one round
    per module; cascade: by its final stage)."""
    defaults: Mapping[str, Any] = field(default_factory=dict)
    """This protocol's own defaults for shared options the user did not set (cascade: at
    most 3 ballots, where self-consistency draws 5)."""

    def with_defaults(self, options: ProtocolOptions) -> ProtocolOptions:
        """`options` with this protocol's defaults for what the user left unset, so what is
        built and what a run records are the same values."""
        unset = {k: v for k, v in self.defaults.items() if k not in options.model_fields_set}
        return options.model_copy(update=unset) if unset else options

    def rounds(self, options: ProtocolOptions) -> int:
        if "rounds" in self.uses:
            return options.rounds
        return self.fixed_rounds(options) if callable(self.fixed_rounds) else self.fixed_rounds

    def check_options(self, given: set[str]) -> None:
        """`given`: option names the user set explicitly."""
        refuse_unused(f"protocol {self.name!r}", self.uses, given)


def refuse_unused(what: str, uses: frozenset[str], given: set[str]) -> None:
    """One line naming the options `what` ignores, as the flags the user typed."""
    unused = sorted(given - uses)
    if unused:
        flags = ", ".join("--" + name.replace("_", "-") for name in unused)
        allowed = ", ".join("--" + name.replace("_", "-") for name in sorted(uses)) or "none"
        raise ConfigError(f"{what} does not use {flags}; its options: {allowed}")


PROTOCOLS: dict[str, ProtocolSpec] = {
    spec.name: spec
    for spec in (
        ProtocolSpec(
            "single",
            single_graph,
            ("solver",),
            frozenset(),
            "one chain-of-thought answer (the plain CoT prompt)",
        ),
        ProtocolSpec(
            "self-consistency",
            self_consistency_graph,
            ("solver",),
            frozenset({"samples"}),
            "Wang et al. 2023, Self-Consistency",
        ),
        ProtocolSpec(
            "debate",
            debate_graph,
            ("debater",),
            frozenset({"agents", "rounds", "early_stop"}),
            "Du et al. 2023, gsm/gen_gsm.py of composable-models/llm_multiagent_debate",
        ),
        ProtocolSpec(
            "mad",
            mad_graph,
            ("affirmative", "negative", "moderator", "judge"),
            frozenset({"rounds"}),
            "Liang et al. 2023, interactive.py of Skytliang/Multi-Agents-Debate",
        ),
        ProtocolSpec(
            "solve",
            solve_graph,
            ("planner", "solver", "verifier", "critic"),
            frozenset({"rounds"}),
            "council's plan-solve-verify-critique loop",
        ),
        ProtocolSpec(
            "tir",
            tir_graph,
            ("solver",),
            frozenset({"max_executions", "tir"}),
            "Qwen2.5-Math tool-integrated reasoning (evaluation/math_eval.py); ToRA",
        ),
        ProtocolSpec(
            "pot",
            pot_graph,
            ("solver",),
            frozenset(),
            "Chen et al. 2023 Program of Thoughts; Gao et al. 2023 PAL (Qwen2.5-Math pal)",
        ),
        ProtocolSpec(
            "best-of-n",
            best_of_n_graph,
            ("solver", "verifier"),
            frozenset({"samples", "scorer", "reward", "max_executions", "tir"}),
            "Qwen2.5-Math RM@N (evaluation/rm_maj_eval.py): best-of-N by a learned value",
        ),
        ProtocolSpec(
            "moa",
            moa_graph,
            ("proposer", "aggregator"),
            frozenset({"agents", "rounds"}),
            "Wang et al. 2024 Mixture-of-Agents, togethercomputer/MoA utils.py",
        ),
        ProtocolSpec(
            "refine",
            refine_graph,
            ("generator", "verifier", "refiner"),
            frozenset({"rounds"}),
            "Motwani et al. 2024 MALT (generate, verify, refine); PlanGEN 2025 (select by score)",
        ),
        ProtocolSpec(
            "tool-planner",
            tool_planner_graph,
            (
                "planner",
                "knowledge_retrieval",
                "python_generator",
                "symbolic_solver",
                "solution_generator",
            ),
            frozenset({"corpus"}),
            "Das et al. 2024 MathSensei (Debrup-61/MathSensei): planned tool modules",
            fixed_rounds=MODULE_ROUNDS,
        ),
        ProtocolSpec(
            "cascade",
            cascade_graph,
            ("solver", "debater"),
            frozenset({"samples", "first_samples", "threshold", "final_stage", "tir"}),
            "adaptive compute: the greedy answer, then samples while they disagree "
            "(self-consistency, Wang et al. 2023), then optionally tir or debate (Du et al. 2023)",
            fixed_rounds=cascade_rounds,
            defaults=CASCADE_DEFAULTS,
        ),
    )
}
ALIASES = {
    "sc": "self-consistency",
    "self_consistency": "self-consistency",
    "cot": "single",
    "pal": "pot",
    "bon": "best-of-n",
    "best_of_n": "best-of-n",
    "tool_planner": "tool-planner",
    "mathsensei": "tool-planner",
}


def protocol_spec(name: str) -> ProtocolSpec:
    key = ALIASES.get(name, name)
    if key not in PROTOCOLS:
        raise ConfigError(
            f"unknown protocol {name!r}; choose one of {', '.join(PROTOCOLS)} "
            "or give a graph config file (.yaml / .json)"
        )
    return PROTOCOLS[key]


def canonical_protocol(name: str) -> str:
    return protocol_spec(name).name


def protocol_graph(
    name: str,
    models: RoleModels,
    options: ProtocolOptions | None = None,
    tools: ToolRegistry | None = None,
) -> CouncilGraph:
    return protocol_spec(name).build(models, options or ProtocolOptions(), tools)
