"The GPU check's plumbing, run dry on this CPU with the tests' tiny model: a lent GPU runs the same script for real."
import os, subprocess, sys

def test_gpu_check_dry_run_prints_its_table(root, tmp_path):
    env = {**os.environ, "GPU_CHECK_OUT": str(tmp_path), "PYTHON": sys.executable}
    r = subprocess.run(["bash", "benchmarks/gpu_check.sh", "--dry-run"], cwd=root, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    rows = {l.split("|")[1].strip(): l.split("|")[2].strip() for l in r.stdout.splitlines() if l.startswith("| ") and "---" not in l}
    assert "collected" in rows["pytest -m gpu"], rows                   # the GPU tests are found (they need a GPU to run)
    for recipe in ["grpo", "sft"]:                                       # both paths of each recipe trained and were timed
        assert f"{recipe} LoRA" in rows, rows                               # a step that timed out or failed says so in its row
        cell = rows[f"{recipe} LoRA"]
        assert cell.count("s/step") == 2 and "tao-hub overhead" in cell and "failed" not in cell, cell
    assert "tokens/s" in rows["explore tokens/s, transformers"], rows
    vllm = rows["explore tokens/s, vllm"]
    assert "tokens/s (" in vllm or vllm.startswith("skipped"), vllm
    assert (tmp_path/"grpo.json").exists() and (tmp_path/"sft.json").exists()
