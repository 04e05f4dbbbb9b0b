# Social Value Workbook: the two commands are `make app` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8866
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export JUPYTER_PATH := $(CURDIR)/share/jupyter
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1

HUB_PORT ?= 8000
LOCK_EXTRAS := --extra test --extra hub

.PHONY: app lab test lint test-unit test-notebooks test-browser test-hub bench bench-meeting setup setup-browser setup-hub-proxy setup-postgresql hub lock clean help

help:
	@echo "make app    - set up and serve the workbook's apps at http://127.0.0.1:$(PORT)/"
	@echo "make lab    - open the notebooks in JupyterLab"
	@echo "make test   - set up and run every test (unit, notebooks with nbval, apps in Chromium)"
	@echo "make bench  - run the speed benchmarks in benchmarks/ (make bench-meeting: 20 councillors at once)"
	@echo "make hub    - serve the workbook to many users with JupyterHub at http://127.0.0.1:$(HUB_PORT)/ (development log-ins)"
	@echo "make lock   - re-resolve requirements.lock (pinned versions with hashes) from pyproject.toml"

# Installs exactly the versions in requirements.lock (checked against their hashes), then the workbook itself.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (workbook)" > /dev/null
	touch $(STAMP)

setup: $(STAMP)

setup-browser:
	@bash scripts/ensure-chromium.sh

setup-postgresql:
	@bash scripts/ensure-postgresql.sh

setup-hub-proxy:
	@bash scripts/ensure-hub-proxy.sh

# Re-resolve the lock from pyproject.toml (uv is installed into the venv from PyPI; it is not in the lock).
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml $(LOCK_EXTRAS) --generate-hashes --python-version 3.11 --quiet -o requirements.lock

# For a committee meeting: make app MEETING=grant_allocation.ipynb POOL=20 (README: "Before a meeting").
MEETING ?=
POOL ?=
app: setup
	@exec $(BIN)/python scripts/serve_apps.py --port=$(PORT) --no-browser --Voila.ip=127.0.0.1 \
		$(if $(MEETING),--meeting $(MEETING) --pool $(or $(POOL),20)) notebooks/

lab: setup
	@exec $(BIN)/jupyter lab --notebook-dir=notebooks --ServerApp.ip=127.0.0.1

hub: setup setup-hub-proxy
	@echo "Serving the workbook with JupyterHub at http://127.0.0.1:$(HUB_PORT)/  (Ctrl-C to stop; development log-ins only)"
	@SV_HUB_PORT=$(HUB_PORT) exec $(BIN)/python deploy/jupyterhub/run_hub.py -f deploy/jupyterhub/jupyterhub_config.py

# Lint and format (ruff), every test (unit, property, papermill, the store on SQLite and PostgreSQL, the apps in
# Chromium, the hub) with the docstrings' examples, then the notebooks with nbval. Runs record into a throwaway store.
test: setup setup-browser setup-postgresql setup-hub-proxy lint
	$(BIN)/python -m pytest -q -p no:cacheprovider --doctest-modules --ignore=sv_helpers/store/migrations sv_helpers
	$(BIN)/python -m pytest -q -p no:cacheprovider --durations=25 tests
	SV_STORE_URL=sqlite:///$$(mktemp -d)/nbval.sqlite $(BIN)/python -m pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-unit: setup
	$(BIN)/python -m pytest -q -m "not browser and not hub" tests

test-notebooks: setup
	$(BIN)/python -m pytest -q --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

test-browser: setup setup-browser
	$(BIN)/python -m pytest -q -m browser tests

test-hub: setup setup-hub-proxy
	$(BIN)/python -m pytest -q -p no:cacheprovider -m hub tests/hub

bench: setup
	$(BIN)/python benchmarks/run.py

# Twenty councillors open one app within 10 s: the server alone (protocol level), in one run: make app before
# the meeting work (BEFORE), make app as it is, as started for a meeting, then the hub with each councillor's
# server started at log-in and started ahead; one row per setup and N in benchmarks/results/meeting.json.
MEETING_APP ?= grant_allocation.ipynb
BEFORE ?= 2d6290f
bench-meeting: setup setup-hub-proxy
	$(BIN)/python benchmarks/load_apps.py --protocol --targets voila hub --n 1 5 10 20 --app $(MEETING_APP) \
		--check-browser --setup "voila:before@$(BEFORE)=" --setup "voila:make-app=" \
		--setup "voila:meeting=--meeting $(MEETING_APP) --pool 20" \
		--setup "hub:hub-at-log-in=" --setup "hub:hub-started-ahead=--prestart" \
		--json benchmarks/results/meeting.json

clean:
	rm -rf $(VENV) outputs .pytest_cache
