# The two commands in README.md: `make demo` and `make test`. Each creates .venv/ and installs what it needs.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# A bare `torch` requirement pulls several GB of CUDA packages: on a machine without an NVIDIA GPU take the CPU build.
TORCH ?= $(if $(shell command -v nvidia-smi 2>/dev/null),torch,torch==2.13.0)
STAMP := $(VENV)/.installed

.PHONY: install demo test test-slow check clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q $(TORCH)
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/tao-hub demo --out tao-out/demo --overwrite

test: $(STAMP)
	$(BIN)/python -m pytest

test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow

# what CI checks besides the tests: notebooks clean, package exported, README and pyproject current
check: $(STAMP)
	$(BIN)/nbdev-clean && $(BIN)/nbdev-export && $(BIN)/python scripts/sync_pyproject.py && $(BIN)/python scripts/render_readme.py --check
	git diff --exit-code -- nbs tao_hub pyproject.toml README.md

clean:
	rm -rf $(VENV) .pytest_cache
