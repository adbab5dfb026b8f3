"""A run directory's files, each owned by one module here: what `council bench` (and
`council study`, for each of its runs) writes, and what every reader (the web view,
`council mcp`, studies, re-grades, re-votes, reports) reads. `log.RunLog` reads a run back
as one typed value.

| file | module |
| --- | --- |
| `config.json` | `config` (checked on resume) |
| `manifest.json` | `manifest` |
| `sessions.jsonl` | `sessions` |
| `results.jsonl` | `results` (lines: `records`; folded for summaries and resume: `ledger`) |
| `messages.jsonl` | `message_store` |
| `summary.json`, `budget.json` | `summary` |
| `<name>.jsonl`, `summary.<name>.json` | `rescoring` (re-grades, re-votes) |
| `baseline-plan.json`, `baseline.json`, `baseline/`, `baseline-pilot/` | `baseline` |

How the append-only files are written and read back after a crash: `durable` (one write,
then fsync), `jsonl` (a torn last line cut off, or skipped by a live reader), `tail` (the
last lines, read from the end), `writer` (the run's single writer: messages before the
lines naming them). `transcript` gives a problem's calls back whole. (`memory.sqlite`,
with `--memory`, is `council.memory`'s.)
"""
