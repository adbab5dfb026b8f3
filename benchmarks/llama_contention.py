"""How the embedded model's decoding speed holds up when another process wants a core, under
each OpenMP wait policy: llama.cpp (built with OpenMP) makes its threads meet at a barrier
after every operation, and a thread that spins there while its partner is descheduled
burns the time slice the partner needs.

    python benchmarks/llama_contention.py [--model PATH.gguf] [--requests 3] [--tokens 128]

For each policy (the library's default, then `PASSIVE`: wait in the kernel, not spinning)
it starts the model server council starts (`council.models.llama_server`, threads = the
usable CPUs), sends the same greedy request `--requests` times alone, then again while one
busy-looping process runs, and prints completion tokens per second in each case and the
ratio busy / alone, all measured in this one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.provenance import announce
from council.models.local_server import embedded_model_path

PROMPT = (
    "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips "
    "in May. How many clips did Natalia sell altogether in April and May? Think step by step."
)
POLICIES = {"default": None, "PASSIVE": "PASSIVE"}


def start_server(model: Path, policy: str | None) -> tuple[subprocess.Popen[bytes], str]:
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if policy is not None:
        env["OMP_WAIT_POLICY"] = policy
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "council.models.llama_server", "--model", str(model)),
            *("--alias", "bench", "--parent-pid", str(os.getpid())),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert process.stdout is not None
    ready = json.loads(process.stdout.readline())
    if "port" not in ready:
        process.kill()
        raise SystemExit(f"the model server did not start: {ready}")
    return process, f"http://127.0.0.1:{ready['port']}/v1/chat/completions"


def tokens_per_second(url: str, tokens: int) -> float:
    body = {
        "model": "bench",
        "messages": [{"role": "user", "content": PROMPT}],
        "temperature": 0.0,
        "seed": 0,
        "max_tokens": tokens,
    }
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=1800) as response:
        reply = json.load(response)
    return int(reply["usage"]["completion_tokens"]) / (time.perf_counter() - started)


def busy_process() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="a GGUF (default: SmolLM2)")
    parser.add_argument("--requests", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=128)
    args = parser.parse_args()
    model = args.model or embedded_model_path()
    announce(__doc__.splitlines()[0])
    print(f"model {model.name}; load average at start {os.getloadavg()[0]:.2f}")
    print("| OMP_WAIT_POLICY | tokens/s alone | tokens/s beside a busy process | busy / alone |")
    print("|---|---|---|---|")
    for name, policy in POLICIES.items():
        server, url = start_server(model, policy)
        try:
            tokens_per_second(url, 8)  # warm
            alone = [tokens_per_second(url, args.tokens) for _ in range(args.requests)]
            burner = busy_process()
            try:
                busy = [tokens_per_second(url, args.tokens) for _ in range(args.requests)]
            finally:
                burner.kill()
                burner.wait()
        finally:
            server.kill()
            server.wait()
        a, b = statistics.median(alone), statistics.median(busy)
        print(f"| {name} | {a:.1f} | {b:.1f} | {b / a:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
