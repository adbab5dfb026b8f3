"""The web UI in a real browser (headless Chromium via Selenium): ask, watch the steps
stream and the graph light up, follow up, stop; open runs, a comparison and a transcript;
draw graphs. Model output carrying <script> and <img onerror> must show as text and never
run. Screenshots are kept in tests/artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from council.run_log.results import ResultLine, ResultsFile
from tests.support.web import ask, click, open_app, screenshot, wait_answered, wait_until
from tests.web.conftest import XSS, keep_for_docs

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def steps_of(turn: Any) -> list[tuple[str, str]]:
    return [
        (s.get_attribute("data-role"), s.text) for s in turn.find_elements(By.CSS_SELECTOR, ".step")
    ]


def test_chat_streams_steps_answer_and_follow_up(
    browser: Any, web_url: str, artifacts: Path
) -> None:
    open_app(browser, web_url)
    turn = wait_answered(browser, ask(browser, "What is 6 * 7?"))
    roles = [role for role, _ in steps_of(turn)]
    assert roles[:3] == ["planner", "solver", "verifier"]
    answer = turn.find_element(By.CSS_SELECTOR, ".answer").text
    assert answer.startswith("answer: 42") and "accepted" in answer
    # the model's markup arrived as text: shown literally, never parsed, never run
    assert XSS in turn.text
    assert browser.execute_script("return window.__pwned === undefined")
    assert not browser.find_elements(By.CSS_SELECTOR, "#turns img, #turns script, #turns b")
    # every node that ran is marked on the drawing; none is left marked as running
    ran = browser.find_elements(By.CSS_SELECTOR, "#chat-graph g.node.ran")
    assert {node.get_attribute("id") for node in ran} >= {"node-plan", "node-solve", "node-verify"}
    assert not browser.find_elements(By.CSS_SELECTOR, "#chat-graph g.node.running")
    # the follow-up sees the thread (the script answers 84 only when the first question
    # is in what the model was sent)
    follow = wait_answered(browser, ask(browser, "now double it"))
    assert follow.find_element(By.CSS_SELECTOR, ".answer").text.startswith("answer: 84")
    thread = browser.find_element(By.ID, "thread-label").text
    assert thread.startswith("thread ")
    keep_for_docs(screenshot(browser, "web-chat.png", artifacts))
    # the thread is listed, and reopening it shows both turns from the database
    browser.find_element(By.ID, "new-thread").click()
    assert not browser.find_elements(By.CSS_SELECTOR, "#turns .turn")
    click(browser, f'#thread-list li[data-thread="{thread.split()[1]}"]')
    wait_until(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#turns .turn")) == 2)
    assert browser.execute_script("return window.__pwned === undefined")


def test_a_turn_shows_which_node_is_running_and_stops(browser: Any, web_url: str) -> None:
    open_app(browser, web_url)
    Select(browser.find_element(By.ID, "graph-picker")).select_by_value("single")
    wait_until(
        browser, lambda d: d.find_elements(By.CSS_SELECTOR, '#chat-graph [id="node-solver"]')
    )
    turn = ask(browser, "a slow question")
    wait_until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#chat-graph g.node.running"))
    running = browser.find_element(By.CSS_SELECTOR, "#chat-graph g.node.running")
    assert running.get_attribute("id") == "node-solver"
    browser.find_element(By.ID, "stop").click()
    wait_answered(browser, turn, seconds=15)
    assert "(turn stopped)" in turn.text


def test_a_question_beyond_the_models_context_shows_why_there_is_no_answer(
    browser: Any, web_url: str
) -> None:
    open_app(browser, web_url)
    turn = wait_answered(browser, ask(browser, "an endless question"))
    answer = turn.find_element(By.CSS_SELECTOR, ".answer").text
    assert answer.startswith("answer: (no answer)") and "context_exceeded" in answer
    error = turn.find_element(By.CSS_SELECTOR, ".error").text
    assert error.startswith("error: ") and "maximum context length is 512 tokens" in error


def test_runs_summary_comparison_filter_and_transcript(
    browser: Any, web_url: str, runs_dir: Path, artifacts: Path
) -> None:
    open_app(browser, web_url + "/#runs")
    wait_until(
        browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#run-list tr[data-run]")) == 2
    )
    wait_until(
        browser, lambda d: "accuracy (errors wrong)" in d.find_element(By.ID, "run-summary").text
    )
    summary = browser.find_element(By.ID, "run-summary").text
    assert "37.5%" in summary and "(95% CI 13.7%–69.4%)" in summary
    assert "1 calls in 1 problems" in summary  # the reply cut at the token limit
    assert "p5" in summary and "made-up outage" in summary  # the error, by problem
    # usage by role: one solver call for each of the 7 graded problems (p5 errored)
    assert "usage by role" in summary and "in 7 calls" in summary
    # tick both runs: both points on the chart, and the paired comparison
    for box in browser.find_elements(By.CSS_SELECTOR, "#run-list input[type=checkbox]"):
        if not box.is_selected():
            box.click()
    wait_until(browser, lambda d: d.find_elements(By.ID, "compare-table"))
    compare = browser.find_element(By.ID, "compare-table").text
    assert "shared problems 7" in compare and "McNemar exact p 1.000" in compare
    assert len(browser.find_elements(By.CSS_SELECTOR, "#run-chart circle")) == 2
    keep_for_docs(screenshot(browser, "web-runs.png", artifacts))
    # the table filters by outcome
    rows = "#problem-table tr[data-problem]"
    Select(browser.find_element(By.ID, "problem-filter")).select_by_value("extraction_failed")
    wait_until(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, rows)) == 2)
    assert {
        r.get_attribute("data-problem") for r in browser.find_elements(By.CSS_SELECTOR, rows)
    } == {"p6", "p7"}
    Select(browser.find_element(By.ID, "problem-filter")).select_by_value("error")
    wait_until(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, rows)) == 1)
    Select(browser.find_element(By.ID, "problem-filter")).select_by_value("")
    wait_until(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, rows)) == 8)
    assert "problems 1–8 of 8" in browser.find_element(By.ID, "problem-pages").text
    assert not browser.find_element(By.ID, "problems-next").is_enabled()  # one page only
    # a transcript, call by call: what the model received and what it replied
    click(browser, '#problem-table tr[data-problem="p6"]')
    wait_until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#transcript .call"))
    call = browser.find_element(By.CSS_SELECTOR, "#transcript .call")
    assert "solver (solver) round 1" in call.text and "finish: stop" in call.text
    sent = call.find_element(By.CSS_SELECTOR, '.message[data-role="user"]').text
    assert "What is 6 + 6?" in sent
    assert "I am not sure <b>at all</b>." in call.find_element(By.CSS_SELECTOR, ".reply").text
    keep_for_docs(screenshot(browser, "web-transcript.png", artifacts))


def test_a_live_run_updates_while_it_is_written(browser: Any, web_url: str, runs_dir: Path) -> None:
    open_app(browser, web_url + "/#runs")
    row = '#run-list tr[data-run$="single-b"] td:nth-child(2)'
    wait_until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, row))
    click(browser, row)
    wait_until(
        browser,
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#problem-table tr[data-problem]")) == 8,
    )
    # what `council bench` does for each finished problem: append (and fsync) one line
    results = ResultsFile(runs_dir / "single-b" / "results.jsonl")
    results.append(
        ResultLine(
            problem_id="p9", question="What is 9 + 9?", gold="18", predicted="18", correct=True
        )
    )
    wait_until(
        browser,
        lambda d: d.find_elements(By.CSS_SELECTOR, '#problem-table tr[data-problem="p9"]'),
        15,
    )
    # the summary panel refreshes on its own request: wait for it, do not race it
    wait_until(browser, lambda d: "live" in d.find_element(By.ID, "run-summary").text, 15)


def test_graphs_view_draws_agents_prompts_and_conditions(
    browser: Any, web_url: str, artifacts: Path
) -> None:
    open_app(browser, web_url + "/#graphs")
    Select(browser.find_element(By.ID, "graph-select")).select_by_value("solve")
    browser.find_element(By.ID, "graph-show").click()
    wait_until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, '#graph-svg [id="node-verify"]'))
    agents = browser.find_element(By.ID, "graph-agents").text
    assert "planner" in agents and "critic" in agents and "task" in agents
    conditions = browser.find_element(By.ID, "graph-branches").text
    assert "after verify" in conditions and "verdict.accepted" in conditions
    keep_for_docs(screenshot(browser, "web-graphs.png", artifacts))
    # a config file works the same way
    browser.find_element(By.ID, "graph-file").send_keys("examples/debate.yaml")
    browser.find_element(By.ID, "graph-show").click()
    wait_until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, '#graph-svg [id="node-alice"]'))
    assert "agents_agree" in browser.find_element(By.ID, "graph-branches").text
