# The two commands (DESIGN.md): `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup assets messages migrate demo lint check clean bench

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json
	$(PY) scripts/copy_assets.py

messages: $(STAMP)
	$(PY) scripts/compile_messages.py

setup: $(STAMP) assets messages
	mkdir -p var/staticfiles

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# runserver is threaded and closes each request's database connection; with the SQLite settings (WAL, IMMEDIATE
# transactions, busy timeout) concurrent writers queue instead of failing (`make bench` measures it).
run: demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

check: lint test

clean:
	rm -rf $(VENV) node_modules static/vendor var

# Eight people at once for a minute through `make run`'s server, on its own copy of the demo database.
bench: setup
	$(PY) bench/concurrent_users.py
