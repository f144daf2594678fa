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

.PHONY: install run test lint check-system

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

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
