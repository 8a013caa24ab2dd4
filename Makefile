# mitra: `make run` starts the app on SQLite; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# PostgreSQL for the second test run (trust auth on loopback); a fresh database is made per run.
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres lint bench bench-check install install-test clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "mitra needs Python 3.11 or newer"' \
		|| { echo "mitra needs Python 3.11 or newer (found: $$($(PYTHON) --version))"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtual environment: on Debian or Ubuntu, install it with: sudo apt install python3-venv"; exit 1; }

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml requirements-dev.lock
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(BIN)/mitra serve --host $(HOST) --port $(PORT)

test: install-test lint test-sqlite test-postgres

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test-sqlite: install-test
	$(BIN)/python -m pytest

test-postgres: install-test
	MITRA_DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/python -m pytest --postgres

# One table of what a person waits for, each against a baseline run in the same process.
# Set BENCH_DATA=folder to keep the 10-year journals between runs (made on first use).
bench: install-test
	$(BIN)/python bench/run.py

# The same, exiting non-zero when a target is missed (not part of `make test`: timings are noisy).
bench-check: install-test
	$(BIN)/python bench/run.py --check

# Regenerate the lock files after changing dependencies in pyproject.toml.
lock: $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --annotation-style line -q -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 --annotation-style line -q -o requirements-dev.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Check the insights on synthetic persons and write docs/calibration/ (about a minute).
.PHONY: calibrate
calibrate: install
	$(BIN)/python -m mitra.simulation.calibrate
