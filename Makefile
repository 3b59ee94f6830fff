# make run: install into .venv and serve the app. make test: lint, type-check and test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint sandbox check bench clean

$(BIN)/python:
	$(shell command -v $(PYTHON) || command -v python3) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tavus-slack run

check: $(STAMP)
	$(BIN)/tavus-slack check

sandbox: $(STAMP)
	$(BIN)/tavus-slack sandbox --port 8765

lint: $(STAMP)
	$(BIN)/ruff check bot handlers storage tests benchmarks
	$(BIN)/ruff format --check bot handlers storage tests benchmarks
	$(BIN)/mypy bot handlers storage

test: lint
	$(BIN)/pytest -q

# Each script runs the app (and, where it has one, its floor) as subprocesses.
bench: $(STAMP)
	$(BIN)/python benchmarks/ack_latency.py
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/relay.py
	$(BIN)/python benchmarks/home.py
	$(BIN)/python benchmarks/faults.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache *.egg-info
