# The two commands the README starts with: `make demo` and `make test`.
PYTHON ?= python3
# llama-cpp-python compiles from source; without this it targets the build machine's own
# CPU (-march=native), and the wheel pip caches crashes (SIGILL) on a CPU with fewer
# instruction sets. OFF builds for AVX2/FMA/F16C: every x86-64 CPU of the last decade.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF
QUESTION ?= A farmer has 3 pens with 4 sheep in each pen. He sells 5 sheep. How many sheep are left?

.PHONY: demo test install install-dev system sandbox-image lint typecheck bench-overhead

demo: install
	council solve "$(QUESTION)"

test: system install-dev sandbox-image
	$(PYTHON) -m pytest -q

install:
	$(PYTHON) -m pip install -q -e .

install-dev:
	$(PYTHON) -m pip install -q -e '.[dev]'

system:
	bash scripts/setup_system.sh

sandbox-image: install
	council sandbox build

lint:
	ruff check council tests benchmarks examples
	ruff format --check council tests benchmarks examples

typecheck:
	mypy council

bench-overhead:
	$(PYTHON) benchmarks/overhead.py
