# One entry point for people and CI. `make run` and `make test` each set everything up first.
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
FUZZ    := tests/hostile/test_fuzz.py
STAMP   := $(VENV)/.installed

.PHONY: setup system system-browser system-test run test lint typecheck check bench clean lock

setup: system $(STAMP) web/node_modules/.package-lock.json

system:                     # npm, from Debian's packages when it is missing
	@scripts/system-packages.sh

system-browser:             # chromium and a CJK font for the browser tests, when missing
	@scripts/system-packages.sh --browser

system-test:                # everything the tests need from Debian: the browser's packages and Virtuoso, when missing
	@scripts/system-packages.sh --browser --servers

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock   # exact versions, checked hashes
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

lock:                       # after editing pyproject.toml's dependencies: regenerate the hashed lock
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes -q -o requirements.lock --custom-compile-command "make lock"

web/node_modules/.package-lock.json: web/package-lock.json web/package.json
	npm ci --prefix web --no-audit --no-fund

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

# The product, oxigraph serve and rdflib-endpoint under wrk (Debian package `wrk`).
# BENCH_ARGS="--graphs center --duration 2" for a quick look.
bench: $(BENCH_STAMP) web/node_modules/.package-lock.json
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk" >&2; exit 1; }
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

run: setup
	$(BIN)/thoracic-kg build
	$(BIN)/thoracic-kg serve

test: setup system-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadfile --ignore=$(FUZZ)   # two workers, one per core; a module stays on one worker
	$(BIN)/pytest $(FUZZ)   # schemathesis gives each operation the same test id, which xdist would run once: alone

lint:
	$(BIN)/ruff check .

typecheck:
	$(BIN)/mypy

clean:
	rm -rf build store .pytest_cache .mypy_cache .ruff_cache
