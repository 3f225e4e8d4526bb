# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: install run serve loadtest test bench lint format check-deploy clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The demo collection on a first run; then where the site and the admin are,
# and (in a terminal, when there is none yet) the first admin account.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py search_index --rebuild
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py welcome --address $(HOST)
	DJANGO_RUNSERVER_HIDE_WARNING=true $(BIN)/python manage.py runserver $(HOST)

# The production stack on this machine: production settings, collected static
# files and gunicorn with gunicorn.conf.py, over plain HTTP (no TLS proxy here, so
# no HTTPS redirect). A throwaway SECRET_KEY unless you give one.
SERVE_ENV = DJANGO_SETTINGS_MODULE=archive.settings.production \
	SECRET_KEY="$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}" \
	GUNICORN_BIND="$${GUNICORN_BIND:-$(HOST)}"

serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py search_index --rebuild
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(SERVE_ENV) $(BIN)/gunicorn -c gunicorn.conf.py

# A short, headless load test against a running server (see docs/deploy.md).
LOADTEST_HOST ?= http://$(HOST)
LOADTEST_USERS ?= 20
LOADTEST_RATE ?= 5
LOADTEST_TIME ?= 5m

loadtest: install
	mkdir -p loadtest/results
	$(BIN)/locust -f loadtest/locustfile.py --headless --only-summary \
		-u $(LOADTEST_USERS) -r $(LOADTEST_RATE) -t $(LOADTEST_TIME) \
		--host $(LOADTEST_HOST) --csv loadtest/results/run

# The suite in one process per CPU (pytest-xdist); TEST_PROCESSES=0 runs it in
# this one (for a debugger, or output printed as it comes).
TEST_PROCESSES ?= auto

test: install
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) $(PYTEST_ARGS)

# Server time per page, search, admin and API scenario on the current database;
# e.g. make bench BENCH_ARGS="--only search --requests 50".
bench: install
	$(BIN)/python manage.py bench $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 *.egg-info
