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
# Nothing in the home folder either: IPython's profile and history (`ape console`), the XDG
# folders (platformdirs-based caches), npm's and pip's caches, and anvil's state cache
# (tools/bin/anvil adds --cache-path .local/anvil/).
export IPYTHONDIR := $(CURDIR)/.local/ipython
export XDG_CACHE_HOME := $(CURDIR)/.local/xdg/cache
export XDG_CONFIG_HOME := $(CURDIR)/.local/xdg/config
export XDG_DATA_HOME := $(CURDIR)/.local/xdg/data
export XDG_STATE_HOME := $(CURDIR)/.local/xdg/state
export npm_config_cache := $(CURDIR)/.local/npm
export PIP_CACHE_DIR := $(CURDIR)/.local/pip
export PATH := $(CURDIR)/tools/bin:$(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export PYTHONDONTWRITEBYTECODE := 1
# This tree's `fairgift` package first, also for `ape run` scripts (and in git worktrees).
export PYTHONPATH := $(CURDIR)

APE_TEST_ARGS ?=
# solc-select (imported by slither) keeps its folder in $VIRTUAL_ENV, else in the home folder.
SLITHER := VIRTUAL_ENV=$(CURDIR)/$(VENV) slither contracts/ --solc .local/solcx/solc-v$(SOLC_VERSION) --solc-standard-json \
	--solc-remaps "@openzeppelin/contracts=node_modules/@openzeppelin/contracts" \
	--filter-paths "contracts/test/|node_modules/" --exclude-informational --exclude-low --fail-medium

.PHONY: help setup test lint clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

setup: $(STAMP) ## install the pinned toolchain into .venv and node_modules (idempotent)
	@tools/ensure-layout $(SOLC_VERSION)
	@tools/install-chromium

# Re-runs only when a pin changes or an install folder is missing: a second `make` installs nothing.
# A missing node_modules makes the stamp due (FORCE) rather than having a rule of its own, so that
# `npm ci` runs once when both are due (a rule for node_modules ran it a second time). A node_modules
# that is a link (a git worktree sharing another checkout's install) is left alone: `npm ci` would
# empty the linked folder, under every tree that shares it, and put a folder in the link's place.
$(STAMP): pyproject.toml constraints.txt package.json package-lock.json $(if $(wildcard node_modules),,FORCE) \
		| $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@if [ -L node_modules ]; then \
	  echo "setup: node_modules links to $$(readlink node_modules), a shared install: no npm ci here"; \
	else echo "npm ci --no-audit --no-fund --loglevel=error"; npm ci --no-audit --no-fund --loglevel=error; fi
	@mkdir -p .local && touch $@

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

.PHONY: FORCE
FORCE:

# `make test` runs the whole suite on anvil (ape-foundry, the default local provider), then the fast
# areas on the in-process py-evm chain (ape-test), so the suite keeps passing on both. The fast
# areas (IN_PROCESS_TESTS): the contracts' tests (jar/, market/, split/ and the modules at the top of
# tests/: fee schedule, MockUSDC, sizes, vocabulary, the suite's rules), the pure tests (bench/,
# tooling's pure modules) and the Python API and event scan on the chain (tooling's api, cli_api,
# events, operators), less IN_PROCESS_MARKERS (`anvil_only`, `slow`). Left to anvil: the page (a
# browser), the services (threads, processes, databases), the tooling's subprocess runs (they start
# anvil themselves: the provider changes nothing) and assurance/ (state machines); all of them skip or
# pass on `ape test --network ethereum:local:test` too (docs/testing.md).
# TEST_PROVIDERS=anvil (or in-process) runs one; APE_TEST_ARGS (paths, -k, -x, ...) applies to both,
# and paths in it replace IN_PROCESS_TESTS; FAIRGIFT_TEST_ORDER=reverse|random[:SEED] reorders areas.
# First, tools/compile-contracts recompiles in full if any contract source or compiler setting
# changed (Ape alone leaves the importers of an edited library or base contract stale).
TEST_PROVIDERS ?= anvil in-process
IN_PROCESS_TESTS ?= tests/jar tests/market tests/split tests/bench $(wildcard tests/test_*.py) \
	$(addprefix tests/tooling/test_tooling_,api.py cli_api.py events.py pure.py cli_pure.py eip712.py \
	operators.py)
IN_PROCESS_MARKERS ?= not anvil_only and not slow

test: setup ## run the test suite on anvil, then its fast areas in-process; prints wall times
	@tools/compile-contracts
	@status=0; total=$$(date +%s); selection="$(IN_PROCESS_TESTS)"; \
	for arg in $(APE_TEST_ARGS); do [ -e "$${arg%%::*}" ] && selection=; done; \
	for provider in $(TEST_PROVIDERS); do \
	  start=$$(date +%s); \
	  case $$provider in \
	    anvil) ape test --network ethereum:local:foundry $(APE_TEST_ARGS) || status=$$?;; \
	    in-process) ape test --network ethereum:local:test -m "$(IN_PROCESS_MARKERS)" \
	                $$selection $(APE_TEST_ARGS) || status=$$?;; \
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

# The environment above, for running `ape` by hand: eval "$(make -s env)".
ENV_VARS := APE_DATA_FOLDER SOLCX_BINARY_PATH MPLCONFIGDIR IPYTHONDIR XDG_CACHE_HOME XDG_CONFIG_HOME \
	XDG_DATA_HOME XDG_STATE_HOME npm_config_cache PIP_CACHE_DIR PATH PYTHONDONTWRITEBYTECODE PYTHONPATH
.PHONY: env console
env: ## print the environment the targets use, to run ape by hand: eval "$(make -s env)"
	@$(foreach v,$(ENV_VARS),printf 'export %s=%q\n' '$(v)' '$($(v))';)

console: setup ## `ape console` with FairGift loaded (CONSOLE_ARGS="--network ethereum:local:node")
	ape console $(CONSOLE_ARGS)

.PHONY: abi
abi: setup ## every production contract's and interface's ABI as out/abi/<Contract>.json
	ape run abi --out out/abi

.PHONY: demo
demo: setup ## the whole story on a fresh local chain (ape run demo): ledger, report, charts in out/<chain>-<hash>/
	@start=$$(date +%s); status=0; \
	ape run demo $(DEMO_ARGS) || status=$$?; \
	echo "demo wall time: $$(( $$(date +%s) - start )) s"; exit $$status

.PHONY: rehearse
NETWORK ?= base
# TQDM_DISABLE: Ape draws a progress bar for every transaction's confirmations; the steps are printed.
rehearse: setup ## rehearse NETWORK (base, base-sepolia, optimism, arbitrum) on a local anvil with its USDC, serve and the page
	@start=$$(date +%s); status=0; \
	TQDM_DISABLE=1 ape run rehearse $(NETWORK) || status=$$?; \
	echo "rehearsal wall time: $$(( $$(date +%s) - start )) s"; exit $$status

# --------------------------------------------------------------------------------- a local chain
# A persistent anvil for operating FairGift by hand: chain id 31337 on 127.0.0.1:$(NODE_PORT), its
# state (blocks, logs, historical states) saved in .local/node/ on exit and every 10 s, and loaded
# on the next start. `--network ethereum:local:node` reaches it (ape-config.yaml gives the chain id).
NODE_PORT ?= 8545
NODE_DIR ?= .local/node
NODE_URI_HINT := $(if $(filter 8545,$(NODE_PORT)),,export APE_NODE_ETHEREUM='{\"local\": {\"uri\": \"http://127.0.0.1:$(NODE_PORT)\"}}'; )
.PHONY: node node-reset
node: setup ## a local chain that persists (anvil, chain id 31337, port 8545 or NODE_PORT; state in .local/node/)
	@mkdir -p $(NODE_DIR)
	@echo "FairGift local chain: anvil, chain id 31337, http://127.0.0.1:$(NODE_PORT); state in $(NODE_DIR)/"
	@echo "$$( [ -f $(NODE_DIR)/state.json ] && echo 'resuming the saved chain' || echo 'a new chain')" \
		"(Ctrl-C stops it and keeps the state; make node-reset starts over)."
	@echo "In another shell (with the environment of docs/using.md \"Running things by hand\"):"
	@echo "  $(NODE_URI_HINT)ape run deploy --network ethereum:local:node"
	@echo "  ape run fairgift status --network ethereum:local:node"
	@exec anvil --port $(NODE_PORT) --chain-id 31337 --state $(NODE_DIR)/state.json --state-interval 10 \
		--preserve-historical-states

node-reset: ## wipe `make node`'s chain, its record and its names (deployments/31337.json, 31337.creators.json)
	rm -rf $(NODE_DIR)
	rm -f deployments/31337.json deployments/31337.creators.json

# The service on `make node`'s chain (deploy there first): the JSON API, the fans' pages, the
# relayer and the index bot; it prints the pages' URLs. SERVE_ARGS: e.g. "--port 8001 --no-relay".
SERVE_ARGS ?=
.PHONY: serve
serve: setup ## the service on `make node`'s chain, port 8000 (SERVE_ARGS="--port 8001"): API, fans' pages, relayer, index
	@$(if $(filter 8545,$(NODE_PORT)),,APE_NODE_ETHEREUM='{"local": {"uri": "http://127.0.0.1:$(NODE_PORT)"}}') \
	ape run fairgift serve --network ethereum:local:node $(SERVE_ARGS)

# The service for the deployment `make demo DEMO_ARGS='--network ethereum:local:node'` made on
# `make node`'s chain: a demo keeps its record under $(DEMO_OUT)/deployments, never deployments/.
DEMO_OUT ?= out
.PHONY: serve-demo
serve-demo: setup ## the service for the demo's deployment on `make node`'s chain (/c/ava, /c/ben, /c/the_band; SERVE_ARGS too)
	@$(if $(filter 8545,$(NODE_PORT)),,APE_NODE_ETHEREUM='{"local": {"uri": "http://127.0.0.1:$(NODE_PORT)"}}') \
	FAIRGIFT_DEPLOYMENTS=$(abspath $(DEMO_OUT))/deployments \
	ape run fairgift serve --network ethereum:local:node $(SERVE_ARGS)

# ---------------------------------------------------------------------------------------- benchmark
BENCH_ARGS ?=
.PHONY: bench
bench: setup ## gas and scale benchmark on anvil, then the services and the fans' page: tables, out/bench*.json
	ape run bench $(BENCH_ARGS)

# The service under attack alone (also part of `make bench`): honest fans tipping through `serve`
# while attackers send hostile requests; PASS/MISS per target, out/bench-abuse.json. A few minutes.
.PHONY: bench-abuse
bench-abuse: setup ## the service under attack: honest tips' latency, 5xx, relayer gas on attackers, memory (out/bench-abuse.json)
	ape run bench --abuse-only $(BENCH_ARGS)

# The tests marked `fuzz` (the stateful property tests), with the `fuzz` hypothesis profile
# (300 examples x 50 steps per state machine; about an hour on 2 cores). A run prints its seed; replay a
# failure exactly with `make fuzz FAIRGIFT_SEED=<seed>`. FAIRGIFT_EXAMPLES / FAIRGIFT_STEPS override
# the sizes; APE_TEST_ARGS narrows the selection (e.g. a file or `-k jar`).
.PHONY: fuzz
fuzz: setup ## the property tests (marker `fuzz`) with the fuzz profile (FAIRGIFT_SEED=N replays a run)
	@tools/compile-contracts
	@start=$$(date +%s); status=0; \
	FAIRGIFT_HYPOTHESIS_PROFILE=fuzz ape test --network ethereum:local:foundry -m fuzz $(APE_TEST_ARGS) \
	  || status=$$?; \
	echo "fuzz wall time: $$(( $$(date +%s) - start )) s"; exit $$status
