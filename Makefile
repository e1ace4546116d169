# The two commands: `make run` (try the app) and `make test` (lint + the whole suite).
# Both create .venv on first use; nothing else needs to be installed by hand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format migrate serve bench audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

## run: create .venv, install, migrate, load demo data (logins printed), serve on http://$(HOST):$(PORT)
## with a task worker alongside (it sends the emails, which DEBUG prints here)
# Links in emails and on pages use SITE_URL: the address this server answers on, unless set.
RUN_ENV := DEBUG=1 SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}"
run: $(VENV)/.installed-run
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	$(RUN_ENV) $(BIN)/python manage.py seed_demo --skip-if-seeded
	@echo "Serving on http://$(HOST):$(PORT)  (admin: http://$(HOST):$(PORT)/admin/); emails print below"
	@$(RUN_ENV) $(BIN)/python manage.py worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# mypy's django-stubs plugin imports the settings, which need DEBUG (or a SECRET_KEY) to load.
MYPY := DEBUG=1 $(BIN)/mypy

## test: create .venv if needed, install dev requirements, find (or download) Chromium for the
## browser tests, lint, type-check, run every test
test: $(VENV)/.installed-dev
	@$(BIN)/python -m tests.e2e.browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MYPY)
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MYPY)

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## audit: check every pinned requirement (and what it pulls in) for known vulnerabilities; needs network
AUDIT_SERVICE ?= pypi
audit: $(VENV)/.installed-dev
	$(BIN)/pip-audit --strict --progress-spinner off --vulnerability-service $(AUDIT_SERVICE) \
		-r requirements.txt -r requirements-dev.txt

## serve: production-like: collectstatic, migrate, then gunicorn (gunicorn.conf.py) with DEBUG off on
## http://$(HOST):$(PORT) against DATABASE_URL. Plain http on loopback, so it turns off the https
## redirect, HSTS and secure-only cookies (never do that behind a real address), allows
## 127.0.0.1/localhost, and generates a SECRET_KEY unless one is set. One task worker runs beside
## gunicorn (production: run `manage.py worker` as its own service). Emails go to EMAIL_BACKEND;
## unset, to a console backend that shows that an email went and never its address or links.
serve: $(VENV)/.installed-run
	@export DEBUG=0 SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 \
		SECURE_HSTS_SECONDS=0 ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
		SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" GUNICORN_BIND="$(HOST):$(PORT)" \
		EMAIL_BACKEND="$${EMAIL_BACKEND:-clinic.mail.RedactedConsoleBackend}" \
		SECRET_KEY="$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')}"; \
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0 && \
	$(BIN)/python manage.py migrate --no-input && \
	echo "Serving on http://$(HOST):$(PORT) with gunicorn and a task worker, DEBUG off" && \
	{ $(BIN)/python manage.py worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --config gunicorn.conf.py; }

## bench: every benchmark in one go (a few minutes; needs PostgreSQL and wrk): docs/benchmarks.md
bench: $(VENV)/.installed-dev
	@command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .hypothesis staticfiles
