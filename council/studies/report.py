"""The study's report as data (`report.json`): every arm's figures, its matched baseline
(achieved vs target), each paired comparison with its interval, McNemar's exact p and the
Holm-adjusted p, the measured noise, the debate decomposition, the attribution of tokens,
cost and time, the pools' maj@k / pass@k, and sentences saying which differences are
established. `council.studies.render` writes it as Markdown and HTML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from council.bench.grading import Grader
from council.calls import usage_of
from council.errors import ConfigError
from council.run_log.sessions import read_sessions
from council.studies.attribution import attribute
from council.studies.debate import DebateDecomposition, decompose, is_debate
from council.studies.noise import (
    ArmNoise,
    NoiseLedger,
    NoiseReport,
    decoding_of,
    pool_block_noise,
    rerun_spread,
    run_noise,
)
from council.studies.outcomes import (
    AnswerGrades,
    ArmFigures,
    ProblemResult,
    figures,
    read_lines,
    run_results,
)
from council.studies.plan import BASELINE_POOL, StudyPlan, arm_spec, plan_study
from council.studies.pool import PoolReader, PoolReport, PoolRow, pool_size
from council.studies.round_prefix import first_rounds
from council.studies.split import SPLIT_RECORD, SplitRecord
from council.studies.state import StudyState
from council.studies.stats import (
    PairedTable,
    confidence_sequence,
    holm,
    mcnemar_exact_p,
    newcombe_interval,
    paired_table,
)
from council.studies.study_file import Arm, ModelRef, SplitSection, StudyFile
from council.usage import UsageReport
from council.voting import bounded_equivalence

REPORT_JSON = "report.json"


class MatchedBaseline(BaseModel):
    k: int
    target_tokens_per_problem: float
    achieved_tokens_per_problem: float
    figures: ArmFigures
    at_pool_edge: bool = False
    """The target is beyond the pool's N samples: the baseline spends less than the arm."""
    noise: ArmNoise = ArmNoise(how="not measured", decoding="sampled")


class ArmReport(BaseModel):
    name: str
    definition: str = ""
    """As the study file gives it: protocol or graph, options, models, decoding, repeats."""
    source: str
    recorded: bool = False
    """Read from other runs' recorded calls (a pool, a cascade's ballots, a longer debate's
    first rounds), at no model calls of its own."""
    figures: ArmFigures
    baseline: MatchedBaseline | None = None
    attribution: UsageReport | None = None
    noise: ArmNoise = ArmNoise(how="not measured")
    results: list[ProblemResult] = []
    """Problem by problem (in id order): what its figures and comparisons are made of, so a
    reader can check them against a separate run, or analyse them again."""


class Comparison(BaseModel):
    arm: str
    against: str
    kind: Literal["reference", "baseline"]
    table: PairedTable
    difference: float
    ci95_low: float
    ci95_high: float
    mcnemar_p: float
    holm_p: float = 1.0
    established: bool = False
    within_noise: bool = False
    noise: float | None = None
    """The relevant noise: the larger of the two sides' (measured or borrowed)."""
    noise_source: str = ""
    """Whose noise that is, in words (e.g. "single, measured")."""
    noise_spread: float | None = None
    """How far two runs of that side could differ in accuracy on these paired problems by
    chance alone (at 1 - α): the difference is within noise when no larger than this."""
    sequence_low: float = -1.0
    sequence_high: float = 1.0
    decided: bool = False
    words: str = ""


class StudyReport(BaseModel):
    name: str
    directory: str
    data: str = ""
    """Which rows: the source, limit, order and seed, as the study file gives them."""
    ran_on: str = ""
    """What its sessions ran on: council's revisions, model files' sha256, CPUs."""
    status: str
    reason: str
    problems: int
    of_total: int
    alpha: float
    compute_match: str
    tokens_target: float | None = None
    """With `compute: {match: budget}`: the tokens per problem every arm is held to."""
    reference: str
    arms: list[ArmReport]
    comparisons: list[Comparison]
    noise: list[NoiseReport]
    noise_level: float | None
    debate: list[DebateDecomposition]
    pools: list[PoolReport]
    grader_checked: int
    grader_failures: list[str]
    excluded: list[str]
    findings: list[str]
    all_decided: bool = False
    plot: str | None = None


async def build_report(directory: Path, grader: Grader) -> StudyReport:
    state = StudyState.load(directory)
    if state is None:
        raise ConfigError(f"{directory} is not a study directory (no study-state.json)")
    study = state.study
    plan = plan_study(study, directory, Path(state.base))
    ids = set(state.problem_ids)
    equivalent = bounded_equivalence()

    grades = AnswerGrades(grader)
    readers: dict[str, PoolReader] = {}
    pool_reports: list[PoolReport] = []
    for pool in plan.pools:
        lines = read_lines(pool.directory)
        reader = PoolReader({k: v for k, v in lines.items() if k in ids}, grader, equivalent)
        readers[pool.key] = reader
        size = pool_size(reader.lines)
        rows = []
        for k in range(1, size + 1):
            maj = figures(await reader.at(k, ids))
            pick = figures(await reader.at(k, ids, pick=True)) if reader.scored else None
            rows.append(
                PoolRow(
                    k=k,
                    maj=maj.accuracy,
                    pass_at_k=await reader.pass_at(k, ids),
                    pick=pick.accuracy if pick else None,
                    tokens_per_problem=(pick or maj).tokens_per_problem,
                    cost_per_problem=(pick or maj).cost_per_problem,
                )
            )
        pool_reports.append(
            PoolReport(
                key=pool.key,
                protocol=pool.protocol,
                samples=size,
                problems=len(reader.lines),
                rows=rows,
                attribution=attribute(reader.lines, ids),
            )
        )

    outcomes: dict[str, dict[str, ProblemResult]] = {}
    arm_reports: list[ArmReport] = []
    ledger = NoiseLedger()
    decodings = {
        arm.name: decoding_of(arm_spec(study, study.arm(arm.name), Path(state.base)))
        for arm in plan.arms
    }
    debate: list[DebateDecomposition] = []
    for arm in plan.arms:
        definition = _definition(study.arm(arm.name))
        if arm.pool is not None:
            assert arm.k is not None
            reader = readers[arm.pool]
            available = pool_size(reader.lines)
            k = min(arm.k, available) if available else arm.k
            if arm.cascade is not None:
                rule = arm.cascade
                greedy = read_lines(plan.arm(rule.greedy_arm).runs[0].directory)
                stage = (
                    read_lines(plan.arm(rule.stage_arm).runs[0].directory)
                    if rule.stage_arm is not None
                    else None
                )
                outcomes[arm.name] = await reader.cascade(
                    greedy, rule, min(rule.samples, max(available, 1)), ids, stage
                )
                source = f"{rule.greedy_arm}'s answers, then pool {arm.pool}'s samples 1–{k - 1}"
                if rule.stage_arm is not None:
                    source += f", then {rule.stage_arm}'s answers where it escalates"
            else:
                outcomes[arm.name] = await reader.at(k, ids, pick=reader.scored)
                source = f"pool {arm.pool}, first {k} samples"
                blocks = await pool_block_noise(
                    arm.name, reader, arm.pool, k, ids, pick=reader.scored
                )
                if blocks is not None:
                    ledger.add(blocks, decodings[arm.name])
            arm_reports.append(
                ArmReport(
                    name=arm.name,
                    definition=definition,
                    source=source,
                    recorded=True,
                    figures=figures(outcomes[arm.name]),
                    attribution=_spent(outcomes[arm.name]),
                )
            )
            continue
        if arm.prefix is not None:
            source_run = plan.arm(arm.prefix.source_arm).runs[0].directory
            outcomes[arm.name] = await first_rounds(
                read_lines(source_run), arm.prefix.rounds, ids, equivalent, grades.correct
            )
            arm_reports.append(
                ArmReport(
                    name=arm.name,
                    definition=definition,
                    source=f"{arm.prefix.source_arm}'s first {arm.prefix.rounds} round(s)",
                    recorded=True,
                    figures=figures(outcomes[arm.name]),
                    attribution=_spent(outcomes[arm.name]),
                )
            )
            continue
        first = arm.runs[0]
        lines = read_lines(first.directory)
        outcomes[arm.name] = run_results(first.directory, ids)
        arm_reports.append(
            ArmReport(
                name=arm.name,
                definition=definition,
                source=str(first.directory.relative_to(directory)),
                figures=figures(outcomes[arm.name]),
                attribution=attribute(lines, ids),
            )
        )
        if is_debate(lines):
            debate.append(await decompose(arm.name, lines, ids, grader, equivalent))
        if len(arm.runs) > 1:
            seeds = "the same seed" if study.arm(arm.name).repeat_seed == "same" else "new seeds"
            repeats = [run_results(r.directory, ids) for r in arm.runs]
            ledger.add(run_noise(arm.name, repeats, f"runs with {seeds}"), decodings[arm.name])

    baselines: dict[str, dict[str, ProblemResult]] = {}
    baseline_reader = readers.get(_baseline_key(plan))
    if baseline_reader is not None and study.compute.match != "none":
        costs = {row.k: row.tokens_per_problem for row in _rows(pool_reports, _baseline_key(plan))}
        for report in arm_reports:
            served = plan.arm(report.name).pool
            if served == _baseline_key(plan) or not costs or not report.figures.graded:
                continue  # a self-consistency arm is its own baseline; an arm not yet run has none
            target = (
                report.figures.tokens_per_problem
                if study.compute.match == "measured"
                else float(study.compute.tokens_per_problem or 0.0)
            )
            k = min(costs, key=lambda kk: (abs(costs[kk] - target), kk))
            results = await baseline_reader.at(k, ids)
            baselines[report.name] = results
            name = _baseline_name(k)
            if name not in ledger.decodings:
                key = _baseline_key(plan)
                blocks = await pool_block_noise(name, baseline_reader, key, k, ids, pick=False)
                if blocks is not None:
                    ledger.add(blocks, "sampled", lends=False)
            report.baseline = MatchedBaseline(
                k=k,
                target_tokens_per_problem=target,
                achieved_tokens_per_problem=costs[k],
                figures=figures(results),
                at_pool_edge=k == max(costs) and costs[k] < target,
            )

    comparisons: list[Comparison] = []
    for arm in plan.arms:
        if arm.name != study.reference:
            comparisons.append(
                _compare(
                    arm.name,
                    study.reference,
                    "reference",
                    outcomes[arm.name],
                    outcomes[study.reference],
                )
            )
        if arm.name in baselines:
            k = next(r.baseline.k for r in arm_reports if r.name == arm.name and r.baseline)
            comparisons.append(
                _compare(
                    arm.name,
                    _baseline_name(k),
                    "baseline",
                    outcomes[arm.name],
                    baselines[arm.name],
                )
            )
    adjusted = holm([c.mcnemar_p for c in comparisons], study.alpha)
    noise_level = ledger.level
    arm_noise = {name: ledger.of(name, decoding) for name, decoding in decodings.items()}
    for report in arm_reports:
        report.noise = arm_noise[report.name]
        if report.baseline is not None:
            report.baseline.noise = ledger.of(_baseline_name(report.baseline.k), "sampled")
            arm_noise[_baseline_name(report.baseline.k)] = report.baseline.noise
    for report in arm_reports:
        report.results = [outcomes[report.name][k] for k in sorted(outcomes[report.name])]
    sequence_alpha = study.alpha / max(1, len(comparisons))
    margin = study.sequential.margin if study.sequential is not None else None
    for comparison, p in zip(comparisons, adjusted, strict=True):
        comparison.holm_p = p
        comparison.established = p < study.alpha
        sides = [arm_noise[comparison.arm], arm_noise[comparison.against]]
        known = [(side.rate, side) for side in sides if side.rate is not None]
        if known:
            rate, side = max(known, key=lambda pair: (pair[0], pair[1].how == "measured"))
            whose = comparison.arm if side is sides[0] else comparison.against
            comparison.noise = rate
            comparison.noise_source = (
                f"{whose}, measured"
                if side.how == "measured"
                else f"{whose}, borrowed from {side.source}"
            )
        if comparison.noise is not None:
            comparison.noise_spread = rerun_spread(
                comparison.noise, comparison.table.n, 1 - study.alpha
            )
        comparison.within_noise = (  # a noise of 0 holds no difference, not even 0
            comparison.noise_spread is not None
            and comparison.noise_spread > 0
            and abs(comparison.difference) <= comparison.noise_spread
        )
        low, high = confidence_sequence(comparison.table, sequence_alpha)
        comparison.sequence_low, comparison.sequence_high = low, high
        excludes_zero = low > 0 or high < 0
        inside_margin = margin is not None and -margin < low and high < margin
        comparison.decided = excludes_zero or inside_margin
        comparison.words = _words(comparison, study.alpha)

    findings = [_overview(comparisons, study.alpha)] + [c.words for c in comparisons]
    if noise_level is not None:
        findings.append(
            "Run-to-run noise (problems two runs of an arm grade differently): "
            + "; ".join(f"{r.name} {r.noise.words()}" for r in arm_reports)
            + ". A comparison is flagged as within noise when its difference is no larger "
            f"than two runs of its noisier side could differ in accuracy by chance alone on "
            f"its paired problems ({1 - study.alpha:.0%}: z × √(noise / problems))."
        )
    else:
        findings.append(
            "Noise was not measured (no arm has repeat: 2 or more, and no pool holds two "
            "blocks of an arm's samples), so no difference could "
            "be compared with it."
        )
    check = state.grader_check
    return StudyReport(
        name=study.name,
        directory=str(directory),
        data=_data(study, directory),
        ran_on=_ran_on(plan),
        status=state.status,
        reason=state.reason,
        problems=len(ids),
        of_total=state.total,
        alpha=study.alpha,
        compute_match=study.compute.match,
        tokens_target=study.compute.tokens_per_problem if study.compute.match == "budget" else None,
        reference=study.reference,
        arms=arm_reports,
        comparisons=comparisons,
        noise=ledger.reports,
        noise_level=noise_level,
        debate=debate,
        pools=pool_reports,
        grader_checked=check.checked if check else 0,
        grader_failures=[f.problem_id for f in check.failures] if check else [],
        excluded=list(study.data.exclude),
        findings=findings,
        all_decided=bool(comparisons) and all(c.decided for c in comparisons),
    )


def _spent(results: dict[str, ProblemResult]) -> UsageReport:
    """An arm read from recorded calls: the calls it would have made, by the recorded runs'
    roles and agents."""
    return usage_of(call for result in results.values() for call in result.spent)


def _baseline_name(k: int) -> str:
    return f"self-consistency@{k} (matched)"


def _baseline_key(plan: StudyPlan) -> str:
    return next((p.key for p in plan.pools if p.protocol == BASELINE_POOL), "")


def _rows(pools: list[PoolReport], key: str) -> list[PoolRow]:
    return next((p.rows for p in pools if p.key == key), [])


def _compare(
    arm: str,
    against: str,
    kind: Literal["reference", "baseline"],
    first: dict[str, ProblemResult],
    second: dict[str, ProblemResult],
) -> Comparison:
    table = paired_table(first, second)
    low, high = newcombe_interval(table)
    return Comparison(
        arm=arm,
        against=against,
        kind=kind,
        table=table,
        difference=table.difference,
        ci95_low=low,
        ci95_high=high,
        mcnemar_p=mcnemar_exact_p(table),
    )


def _words(c: Comparison, alpha: float) -> str:
    t = c.table
    if t.n == 0:
        return f"{c.arm} vs {c.against}: no problem has been run by both yet."
    head = (
        f"{c.arm} vs {c.against}: {c.difference:+.1%} on {t.n} paired problems "
        f"({t.only_arm} only {c.arm} right, {t.only_other} only {c.against} right; "
        f"95% CI {c.ci95_low:+.1%} to {c.ci95_high:+.1%}; McNemar exact p = {c.mcnemar_p:.3g}, "
        f"Holm-adjusted p = {c.holm_p:.3g})"
    )
    if c.established:
        verdict = f"the difference is established at α = {alpha:g} after Holm's correction"
    else:
        verdict = f"the difference is not established at α = {alpha:g} after Holm's correction"
    if c.within_noise and c.noise is not None and c.noise_spread is not None:
        verdict += (
            f"; it is within run-to-run noise (two runs could differ by ±{c.noise_spread:.1%} "
            f"on these problems from a noise of {c.noise:.1%}: {c.noise_source}), so it may "
            "be noise whatever the test says"
        )
    elif c.noise is None:
        verdict += "; run-to-run noise was not measured"
    return f"{head}: {verdict}."


def _overview(comparisons: list[Comparison], alpha: float) -> str:
    if not comparisons:
        return "No comparisons: the study has one arm and no matched baseline."
    established = [f"{c.arm} vs {c.against}" for c in comparisons if c.established]
    if not established:
        return (
            f"None of the {len(comparisons)} differences is established at α = {alpha:g} "
            "(McNemar's exact test, Holm-corrected)."
        )
    return (
        f"Established at α = {alpha:g} (McNemar's exact test, Holm-corrected over "
        f"{len(comparisons)} comparisons): {'; '.join(established)}. The others are not."
    )


def _definition(arm: Arm) -> str:
    parts = [arm.protocol or f"graph {arm.graph}"]
    if arm.options:
        parts.append(json.dumps(arm.options, sort_keys=True))
    if arm.model is not None:
        parts.append(f"on {_model_name(arm.model)}")
    if arm.models:
        parts.append(
            "roles " + ", ".join(f"{r} → {_model_name(m)}" for r, m in sorted(arm.models.items()))
        )
    if arm.settings:
        parts.append(f"decoding {json.dumps(arm.settings, sort_keys=True)}")
    if arm.repeat > 1:
        parts.append(f"run {arm.repeat}× ({arm.repeat_seed} seed)")
    return "; ".join(parts)


def _model_name(ref: ModelRef) -> str:
    return ref if isinstance(ref, str) else ref.name


def _ran_on(plan: StudyPlan) -> str:
    """What the study's sessions ran on, from each run's `sessions.jsonl`: council's source
    revisions, the local model files' sha256, the CPUs and the llama.cpp binding."""
    directories = [run.directory for run in plan.runs()] + [p.directory for p in plan.pools]
    sessions = [s for d in directories for s in read_sessions(d)]
    if not sessions:
        return ""
    revisions = sorted({s.council_revision for s in sessions if s.council_revision})
    files = sorted({(n, h) for s in sessions for n, h in s.model_files.items()})
    cpus = sorted({s.cpu for s in sessions if s.cpu})
    bindings = sorted({s.packages.get("llama_cpp_python", "") for s in sessions} - {""})
    parts = [f"{len(sessions)} sessions"]
    if revisions:
        short = [r[:12] + ("+modified" if r.endswith("+modified") else "") for r in revisions]
        parts.append("council " + ", ".join(short))
    parts += [f"{Path(n).name} sha256 {h[:16]}" for n, h in files]
    parts += cpus
    parts += [f"llama_cpp_python {b}" for b in bindings if b != "not installed"]
    older = sum(s.council_revision is None and not s.cpu for s in sessions)
    if older:
        parts.append(f"{older} of them recorded before revisions, model hashes and CPUs were")
    return "; ".join(parts)


def _data(study: StudyFile, directory: Path) -> str:
    data = study.data
    order = f"shuffled with seed {data.seed}" if data.shuffle else "in file order"
    rows = f"the first {data.limit} rows" if data.limit else "every row"
    if data.split is not None:
        rows = _split_words(data.split, directory) + (
            f", the first {data.limit} of them" if data.limit else ""
        )
    model = _model_name(study.model) if study.model is not None else "the default model"
    decoding = json.dumps(study.settings, sort_keys=True) if study.settings else "{}"
    return f"{data.source}: {rows}, {order}; model {model}; decoding set by the study {decoding}"


def _split_words(split: SplitSection, directory: Path) -> str:
    if split.ids is not None:
        rule = f"the {len(split.ids)} problems listed by id"
    elif split.range is not None:
        rule = f"rows {split.range[0]} to {split.range[1] - 1}"
    else:
        size = f"{split.fraction:g} of the rows" if split.fraction else f"{split.count} rows"
        rule = f"{size} drawn with seed {split.seed}"
        if split.held_out:
            rule = f"the rows left out by a draw of {size} with seed {split.seed}"
    path = directory / SPLIT_RECORD
    if path.exists():
        record = SplitRecord.model_validate_json(path.read_text())
        rule += f" ({len(record.ids)} of {record.rows}; ids in {SPLIT_RECORD})"
    return f"split {split.name!r}: {rule}"
