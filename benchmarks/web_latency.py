"""The web UI's own latency: from the server producing an agent's step to the browser
showing it, with the scripted model (so the model takes no time).

Starts `council serve --scripted` on loopback and headless Chromium (Debian's chromium and
chromedriver, via Selenium), asks N questions, and prints, for the first streamed step of
each turn, the milliseconds between the server stamping the step (`emitted_at`, taken as
the step leaves the graph) and the page's handler receiving it (both read the same
machine's clock). The target is 50 ms.

    python benchmarks/web_latency.py [--questions 20] [--graph single]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.browser import (
    ask,
    browser_missing,
    chromium,
    council_serve,
    open_app,
    wait_answered,
)
from benchmarks.provenance import announce


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--graph", default="single")
    args = parser.parse_args()
    announce(__doc__.splitlines()[0] if __doc__ else "web_latency")
    why = browser_missing()
    if why:
        print(f"error: {why}", file=sys.stderr)
        return 1
    from selenium.webdriver.support.ui import Select

    with tempfile.TemporaryDirectory() as home:
        script = Path(home) / "script.json"
        script.write_text(json.dumps({"rules": [], "default": "ANSWER: 4"}))
        serve_args = ["--scripted", str(script), "--db", str(Path(home) / "t.sqlite")]
        with council_serve(serve_args, Path(home) / "serve.log") as url, chromium() as driver:
            open_app(driver, url)
            Select(driver.find_element("id", "graph-picker")).select_by_value(args.graph)
            first: list[float] = []
            for index in range(args.questions):
                before = driver.execute_script("return window.councilLatencies.length")
                wait_answered(driver, ask(driver, f"What is {index} + {index}?"))
                first.append(driver.execute_script(f"return window.councilLatencies[{before}]"))
    first.sort()
    p95 = first[min(len(first) - 1, round(0.95 * (len(first) - 1)))]
    print(
        f"first streamed step, server → browser, {len(first)} turns ({args.graph}): "
        f"median {statistics.median(first):.1f} ms, p95 {p95:.1f} ms, max {first[-1]:.1f} ms "
        f"(target 50 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
