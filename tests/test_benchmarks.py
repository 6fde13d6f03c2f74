"Benchmarks' plumbing on this CPU with the tests' tiny model: the GPU check run dry (a lent GPU runs it for real), the seed retrainer."
import json, os, subprocess, sys

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

def test_retrain_seeds_gives_back_the_rounds_adapter(root, tiny_model, tmp_path):
    "`retrain_seeds.py` on a finished round: its own seed reproduces the round's tuned answers; another seed trains anew."
    from tao_hub.testing.tiny import tiny_prompts
    from conftest import tao
    out = tmp_path/"r"
    r = tao("run", "--model", tiny_model, "--prompts", tiny_prompts(tmp_path/"p.jsonl"), "--n-train", 10, "--n-eval", 6, "--max-new-tokens", 8,
            "--strategies", "plain@1.0,restate@1.0", "--sft-epochs", 1, "--per-device-train-batch-size", 4, "--out", out)
    assert r.returncode == 0, r.stderr[-3000:]
    res = tmp_path/"results"
    res.mkdir()
    r = subprocess.run([sys.executable, "benchmarks/retrain_seeds.py", str(out), "--seeds", "0,7", "--tag", "t", "--results", str(res)],
                       cwd=root, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    saved = json.loads((res/"t.json").read_text())
    assert [x["seed"] for x in saved["runs"]] == [0, 7] and "over 2 seeds: mean" in r.stdout
    tuned = lambda f: [(g["prompt"], g["completion"]) for g in map(json.loads, f.read_text().splitlines()) if g["system"] == "tuned"]
    again = res/"effect-ifeval-retrain"/"t"/f"{tmp_path.name}-r-t0"
    assert tuned(again/"eval_generations.jsonl") == tuned(out/"eval_generations.jsonl")        # seed 0 is the round's: the same adapter
    m, f = json.loads((out/"metrics.json").read_text()), saved["runs"][0]["figures"]
    assert f["metric"] == "the round's score" and abs(f["tuned_minus_base"]["diff"] - m["tuned_minus_base"]["diff"]) < 1e-9
    assert json.loads((res/"effect-ifeval-retrain"/"t"/f"{tmp_path.name}-r-t7"/"config.json").read_text())["seed"] == 7
