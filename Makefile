# The template repository's tasks. The generated project has the same verbs (make test, make dev, make lint).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
SCRATCH ?= scratch
DEMO := $(SCRATCH)/akeneo-start-app

.DEFAULT_GOAL := help
.PHONY: help install demo test test-fast test-slow lint format lock benchmark-frameworks clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

$(BIN)/cookiecutter: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --group dev
	@touch $@

install: $(BIN)/cookiecutter ## Create .venv with the template's development tools

demo: $(BIN)/cookiecutter ## Bake the default project into scratch/ and run it with the local PIM emulator
	$(BIN)/cookiecutter --no-input --overwrite-if-exists --output-dir $(SCRATCH) .
	$(MAKE) -C $(DEMO) install dev

# test is the two tiers one after the other: CI runs them as separate jobs (.github/workflows/ci.yml), .ci/run
# as `make lint test`, the same targets either way.
test: test-fast test-slow ## Run the template's tests: every bake, its lint, and the baked projects' own suites

test-fast: $(BIN)/cookiecutter ## The template's tests without the slow tier
	$(BIN)/python -m pytest -m "not slow"

test-slow: $(BIN)/cookiecutter ## The slow tier: baked projects installed by their make install pass make test
	$(BIN)/python -m pytest -m slow

lint: $(BIN)/cookiecutter ## Check the template's own code with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/cookiecutter ## Format the template's own code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lock: $(BIN)/cookiecutter ## Relock the generated project's uv.lock (UPGRADE=1 moves every pin to its newest)
	$(BIN)/python tools/lock_generated_project.py $(if $(UPGRADE),--upgrade)

benchmark-frameworks: $(BIN)/cookiecutter ## Serve a Flask and a FastAPI bake alike and print requests/s and p99 of each
	$(BIN)/python tools/benchmark_frameworks.py

clean: ## Remove scratch bakes
	rm -rf $(SCRATCH)
