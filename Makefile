# The two commands of the README:
#   make run   installs everything, prepares the database, loads the demo data and serves the app
#   make test  installs everything and runs the whole test suite
# Both work on a fresh machine with Python 3.11+; scripts/check_system.sh says what else
# to install if something is missing.

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test production-check lint check-system

check-system:
	@scripts/check_system.sh

$(STAMP): pyproject.toml | check-system
	@scripts/check_system.sh venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet ".[dev]"
	@touch $(STAMP)

install: check-system $(STAMP)

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	@echo "Serving on http://$(HOST):$(PORT)/ (sign in with one of the accounts above)"
	@echo "Demo only: two-factor sign-in is switched off (MFA_REQUIRED=false). Never use real data."
	MFA_REQUIRED=false $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite, tests/production included (it starts the production stack when
# DATABASE_URL names PostgreSQL and REDIS_URL is set, and says it skipped otherwise).
test: install
	$(BIN)/python -m pytest

# Only the production stack check: a clean virtualenv built as the image is, then two
# gunicorn nodes, a Celery worker and beat with DEBUG off on PostgreSQL, Redis and a
# local S3 server; every demo role signs in with the second factor and every page
# reachable from its home page is fetched (tests/production).
production-check: install
	$(BIN)/python -m pytest -m production tests/production

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
