"""Real pieces for the web UI's tests and latency benchmark: `council serve` in a child
process on a loopback port, and headless Chromium driven by Selenium through Debian's
chromedriver (nothing is downloaded)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.loopback import free_port, wait_for_http

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            return f"{path} missing: apt-get install chromium chromium-driver (setup_system.sh)"
    try:
        import selenium  # noqa: F401
    except ModuleNotFoundError:
        return "selenium missing: pip install -e '.[dev]'"
    if shutil.which("dot") is None:
        return "graphviz missing: apt-get install graphviz"
    return None


@contextmanager
def council_serve(args: Sequence[str], log: Path, token: str | None = None) -> Iterator[str]:
    """`council serve ARGS` on a free loopback port; yields its base URL."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "council.main", "serve", "--port", str(port), *args],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO,
        )
        try:
            ready = f"http://127.0.0.1:{port}/api/options" + (f"?token={token}" if token else "")
            wait_for_http(ready, process, seconds=120)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def chromium(width: int = 1440, height: int = 900) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",  # root in CI containers
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def wait_until(driver: Any, condition: Any, seconds: float = 30) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds, poll_frequency=0.05).until(condition)


def open_app(driver: Any, url: str) -> None:
    """Load the app afresh (a bare change of #view would keep the page as it was)."""
    driver.get("about:blank")
    driver.get(url)
    wait_until(driver, lambda d: d.execute_script("return document.body.dataset.ready === '1'"))


def ask(driver: Any, question: str) -> Any:
    """Type a question, press Ask; returns the turn's element once it has an answer or an
    error (or was stopped)."""
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, "question")
    box.clear()
    box.send_keys(question)
    before = len(driver.find_elements(By.CSS_SELECTOR, "#turns .turn.streamed"))
    driver.find_element(By.ID, "ask").click()
    wait_until(
        driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#turns .turn.streamed")) > before
    )
    return driver.find_elements(By.CSS_SELECTOR, "#turns .turn.streamed")[-1]


def wait_answered(driver: Any, turn: Any, seconds: float = 60) -> Any:
    from selenium.webdriver.common.by import By

    wait_until(driver, lambda d: turn.find_elements(By.CSS_SELECTOR, ".answer, .error"), seconds)
    wait_until(driver, lambda d: d.find_element(By.ID, "ask").is_enabled(), seconds)
    return turn


def click(driver: Any, selector: str, seconds: float = 15) -> None:
    """Click what `selector` finds, again if the page re-rendered it in between."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    def clicked(d: Any) -> bool:
        try:
            d.find_element(By.CSS_SELECTOR, selector).click()
        except StaleElementReferenceException:
            return False
        return True

    wait_until(driver, clicked, seconds)


def screenshot(driver: Any, name: str, artifacts: Path) -> Path:
    artifacts.mkdir(parents=True, exist_ok=True)
    path = artifacts / name
    driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    return path


def wait_seconds(seconds: float) -> None:
    time.sleep(seconds)
