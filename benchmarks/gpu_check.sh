#!/usr/bin/env bash
# The GPU check: what a lent GPU should run first, in one script that ends within 8 minutes and prints one table.
#   1. pytest -m gpu (QLoRA GRPO on a random-init Qwen2.5-0.5B through tao-hub; DDP where there are two GPUs);
#   2. GRPO and SFT step time, tao-hub against plain TRL, 4-bit QLoRA and bf16 LoRA, with peak memory (train_overhead.py);
#   3. exploration tokens/s, transformers against vLLM (vLLM only where it imports), with peak memory (generation.py --engine).
#
#   bash benchmarks/gpu_check.sh             # on the GPU machine, from the repository root (~6 min on an H100, estimated)
#   bash benchmarks/gpu_check.sh --dry-run   # on a CPU: the same plumbing on the tests' tiny model, pytest collection only
#
# Packages the GPU image lacks travel as wheels in .whl/ (benchmarks/gpu_wheels.sh fetches them): when .whl/ exists they are
# installed, with tao-hub, into a venv over the image's torch. Each step has its own time limit (about 9 minutes in all);
# a step that fails or times out becomes a row saying so, and the table is printed anyway. Results go to $GPU_CHECK_OUT
# (default: $OUT, which the device tool brings back, else a new temporary folder).
set -uo pipefail
cd "$(dirname "$0")/.."
DRY=0; [ "${1:-}" = "--dry-run" ] && DRY=1
PY=${PYTHON:-python3}; [ -z "${PYTHON:-}" ] && [ -x .venv/bin/python ] && PY=.venv/bin/python
RES=${GPU_CHECK_OUT:-${OUT:-$(mktemp -d)}}; mkdir -p "$RES"      # the device tool brings $OUT back
if [ $DRY = 0 ]; then   # a venv over the image's torch: the carried wheels, then tao-hub itself (its console script, its metadata)
  python3 -m venv --system-site-packages /tmp/gpuenv && PY=/tmp/gpuenv/bin/python || { echo "could not make a venv"; exit 1; }
  if [ -d .whl ]; then $PY -m pip install -q --no-index --no-deps --no-compile .whl/*.whl || { echo "installing .whl/ failed"; exit 1; }; fi
  $PY -m pip install -q --no-index --no-deps --no-build-isolation . || { echo "installing tao-hub failed"; exit 1; }
  [ -d .whl/tokenizer ] && export TAO_TOKENIZER_DIR=$PWD/.whl/tokenizer
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1
if [ $DRY = 1 ]; then MODEL=tiny; STEPS=3; PROMPTS=16; TOKENS=8; PYTEST="--collect-only"; PRECISIONS=lora   # CPUs without AVX512-BF16 lack 4-bit
  SLACK=2   # a dry run checks plumbing on any CPU: a slow or busy one gets twice the GPU's limits (the test allows 900 s in all)
else MODEL=qwen2.5-0.5b; STEPS=5; PROMPTS=256; TOKENS=128; PYTEST="--flags gpu"; PRECISIONS="4bit lora"; SLACK=1; fi

step() { # name, time limit in seconds, command...: runs it, keeps its output and exit status beside the results
  local name=$1 limit=$2; shift 2
  local t0=$SECONDS
  timeout "$limit" "$@" > "$RES/$name.log" 2>&1; echo "$? $((SECONDS - t0))" > "$RES/$name.rc"
  echo "  $name: exit $(cut -d' ' -f1 "$RES/$name.rc") in $((SECONDS - t0)) s" >&2
}

echo "GPU check ($([ $DRY = 1 ] && echo 'dry run, tiny model, CPU' || echo "$MODEL")), results in $RES" >&2
step pytest_gpu $((110 * SLACK)) $PY -m pytest -m gpu -p no:cacheprovider -q -n 0 tests/test_gpu.py $PYTEST
for recipe in grpo sft; do   # sft also times tao-hub's default, SFT with token-level unlikelihood (tao+ul), for its memory on a large vocabulary
  step "$recipe" $(( $([ $recipe = grpo ] && echo 130 || echo 170) * SLACK )) $PY benchmarks/train_overhead.py --recipe $recipe --model $MODEL --steps $STEPS --precisions $PRECISIONS --out "$RES/$recipe.json" \
    --paths trl tao $([ $recipe = sft ] && echo tao+ul)
done
for engine in transformers vllm; do
  if [ $engine = vllm ] && ! $PY -c "import vllm" 2>/dev/null; then echo "vLLM does not import here" > "$RES/$engine.log"; echo "skip 0" > "$RES/$engine.rc"; continue; fi
  step $engine $((60 * SLACK)) sh -c "$PY benchmarks/generation.py --engine $engine --model $MODEL --prompts $PROMPTS --tokens $TOKENS > '$RES/$engine.json'"
done
$PY benchmarks/gpu_table.py "$RES"
