# FairGift. `make help` lists the targets; every target runs `setup` first, so on a fresh clone a
# single command does all. Nothing downloads at run time: Python and npm packages only, pinned.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
SOLC_VERSION := 0.8.30
VENV := .venv
STAMP := .local/setup.stamp

# Everything project-local: Ape's data folder, py-solc-x's compiler folder, matplotlib's cache.
export APE_DATA_FOLDER := $(CURDIR)/.local/ape
export SOLCX_BINARY_PATH := $(CURDIR)/.local/solcx
export MPLCONFIGDIR := $(CURDIR)/.local/mpl
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export PYTHONDONTWRITEBYTECODE := 1
# This tree's `fairgift` package first, also for `ape run` scripts (and in git worktrees).
export PYTHONPATH := $(CURDIR)

APE_TEST_ARGS ?=
SLITHER := slither contracts/ --solc .local/solcx/solc-v$(SOLC_VERSION) --solc-standard-json \
	--solc-remaps "@openzeppelin/contracts=node_modules/@openzeppelin/contracts" \
	--filter-paths "contracts/test/|node_modules/" --exclude-informational --exclude-low --fail-medium

.PHONY: help setup test lint clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: $(STAMP) ## install the pinned toolchain into .venv and node_modules (idempotent)
	@tools/ensure-layout $(SOLC_VERSION)
	@tools/install-chromium

# Re-runs only when a pin changes or an install folder is missing: a second `make` installs nothing.
$(STAMP): pyproject.toml constraints.txt package.json package-lock.json | $(VENV)/bin/python node_modules
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p .local && touch $@

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

node_modules:
	npm ci --no-audit --no-fund --loglevel=error

# `make test` runs the whole suite on anvil (ape-foundry, the default local provider), then every
# test that needs no anvil and is not slow on the in-process py-evm chain (ape-test), so the suite
# keeps passing on both. TEST_PROVIDERS=anvil (or in-process) runs one; APE_TEST_ARGS (paths, -k,
# -x, ...) applies to both; FAIRGIFT_TEST_ORDER=reverse|random[:SEED] reorders areas (README "Tests").
# First, tools/compile-contracts recompiles in full if any contract source or compiler setting
# changed (Ape alone leaves the importers of an edited library or base contract stale).
TEST_PROVIDERS ?= anvil in-process
IN_PROCESS_MARKERS ?= not anvil_only and not slow

test: setup ## run the test suite on anvil, then its fast part in-process; prints wall times
	@tools/compile-contracts
	@status=0; total=$$(date +%s); \
	for provider in $(TEST_PROVIDERS); do \
	  start=$$(date +%s); \
	  case $$provider in \
	    anvil) ape test --network ethereum:local:foundry $(APE_TEST_ARGS) || status=$$?;; \
	    in-process) ape test --network ethereum:local:test -m "$(IN_PROCESS_MARKERS)" $(APE_TEST_ARGS) \
	                || status=$$?;; \
	    *) echo "TEST_PROVIDERS: unknown provider '$$provider' (anvil, in-process)"; exit 2;; \
	  esac; \
	  echo "test suite on $$provider: wall time $$(( $$(date +%s) - start )) s"; \
	done; \
	echo "test suite wall time: $$(( $$(date +%s) - total )) s"; exit $$status

lint: setup ## slither on contracts/ (mocks excluded, fails on medium+), ruff on Python
	$(SLITHER)
	ruff check fairgift scripts tests ape_console_extras.py
	ruff format --check fairgift scripts tests ape_console_extras.py

clean: ## remove build outputs and local state (keeps installed packages)
	rm -rf .build out .local/ape .local/solidity-deps .hypothesis .pytest_cache
	find . -name __pycache__ -not -path './.venv/*' -not -path './node_modules/*' -prune -exec rm -rf {} +

.PHONY: demo
demo: setup ## the whole story on a fresh local chain (ape run demo): ledger, report, charts in out/
	@start=$$(date +%s); status=0; \
	ape run demo $(DEMO_ARGS) || status=$$?; \
	echo "demo wall time: $$(( $$(date +%s) - start )) s"; exit $$status

# ---------------------------------------------------------------------------------------- benchmark
BENCH_ARGS ?=
.PHONY: bench
bench: setup ## gas and scale benchmark on anvil: a table on stdout, out/bench.json
	ape run bench $(BENCH_ARGS)

# The tests marked `fuzz` (the stateful property tests), with the `fuzz` hypothesis profile
# (1,000 examples x 50 steps per state machine; hours on 2 cores). A run prints its seed; replay a
# failure exactly with `make fuzz FAIRGIFT_SEED=<seed>`. FAIRGIFT_EXAMPLES / FAIRGIFT_STEPS override
# the sizes; APE_TEST_ARGS narrows the selection (e.g. a file or `-k jar`).
.PHONY: fuzz
fuzz: setup ## the property tests (marker `fuzz`) with the fuzz profile (FAIRGIFT_SEED=N replays a run)
	@start=$$(date +%s); status=0; \
	FAIRGIFT_HYPOTHESIS_PROFILE=fuzz ape test -m fuzz $(APE_TEST_ARGS) || status=$$?; \
	echo "fuzz wall time: $$(( $$(date +%s) - start )) s"; exit $$status
