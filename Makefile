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

# The project environment follows uv.lock exactly; re-synced when either input changes.
$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --all-extras --python $(PYTHON)
	@touch $@

install: $(VENV)/.synced

# The example project end to end: validate every target, run its unit tests.
demo: install
	cd examples && for target in local dev staging prod; do ../$(BIN)/brickyard validate -t $$target || exit 1; done
	$(BIN)/pytest -q -p no:cacheprovider examples/tests/unit

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
	rm -rf $(TOOLS) $(VENV) .pytest_cache .mypy_cache .ruff_cache
