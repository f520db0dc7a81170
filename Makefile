# The two commands a new user runs: `make demo` and `make test`. Both set up everything they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test check format lint types bench-ageing bench-demo bench-decisions bench-scoring bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/tradecredit demo

test: $(STAMP)
	$(BIN)/pytest

format: $(STAMP)
	$(BIN)/ruff format src tests bench

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

types: $(STAMP)
	$(BIN)/mypy

check: lint types test

bench-ageing: $(STAMP)
	$(BIN)/python bench/ageing.py

bench-demo: $(STAMP)
	$(BIN)/python bench/demo.py

bench-decisions: $(STAMP)
	$(BIN)/python bench/decisions.py

bench-scoring: $(STAMP)
	$(BIN)/python bench/scoring.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
