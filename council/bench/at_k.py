"""One sample pool, every k: maj@k, pass@k and the scorer's pick@k for every k <= N from
the samples a run already drew, at zero model calls.

A run of `self-consistency`, `best-of-n` or `debate` with N samples (first-round answers)
holds everything needed to ask "what if it had drawn k?": the first k samples' answers,
their grades and their tokens. Plotting accuracy against tokens for each k shows whether a
protocol beats plain voting at equal compute.

- **samples**: a problem's answering turns of its first answering round, in sample order;
  the first k are "k samples" (a fixed prefix, not an average over subsets).
- **maj@k**: the vote (`council.voting`, by mathematical equivalence) of the first k.
- **pass@k**: the unbiased estimator of Chen et al. (2021), 1 - C(n-c, k) / C(n, k), with n
  the problem's samples and c the correct ones.
- **pick@k**: where the run recorded a scorer's scores (`best-of-n`), the scorer's choice
  among the first k, by the run's own rule (ties to the answer most tied candidates gave);
  absent otherwise.
- **tokens@k**: what drawing the first k samples cost, the maj@k and pass@k cost: the
  tokens of the calls that produced them (each sample's agent in the first answering
  round, with its tool steps and re-asks). Later rounds (a debate's) are not part of it:
  maj@k asks what voting the first k answers would have cost.
- **pick tokens@k**: tokens@k plus the scorer's calls about those k samples (a scorer's
  per-candidate calls carry their candidate's sample index), where the run had a scorer.
A problem that errored counts as wrong at every k, as in the run's own accuracy.
"""

from __future__ import annotations

from itertools import accumulate
from math import comb
from pathlib import Path

from pydantic import BaseModel

from council.bench.grading import Grader
from council.errors import ConfigError
from council.run_log.log import RunLog
from council.run_log.results import ResultTurns
from council.scoring.base import choose
from council.voting import Ballot, Equivalence, bounded_equivalence, tally

AT_K_FILE = "at_k.json"


class AtK(BaseModel):
    k: int
    maj: float
    pass_at_k: float
    pick: float | None = None
    tokens_per_problem: float
    """The first k samples' calls: what maj@k and pass@k cost."""
    pick_tokens_per_problem: float | None = None
    """The first k samples' calls and the scorer's calls about them: what pick@k cost."""


class AtKReport(BaseModel):
    run: str
    samples: int
    """N: the fewest samples any problem has; every k <= N covers every problem."""
    problems: int
    rows: list[AtK]
    rule: str = "the first k samples (first answering round, sample order); errors wrong"


def first_answering_round(line: ResultTurns) -> int | None:
    rounds = [t.round for t in line.turns if t.kind == "answer"]
    return min(rounds) if rounds else None


def first_round_samples(line: ResultTurns) -> list[tuple[int, str, str | None]]:
    """(sample, agent, answer) of the first answering round."""
    first = first_answering_round(line)
    chosen = sorted(
        (t for t in line.turns if t.kind == "answer" and t.round == first),
        key=lambda t: (t.sample, t.agent),
    )
    return [(t.sample, t.agent, t.answer) for t in chosen]


def tokens_at_every_k(line: ResultTurns, n: int) -> list[tuple[int, int]]:
    """For k = 1..n: the tokens of the calls that drew the line's first k samples (each
    sample's agent, in the first answering round), and of the scorer's calls about them
    (calls by agents outside the pool whose sample index is below k)."""
    first = first_answering_round(line)
    pool = [agent for _, agent, _ in first_round_samples(line)]
    drawn, scored = [0] * n, [0] * n
    for call in line.calls:
        if call.agent in pool and call.round == first:
            position = pool.index(call.agent)
            if position < n:
                drawn[position] += call.usage.total_tokens
        elif call.agent not in pool and call.sample < n:
            scored[call.sample] += call.usage.total_tokens
    return list(zip(accumulate(drawn), accumulate(scored), strict=True))


async def at_k(run_dir: Path, grader: Grader) -> AtKReport:
    lines = list(RunLog.read_lines(run_dir, ResultTurns).values())
    pools = {line.problem_id: first_round_samples(line) for line in lines if line.error is None}
    sizes = [len(pool) for pool in pools.values() if pool]
    if not sizes:
        raise ConfigError(
            f"{run_dir} has no sampled answers to take k of (run a protocol "
            "with samples: self-consistency, best-of-n, debate)"
        )
    n_max = min(sizes)
    equivalent = bounded_equivalence()
    correct: dict[tuple[str, str], bool] = {}

    async def is_correct(line: ResultTurns, answer: str | None) -> bool:
        if answer is None:
            return False
        key = (line.problem_id, answer)
        if key not in correct:
            correct[key] = (await grader.agrade(answer, line.gold)).correct
        return correct[key]

    rows: list[AtK] = []
    scored = any(line.selections for line in lines)
    costs = {line.problem_id: tokens_at_every_k(line, n_max) for line in lines}
    for k in range(1, n_max + 1):
        maj = passed = picked = 0.0
        tokens = scorer_tokens = 0
        for line in lines:
            pool = pools.get(line.problem_id) or []
            first = pool[:k]
            drawn, scored_about = costs[line.problem_id][k - 1]
            tokens += drawn
            scorer_tokens += scored_about
            if not first:
                continue  # an error: wrong at every k
            winner = tally([Ballot(agent=a, answer=ans) for _, a, ans in first], equivalent).winner
            maj += await is_correct(line, winner)
            grades = [await is_correct(line, ans) for _, _, ans in pool]
            n, c = len(grades), sum(grades)
            passed += 1.0 - (comb(n - c, k) / comb(n, k) if n - c >= k else 0.0)
            if scored:
                picked += await is_correct(line, _pick(line, {a for _, a, _ in first}, equivalent))
        count = len(lines)
        rows.append(
            AtK(
                k=k,
                maj=maj / count,
                pass_at_k=passed / count,
                pick=picked / count if scored else None,
                tokens_per_problem=tokens / count,
                pick_tokens_per_problem=(tokens + scorer_tokens) / count if scored else None,
            )
        )
    report = AtKReport(run=str(run_dir), samples=n_max, problems=len(lines), rows=rows)
    (run_dir / AT_K_FILE).write_text(report.model_dump_json(indent=2))
    return report


def _pick(line: ResultTurns, agents: set[str], equivalent: Equivalence) -> str | None:
    """What the line's last selection's scorer picks among `agents`, by the rule the run
    itself picked with (`council.scoring.base.choose`), so that pick@N is the run's own
    accuracy."""
    if not line.selections:
        return None
    last = line.selections[-1]
    return choose(last.by, [s for s in last.scores if s.agent in agents], equivalent).answer


def plot_at_k(reports: list[AtKReport], path: Path) -> None:
    """Accuracy against tokens per problem, one line per measure and run, k labelled."""
    # start-up: matplotlib.pyplot costs 0.7-0.9 s of CPU to import; only a plot needs it
    import matplotlib

    matplotlib.use("Agg")
    # start-up: as above (pyplot after the Agg backend is chosen)
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5))
    for report in reports:
        name = Path(report.run).name
        sample_tokens = [row.tokens_per_problem for row in report.rows]
        series = [
            ("maj", sample_tokens, [r.maj for r in report.rows]),
            ("pass", sample_tokens, [r.pass_at_k for r in report.rows]),
        ]
        if report.rows and report.rows[0].pick is not None:
            pick_tokens = [r.pick_tokens_per_problem or 0.0 for r in report.rows]
            series.append(("pick", pick_tokens, [r.pick or 0.0 for r in report.rows]))
        for label, xs, ys in series:
            axes.plot(xs, ys, marker="o", label=f"{name} {label}@k")
            for row, x, y in zip(report.rows, xs, ys, strict=True):
                axes.annotate(str(row.k), (x, y), fontsize=7)
    axes.set_xlabel("tokens per problem")
    axes.set_ylabel("accuracy")
    axes.set_title("accuracy at every k, from one sample pool")
    axes.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
