"""A declared price (`--price IN,OUT`, or `price:` in a study or search file) prices every
call of a server litellm cannot price (an OpenAI-compatible endpoint, a self-hosted model),
is recorded in the run's config, and a resume at another price is refused."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from council.main import main
from council.studies.bench_check import bench_command
from council.studies.plan import arm_spec
from council.studies.study_file import load_study
from tests.support.doubling_stub import read_request, reply, write_rows
from tests.support.openai_stub import StubBehaviour, openai_stub

PROMPT_TOKENS, COMPLETION_TOKENS = 7, 3  # the stub's usage per call
PRICE = "1000,2000"  # USD per million: a call costs 7 * 0.001 + 3 * 0.002 = $0.013


def respond(body: dict[str, object]) -> str:
    return reply(read_request(body).n)


def bench(base: str, data: Path, out: Path, *extra: str) -> int:
    return main(
        [
            *("bench", "--dataset", str(data), "--model", "openai/stub", "--api-base", base),
            *("--protocol", "self-consistency", "--samples", "3", "--seed", "0"),
            *("--workers", "1", "--out", str(out), *extra),
        ]
    )


async def test_a_declared_price_prices_every_call_and_is_kept_on_resume(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_rows(tmp_path / "data.jsonl", range(1, 5), gold="plain")
    out = tmp_path / "run"
    async with openai_stub(StubBehaviour(responder=respond)) as base:
        assert await asyncio.to_thread(bench, base, data, out, "--price", PRICE) == 0
        unpriced = tmp_path / "unpriced"
        assert await asyncio.to_thread(bench, base, data, unpriced) == 0
        capsys.readouterr()
        refused = await asyncio.to_thread(bench, base, data, out, "--price", "1000,3000")
    summary = json.loads((out / "summary.json").read_text())
    per_call = (PROMPT_TOKENS * 1000 + COMPLETION_TOKENS * 2000) / 1_000_000
    assert summary["cost_usd"] == pytest.approx(4 * 3 * per_call)  # 4 problems, 3 samples
    config = json.loads((out / "config.json").read_text())
    assert config["models"][0]["price"] == {"input_per_million": 1000, "output_per_million": 2000}
    # an OpenAI-compatible server without a declared price has no cost (not litellm's guess)
    assert json.loads((unpriced / "summary.json").read_text())["cost_usd"] is None
    assert refused == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert (
        len(error) == 1
        and "at $1000/$2000 per M tokens → default: openai/stub at $1000/$3000" in error[0]
    )


def test_a_price_that_is_not_two_numbers_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["solve", "--model", "openai/x", "--price", "0.15", "What is 1 + 1?"])
    assert code == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert error == [
        "error: --price '0.15': give USD per million prompt and completion tokens as IN,OUT, "
        "e.g. 0.15,0.60"
    ]


def test_the_bench_command_of_a_priced_arm_carries_its_price(tmp_path: Path) -> None:
    """`council study check-against-bench` runs each arm as `council bench`: at its price."""
    study = tmp_path / "study.yaml"
    study.write_text(
        """
name: priced
data: {source: data.jsonl}
model: {name: openai/stub, api_base: "http://127.0.0.1:9/v1",
        price: {input_per_million: 0.15, output_per_million: 0.6}}
reference: single
arms:
  - {name: single, protocol: single}
"""
    )
    write_rows(tmp_path / "data.jsonl", range(1, 3), gold="plain")
    loaded = load_study(study)
    spec = arm_spec(loaded, loaded.arm("single"), tmp_path)
    command = bench_command(spec, tmp_path / "rows.jsonl", tmp_path / "out", 1)
    assert command[command.index("--price") + 1] == "0.15,0.6"
