# Two commands matter: `make demo` (run the app with demo data) and `make test` (every suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi.py
# Where `make demo` serves: `make demo HOST=0.0.0.0 PORT=8000` lets tablets on the LAN in.
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: demo audit-key test test-sqlite test-postgres test-browser lint install chromium translations bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Development secrets, generated once; production sets INSPECT_SECRET_KEY and
# INSPECT_AUDIT_KEY instead. AUDIT_KEY is appended when missing (a file from an older
# checkout has only SECRET_KEY) and never replaced: the audit chain is sealed with it.
instance/config.py:
	mkdir -p instance
	$(PYTHON) -c "import secrets; print('SECRET_KEY = ' + repr(secrets.token_hex(32)))" > $@

audit-key: instance/config.py
	@$(PYTHON) -c "import pathlib, re, secrets; \
	p = pathlib.Path('instance/config.py'); text = p.read_text(); \
	has = re.search(r'^AUDIT_KEY\s*=', text, re.M); \
	sep = '' if not text or text.endswith('\n') else '\n'; \
	has or p.write_text(text + sep + 'AUDIT_KEY = ' + repr(secrets.token_hex(32)) + '\n')"

# The web server and the worker (alert delivery, overdue orders) together; Ctrl-C stops both.
demo: install instance/config.py audit-key
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/python bin/demo.py --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser tests (never a downloaded browser).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check inspect_app tests bench
	$(BIN)/mypy

# Two workers (pytest-xdist): CI and development machines have two cores.
XDIST ?= -n 2

test-sqlite: install
	$(BIN)/pytest -q -p no:cacheprovider $(XDIST) --ignore=tests/browser

# The API, service, web, migration and worker suites again, on the local PostgreSQL server.
test-postgres: install
	INSPECT_TEST_DATABASE=postgresql $(BIN)/pytest -q -p no:cacheprovider $(XDIST) \
	  -m "not sqlite_only" tests/api tests/services tests/web tests/migrations tests/worker

test-browser: install chromium
	$(BIN)/pytest -q -p no:cacheprovider tests/browser

test: lint test-sqlite test-postgres test-browser

translations: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o inspect_app/translations/messages.pot \
	  --no-location --sort-output --project inspect_app .
	$(BIN)/pybabel update --no-fuzzy-matching -i inspect_app/translations/messages.pot -d inspect_app/translations --width 100
	$(BIN)/pybabel compile -d inspect_app/translations

bench: install chromium
	$(BIN)/python bench/bench_metrology.py
	$(BIN)/python bench/bench_sync.py
	$(BIN)/python bench/bench_field_app.py
	$(BIN)/python bench/bench_uploads.py
	$(BIN)/python bench/bench_registry_import.py
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python bench/bench_public_page.py
	$(BIN)/python bench/bench_alert_latency.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
