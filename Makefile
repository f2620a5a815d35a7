# Poser: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONFIG ?= development.ini

.PHONY: run test lint unit functional browser bench sdist clean-venv

$(BIN)/.installed: setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# Pyramid 2.1 imports pkg_resources; setuptools 80.9 and later warn about it at
	@# every start (a UserWarning), and 82 removes it.
	@# -qq: errors only. setuptools' notice about editable installs is not one.
	$(BIN)/python -m pip install -qq --upgrade pip wheel "setuptools>=69,<80.9"
	$(BIN)/python -m pip install -qq -e '.[dev,testing]'
	touch $@

## run: create the environment, app dir, database and an admin; then serve on :6543
## with a worker beside it. Ctrl-C stops both, and make ends without an error.
# In a terminal the server runs as a job of its own (set -m), in the terminal's
# foreground, so Ctrl-C reaches the server alone and not make, which would die of it
# ("Interrupt", status 130) whatever the recipe does. When the server has stopped, the
# worker is told to stop (SIGTERM: as graceful as Ctrl-C, see poser.entry_points.worker)
# and waited for. Without a terminal (`timeout -s INT make run`) there is no job control:
# a SIGINT to the process group reaches the server and the worker alike.
run: $(BIN)/.installed
	$(BIN)/poser -c $(CONFIG) dev-setup
	@$(BIN)/poser -c $(CONFIG) worker & worker=$$!; \
	  if [ -t 0 ]; then set -m; fi; \
	  $(BIN)/pserve $(CONFIG); status=$$?; set +m; \
	  kill -TERM $$worker 2>/dev/null; wait $$worker; \
	  exit $$status

## test: lint, architecture and migration checks, then the whole test suite
test: lint
	$(BIN)/pytest $(PYTEST_ARGS)

## lint: ruff (lint + format), import-linter layer contracts, models vs migrations
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  POSER_APPDIR=$$tmp POSER_DATABASE_URL= $(BIN)/poser -c $(CONFIG) make-appdir >/dev/null && \
	  POSER_APPDIR=$$tmp POSER_DATABASE_URL= $(BIN)/poser -c $(CONFIG) db upgrade >/dev/null 2>&1 && \
	  POSER_APPDIR=$$tmp POSER_DATABASE_URL= $(BIN)/poser -c $(CONFIG) db check

unit: $(BIN)/.installed
	$(BIN)/pytest tests/unit
functional: $(BIN)/.installed
	$(BIN)/pytest tests/functional
browser: $(BIN)/.installed
	$(BIN)/pytest tests/browser

## bench: benchmarks, JSON lines on stdout (and in bench/results/)
bench: $(BIN)/.installed
	@mkdir -p bench/results
	@for script in bench/bench_*.py; do $(BIN)/python $$script | tee -a bench/results/$$(date +%Y%m%d).jsonl; done

sdist: $(BIN)/.installed
	$(BIN)/python -m build --sdist --no-isolation --outdir dist

clean-venv:
	rm -rf $(VENV)
