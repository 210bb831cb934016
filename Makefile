# The two commands a newcomer needs: `make demo` (the main job) and `make test` (the tests).
# Both create the virtual environment on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench
demo: $(VENV)/.installed
	$(BIN)/evimap demo

test: $(VENV)/.installed lint
	$(BIN)/python -m pytest
	$(BIN)/python scripts/test_site_postgres.py

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

bench: $(VENV)/.installed
	$(BIN)/python bench/ingest_pubmed.py
	$(BIN)/python bench/ingest_medquad.py

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,site]'
	touch $@
