# The README's two commands: `make run` and `make test`. Both set up .venv on their own.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-requirements
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint format stack stop-stack clean

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

install: $(STAMP)

## Serve the portal with the real 2020 network as demo data (SQLite, no other service).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --if-empty
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## Run the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set), one worker
## per core; a test file stays on one worker, so the demo network is loaded once per file.
PYTEST_WORKERS ?= auto
test: install
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile

## The production-like set on this machine: gunicorn, a Celery worker and beat on PostgreSQL and Redis.
STACK_DIR := $(CURDIR)/.stack
STACK_DB ?= postgres://postgres@127.0.0.1:5432/ungmusikk
STACK_REDIS ?= redis://127.0.0.1:6379/0
## Plain HTTP on 127.0.0.1: the production settings' HTTPS switches are turned off (README, "Production settings").
STACK_HTTP = SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0
STACK_ENV = DATABASE_URL=$(STACK_DB) REDIS_URL=$(STACK_REDIS) DEBUG=0 SECRET_KEY="$$(cat $(STACK_DIR)/secret_key)" \
	ALLOWED_HOSTS=127.0.0.1,localhost $(STACK_HTTP)

stack: install
	@mkdir -p $(STACK_DIR)
	@test -s $(STACK_DIR)/secret_key || $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $(STACK_DIR)/secret_key
	@psql "$(dir $(STACK_DB))postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$(notdir $(STACK_DB))'" | grep -q 1 \
		|| psql "$(dir $(STACK_DB))postgres" -c "CREATE DATABASE \"$(notdir $(STACK_DB))\""
	$(STACK_ENV) $(BIN)/python manage.py migrate --noinput
	$(STACK_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(STACK_ENV) $(BIN)/python manage.py load_demo --force --if-empty
	$(STACK_ENV) $(BIN)/celery --workdir $(CURDIR) -A ungmusikk worker --concurrency=2 --detach \
		--pidfile=$(STACK_DIR)/worker.pid --logfile=$(STACK_DIR)/worker.log
	$(STACK_ENV) $(BIN)/celery --workdir $(CURDIR) -A ungmusikk beat --detach \
		--pidfile=$(STACK_DIR)/beat.pid --logfile=$(STACK_DIR)/beat.log
	@echo "Worker and beat run in the background (logs in $(STACK_DIR)/); stop them with: make stop-stack"
	$(STACK_ENV) $(BIN)/gunicorn ungmusikk.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile - \
		--access-logformat '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'

stop-stack:
	-@for name in worker beat; do test -s $(STACK_DIR)/$$name.pid && kill $$(cat $(STACK_DIR)/$$name.pid); done; true

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_cache .ruff_cache
