# oapigen: `make generate` and `make test` work on a fresh clone with Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The real LangGraph Agent Server and langgraph-sdk, in a venv of their own (tests/agent_graphs/).
AGENT_VENV := .venv-agent
AGENT_STAMP := $(AGENT_VENV)/.installed

.PHONY: install agent-venv generate check test lint bench mutate clean

$(STAMP): pyproject.toml
	@echo "make: creating the virtual environment $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	@echo "make: upgrading pip in $(VENV)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "make: installing oapigen and its development tools into $(VENV) (a minute or two the first time)"
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)
	@echo "make: installed; the command is $(BIN)/oapigen (or activate: . $(BIN)/activate)"

install: $(STAMP)

$(AGENT_STAMP): tests/agent_graphs/requirements.txt
	@echo "make: creating $(AGENT_VENV) with the real Agent Server and langgraph-sdk (for the real-server tests)"
	$(PYTHON) -m venv $(AGENT_VENV)
	$(AGENT_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(AGENT_VENV)/bin/python -m pip install --quiet -r tests/agent_graphs/requirements.txt
	touch $(AGENT_STAMP)

agent-venv: $(AGENT_STAMP)  ## the real Agent Server for tests/test_real_server.py

generate: $(STAMP)  ## regenerate generated/ from specs/ (per [[tool.oapigen.specs]] in pyproject.toml)
	@echo "make: generating every [[tool.oapigen.specs]] package of pyproject.toml"
	$(BIN)/oapigen generate

check: $(STAMP)  ## exit 1 with a diff if generated/ is stale
	@echo "make: checking that generated/ is up to date"
	$(BIN)/oapigen generate --check

test: $(STAMP) $(AGENT_STAMP)  ## the whole test suite, with the real-server tier
	@echo "make: running the test suite (a few minutes)"
	$(BIN)/python -m pytest

lint: $(STAMP)
	@echo "make: ruff, then mypy --strict over generator/, examples/ and the runtime modules templates/runtime/"
	$(BIN)/ruff check generator tests examples templates/runtime
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
	rm -rf $(VENV) $(AGENT_VENV) build dist *.egg-info mutants
