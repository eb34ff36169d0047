# mimical-bot: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.DEFAULT_GOAL := help

help: ## show this help
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(BIN)/pip install -q -e '.[bench]'
	@touch $@

install: $(VENV)/.installed ## create .venv and install mimical-bot

run: install ## build the demo persona (first run only), then serve the web chat
	$(BIN)/mimical demo --no-chat
	$(BIN)/mimical serve

test: $(VENV)/.installed-test ## install what the tests need, lint, run the whole suite
	bash scripts/install-system-deps.sh
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(VENV)/.installed-test ## ruff
	$(BIN)/ruff check .

bench: $(VENV)/.installed-bench ## print fidelity, speed and memory figures (never fails on them)
	@for script in bench/bench_*.py; do \
		echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean: ## remove the venv and local state
	rm -rf $(VENV) var

.PHONY: help install run test lint bench clean
