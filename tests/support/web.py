"""Re-exported from `benchmarks.browser`, which `benchmarks/web_latency.py` uses too
(benchmarks must not import `tests`)."""

from benchmarks.browser import (
    CHROMEDRIVER,
    CHROMIUM,
    REPO,
    ask,
    browser_missing,
    chromium,
    click,
    council_serve,
    open_app,
    screenshot,
    wait_answered,
    wait_seconds,
    wait_until,
)

__all__ = [
    "CHROMEDRIVER",
    "CHROMIUM",
    "REPO",
    "ask",
    "browser_missing",
    "chromium",
    "click",
    "council_serve",
    "open_app",
    "screenshot",
    "wait_answered",
    "wait_seconds",
    "wait_until",
]
