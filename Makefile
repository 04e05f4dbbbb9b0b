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

.PHONY: app lab test test-unit test-notebooks test-browser bench setup setup-browser setup-postgresql clean help

help:
	@echo "make app    - set up and serve the workbook's apps at http://127.0.0.1:$(PORT)/"
	@echo "make lab    - open the notebooks in JupyterLab"
	@echo "make test   - set up and run every test (unit, notebooks with nbval, apps in Chromium)"
	@echo "make bench  - run the speed benchmarks in benchmarks/"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (workbook)" > /dev/null
	touch $(STAMP)

setup: $(STAMP)

setup-browser:
	@bash scripts/ensure-chromium.sh

setup-postgresql:
	@bash scripts/ensure-postgresql.sh

app: setup
	@echo "Serving the Social Value Workbook at http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	@exec $(BIN)/voila --port=$(PORT) --no-browser --Voila.ip=127.0.0.1 notebooks/

lab: setup
	@exec $(BIN)/jupyter lab --notebook-dir=notebooks --ServerApp.ip=127.0.0.1

test: setup setup-browser setup-postgresql
	$(BIN)/python -m pytest -q -p no:cacheprovider tests
	$(BIN)/python -m pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

test-unit: setup
	$(BIN)/python -m pytest -q -m "not browser" tests

test-notebooks: setup
	$(BIN)/python -m pytest -q --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

test-browser: setup setup-browser
	$(BIN)/python -m pytest -q -m browser tests

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) outputs .pytest_cache
