# The two commands the README starts with: `make demo` and `make test`.
PYTHON ?= python3
PYTEST = $(PYTHON) -m pytest -q
# llama-cpp-python compiles from source; without this it targets the build machine's own
# CPU (-march=native), and the wheel pip caches crashes (SIGILL) on a CPU with fewer
# instruction sets. OFF builds for AVX2/FMA/F16C: every x86-64 CPU of the last decade.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF
# The demo: program of thought (`pot`, PAL's prompt, one greedy call). The embedded
# SmolLM2-135M cannot do arithmetic (asked "What is 6 * 7?" with `single` it answers 81) but
# it can copy an expression into `def solution()`; council runs that program and the
# interpreter's 42 is the answer, so the answer is right because of council, not by luck
# (benchmarks/demo_choice.py: `single` right on 0 of 5 expressions, `pot` on 4).
# The question asks for the program because the 135M model answers word problems in prose
# even under PAL's three worked programs. `--sandbox process` because `make demo` relies
# only on `make install` (the Docker sandbox needs `make sandbox-image`); it runs the
# model's program with rlimits only, not isolated, and says so. See the README.
QUESTION ?= Write a Python function solution() that returns 6 * 7.
DEMO_OPTIONS ?= --graph pot --sandbox process

.PHONY: demo test install install-dev system sandbox-image lint typecheck docs readme \
	test-unit test-integration test-model test-docker test-browser test-ray \
	measurements measure-tiers demo-record bench-overhead

demo: install
	council solve $(DEMO_OPTIONS) "$(QUESTION)"

# Every tier, fastest first, so a failure shows early; then the docs site.
test: system install-dev sandbox-image
	$(MAKE) test-unit docs test-integration test-model test-docker test-browser test-ray

# In-process, scripted models; no Docker, browser, model or network: under a minute.
test-unit:
	$(PYTEST) tests/unit --timeout 60

# Child processes and loopback servers (the CLI, MCP, tracing, bench workers, benchmarks).
test-integration:
	$(PYTEST) tests/integration tests/web -m "not docker and not browser and not model and not ray and not network"

test-model:
	$(PYTEST) tests -m "model and not docker"

test-docker:
	$(PYTEST) tests -m docker

test-browser:
	$(PYTEST) tests -m browser

test-ray:
	$(PYTEST) tests -m ray

install:
	$(PYTHON) -m pip install -q -e .

install-dev:
	$(PYTHON) -m pip install -q -e '.[dev,docs]'

system:
	bash scripts/setup_system.sh

sandbox-image: install
	council sandbox build

# The docs site, offline, warnings as errors; the README's generated regions must be current.
docs:
	$(PYTHON) scripts/docgen.py --check
	$(PYTHON) -m mkdocs build --strict --site-dir site

# Rewrite the README's generated regions (protocol table, test tier times).
readme:
	$(PYTHON) scripts/docgen.py

# Measurement pages written by the scripts themselves (docs/measurements/*.md).
measurements:
	COUNCIL_MEASUREMENTS=docs/measurements $(PYTHON) benchmarks/overhead.py
	COUNCIL_MEASUREMENTS=docs/measurements $(PYTHON) benchmarks/call_cpu.py
	COUNCIL_MEASUREMENTS=docs/measurements $(PYTHON) benchmarks/bench_throughput.py --fixed-delay 1.0
	COUNCIL_MEASUREMENTS=docs/measurements $(PYTHON) benchmarks/bench_scale.py --sizes 1000,10000
	COUNCIL_MEASUREMENTS=docs/measurements $(PYTHON) benchmarks/sandbox.py
	COUNCIL_MEASUREMENTS=docs/measurements $(PYTHON) benchmarks/web_latency.py

# The README's tier times: every tier, timed (as long as `make test`), then the README.
measure-tiers:
	COUNCIL_MEASUREMENTS=docs/measurements $(PYTHON) benchmarks/test_tiers.py --tiers unit,integration,model,docker,browser,ray
	$(PYTHON) scripts/docgen.py

lint:
	ruff check council tests benchmarks examples scripts docs/hooks.py
	ruff format --check council tests benchmarks examples scripts docs/hooks.py

typecheck:
	mypy council

bench-overhead:
	$(PYTHON) benchmarks/overhead.py

# The README's demo section: `make demo`'s solve, run 3 times in fresh processes, timed.
demo-record: install
	COUNCIL_MEASUREMENTS=docs/measurements $(PYTHON) benchmarks/demo.py --runs 3 -- $(DEMO_OPTIONS) "$(QUESTION)"
	$(PYTHON) scripts/docgen.py
