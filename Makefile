# The README's two commands: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.forgebot-installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The bot in this terminal, on its embedded defaults: SQLite in ./data, the
# console adapter, the built-in Toolforge sandbox, speaking as "alice".
run: $(STAMP)
	$(BIN)/forgebot console --sandbox

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check bot commands adapters tests
	$(BIN)/mypy

bench: $(STAMP)
	for script in tests/bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .venv-cli data .pytest_cache .mypy_cache .ruff_cache
