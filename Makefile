# The two commands (DESIGN.md): `make run` and `make test`. Both set everything up first.
# Python packages come from the lock (requirements/*.txt, exact versions with hashes): see README "Dependencies".
PYTHON ?= python3
PORT ?= 8000
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LOCK := requirements/dev.txt
# pytest-xdist workers: one per core by default; TEST_WORKERS=0 runs in one process. worksteal: an idle worker takes
# tests queued for a busy one, so the few long tests (browser journeys, the Celery worker) do not hold the run up.
TEST_WORKERS ?= auto

.PHONY: run test setup assets messages migrate demo lint check clean lock upgrade lock-check audit browser-deps bench bench-assessment

# The tested set, exactly: every package from the lock with its hash checked, then the project itself without
# resolving anything (--no-deps) and built by the locked setuptools (--no-build-isolation).
$(STAMP): $(LOCK) pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c 'import sys; v = sys.version_info[:2]; v == (3, 11) or print(f"warning: the lock is resolved for Python 3.11, this is {v[0]}.{v[1]}: set PYTHON=python3.11", file=sys.stderr)'
	# pip itself first, at its locked version: the pip a new venv brings (23.x) refuses a locked package that
	# another asks for with an extra (pip-audit's cachecontrol[filecache]) as "not pinned".
	awk '/^pip==/{p=1} p{print} p&&!/\\$$/{exit}' $(LOCK) > $(VENV)/pip-lock.txt
	$(PY) -m pip install --quiet --require-hashes -r $(VENV)/pip-lock.txt
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
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

# The browser tests need Debian's chromium and CJK fonts: installed here when root, else a clear stop.
browser-deps:
	scripts/browser_deps.sh

test: setup browser-deps
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy apps
	$(VENV)/bin/lint-imports

check: lint lock-check test

# Regenerate the lock after editing the dependencies in pyproject.toml (keeps every pin that still fits).
lock: $(STAMP)
	$(PY) scripts/lock.py lock

# Move every package to the newest version pyproject.toml allows, install that and run the whole suite.
upgrade: $(STAMP)
	$(PY) scripts/lock.py upgrade
	$(MAKE) test

# Fails when the lock and pyproject.toml disagree (.ci/run runs it).
lock-check: $(STAMP)
	$(PY) scripts/lock.py check

# Known vulnerabilities in the locked Python set and the npm set; needs the vulnerability databases (see README).
audit: $(STAMP)
	$(PY) scripts/audit.py

clean:
	rm -rf $(VENV) node_modules static/vendor var

# Eight people at once for a minute through `make run`'s server, on its own copy of the demo database.
# With SCALE=S or SCALE=L: the scale benchmark (bench/run.py: generated data on PostgreSQL, gunicorn, Redis).
bench: setup
ifdef SCALE
	$(PY) bench/run.py --scale $(SCALE)
else
	$(PY) bench/concurrent_users.py
endif

bench-assessment: setup
	$(PY) bench/assessment_cycle.py
