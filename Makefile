# The README's two commands: `make run` and `make test`. Both set up .venv first,
# from the lock (requirements-test.txt): the versions CI and the deployment use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.forgebot-installed
# The lock: pinned with uv, itself pinned here and installed on its own.
UV_VERSION := 0.13.9
UV := .venv-uv/bin/uv
LOCK_PYTHON := $(shell cat .python-version)
COMPILE = $(UV) pip compile --quiet --universal --python-version $(LOCK_PYTHON) \
	--custom-compile-command "make lock"

.PHONY: run test test-loaded coverage lint bench mutation deletions clean lock upgrade-lock

$(STAMP): pyproject.toml requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-test.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

$(UV):
	$(PYTHON) -m venv .venv-uv
	.venv-uv/bin/pip install --quiet uv==$(UV_VERSION)

# After a change to pyproject.toml's dependencies: pin what changed, keep the other
# pins. requirements-test.txt is everything the tests need; requirements.txt, what
# the build service installs (the same pins, and the project itself: ".").
lock: $(UV)
	$(COMPILE) pyproject.toml --extra test -o requirements-test.txt
	echo . | $(COMPILE) - -c requirements-test.txt -o requirements.txt

# Every pin to its newest allowed version; then `make test`, and commit both files.
upgrade-lock: $(UV)
	rm -f requirements-test.txt requirements.txt
	$(MAKE) lock

# The bot in this terminal, on its embedded defaults: SQLite in ./data, the
# console adapter, the built-in Toolforge sandbox, speaking as "alice".
run: $(STAMP)
	$(BIN)/forgebot console --sandbox

test: $(STAMP)
	$(BIN)/pytest -q

# The whole suite 5 times in a row with every core kept busy, stopping at the first
# failure and printing each run's wall time: what "the suite does not flake" means.
test-loaded: $(STAMP)
	$(BIN)/python tests/tools/loaded_run.py --runs 5

# Line coverage including the forgebot processes tests start; total and per package.
coverage: $(STAMP)
	$(BIN)/python tests/tools/coverage_report.py

lint: $(STAMP)
	$(BIN)/ruff check bot commands adapters tests
	$(BIN)/mypy

bench: $(STAMP)
	for script in tests/bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Not in CI's run: each takes many minutes. mutation: mutmut over the security-critical
# modules, scored against tests/mutation/EQUIVALENT.md (>= 90% killed per group; one
# group: make mutation GROUPS=policy); deletions: each secret-name word, hint,
# redaction rule and identity rule deleted in turn, and a test must fail.
mutation: $(STAMP)
	$(BIN)/pip install --quiet -e '.[mutation]'
	$(BIN)/python tests/mutation/run.py $(GROUPS)

deletions: $(STAMP)
	$(BIN)/python tests/mutation/deletions.py

clean:
	rm -rf $(VENV) .venv-cli .venv-uv data .pytest_cache .mypy_cache .ruff_cache
