"""The scripted server and study of `tests/unit/test_study_vs_bench.py` and
`tests/integration/test_study_check_against_bench.py`: single, self-consistency at k = 3
and a cascade (read from the pool) and debate, on ten problems whose answers are scripted
by temperature, seed and round."""

from __future__ import annotations

from pathlib import Path

from tests.support.doubling_stub import (
    read_request,
    reply_right_or_wrong,
    write_stub_study,
)

PROBLEMS = range(1, 11)
SINGLE = {1, 2, 3, 4, 8}  # greedy (T 0): right on these
SAMPLES = {0: {1, 2, 5, 6, 9}, 1: {2, 3, 4, 6, 10}, 2: {1, 3, 4, 5, 6, 7}}  # T 0.7, by seed
DEBATE_FINAL = {1, 2, 3, 5, 6, 7, 9}  # debaters after reading the others
TOKENS_PER_CALL = 10


def respond(body: dict[str, object]) -> str:
    request = read_request(body)
    n, temperature, seed = request.n, request.temperature, request.seed
    if temperature == 0:
        right = n in SINGLE
    elif temperature == 0.7:
        right = n in SAMPLES[seed]
    else:  # debaters: round 1 as sample `seed`, later rounds as DEBATE_FINAL
        later = request.has_role("assistant")
        right = n in (DEBATE_FINAL if later else SAMPLES[seed])
    return reply_right_or_wrong(n, right)


# what a user types for each arm, by hand (the study's model, server and seed are added)
BENCH_FLAGS = {
    "single": ["--protocol", "single"],
    "sc-3": ["--protocol", "self-consistency", "--samples", "3"],
    "debate": ["--protocol", "debate", "--agents", "3", "--rounds", "2"],
    "cascade": ["--protocol", "cascade"],
}


def write(tmp_path: Path, base: str) -> Path:
    return write_stub_study(
        tmp_path,
        base,
        """
  - {name: single, protocol: single}
  - {name: sc-3, protocol: self-consistency, options: {samples: 3}}
  - {name: debate, protocol: debate, options: {agents: 3, rounds: 2}}
  - {name: cascade, protocol: cascade}
""",
        name="versus-bench",
        problems=PROBLEMS,
        gold="gsm8k",
    )
