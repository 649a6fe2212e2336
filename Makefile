# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501
# Test processes: CI has 2 cores; each worker loads its own models (~2 GB).
TEST_WORKERS ?= 2
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: install run test test-fast mutation lint bench bench-quick clean

# pipefail: pip's exit status, not its log filter's, decides whether the install worked.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

$(STAMP): pyproject.toml
	@echo "Installing Findings into $(VENV) (first time: a few minutes)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -qq --upgrade pip
	@$(BIN)/python -m pip install -e ".[dev]" 2>&1 | $(PYTHON) scripts/install_progress.py
	@touch $(STAMP)

# The entity recogniser trained for redaction is built here, not kept in git (6 MB of weights):
# deterministic, about a minute, from the labelled set's dev halves.
NER := pipeline/data/redaction_ner/meta.json
$(NER): $(STAMP) scripts/train_redaction_ner.py $(wildcard bench/data/redaction/*dev.jsonl)
	@echo "Training the recogniser redaction uses (about a minute, once)"
	@$(BIN)/python scripts/train_redaction_ner.py > /dev/null

install: $(STAMP) $(NER)

## Build the bundled sample corpus into data/findings.duckdb, then serve the viewer on 127.0.0.1.
run: install
	@echo "Building the sample corpus into data/findings.duckdb"
	@$(BIN)/findings run --corpus corpus/
	@echo "Findings viewer: http://127.0.0.1:$(PORT)  (Ctrl-C to stop)"
	@$(BIN)/findings viewer --port $(PORT)

## Lint, then run the whole suite (pytest exits 5 when it collects nothing: that fails too),
## printing the 15 slowest tests. Files are shared out whole among TEST_WORKERS processes, so a
## module's fixtures are built once.
test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=15

## The quick part of the suite while working: everything not marked slow (end-to-end runs).
test-fast: install
	$(BIN)/python -m pytest -m "not slow" -n $(TEST_WORKERS) --dist loadfile --durations=10

## Mutation testing of the statistics, redaction, theme identity and metadata precedence
## (about 4 minutes; scores in mutation/README.md).
mutation: install
	$(BIN)/python mutation/run.py

lint: install
	$(BIN)/ruff check .

## All benchmarks (about half an hour on 2 cores): bench/results.json and bench/RESULTS.md.
bench: install
	$(BIN)/python bench/run.py

## Small sizes, under 3 minutes (what CI may run): bench/results-quick.json, bench/RESULTS-quick.md.
bench-quick: install
	$(BIN)/python bench/run.py --quick

## Remove the built warehouse and snapshots; the team store (audit trail, codings, memos,
## validation answers: data/team.sqlite*) is people's work and stays.
clean:
	find data -mindepth 1 -maxdepth 1 ! -name 'team.sqlite*' -exec rm -rf {} + 2>/dev/null || true
	rm -rf .pytest_cache
