#!/usr/bin/env bash
# The package as `pip install tao-hub` delivers it: build the sdist and wheel, `twine check` them, install the wheel (not
# editable) with the locked versions into a fresh virtual environment outside the repository, and run
# scripts/wheel_smoke.py there. Usage: scripts/check_wheel.sh PYTHON TORCH_REQUIREMENT [PIP_ARGS_FOR_TORCH...]
set -euo pipefail
py=$1; torch=$2; shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
version=$(grep -m1 '^version' "$root/settings.ini" | sed 's/.*= *//')
"$py" -m build --outdir "$tmp/dist" "$root" > "$tmp/build.log" 2>&1 || { tail -20 "$tmp/build.log"; exit 1; }
"$py" -m twine check --strict "$tmp"/dist/*
"$py" -m venv "$tmp/venv"                      # the venv's base interpreter is the one the lock was tested on
"$tmp/venv/bin/python" -m pip install -q --upgrade pip
"$tmp/venv/bin/python" -m pip install -q -c "$root/requirements/lock.txt" "$torch" "$@"
"$tmp/venv/bin/python" -m pip install -q -c "$root/requirements/lock.txt" "$tmp/dist/tao_hub-$version-py3-none-any.whl"
cd "$tmp" && HF_HOME="$tmp/hf" TAO_HUB_CACHE="$tmp/cache" "$tmp/venv/bin/python" "$root/scripts/wheel_smoke.py" "$version"
