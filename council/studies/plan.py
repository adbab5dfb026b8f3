"""From a study file to what runs: each arm's run(s) (one `council bench` run directory per
arm and repeat, under the study directory), and the pools that serve arms sharing samples.

An arm of a pooled protocol (self-consistency, best-of-n) at k samples is the first k
samples of one recorded run of N >= k samples with the same prompt and decoding: sample i
gets seed base + i whatever N is, so the prefix is the run a k-sample arm would have made.
The self-consistency pool also serves every arm's compute-matched baseline, and a
`cascade` without a final stage: its first ballot is `single`'s very call (the same prompt,
greedy decoding and seed) and its i-th sample is the pool's sample i (the same prompt, T 0.7
and seed base + i), so with a `single` arm on the same model and decoding in the study the
cascade is read from the two at no model calls, drawing exactly the ballots it would have.
A cascade WITH a final stage (tir or debate) is read the same way when an arm of the study
makes exactly the stage's calls (the stage's protocol and options, the same models and
decoding, and the stage's seed: the cascade's plus `samples`); the stage's answer and cost
are that arm's on the problems whose vote is weak. Otherwise the cascade runs for real.
A `debate` arm of r rounds is read from a debate arm of R > r rounds on the same models,
decoding, agents and early-stop rule (or of R = r, an identical arm earlier in the study):
its first r rounds are the calls the r-round debate would make
(`council.studies.round_prefix`).
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from council.agents.tir import DEFAULT_EXECUTIONS
from council.config import CouncilConfig
from council.errors import ConfigError
from council.models.settings import ModelSettings
from council.protocols.cascade import DEBATE_ROUNDS, DEBATERS
from council.protocols.options import FinalStage, ProtocolOptions
from council.protocols.registry import protocol_definition
from council.protocols.run_spec import RunSpec
from council.studies.study_file import (
    POOLED_PROTOCOLS,
    Arm,
    StudyFile,
    decoding,
    model_spec,
    protocol_options,
)

REPEAT_SEED_STEP = 1000
BASELINE_POOL = "self-consistency"


class RunPlan(BaseModel):
    """One bench run: an arm (or a repeat of it, or a pool) and where it is kept."""

    model_config = ConfigDict(frozen=True)

    label: str
    directory: Path
    spec: RunSpec
    repeat: int = 1
    arm: str | None = None
    """The arm it runs (None: a pool)."""


class PoolPlan(BaseModel):
    """A pool: one sampling protocol's recorded samples, N decided once (`pool-plan.json`)."""

    model_config = ConfigDict(frozen=True)

    key: str
    protocol: str
    spec: RunSpec
    """The pool's protocol and options without `samples` (N is added when it is sized)."""
    directory: Path
    declared_k: tuple[int, ...]
    """The k of every arm it serves."""

    def run(self, samples: int) -> RunPlan:
        options = self.spec.options.model_copy(update={"samples": samples})
        return RunPlan(
            label=f"pool {self.key} (N={samples})",
            directory=self.directory,
            spec=self.spec.with_options(options),
        )


class ArmPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    runs: tuple[RunPlan, ...] = ()
    """Its own runs (first, then repeats); empty when a pool serves it."""
    pool: str | None = None
    k: int | None = None
    cascade: CascadeRule | None = None
    """A cascade read from `greedy_arm`'s answers and the pool's samples."""
    prefix: RoundPrefix | None = None
    """A debate read from the first rounds of a longer debate arm's run."""


class RoundPrefix(BaseModel):
    model_config = ConfigDict(frozen=True)

    source_arm: str
    """The debate arm of more rounds whose run holds these rounds (it runs live)."""
    rounds: int


class CascadeRule(BaseModel):
    model_config = ConfigDict(frozen=True)

    greedy_arm: str
    first_samples: int
    samples: int
    final_stage: FinalStage = "none"
    threshold: float = 0.6
    stage_arm: str | None = None
    """The arm whose recorded run makes exactly the final stage's calls (with a final
    stage): its answer and cost are the stage's on the problems that escalate."""


class StudyPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    directory: Path
    arms: tuple[ArmPlan, ...]
    pools: tuple[PoolPlan, ...]

    def arm(self, name: str) -> ArmPlan:
        return next(arm for arm in self.arms if arm.name == name)

    def pool(self, key: str) -> PoolPlan:
        return next(pool for pool in self.pools if pool.key == key)

    def runs(self) -> list[RunPlan]:
        return [run for arm in self.arms for run in arm.runs]


def arm_spec(study: StudyFile, arm: Arm, base: Path, repeat: int = 1) -> RunSpec:
    settings = decoding(study.settings, arm.settings)
    if repeat > 1 and arm.repeat_seed == "new" and settings.seed is not None:
        settings = settings.model_copy(
            update={"seed": settings.seed + REPEAT_SEED_STEP * (repeat - 1)}
        )
    model_ref = arm.model if arm.model is not None else study.model
    default = model_spec(model_ref, settings) if model_ref is not None else None
    config = CouncilConfig(
        model=default if default is not None else CouncilConfig().model,
        role_models={role: model_spec(ref, settings) for role, ref in arm.models.items()},
    )
    graph = arm.graph_ref
    if arm.graph is not None and not Path(graph).is_absolute():
        graph = str((base / graph).resolve())
    try:
        options = protocol_options(arm, settings)
        spec = RunSpec(graph=graph, options=options, config=config, model_given=default is not None)
        spec.check()
        if arm.protocol is not None:
            protocol_definition(arm.protocol)  # an unknown name is refused here
    except ConfigError as exc:
        raise ConfigError(f"arm {arm.name!r}: {exc}") from None
    except ValueError as exc:
        raise ConfigError(f"arm {arm.name!r}: {exc}".splitlines()[0]) from None
    return spec


def is_pooled(arm: Arm) -> bool:
    return arm.pooled and arm.protocol in POOLED_PROTOCOLS and arm.repeat == 1


def decoding_identity(spec: RunSpec) -> str:
    """The models and decoding a run's calls are made with (not its protocol options)."""
    return json.dumps(
        [
            spec.options.settings.model_dump(mode="json", exclude_unset=True),
            spec.config.model_dump(mode="json"),
        ],
        sort_keys=True,
        default=str,
    )


def cascade_rule(study: StudyFile, arm: Arm, spec: RunSpec, base: Path) -> CascadeRule | None:
    """How a cascade arm is read from recorded calls, if it can be: not repeated, a
    `single` arm on the same models and decoding (its first ballot), and, with a final
    stage, an arm that makes exactly that stage's calls (`final_stage_arm`). None: the
    cascade runs for real."""
    if not arm.pooled or arm.protocol != "cascade" or arm.repeat != 1:
        return None
    resolved = spec.resolved_options()
    greedy = None
    for other in study.arms:
        plain = other.protocol == "single" and not other.models and not other.options
        if plain and decoding_identity(arm_spec(study, other, base)) == decoding_identity(spec):
            greedy = other.name
            break
    if greedy is None:
        return None
    stage = None
    if resolved.final_stage != "none":
        stage = final_stage_arm(study, spec, base)
        if stage is None:
            return None
    return CascadeRule(
        greedy_arm=greedy,
        first_samples=resolved.first_samples,
        samples=resolved.samples,
        final_stage=resolved.final_stage,
        threshold=resolved.threshold,
        stage_arm=stage,
    )


def stage_calls(spec: RunSpec) -> str:
    """What a cascade's final stage sends, as `final_stage_arm` compares it: the stage's
    protocol, its agents' decoding (seeds base + samples + i, `council.protocols.cascade`),
    its options, and the models without their settings."""
    cascade = protocol_definition("cascade")
    resolved = spec.resolved_options()
    base = resolved.samples
    if resolved.final_stage == "tir":
        settings = [cascade.settings("tir", resolved, base)]
        options: dict[str, object] = {
            "tir": resolved.tir.model_dump(mode="json"),
            "max_executions": DEFAULT_EXECUTIONS,
        }
    else:
        settings = [cascade.settings("debater", resolved, base + i) for i in range(DEBATERS)]
        options = {"agents": DEBATERS, "rounds": DEBATE_ROUNDS, "early_stop": False}
    return _calls(resolved.final_stage, settings, options, spec)


def arm_calls(spec: RunSpec, protocol: str) -> str:
    """The same description of a `tir` or `debate` arm's calls."""
    definition = protocol_definition(protocol)
    resolved = spec.resolved_options()
    if protocol == "tir":
        settings = [definition.settings("solver", resolved)]
        options: dict[str, object] = {
            "tir": resolved.tir.model_dump(mode="json"),
            "max_executions": resolved.max_executions,
        }
    else:
        settings = [definition.settings("debater", resolved, i) for i in range(resolved.agents)]
        options = {
            "agents": resolved.agents,
            "rounds": resolved.rounds,
            "early_stop": resolved.early_stop,
        }
    return _calls(protocol, settings, options, spec)


def round_prefix(study: StudyFile, arm: Arm, spec: RunSpec, base: Path) -> RoundPrefix | None:
    """The debate arm this one is the first rounds of: among the arms making the same calls
    but for their number of rounds, the one with the most rounds (the first of them in the
    study on a tie, so an arm identical to an earlier one is read from it). That arm runs
    live itself. None: this arm is that arm, or no other debate on the same models,
    decoding and agents has as many rounds, and it runs for real."""
    if not arm.pooled or arm.protocol != "debate" or arm.repeat != 1:
        return None
    rounds = spec.resolved_options().rounds
    wanted = _calls_of_any_rounds(spec)
    source, most = arm.name, rounds
    for other in study.arms:
        if other.protocol != "debate" or other.name == arm.name:
            continue
        other_spec = arm_spec(study, other, base)
        other_rounds = other_spec.resolved_options().rounds
        if _calls_of_any_rounds(other_spec) != wanted:
            continue
        earlier = study.arms.index(other) < study.arms.index(arm)
        if other_rounds > most or (other_rounds == most and earlier and source == arm.name):
            source, most = other.name, other_rounds
    return RoundPrefix(source_arm=source, rounds=rounds) if source != arm.name else None


def _calls_of_any_rounds(spec: RunSpec) -> str:
    one_round = spec.with_options(spec.options.model_copy(update={"rounds": 1}))
    return arm_calls(one_round, "debate")


def _calls(
    protocol: str, settings: list[ModelSettings], options: dict[str, object], spec: RunSpec
) -> str:
    models = spec.config.model_dump(
        mode="json", include={"model", "role_models"}, exclude={"model": {"settings"}}
    )
    models["role_models"] = {
        role: {k: v for k, v in entry.items() if k != "settings"}
        for role, entry in models.get("role_models", {}).items()
    }
    return json.dumps(
        [protocol, [s.model_dump(mode="json") for s in settings], options, models],
        sort_keys=True,
        default=str,
    )


def final_stage_arm(study: StudyFile, spec: RunSpec, base: Path) -> str | None:
    """The arm of the study whose run makes exactly the calls the cascade's final stage
    would make: a `tir` arm (or a 3-debater, 2-round `debate` arm without early stop) on
    the same models, with the stage's decoding, seed included (the stage's seed is the
    cascade's plus `samples`: with `settings: {seed: 0}` and 3 samples, a debate arm at
    `settings: {seed: 3}`). None: no arm does, and the cascade runs for real."""
    wanted = stage_calls(spec)
    protocol = spec.resolved_options().final_stage
    for other in study.arms:
        if other.protocol != protocol:
            continue
        if arm_calls(arm_spec(study, other, base), protocol) == wanted:
            return other.name
    return None


def pool_identity(spec: RunSpec) -> str:
    """What two pooled arms must share to be served by one pool: everything but `samples`."""
    options = spec.options.model_dump(mode="json", exclude={"samples"}, exclude_unset=True)
    return json.dumps(
        [spec.graph, options, spec.config.model_dump(mode="json")], sort_keys=True, default=str
    )


def plan_study(study: StudyFile, directory: Path, base: Path) -> StudyPlan:
    """`base`: the study file's folder (relative data and graph paths are read from it)."""
    arms: list[ArmPlan] = []
    pools: dict[str, tuple[str, RunSpec, list[int]]] = {}  # identity → key, spec, ks

    def pool_for(protocol: str, spec: RunSpec, k: int | None) -> str:
        identity = pool_identity(spec)
        if identity not in pools:
            taken = {key for key, _, _ in pools.values()}
            key = protocol if protocol not in taken else f"{protocol}-{len(taken) + 1}"
            bare = spec.options.model_copy(update={"samples": 1})
            pools[identity] = (key, spec.with_options(bare), [])
        if k is not None:
            pools[identity][2].append(k)
        return pools[identity][0]

    for arm in study.arms:
        spec = arm_spec(study, arm, base)
        rule = cascade_rule(study, arm, spec, base)
        if rule is not None:
            resolved = spec.resolved_options()
            sampler = RunSpec(
                graph=BASELINE_POOL,
                options=ProtocolOptions(samples=1, settings=spec.options.settings),
                config=spec.config,
                model_given=spec.model_given,
            )
            key = pool_for(BASELINE_POOL, sampler, resolved.samples)
            arms.append(ArmPlan(name=arm.name, pool=key, k=resolved.samples, cascade=rule))
            continue
        prefix = round_prefix(study, arm, spec, base)
        if prefix is not None:
            arms.append(ArmPlan(name=arm.name, prefix=prefix))
            continue
        if is_pooled(arm):
            assert arm.protocol is not None
            k = spec.resolved_options().samples
            arms.append(ArmPlan(name=arm.name, pool=pool_for(arm.protocol, spec, k), k=k))
            continue
        runs = [
            RunPlan(
                label=arm.name, directory=directory / "arms" / arm.name, spec=spec, arm=arm.name
            )
        ]
        for repeat in range(2, arm.repeat + 1):
            runs.append(
                RunPlan(
                    label=f"{arm.name} (run {repeat})",
                    directory=directory / "arms" / f"{arm.name}~{repeat}",
                    spec=arm_spec(study, arm, base, repeat),
                    repeat=repeat,
                    arm=arm.name,
                )
            )
        arms.append(ArmPlan(name=arm.name, runs=tuple(runs)))
    if study.compute.match != "none":
        baseline_spec = _baseline_spec(study)
        pool_for(BASELINE_POOL, baseline_spec, None)
    return StudyPlan(
        directory=directory,
        arms=tuple(arms),
        pools=tuple(
            PoolPlan(
                key=key,
                protocol=spec.graph,
                spec=spec,
                directory=directory / "pools" / key,
                declared_k=tuple(sorted(set(ks))),
            )
            for key, spec, ks in pools.values()
        ),
    )


def _baseline_spec(study: StudyFile) -> RunSpec:
    """Self-consistency on the study's model and decoding: the matched baseline's pool."""
    settings: ModelSettings = decoding(study.settings)
    config = CouncilConfig()
    if study.model is not None:
        config = CouncilConfig(model=model_spec(study.model, settings))
    return RunSpec(
        graph=BASELINE_POOL,
        options=ProtocolOptions(samples=1, settings=settings),
        config=config,
        model_given=study.model is not None,
    )
