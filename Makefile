# The two commands in README.md: `make demo` and `make test`. Each creates .venv/ and installs what it needs,
# at the versions CI last tested (requirements/lock.txt).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LOCK := requirements/lock.txt
# torch at the lock's version, installed first: CI takes its CPU build from PyTorch's index, this workplace's machines the CPU
# wheel on their disk; elsewhere PyPI's build (with CUDA on Linux).
TORCH ?= $(shell grep -m1 '^torch==' $(LOCK))
STAMP := $(VENV)/.installed
# `make test-latest`: the newest releases of every dependency, in a venv of their own; torch is TORCH_LATEST
# (the weekly workflow passes the newest CPU build; locally it stays the locked one unless you say otherwise)
LATEST := .venv-latest
TORCH_LATEST ?= $(TORCH)

.PHONY: install demo test test-slow test-latest lock check clean

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c $(LOCK) $(TORCH)
	$(BIN)/python -m pip install -q -c $(LOCK) -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/tao-hub demo --out tao-out/demo --overwrite

test: $(STAMP)
	$(BIN)/python -m pytest

test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow

# Drift found by a job, not by a user: the suite on whatever PyPI serves today (the weekly workflow runs it).
# When it passes, `make lock` records those versions; when it fails, the lock keeps users on the tested set.
test-latest:
	rm -rf $(LATEST) && $(PY) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install -q --upgrade pip
	$(LATEST)/bin/python -m pip install -q $(TORCH_LATEST)
	$(LATEST)/bin/python -m pip install -q -e ".[dev]"
	$(LATEST)/bin/python -m pip freeze --exclude-editable | grep -iE '^(torch|transformers|trl|peft|bitsandbytes|accelerate|datasets|huggingface.hub)=='
	$(LATEST)/bin/python -m pytest

# the lock from the venv that `make test-latest` tested
lock:
	test -x $(LATEST)/bin/python || { echo "run make test-latest first: the lock records what it tested"; exit 1; }
	{ head -3 $(LOCK); $(LATEST)/bin/python -m pip freeze --exclude-editable | sed 's/+cpu$$//'; } > $(LOCK).new && mv $(LOCK).new $(LOCK)

# what CI checks besides the tests: notebooks clean, package exported, README and pyproject current
check: $(STAMP)
	$(BIN)/nbdev-clean && $(BIN)/nbdev-export && $(BIN)/python scripts/sync_pyproject.py && $(BIN)/python scripts/render_readme.py --check
	git diff --exit-code -- nbs tao_hub pyproject.toml README.md

clean:
	rm -rf $(VENV) $(LATEST) .pytest_cache
