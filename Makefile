# The README's commands. `make run` and `make test` work on a fresh Debian/Ubuntu with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test screenshots lint bench install system-deps clean

$(BIN)/python:
	@$(MAKE) --no-print-directory system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# WeasyPrint needs Pango; `python3 -m venv` needs Debian's venv package. Install them when missing
# and we may (root with apt-get); otherwise say what to install.
system-deps:
	@sh scripts/system-deps.sh

# The scheduler (exam deadlines, certificate batches) runs beside the server and stops with it.
# The development configuration (its public SECRET_KEY, plain-http cookies) only ever runs when asked for by name:
# without LRC_ENV the app is production and refuses to start without a private SECRET_KEY.
run: export LRC_ENV = development
run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@$(FLASK) scheduler & scheduler=$$!; trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
		$(FLASK) run --host $(HOST) --port $(PORT)

# The suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set, the browser tests once (in the
# PostgreSQL pass when there is one). Both passes run; either failing, or collecting no tests, fails. PYTEST_ARGS
# go to both, e.g. make test PYTEST_ARGS="-x -k login".
test: install
	@PYTEST=$(BIN)/pytest bash scripts/run-tests.sh $(PYTEST_ARGS)

# The browser tests again, saving a screenshot of every page they visit under test-artifacts/ (for a person to look
# at; `make test` skips them, they are a third of the browser tests' time).
screenshots: install
	LRC_SCREENSHOTS=1 $(BIN)/pytest -n auto tests/e2e

# Only the folders that exist: an empty bench/ is not in a fresh clone, and ruff fails on a missing path.
# lint-imports checks the dependency rule of docs/architecture.md ([tool.importlinter] in pyproject.toml).
lint: install
	$(BIN)/ruff check $(wildcard lrc_training tests bench)
	$(BIN)/lint-imports --no-cache

bench: install
	@for script in $(filter-out bench/_%,$(wildcard bench/*.py)); do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) instance .pytest_cache
