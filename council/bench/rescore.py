"""Scoring a finished run again, offline: new answers (or the same ones) graded with the
current grader, written beside the run under a name of their own
(`council.run_log.rescoring`). `results.jsonl` and `summary.json` are never rewritten, so
the original scores stay as they were."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic import BaseModel

from council.bench.grading import Grader, grader_version
from council.run_log.log import RunLog
from council.run_log.rescoring import Rescored, write_rescoring
from council.run_log.summary import Summary, summarise


class Rescoring(BaseModel):
    """What a regrade or revote produced, and where it was written."""

    name: str
    grader: str
    before: Summary
    after: Summary
    changed: int
    summary_path: Path
    lines_path: Path

    def describe(self) -> str:
        return (
            f"{self.name}: accuracy {self.before.accuracy:.1%} → {self.after.accuracy:.1%} "
            f"over {self.after.problems} attempted ({self.changed} problem"
            f"{'' if self.changed == 1 else 's'} changed); {self.grader}; "
            f"wrote {self.summary_path}"
        )


async def rescore(
    run_dir: Path, name: str, answers: dict[str, str | None], grader: Grader
) -> Rescoring:
    """Grade `answers` (by problem id; problems not in it keep their line, errors stay
    errors) and write `<name>.jsonl` and `summary.<name>.json` into the run directory."""
    log = RunLog.read(run_dir)
    heads = log.results
    ids = [pid for pid, head in heads.items() if head.done and pid in answers]
    grades = await asyncio.gather(*(grader.agrade(answers[pid], heads[pid].gold) for pid in ids))
    rescored = [
        Rescored(
            problem_id=pid,
            answer=answers[pid],
            predicted=grade.predicted,
            correct=grade.correct,
            extraction_failed=grade.extraction_failed,
            was_answer=heads[pid].answer,
            was_correct=heads[pid].correct,
        )
        for pid, grade in zip(ids, grades, strict=True)
    ]
    updated = dict(heads)
    for item in rescored:
        updated[item.problem_id] = heads[item.problem_id].model_copy(
            update={
                "answer": item.answer,
                "predicted": item.predicted,
                "correct": item.correct,
                "extraction_failed": item.extraction_failed,
            }
        )
    budget = log.budget
    wall = log.saved_summary.wall_seconds if log.saved_summary is not None else 0.0
    before = summarise(list(heads.values()), wall, budget)
    after = summarise(list(updated.values()), wall, budget)
    lines_path, summary_path = write_rescoring(run_dir, name, rescored, after)
    return Rescoring(
        name=name,
        grader=grader_version(),
        before=before,
        after=after,
        changed=sum(item.correct != item.was_correct for item in rescored),
        summary_path=summary_path,
        lines_path=lines_path,
    )


async def regrade(run_dir: Path, grader: Grader) -> Rescoring:
    """Every recorded answer graded again with the current grader (no model calls)."""
    heads = RunLog.read(run_dir).results
    answers = {pid: head.answer for pid, head in heads.items() if head.done}
    return await rescore(run_dir, "regrade", answers, grader)
