# The two commands in README.md: `make demo` and `make test`. Each creates .venv/ and installs what it needs,
# at the versions CI last tested (requirements/lock.txt, resolved on Python 3.11).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LOCK := requirements/lock.txt
# torch at the lock's version, installed first. TORCH_INDEX adds an index to take it from: CI passes PyTorch's CPU index
# (a CPU build); without one, pip takes PyPI's build (with CUDA on Linux), or, on this workplace's machines, the CPU wheel
# on their disk.
TORCH ?= $(or $(shell grep -m1 '^torch==' $(LOCK) 2>/dev/null),torch)
TORCH_INDEX ?=
TORCH_FROM = $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX))
STAMP := $(VENV)/.installed
# `make test-latest`: the newest releases of every dependency, in a venv of their own; torch is TORCH_LATEST
# (the weekly workflow passes the newest one; locally it stays the locked one unless you say otherwise)
LATEST := .venv-latest
TORCH_LATEST ?= $(TORCH)

.PHONY: install demo test test-slow test-latest lock check outputs wheel tutorials clean python-version

python-version:
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "make needs Python 3.11 or newer ($(LOCK) was resolved on 3.11): pass PY=python3.11, or pip install tao-hub for ranges that allow 3.10")'

$(STAMP): pyproject.toml $(LOCK)
	@$(MAKE) -s python-version
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c $(LOCK) $(TORCH) $(TORCH_FROM)
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
test-latest: python-version
	rm -rf $(LATEST) && $(PY) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install -q --upgrade pip
	$(LATEST)/bin/python -m pip install -q $(TORCH_LATEST) $(TORCH_FROM)
	$(LATEST)/bin/python -m pip install -q -e ".[dev]"
	$(LATEST)/bin/python -m pip freeze --exclude-editable | grep -iE '^(torch|transformers|trl|peft|bitsandbytes|accelerate|datasets|huggingface.hub)=='
	$(LATEST)/bin/python -m pytest
	touch $(LATEST)/.passed

# the lock from the venv whose suite `make test-latest` passed (local build labels such as +cpu dropped)
lock:
	test -f $(LATEST)/.passed || { echo "make test-latest has not passed: the lock records only a tested set"; exit 1; }
	{ grep '^#' $(LOCK); $(LATEST)/bin/python -m pip freeze --exclude-editable | sed -E 's/\+[a-z0-9.]+$$//'; } > $(LOCK).new
	mv $(LOCK).new $(LOCK)

# what CI checks besides the tests: notebooks clean, package exported, README and pyproject current, ruff (ruff.toml)
check: $(STAMP)
	$(BIN)/nbdev-clean && $(BIN)/nbdev-export && $(BIN)/python scripts/sync_pyproject.py && $(BIN)/python scripts/render_readme.py --check
	git diff --exit-code -- nbs tao_hub pyproject.toml README.md
	$(BIN)/ruff check .
	$(BIN)/python scripts/notebook_outputs.py --check

# the package as pip installs it: build, twine check, the wheel in a fresh venv outside the repo (scripts/check_wheel.sh)
wheel: $(STAMP)
	bash scripts/check_wheel.sh $(BIN)/python $(TORCH) $(TORCH_FROM)

# the tutorials (nbs/tutorials/) top to bottom on a CPU, as CI runs them: the embedded SmolLM2, a Hub emulator, small settings
# (TAO_TUTORIAL_CI=1, read by their parameters cell); SAVE=1 keeps their outputs in the notebooks
tutorials: $(STAMP)
	$(BIN)/python scripts/notebook_outputs.py --tutorials $(if $(SAVE),--save && $(BIN)/nbdev-clean)

# run every notebook and keep the outputs a reader should see (scripts/notebook_outputs.py says which); commit them
outputs: $(STAMP)
	$(BIN)/python scripts/notebook_outputs.py && $(BIN)/nbdev-clean

clean:
	rm -rf $(VENV) $(LATEST) .pytest_cache
