# Cirkler: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEV_ENV := DJANGO_DEBUG=1

.PHONY: install run test lint audit messages clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The site on the embedded defaults (SQLite, in-memory channel layer) with demo data, at http://127.0.0.1:8000
run: $(STAMP)
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo
	@echo "Cirkler runs at http://127.0.0.1:8000 (Ctrl-C stops the site, the worker and the reminder check)"
	$(DEV_ENV) sh -c 'trap "kill 0" INT TERM EXIT; $(PY) manage.py db_worker & $(PY) manage.py circles_schedule_reminders --every 300 & $(VENV)/bin/daphne -b 127.0.0.1 -p 8000 config.asgi:application'

## The whole test suite; PYTEST_ARGS passes options on (a single test: make test PYTEST_ARGS="tests/test_pages.py -k home")
test: $(STAMP)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## Known vulnerabilities in the installed dependencies (needs PyPI's per-version JSON)
audit: $(STAMP)
	$(VENV)/bin/pip-audit --strict --skip-editable --progress-spinner off

## Extract new strings into locale/da and locale/en, keep English whole, compile both.
messages: $(STAMP)
	$(DEV_ENV) $(PY) manage.py makemessages -l da -l en --no-obsolete --ignore=.venv --ignore=tests --ignore=staticfiles
	$(PY) config/i18n.py
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles test-db.sqlite3*
