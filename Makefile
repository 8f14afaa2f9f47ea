# The one entry point. `make` alone lists the public targets.
# Every target bootstraps .venv from python3 (3.11+) on first use.

.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
BENCH_STAMP := $(VENV)/.installed-bench
SPARK_STAMP := $(VENV)/.installed-spark
CLIENT := generated/currents-api-client
# The package's hand-written modules: make generate never touches them; lint holds them to the kit's rules.
HAND_WRITTEN := $(CLIENT)/currents_api_client/lib

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
		|| { echo "error: $(PYTHON) must be Python 3.11 or newer (set PYTHON=...)" >&2; exit 2; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing the pinned tools into $(VENV) ..."
	@$(PY) -m pip install --quiet --disable-pip-version-check pip==26.3
	@$(PY) -m pip install --quiet --group dev $(if $(wildcard $(CLIENT)/pyproject.toml),--editable $(CLIENT))
	@touch $@

$(BENCH_STAMP): $(STAMP)
	@$(PY) -m pip install --quiet --group bench
	@touch $@

$(SPARK_STAMP): $(STAMP)
	@$(PY) -m pip install --quiet --group spark
	@touch $@

.PHONY: help  ## Show the public targets
help:
	@echo "Usage: make <target>"
	@awk '/^\.PHONY: [a-z0-9-]+ +## / { name = $$2; sub(/^[^#]*## /, ""); printf "  %-16s %s\n", name, $$0 }' $(MAKEFILE_LIST)

.PHONY: contract  ## The main job: schemathesis and drift checks against the mock, or the real API with CURRENTS_API_KEY
contract: $(STAMP)
	@$(PY) -m scripts.contract

# The static checks and the release check are independent of each other: they run two at a time, each one's
# output kept together (--output-sync), before pytest. The tests come in two tiers (pyproject.toml's `slow`
# marker): `make test` runs the unit and functional tests, in-process and over loopback servers; `make test-e2e`
# runs the end-to-end tier (whole `make contract` runs, the workflows' steps, the CLI and the make targets in
# subprocesses, wheels in fresh virtualenvs, the browser). CI runs both. conftest.py says how the tests are shared
# between the two workers.
.PHONY: test  ## Every static check, the release check, then the unit and functional tests on both cores (PYTEST_ARGS)
test: $(STAMP)
	@$(MAKE) --no-print-directory -j2 --output-sync=target check release-check
	@$(PY) -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder -m "not slow" $(PYTEST_ARGS)

.PHONY: test-e2e  ## The end-to-end tests (make contract runs, workflows, CLI subprocesses, wheels, the browser); CI runs it after make test
test-e2e: $(STAMP) chromium
	@$(PY) -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder -m slow $(PYTEST_ARGS)

.PHONY: mock  ## Serve the mock API and print its projects (MOCK_HOST, MOCK_PORT, MOCK_API_KEY, MOCK_RUN_SIZE, MOCK_ARTIFACT_TTL)
mock: $(STAMP)
	@$(PY) -m contract_tests.mock_api

.PHONY: install  ## Create .venv with the pinned tools (every target does this on first use)
install: $(STAMP)

.PHONY: generate  ## Regenerate generated/ (bundled spec and client) from the spec, overlays and templates
generate: $(STAMP)
	@$(PY) -m scripts.spec.generate $(if $(DEBUG),--debug)

.PHONY: check-generated  ## Fail if generated/ differs from what its sources generate
check-generated: $(STAMP)
	@$(PY) -m scripts.spec.check_generated

.PHONY: build  ## Build the client's wheel and sdist into dist/
build: $(STAMP)
	@rm -rf dist
	@$(PY) -m build --quiet --no-isolation --outdir dist $(CLIENT)
	@ls dist

.PHONY: release-check  ## Build the wheel and sdist from a clean tree and check them as PyPI and a new user would
release-check: $(STAMP)
	@$(PY) -m scripts.release.release_check

.PHONY: check-spec  ## Validate the spec (OpenAPI 3.1), its examples and every fixture
check-spec: $(STAMP)
	@$(PY) -m scripts.spec.check_spec

# FILE, INSTANCE_ID, NAME and BASE reach the scripts as quoted shell variables ("$$FILE"), never pasted into the
# command line, so a space or a `;` in them is data. make exports command-line variables to recipes.
# make itself exits 2 whenever a script fails; the script's own status (1 or 2) is in make's `Error N` line.
.PHONY: validate  ## Check a captured response: make validate FILE=response.json
validate: $(STAMP)
	@$(PY) -m scripts.spec.validate $(if $(FILE),"$$FILE")

# The kit's ruff settings skip generated/, and the package's own pyproject.toml would apply its lighter rules to
# lib/: `--config` lints the hand-written modules there with the kit's settings, as the kit's own code.
.PHONY: lint  ## Lint the kit's code and the package's hand-written lib/ (ruff), and its GitHub workflows (lint-workflows)
lint: lint-workflows
	@$(PY) -m ruff check --quiet .
	@$(PY) -m ruff format --quiet --check .
	@$(PY) -m ruff check --quiet --config pyproject.toml $(HAND_WRITTEN)
	@$(PY) -m ruff format --quiet --check --config pyproject.toml $(HAND_WRITTEN)

.PHONY: lint-workflows  ## Check .github/ with zizmor (offline, every audit) and GitHub's workflow schema
lint-workflows: $(STAMP)
	@$(VENV)/bin/zizmor --offline --persona auditor --quiet .github/workflows
	@$(PY) -m check_jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

.PHONY: typecheck  ## Type-check the kit's own code and the client, its hand-written lib/ included (mypy --strict)
typecheck: $(STAMP)
	@$(PY) -m mypy
	@$(PY) -m mypy --strict $(CLIENT)/currents_api_client

.PHONY: breaking  ## Classify every change of the client since BASE (a git ref; default: the last release)
breaking: $(STAMP)
	@$(PY) -m scripts.versions.breaking $(if $(BASE),--base="$$BASE")

.PHONY: check-version  ## Fail if the client changed without the version bump it needs, or without a CHANGELOG entry
check-version: $(STAMP)
	@$(PY) -m scripts.versions.check_version

.PHONY: check  ## Every static check: spec, generated code, version rule, lint, types
check: check-spec check-generated check-version lint typecheck

.PHONY: record  ## Save a live instance as a redacted fixture: make record INSTANCE_ID=... [NAME=...]
record: $(STAMP)
	@$(PY) -m scripts.contract.record $(if $(INSTANCE_ID),"$$INSTANCE_ID") $(if $(NAME),--name "$$NAME")

.PHONY: bench  ## Benchmarks: decode against pydantic and msgspec, fetch and sync throughput, pipeline cost (not in make test)
bench: $(BENCH_STAMP)
	@$(PY) -m bench $(BENCH_ARGS)

.PHONY: spark-check  ## The flaky metrics' SQL on Spark (local mode, the Parquet dataset) and on DuckDB: equal results (not in make test)
spark-check: $(SPARK_STAMP) java
	@$(PY) -m scripts.history.spark_check

# Debian's Java runtime for Spark, installed when missing (as root, as the chromium target does).
.PHONY: java
java:
	@command -v java >/dev/null || { \
		[ "$$(id -u)" = 0 ] || { echo "error: spark-check needs Java: run 'apt-get install default-jre-headless' as root" >&2; exit 2; }; \
		echo "Installing Debian's Java runtime for Spark ..."; \
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; }

# No --quiet: it drops warnings before strict mode counts them, so a site with warnings would build.
.PHONY: docs  ## Build the documentation site into site/ (strict: a warning fails the build)
docs: $(STAMP)
	@NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict
	@echo "docs: site/index.html"

.PHONY: docs-serve  ## Serve the docs with live reload on http://127.0.0.1:8000 (DOCS_ADDR=host:port); a warning stops it
docs-serve: $(STAMP)
	@NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs serve --strict $(if $(DOCS_ADDR),--dev-addr "$$DOCS_ADDR")

.PHONY: docs-check  ## Build the site strictly, then check every page in headless Chromium (screenshots in reports/docs/)
docs-check: docs chromium
	@$(PY) -m pytest -q -p no:xdist tests/docs

# Debian's Chromium for the browser check, installed when missing (as root, as CI runs). A Chrome that is
# already there (GitHub's Ubuntu runners ship google-chrome) serves as well.
.PHONY: chromium
chromium:
	@command -v chromium >/dev/null || command -v google-chrome >/dev/null || { \
		[ "$$(id -u)" = 0 ] || { echo "error: the browser check needs Debian's chromium: run 'apt-get install chromium' as root" >&2; exit 2; }; \
		echo "Installing Debian's chromium for the browser check ..."; \
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

.PHONY: clean  ## Remove .venv, build output and reports
clean:
	rm -rf $(VENV) dist reports site .mypy_cache .ruff_cache .hypothesis
