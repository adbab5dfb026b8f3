"""The report written out: `report.json` (the data), `report.md`, `report.html` (the same
tables and sentences; HTML with the plot inline) and `accuracy_vs_compute.png` (every arm's
accuracy against tokens per problem and against cost per problem, with the
self-consistency pool's maj@k curve: the price of plain voting at each budget)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from council.studies.report import REPORT_JSON, Comparison, StudyReport

PLOT_FILE = "accuracy_vs_compute.png"


def _pct(value: float) -> str:
    return f"{value:.1%}"


def _money(value: float | None) -> str:
    return "–" if value is None else f"${value:.5f}"


def _within_noise(c: Comparison) -> str:
    if c.noise is None:
        return "noise not measured"
    verdict = "yes" if c.within_noise else "no"
    spread = f"±{c.noise_spread:.1%} from " if c.noise_spread is not None else ""
    return f"{verdict} ({spread}noise {c.noise:.1%}: {c.noise_source})"


def tables(report: StudyReport) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table, shared by Markdown and HTML."""
    out: list[tuple[str, list[str], list[list[str]]]] = []
    arms = []
    for arm in report.arms:
        f = arm.figures
        baseline = "–"
        if arm.baseline is not None:
            b = arm.baseline
            baseline = (
                f"sc@{b.k}: {_pct(b.figures.accuracy)} at {b.achieved_tokens_per_problem:.0f} "
                f"tokens (target {b.target_tokens_per_problem:.0f}"
                + (", pool too small" if b.at_pool_edge else "")
                + ")"
            )
        arms.append(
            [
                arm.name,
                arm.source,
                f"{f.correct}/{f.problems}" if f.problems else "not run yet",
                _pct(f.accuracy) if f.problems else "–",
                f"{_pct(f.ci95_low)}–{_pct(f.ci95_high)}" if f.problems else "–",
                str(f.errors),
                str(f.unanswered),
                f"{f.tokens_per_problem:.0f}"
                + (
                    f" (target {report.tokens_target:.0f})"
                    if report.tokens_target is not None
                    else ""
                ),
                _money(f.cost_per_problem),
                f"{f.seconds_per_problem:.1f}",
                arm.noise.words(),
                baseline,
            ]
        )
    out.append(
        (
            "Arms (errors and no answer count wrong; Wilson 95% CI; s/problem: a problem's "
            "wall time at the study's concurrency, or for an arm read from recorded calls the "
            "sum of their times, so it is no measure of compute: compare tokens)",
            [
                "arm",
                "source",
                "correct",
                "accuracy",
                "95% CI",
                "errors",
                "no answer",
                "tokens/problem",
                "cost/problem",
                "s/problem",
                "noise (runs grade differently)",
                "matched baseline (achieved vs target)",
            ],
            arms,
        )
    )
    out.append(
        (
            "Paired comparisons (Newcombe 95% CI, McNemar exact, Holm over "
            f"{len(report.comparisons)})",
            [
                "arm",
                "against",
                "n",
                "only arm right",
                "only other right",
                "difference",
                "95% CI",
                "McNemar p",
                "Holm p",
                "established",
                "within noise",
                "anytime-valid interval",
                "decided",
            ],
            [
                [
                    c.arm,
                    c.against,
                    str(c.table.n),
                    str(c.table.only_arm),
                    str(c.table.only_other),
                    f"{c.difference:+.1%}",
                    f"{c.ci95_low:+.1%} to {c.ci95_high:+.1%}",
                    f"{c.mcnemar_p:.4g}",
                    f"{c.holm_p:.4g}",
                    "yes" if c.established else "no",
                    _within_noise(c),
                    f"{c.sequence_low:+.1%} to {c.sequence_high:+.1%}",
                    "yes" if c.decided else "no",
                ]
                for c in report.comparisons
            ],
        )
    )
    if report.noise:
        out.append(
            (
                "Noise: repeated arms, and pools' disjoint sample blocks (no extra calls)",
                [
                    "arm",
                    "measured from",
                    "runs",
                    "shared problems",
                    "graded differently",
                    "answered differently",
                    "accuracy gap",
                ],
                [
                    [
                        n.arm,
                        n.measured_from,
                        str(n.runs),
                        str(n.shared),
                        _pct(n.disagreement_rate),
                        _pct(n.answer_disagreement_rate),
                        _pct(n.accuracy_gap),
                    ]
                    for n in report.noise
                ],
            )
        )
    if report.debate:
        out.append(
            (
                "Debate decomposed (from recorded turns, no extra calls)",
                [
                    "arm",
                    "problems",
                    "first-round majority right",
                    "final right",
                    "majority right→wrong",
                    "majority wrong→right",
                    "agent transitions",
                    "agent right→wrong",
                    "agent wrong→right",
                ],
                [
                    [
                        d.arm,
                        str(d.problems),
                        str(d.first_round_majority_correct),
                        str(d.final_correct),
                        str(d.majority_right_to_wrong),
                        str(d.majority_wrong_to_right),
                        str(d.agent_transitions),
                        str(d.agent_right_to_wrong),
                        str(d.agent_wrong_to_right),
                    ]
                    for d in report.debate
                ],
            )
        )
    for pool in report.pools:
        header = ["k", "maj@k", "pass@k", "tokens/problem", "cost/problem"]
        scored = any(row.pick is not None for row in pool.rows)
        if scored:
            header.insert(3, "pick@k")
        rows = []
        for row in pool.rows:
            cells = [
                str(row.k),
                _pct(row.maj),
                _pct(row.pass_at_k),
                f"{row.tokens_per_problem:.0f}",
                _money(row.cost_per_problem),
            ]
            if scored:
                cells.insert(3, _pct(row.pick or 0.0))
            rows.append(cells)
        out.append(
            (f"Pool {pool.key}: {pool.samples} samples on {pool.problems} problems", header, rows)
        )
    out.append(
        (
            "Arm definitions",
            ["arm", "as the study file gives it"],
            [[arm.name, arm.definition] for arm in report.arms],
        )
    )
    attribution = []
    spenders = [(arm.name, arm.attribution) for arm in report.arms]
    spenders += [(f"pool {pool.key}", pool.attribution) for pool in report.pools]
    for spender, spent in spenders:
        if spent is not None:
            attribution += [[spender, *row] for row in spent.rows()]
    if attribution:
        out.append(
            (
                "Attribution: tokens, cost and time by role and agent (an arm read from "
                "recorded calls: the calls it would have made, by the recorded runs' roles "
                "and agents; a pool: every call it made)",
                ["arm", "by", "name", "calls", "tokens", "cost", "seconds"],
                attribution,
            )
        )
    return out


def _intro(report: StudyReport) -> list[str]:
    lines = [
        f"Data: {report.data}." if report.data else "",
        f"Ran on: {report.ran_on}." if report.ran_on else "",
        f"Study directory: `{report.directory}`; status: **{report.status}**"
        + (f" ({report.reason})" if report.reason else ""),
        f"Problems: {report.problems} of {report.of_total}; reference arm: `{report.reference}`;"
        f" compute matched: {report.compute_match}; α = {report.alpha:g}.",
        f"Grader check: {report.grader_checked} gold answers graded against themselves, "
        f"{len(report.grader_failures)} failed"
        + (f"; excluded: {', '.join(report.excluded)}" if report.excluded else "")
        + ".",
    ]
    return [line for line in lines if line]


def markdown(report: StudyReport) -> str:
    parts = [f"# Study {report.name}", "", *(line + "  " for line in _intro(report)), ""]
    parts += ["## Findings", ""] + [f"- {line}" for line in report.findings] + [""]
    if report.plot:
        parts += [f"![accuracy vs compute]({report.plot})", ""]
    for title, header, rows in tables(report):
        parts += [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        parts += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows
        ]
        parts.append("")
    return "\n".join(parts)


def html_page(report: StudyReport, plot: Path | None, stylesheet: str | None = None) -> str:
    """A page whole in itself (style and plot inline), or, with `stylesheet`, one that
    links its style (as `council serve`'s content policy asks)."""
    e = html.escape
    body = [f"<h1>Study {e(report.name)}</h1>"]
    body += [f"<p>{e(line).replace('`', '').replace('**', '')}</p>" for line in _intro(report)]
    body += (
        ["<h2>Findings</h2><ul>"] + [f"<li>{e(line)}</li>" for line in report.findings] + ["</ul>"]
    )
    if plot is not None and plot.exists():
        data = base64.b64encode(plot.read_bytes()).decode()
        body.append(f'<img alt="accuracy vs compute" src="data:image/png;base64,{data}">')
    for title, header, rows in tables(report):
        body.append(f"<h2>{e(title)}</h2><table><tr>")
        body += [f"<th>{e(h)}</th>" for h in header]
        body.append("</tr>")
        for row in rows:
            body.append("<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>")
        body.append("</table>")
    style = (
        "body{font-family:sans-serif;max-width:80em;margin:auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}"
    )
    head = (
        f'<link rel="stylesheet" href="{e(stylesheet)}">'
        if stylesheet
        else f"<style>{style}</style>"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{e(report.name)}</title>"
        f"{head}</head><body>{''.join(body)}</body></html>"
    )


def plot(report: StudyReport, path: Path) -> None:
    # start-up: matplotlib.pyplot costs 0.7-0.9 s of CPU to import (2.8-3.9 s wall, loaded
    # machine, 2026-12-03); only a report with a plot needs it
    import matplotlib

    matplotlib.use("Agg")
    # start-up: as above (pyplot after the Agg backend is chosen)
    import matplotlib.pyplot as plt

    figure, (by_tokens, by_cost) = plt.subplots(1, 2, figsize=(11, 4.5))
    costed = any(arm.figures.cost_per_problem for arm in report.arms)  # a local model: 0
    for arm in report.arms:
        f = arm.figures
        if not f.problems:
            continue  # not run yet
        error = [[f.accuracy - f.ci95_low], [f.ci95_high - f.accuracy]]
        # named in the legend, not beside the point: arms at like compute (single, pot,
        # tir) would print their names over one another
        by_tokens.errorbar(
            f.tokens_per_problem, f.accuracy, yerr=error, fmt="o", capsize=4, label=arm.name
        )
        if costed and f.cost_per_problem is not None:
            by_cost.errorbar(
                f.cost_per_problem, f.accuracy, yerr=error, fmt="o", capsize=4, label=arm.name
            )
    for pool in report.pools:
        if pool.protocol != "self-consistency" or not pool.rows:
            continue
        by_tokens.plot(
            [r.tokens_per_problem for r in pool.rows],
            [r.maj for r in pool.rows],
            "--",
            color="grey",
            label="self-consistency maj@k (pool)",
        )
        if costed and all(r.cost_per_problem is not None for r in pool.rows):
            by_cost.plot(
                [r.cost_per_problem for r in pool.rows],
                [r.maj for r in pool.rows],
                "--",
                color="grey",
                label="self-consistency maj@k (pool)",
            )
    by_tokens.set_xlabel("tokens per problem")
    by_cost.set_xlabel("cost per problem (USD)")
    if not costed:
        by_cost.text(
            0.5,
            0.5,
            "no cost recorded (a local model costs nothing)",
            ha="center",
            transform=by_cost.transAxes,
        )
    for axes in (by_tokens, by_cost):
        axes.set_ylabel("accuracy (95% CI)")
        axes.set_ylim(-0.02, 1.02)
        axes.grid(alpha=0.3)
    handles, labels = by_tokens.get_legend_handles_labels()
    rows = -(-len(labels) // 5)  # up to 5 names a row, under both panels
    if labels:
        figure.legend(handles, labels, loc="lower center", ncol=min(len(labels), 5), fontsize=8)
    figure.suptitle(f"{report.name}: accuracy against compute")
    figure.tight_layout(rect=(0, 0.05 * rows, 1, 1))
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_report(report: StudyReport, directory: Path) -> list[Path]:
    png = directory / PLOT_FILE
    plot(report, png)
    report = report.model_copy(update={"plot": PLOT_FILE})
    written = [directory / REPORT_JSON, directory / "report.md", directory / "report.html", png]
    written[0].write_text(report.model_dump_json(indent=2))
    written[1].write_text(markdown(report))
    written[2].write_text(html_page(report, png))
    return written
