"""The space of a search as study arms: every candidate a named arm, so the search split is
one study (`council.studies`) and every candidate's score is that study's figure for it.

Self-consistency at (k, T) and `cascade` (threshold `first_samples`, escalation `samples`)
are pooled arms: one pool per temperature serves every k, and the cascade reads `single`'s
answers and the pool at self-consistency's own temperature, at no calls. `debate` at
fewer rounds is the first rounds of the longest debate with as many debaters, and
`best-of-n` at k its scorer's pick among the first k candidates of the largest run, both
at no calls. Candidates from `space.protocols` are arms as given (run live unless pooled).
"""

from __future__ import annotations

from council.errors import ConfigError
from council.protocols.registry import protocol_definition
from council.search.search_file import SearchSpace
from council.studies.study_file import Arm

SINGLE = "single"


def sampling_temperature() -> float:
    """Self-consistency's declared temperature: a candidate at it leaves `temperature`
    unset, so it shares the pool the cascade reads (one pool per distinct decoding)."""
    return protocol_definition("self-consistency").roles["solver"].decoding.temperature


def self_consistency_name(k: int, temperature: float) -> str:
    return f"sc-{k}@{temperature:g}"


def cascade_name(first_samples: int, samples: int) -> str:
    return f"cascade-{first_samples}of{samples}"


def debate_name(agents: int, rounds: int) -> str:
    return f"debate-{agents}x{rounds}"


def best_of_n_name(samples: int) -> str:
    return f"bon-{samples}"


def candidate_arms(space: SearchSpace) -> list[Arm]:
    """`single` first (the cheapest candidate, and the cascade's first ballot), then the
    space in its order; a cascade whose escalation does not exceed its threshold is left out
    (it would never draw a sample)."""
    arms = [Arm(name=SINGLE, protocol="single")]
    default_t = sampling_temperature()
    if space.self_consistency is not None:
        for temperature in space.self_consistency.temperatures:
            settings = {} if temperature == default_t else {"temperature": temperature}
            for k in space.self_consistency.samples:
                arms.append(
                    Arm(
                        name=self_consistency_name(k, temperature),
                        protocol="self-consistency",
                        options={"samples": k},
                        settings=settings,
                    )
                )
    if space.cascade is not None:
        for first in space.cascade.first_samples:
            for samples in space.cascade.samples:
                if samples > first:
                    arms.append(
                        Arm(
                            name=cascade_name(first, samples),
                            protocol="cascade",
                            options={"first_samples": first, "samples": samples},
                        )
                    )
    if space.debate is not None:
        for agents in space.debate.agents:
            for rounds in space.debate.rounds:
                arms.append(
                    Arm(
                        name=debate_name(agents, rounds),
                        protocol="debate",
                        options={"agents": agents, "rounds": rounds},
                    )
                )
    if space.best_of_n is not None:
        for k in space.best_of_n.samples:
            arms.append(Arm(name=best_of_n_name(k), protocol="best-of-n", options={"samples": k}))
    taken = {arm.name for arm in arms}
    for arm in space.protocols:
        if arm.name in taken:
            raise ConfigError(f"space.protocols: {arm.name!r} is already a candidate's name")
        arms.append(arm)
    return arms
