"""`council study`: many arms (protocols, graph files, teams) over one data set, from one
file and one command, with compute-matched baselines served from one recorded sample pool,
paired statistics, measured noise and a report (Markdown, HTML, JSON).

Modules, one job each: `study_file` (what a study file says), `plan` (arms, pools and run
directories), `grader_check` (golds graded against themselves before anything runs),
`budget` (hard token and cost limits), `runner` (running the arms, resumably, on
`council.bench`), `pool` (arms served from a pool's samples), `stats` (paired
differences, McNemar, Holm, confidence sequences), `debate` (first round vs final),
`attribution` (tokens, cost and time by role and agent), `report` and `render`.
"""
