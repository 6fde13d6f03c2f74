#!/usr/bin/env bash
# Fetch, here, the wheels that benchmarks/gpu_check.sh needs on the lent GPU machine, whose image (Python 3.12, torch with
# CUDA 13) lacks them or holds other versions: the versions of requirements/lock.txt, into .whl/ (git-ignored).
# bitsandbytes keeps only its CUDA 13 libraries, so that everything travels within the device tool's 64 MiB. SmolLM2's
# tokenizer (which the random-init Qwen models borrow) goes to .whl/tokenizer: the GPU machine cannot fetch it.
#   bash benchmarks/gpu_wheels.sh      # then: device run with carry [".whl"], command `bash benchmarks/gpu_check.sh`
set -euo pipefail
cd "$(dirname "$0")/.."
NEED="bitsandbytes datasets dill multiprocess fastcore httpcore2 httpx2 truststore regex kernels pytest-socket trl huggingface_hub transformers peft accelerate tokenizers"
PINS=$(for n in $NEED; do grep -i -E "^${n//_/[-_]}==" requirements/lock.txt || { echo "$n is not in requirements/lock.txt" >&2; exit 1; }; done)
rm -rf .whl && mkdir -p .whl
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp --platform manylinux_2_28_x86_64 \
  --platform manylinux_2_24_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl $PINS
PY=python3; [ -x .venv/bin/python ] && PY=.venv/bin/python
cp -r "$($PY -c 'from tao_hub.models import embedded_tokenizer_dir; print(embedded_tokenizer_dir())')" .whl/tokenizer
zip -q -d .whl/bitsandbytes-*.whl 'bitsandbytes/libbitsandbytes_cuda11*' 'bitsandbytes/libbitsandbytes_cuda12*'
ls -la .whl && du -sh .whl
