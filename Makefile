# The two commands the README starts with: `make demo` and `make test`.
PYTHON ?= python3
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
