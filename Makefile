# oapigen: `make generate` and `make test` work on a fresh clone with Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install generate check test lint bench mutate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

generate: $(STAMP)  ## regenerate generated/ from specs/ (per [[tool.oapigen.specs]] in pyproject.toml)
	$(BIN)/oapigen generate

check: $(STAMP)  ## exit 1 with a diff if generated/ is stale
	$(BIN)/oapigen generate --check

test: $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check generator tests
	$(BIN)/mypy

# Mutation testing ([tool.mutmut] in pyproject.toml): escape, naming, writer and overlay, each
# mutant run against the tests that reach it. CPU heavy (minutes), so niced. mutants/ is cleared
# first: mutmut keeps a survivor's verdict when only the tests changed. Fails when a module scores
# below 90% killed.
mutate: $(STAMP)  ## mutation score per module (mutmut)
	rm -rf mutants
	nice -n 10 $(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results --all true | $(BIN)/python tests/mutation_score.py --min 90

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info mutants
