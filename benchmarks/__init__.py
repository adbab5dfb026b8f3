"""Measurement tools (run them as scripts: `python benchmarks/NAME.py --help`) and the
loopback pieces they and the tests share: an OpenAI-compatible stub server
(`openai_stub`), starting and waiting for local servers (`loopback`), and `council serve`
with headless Chromium (`browser`). Nothing here imports `tests`."""
