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

import re

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


def cascade_name(
    first_samples: int, samples: int, final_stage: str = "none", threshold: float = 0.6
) -> str:
    """`cascade-2of5`; with a final stage `cascade-2of5-debate@0.6` (the vote share below
    which the stage answers)."""
    name = f"cascade-{first_samples}of{samples}"
    return name if final_stage == "none" else f"{name}-{final_stage}@{threshold:g}"


def is_pooled_cascade(name: str) -> bool:
    """A cascade without a final stage: read from the pool alone, on any split."""
    return re.fullmatch(r"cascade-\d+of\d+", name) is not None


def stage_arm(final_stage: str, samples: int, seed: int | None) -> Arm:
    """The run a cascade's final stage is read from: the stage's protocol at its seed (the
    search's plus `samples`, `council.protocols.cascade`), a candidate of its own."""
    if seed is None:
        return Arm(name=final_stage, protocol=final_stage)
    return Arm(
        name=f"{final_stage}@seed{seed + samples}",
        protocol=final_stage,
        settings={"seed": seed + samples},
    )


def debate_name(agents: int, rounds: int) -> str:
    return f"debate-{agents}x{rounds}"


def best_of_n_name(samples: int) -> str:
    return f"bon-{samples}"


def candidate_arms(space: SearchSpace, seed: int | None = None) -> list[Arm]:
    """`single` first (the cheapest candidate, and the cascade's first ballot), then the
    space in its order; a cascade whose escalation does not exceed its threshold is left out
    (it would never draw a sample). `seed`: the search's, which places a final stage's run."""
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
    stages: list[Arm] = []
    if space.cascade is not None:
        for first in space.cascade.first_samples:
            for samples in space.cascade.samples:
                if samples <= first:
                    continue
                for final_stage in space.cascade.final_stages:
                    thresholds = space.cascade.thresholds if final_stage != "none" else (0.6,)
                    for threshold in thresholds:
                        options: dict[str, object] = {"first_samples": first, "samples": samples}
                        if final_stage != "none":
                            options |= {"final_stage": final_stage, "threshold": threshold}
                            stage = stage_arm(final_stage, samples, seed)
                            if stage.name not in {a.name for a in stages}:
                                stages.append(stage)
                        arms.append(
                            Arm(
                                name=cascade_name(first, samples, final_stage, threshold),
                                protocol="cascade",
                                options=options,
                            )
                        )
    arms += stages
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
