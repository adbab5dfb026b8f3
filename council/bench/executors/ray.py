"""Problems on a Ray cluster: `--executor ray [--ray-address ADDR]`.

The driver (this process) keeps the run directory, the single writer, the manifest and
resume; Ray actors on the cluster's nodes solve problems, each building its runner on its
node and reaching the model server the configuration names. A worker killed mid-problem
loses nothing, by Ray's own mechanisms: the actor is restarted (`max_restarts=1`, on any
node with room) and the calls it had in flight are submitted again (`max_task_retries=1`);
the driver receives each problem's outcome once, so it is recorded once.

The run's rate limiters live in one more actor (`council.bench.executors.ray_limiter`),
which every solver asks before each request: the actors together send what the provider
accepts, not each of them.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from council.bench.datasets import Problem
from council.bench.executors.base import Placement, WorkerDiedError
from council.bench.problem import ProblemOutcome
from council.errors import ConfigError
from council.protocols.run_spec import RunSpec

RAY_MISSING = "--executor ray needs Ray: pip install 'council-reasoning[ray]'"
ACTOR_RETRIES = 1
"""Restarts per actor, and retries per problem: a problem survives one killed worker."""
EXTRA_CONCURRENCY = 4
"""Actor calls beyond the problems in flight (e.g. `load`), so they never wait behind work."""


def require_ray() -> None:
    """Refuse `--executor ray` where Ray is not installed, before a run directory is made."""
    _ray()


def _ray() -> Any:
    try:
        import ray  # optional extra: ray
    except ImportError:
        raise ConfigError(RAY_MISSING) from None
    return ray


class RayExecutor:
    def __init__(self, spec: RunSpec, placement: Placement, per_actor: int = 256):
        self.spec = spec
        self.placement = placement
        self.per_actor = per_actor
        self._actors: list[Any] = []
        self.limiter: Any = None
        """The `LimiterActor` holding the run's limiters."""
        self._pending: list[int] = []
        self._owns_ray = False

    async def start(self) -> RayExecutor:
        ray = _ray()
        # optional extra: ray (the actors' modules import it)
        from council.bench.executors.ray_actor import SolverActor
        from council.bench.executors.ray_limiter import LimiterActor

        if not ray.is_initialized():
            options: dict[str, Any] = {"runtime_env": self.placement.ray_runtime_env}
            if self.placement.ray_address is None:
                options["include_dashboard"] = False  # ignored by an existing cluster
            ray.init(address=self.placement.ray_address, **options)
            self._owns_ray = True
        cpus = float(ray.cluster_resources().get("CPU", 1))
        count = self.placement.workers or max(1, int(cpus))
        remote = ray.remote(SolverActor).options(
            max_restarts=ACTOR_RETRIES,
            max_task_retries=ACTOR_RETRIES,
            max_concurrency=self.per_actor + EXTRA_CONCURRENCY,
            num_cpus=min(1.0, cpus / count),
            scheduling_strategy="SPREAD",
        )
        self.limiter = (
            ray.remote(LimiterActor)
            .options(
                num_cpus=0,
                max_restarts=-1,  # a restarted host starts learning afresh; calls go on
                max_task_retries=-1,
                max_concurrency=count * (self.per_actor + EXTRA_CONCURRENCY),
            )
            .remote()
        )
        spec_json = self.spec.to_json()
        self._actors = [remote.remote(spec_json, self.limiter) for _ in range(count)]
        self._pending = [0] * count
        await self.load()  # built and answering, or its error now rather than mid-run
        return self

    async def load(self) -> list[tuple[int, int]]:
        """Each actor's (pid, problems in flight)."""
        return [await actor.load.remote() for actor in self._actors]

    def submit(self, problem: Problem) -> Coroutine[Any, Any, ProblemOutcome]:
        index = min(range(len(self._actors)), key=self._pending.__getitem__)
        self._pending[index] += 1
        ref = self._actors[index].solve.remote(problem)
        return self._result(index, ref)

    async def _result(self, index: int, ref: Any) -> ProblemOutcome:
        ray = _ray()
        try:
            outcome: ProblemOutcome = await ref
            return outcome
        except ray.exceptions.RayError as exc:  # out of retries: the run stops, resumable
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise WorkerDiedError(f"Ray worker failed: {type(exc).__name__}: {first}") from exc
        finally:
            self._pending[index] -= 1

    async def close(self) -> None:
        ray = _ray()
        for actor in self._actors:
            ray.kill(actor, no_restart=True)
        self._actors.clear()
        if self.limiter is not None:
            ray.kill(self.limiter, no_restart=True)
            self.limiter = None
        if self._owns_ray:
            ray.shutdown()
