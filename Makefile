# One entry point for people and CI. `make run` and `make test` each set everything up first.
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: setup run test lint typecheck check bench clean

setup: $(STAMP) web/node_modules/.package-lock.json

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

web/node_modules/.package-lock.json: web/package-lock.json web/package.json
	npm ci --prefix web --no-audit --no-fund

run: setup
	$(BIN)/thoracic-kg build
	$(BIN)/thoracic-kg serve

test: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

lint:
	$(BIN)/ruff check .

typecheck:
	$(BIN)/mypy

clean:
	rm -rf build store .pytest_cache .mypy_cache .ruff_cache
